"""Case-work counts per kind for one reader: unlike the registered figures, these count only the cases the reader
may see, so a secretary's page includes the confidential mediation cases and a staff member's page cannot."""

from dataclasses import dataclass

from django.db.models import Count, Q

from .figures import median_days
from .models import CaseStep, CaseType, Status


@dataclass
class KindRow:
    case_type: CaseType
    opened: int
    closed: int
    open_now: int
    overdue_steps: int
    median_days: object


def by_kind(cases, period, today):
    """Return a KindRow per case type for a queryset of visible cases, and a total row (case_type None)."""
    counts = {
        row["case_type"]: row
        for row in cases.order_by().values("case_type").annotate(
            opened=Count("pk", filter=Q(opened_on__gte=period.start, opened_on__lte=period.end)),
            closed=Count("pk", filter=Q(status=Status.CLOSED, closed_on__gte=period.start, closed_on__lte=period.end)),
            open_now=Count("pk", filter=Q(status=Status.OPEN)),
        )
    }
    overdue = dict(CaseStep.objects.overdue(today).filter(case__in=cases).order_by().values("case__case_type")
                   .annotate(n=Count("pk")).values_list("case__case_type", "n"))
    in_period = cases.filter(status=Status.CLOSED, closed_on__gte=period.start, closed_on__lte=period.end)
    rows = []
    for case_type in CaseType.objects.filter(active=True):
        c = counts.get(case_type.pk, {})
        rows.append(KindRow(case_type, c.get("opened", 0), c.get("closed", 0), c.get("open_now", 0),
                            overdue.get(case_type.pk, 0), median_days(in_period.filter(case_type=case_type))))
    total = KindRow(None, sum(r.opened for r in rows), sum(r.closed for r in rows), sum(r.open_now for r in rows),
                    sum(r.overdue_steps for r in rows), median_days(in_period))
    return rows, total
