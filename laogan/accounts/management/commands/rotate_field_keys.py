"""python manage.py rotate_field_keys [--batch-size N] [--max-batches N] [--restart]

Put the new key first in LAOGAN_FIELD_KEYS (keep the old ones after it), restart the web server and worker, then
run this. It can be stopped at any time and run again; it continues after the last finished batch. When it says
"finished", the old keys can be removed from LAOGAN_FIELD_KEYS.
"""

from django.core.management.base import BaseCommand, CommandError

from laogan.accounts import keyrotation


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the newest key of LAOGAN_FIELD_KEYS, in batches, resumably."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--max-batches", type=int, default=None, help="stop after this many batches (resume later)")
        parser.add_argument("--restart", action="store_true", help="ignore the checkpoint and check every row again")

    def handle(self, *args, batch_size, max_batches, restart, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        totals = keyrotation.rotate_all(batch_size=batch_size, max_batches=max_batches, restart=restart,
                                        progress=self.stdout.write)
        state = "finished" if totals.finished else "stopped early; run again to continue"
        self.stdout.write(f"Key rotation {state}: {totals.checked} rows checked, {totals.rotated} re-encrypted, "
                          f"{totals.checked - totals.rotated} already on the newest key, {totals.batches} batches, "
                          f"{len(totals.tables)} tables.")
