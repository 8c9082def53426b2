"""Print a centre's (or branch's, or party group's) special issue of reflections for a year as a PDF booklet.

    python manage.py build_special_issue --org demo-c1 --year 2026 专刊.pdf [--title "…"]

Only reflections whose authors' consent to publication is recorded are printed.
"""

import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from pypdf import PdfReader

from laogan.accounts.actions import record_audit
from laogan.accounts.models import AuditAction, Unit

from ... import booklet


class Command(BaseCommand):
    help = "Print the year's special issue (专刊) of reflections with the authors' consent as a large-print PDF."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="Code of the unit (centre, branch or party group).")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--title", default="", help="Title on the cover (default: “{centre}{year}年学习心得专刊”).")
        parser.add_argument("out", help="The PDF file to write.")

    def handle(self, *args, org, year, title, out, **options):
        unit = Unit.objects.filter(code=org).first()
        if unit is None:
            raise CommandError(f"No unit with code {org!r}.")
        if not 1949 <= year <= 2200:
            raise CommandError(f"{year} is not a year to print.")
        rows = list(booklet.reflections_for(unit, year))
        try:
            content = booklet.render(unit, year, rows, title=title.strip())
        except booklet.NothingToPrint:
            raise CommandError(f"No reflection of {year} in {unit.name} ({org}) has the author's consent to publication.") from None
        path = Path(out)
        try:
            path.write_bytes(content)
        except OSError as e:
            raise CommandError(f"Cannot write {out}: {e.strerror}") from None
        pages = len(PdfReader(io.BytesIO(content)).pages)
        record_audit(None, AuditAction.EXPORT, unit, detail=f"special issue {year} pdf ({len(rows)} reflections) by command")
        self.stdout.write(f"{path}: {title.strip() or booklet.default_title(unit, year)}, {len(rows)} reflections, "
                          f"{pages} pages, {len(content) // 1024} KB")
