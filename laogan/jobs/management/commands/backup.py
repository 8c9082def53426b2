from django.core.management.base import BaseCommand, CommandError

from laogan.jobs.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Write a backup archive (.tar.gz): a consistent copy of the database, the uploaded files and a manifest."
    # A backup must be possible whatever else is wrong, and the checks' probe of SQLite's JSON support would wait
    # for a write lock another process may hold for a while.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("out", help="The archive to write, e.g. /var/backups/laogan-20261126.tar.gz")

    def handle(self, *args, out, **options):
        try:
            manifest = create_backup(out)
        except BackupError as e:
            raise CommandError(str(e)) from None
        media = sum(1 for f in manifest["files"] if f["name"].startswith("media/"))
        self.stdout.write(f"Backed up {manifest['engine']}: {len(manifest['tables'])} tables, "
                          f"{sum(manifest['tables'].values())} rows, {media} uploaded files to {out}")
