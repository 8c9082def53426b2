"""Write a unit's annual work summary to a file:

    python manage.py annual_report --org demo-c1 --year 2026 --format docx 2026年度工作总结.docx

The command line is run by the people who run the server, so the Excel file includes the records behind each
figure (the web gives those only to users who may open them). Every export is audited, as from the web.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.timezone import localdate

from laogan.accounts.actions import record_audit
from laogan.accounts.models import AuditAction, Unit, UnitKind
from laogan.reports import summary
from laogan.reports.exports import CONTENT_TYPES, WITH_MONTHS, render_summary


class Command(BaseCommand):
    help = "Write the annual work summary of a unit as Word, Excel, PDF or JSON (figure key → value)."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, metavar="CODE", help="Code of the unit, e.g. demo-c1.")
        parser.add_argument("--year", required=True, type=int, help="The year, e.g. 2026 (the current year runs to today).")
        parser.add_argument("--format", required=True, choices=sorted(CONTENT_TYPES), dest="fmt")
        parser.add_argument("out", metavar="OUT", help="The file to write.")

    def handle(self, *args, org, year, fmt, out, **options):
        unit = _unit(org)
        today = localdate()
        if year > today.year:
            raise CommandError(f"{year} has not begun yet; the latest year with figures is {today.year}.")
        if year < 1949:
            raise CommandError(f"{year} is before any record Laogan keeps.")
        path = Path(out)
        if not path.parent.is_dir():
            raise CommandError(f"Cannot write {out}: the folder {path.parent} does not exist.")

        # A year in progress is summarised up to today, like the web page.
        result = summary.build(unit, year, with_monthly=fmt in WITH_MONTHS, until=today if year == today.year else None)
        content, _ = render_summary(result, fmt, with_records=True)
        try:
            path.write_bytes(content)
        except OSError as e:
            raise CommandError(f"Cannot write {out}: {e.strerror or e}") from None
        record_audit(None, AuditAction.EXPORT, unit, detail=f"annual report {year} {fmt} (command line)")

        if result.unknown_placeholders:
            unknown = ", ".join("{%s}" % key for key in result.unknown_placeholders)
            self.stderr.write(f"Warning: the summary text names unknown figures, left as written: {unknown}")
        self.stdout.write(f"Wrote {out} ({len(content):,} bytes): {result.title}, {result.period.start} to {result.period.end}")


def _unit(code):
    try:
        return Unit.objects.get(code=code)
    except Unit.DoesNotExist:
        known = list(Unit.objects.exclude(kind=UnitKind.GROUP).order_by("path").values_list("code", flat=True)[:20])
        hint = f" Known units: {', '.join(known)}." if known else " There are no units yet (try: manage.py seed_demo)."
        raise CommandError(f"No unit with code {code!r}.{hint}") from None
