"""python manage.py plan_visits --from DATE --to DATE [--org CODE] [--csv OUT]"""

import csv
import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from laogan.accounts.actions import record_audit
from laogan.accounts.models import AuditAction, Unit, subtree_q

from ...models import PlannedVisit, PlanStatus
from ...planning import plan

CSV_COLUMNS = ["member_name", "id_number_suffix", "occasion", "due_date", "window_start", "window_end"]
MAX_DAYS = 5 * 366


def _day(text):
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text!r}") from None


class Command(BaseCommand):
    help = "Plan the visits due in a date range (idempotent) and optionally write them to a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, type=_day, help="First due date, YYYY-MM-DD.")
        parser.add_argument("--to", dest="end", required=True, type=_day, help="Last due date, YYYY-MM-DD.")
        parser.add_argument("--org", help="Code of a unit: plan only its members (default: every centre).")
        parser.add_argument("--csv", dest="out", help="Write the planned visits due in the range to this file ('-' for stdout).")

    def handle(self, *args, start, end, org, out, **options):
        if end < start:
            raise CommandError("--to is before --from")
        if (end - start).days > MAX_DAYS:
            raise CommandError("plan at most five years at once")
        unit = None
        if org:
            unit = Unit.objects.filter(code=org).first()
            if unit is None:
                raise CommandError(f"no unit with code {org!r}")
        with transaction.atomic():
            result = plan(start, end, org=unit, today=timezone.localdate())
        self.stderr.write(f"planned {start}..{end} for {unit.name if unit else 'every centre'}: "
                          f"{result.created} new, {result.updated} changed, {result.cancelled} cancelled")
        if out:
            rows = self._write(out, start, end, unit)
            record_audit(None, AuditAction.EXPORT, unit, detail=f"plan_visits --csv {start}..{end}",
                         changes={"rows": rows, "file": out})
            self.stderr.write(f"{rows} planned visits written to {out}")

    def _write(self, out, start, end, unit):
        visits = (PlannedVisit.objects.filter(due_date__gte=start, due_date__lte=end)
                  .exclude(status=PlanStatus.CANCELLED)
                  .select_related("member", "festival").order_by("due_date", "member__name_pinyin", "member_id", "key"))
        if unit is not None:
            visits = visits.filter(subtree_q(unit.path, "member__unit_path"))
        handle = sys.stdout if out == "-" else open(out, "w", encoding="utf-8", newline="")
        try:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            count = 0
            for v in visits.iterator(chunk_size=2000):
                writer.writerow([v.member.name, v.member.id_number_last4, v.occasion, v.due_date.isoformat(),
                                 v.window_start.isoformat(), v.window_end.isoformat()])
                count += 1
        finally:
            if handle is not sys.stdout:
                handle.close()
        return count
