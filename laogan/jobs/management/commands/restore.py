from django.core.management.base import BaseCommand, CommandError

from laogan.jobs.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = ("Restore a backup archive into a new, migrated, empty installation. Every checksum is checked first; "
            "a damaged backup or a database that already holds data is refused and nothing is changed.")

    def add_arguments(self, parser):
        parser.add_argument("archive", help="A backup written by manage.py backup")

    def handle(self, *args, archive, **options):
        try:
            self.stdout.write(restore_backup(archive))
        except BackupError as e:
            raise CommandError(str(e)) from None
