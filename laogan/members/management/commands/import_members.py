"""Import a roster: python manage.py import_members FILE --org CODE [--dry-run].

Scripts read the last line, which is always `imported N, updated N, unchanged N, rejected N`; rejected rows are
listed above it. The exit status is non-zero only when the file cannot be read or the unit does not exist.
"""

from django.core.management.base import BaseCommand, CommandError

from laogan.accounts.models import Unit
from laogan.lib.spreadsheet import SpreadsheetError
from laogan.members import roster
from laogan.members.actions import do_import_roster


class Command(BaseCommand):
    help = "Import members from a roster (.xlsx, .xls or .csv) into a unit's subtree, matching them by ID number."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--org", required=True, help="Code of the unit (centre, branch or group) to import into.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")

    def handle(self, *args, file, org, dry_run, **options):
        try:
            unit = Unit.objects.get(code=org)
        except Unit.DoesNotExist:
            raise CommandError(f"no unit has the code {org!r}") from None
        try:
            report = do_import_roster(file, org=unit, acting_user=None, name=file, dry_run=dry_run)
        except SpreadsheetError as e:
            raise CommandError(f"{file}: {e}") from None
        if report.ignored:
            self.stdout.write("ignored columns: " + ", ".join(report.ignored))
        for r in report.of(roster.REJECTED):
            self.stdout.write(f"row {r.row}: {r.name or '-'}: {'；'.join(r.reasons)}")
        if dry_run:
            self.stdout.write("dry run: nothing was written")
        self.stdout.write(report.summary_line())
