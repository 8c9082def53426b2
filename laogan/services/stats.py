"""Timings of a set of requests: medians and the share done in time, per category for the figures page.

Medians are taken in Python over the rows' own times: the same on SQLite and PostgreSQL, and a centre's year of
requests is a few thousand rows at most.
"""

from dataclasses import dataclass
from statistics import median

from django.db.models import Count

from .models import DONE_STATUSES, Category


def median_minutes(pairs):
    """Return the median of (start, end) spans in minutes, one decimal, or None for no spans."""
    spans = [(end - start).total_seconds() / 60 for start, end in pairs if start and end]
    return round(median(spans), 1) if spans else None


def on_time_share(lates):
    """Return the percentage of False in `lates` (one "resolved late?" flag per resolved request), or None."""
    lates = list(lates)
    if not lates:
        return None
    return round(100 * lates.count(False) / len(lates), 1)


@dataclass
class Line:
    category: object
    count: int = 0
    resolved: int = 0
    missed: int = 0
    open_overdue: int = 0
    respond_median: float | None = None  # minutes
    resolve_median: float | None = None  # hours
    on_time: float | None = None  # %


def by_category(requests, now):
    """Return one Line per category present in `requests` (a queryset), and a total Line (category None)."""
    rows = list(requests.order_by().values("category_id", "opened_at", "responded_at", "resolved_at", "status",
                                           "missed_resolution", "due_at"))
    counts = dict(requests.order_by().values_list("category_id").annotate(n=Count("pk")))
    categories = Category.objects.in_bulk(list(counts))
    lines = [_line(categories[cid], [r for r in rows if r["category_id"] == cid], now)
             for cid in sorted(counts, key=lambda c: (categories[c].order, c))]
    return lines, _line(None, rows, now)


def _line(category, rows, now):
    resolved = [r for r in rows if r["resolved_at"] and r["status"] in DONE_STATUSES]
    resolve_minutes = median_minutes((r["opened_at"], r["resolved_at"]) for r in resolved)
    return Line(
        category=category,
        count=len(rows),
        resolved=len(resolved),
        missed=sum(1 for r in rows if r["missed_resolution"]),
        open_overdue=sum(1 for r in rows if r["status"] not in DONE_STATUSES and r["due_at"] and r["due_at"] <= now),
        respond_median=median_minutes((r["opened_at"], r["responded_at"]) for r in rows),
        resolve_median=round(resolve_minutes / 60, 1) if resolve_minutes is not None else None,
        on_time=on_time_share([r["missed_resolution"] for r in resolved]),
    )
