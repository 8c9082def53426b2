"""A bureau's annual summary computed ahead by the worker, so that a province's page opens at once.

A centre's summary is always counted when asked (~0.1 s). A large bureau's figures scan the whole province — at 10^6
members ~10 s on SQLite even with the monthly roll-ups, longer than a page may take — so every ten minutes the
worker computes this year's and last year's values of each bureau of LAOGAN_SNAPSHOT_MIN_MEMBERS members or more
(`snapshot_summaries`), and the page shows them with the time they were counted while they are fresh. The files (Word, Excel, PDF) and `manage.py annual_report`
are always counted when asked.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from laogan.accounts.models import Unit, UnitKind
from laogan.jobs.registry import periodic
from laogan.members.models import Member

from . import summary
from .models import SummarySnapshot

EVERY = timedelta(minutes=10)
FRESH_FOR = timedelta(minutes=15)  # one missed run of the worker is not yet a reason to count on the page


@periodic("snapshot_summaries", every=EVERY, atomic=False)
def refresh(now=None):
    """Count this year's summary (to today) and last year's of every bureau of LAOGAN_SNAPSHOT_MIN_MEMBERS or more;
    return how many were stored."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    stored = 0
    for unit in Unit.objects.filter(kind=UnitKind.BUREAU).order_by("path"):
        if Member.objects.in_unit(unit).count() < settings.LAOGAN_SNAPSHOT_MIN_MEMBERS:
            SummarySnapshot.objects.filter(unit=unit).delete()  # small enough to count when asked
            continue
        for year, until in ((today.year, today), (today.year - 1, None)):
            built = summary.build(unit, year, with_monthly=False, until=until)
            values = {row.figure.key: [_encode(row.value), _encode(row.previous)] for a in built.areas for row in a.rows}
            SummarySnapshot.objects.update_or_create(unit=unit, year=year, defaults={
                "until": built.period.end, "computed_at": now, "values": values})
            stored += 1
    return stored


def fresh(unit, year, until=None, now=None):
    """Return the Summary of a fresh snapshot of the unit's year (to `until`), or None (always for a unit that is
    not a bureau: only bureaus are counted ahead)."""
    if unit.kind != UnitKind.BUREAU:
        return None
    now = now or timezone.now()
    end = summary.period_of(year, until).end
    snapshot = SummarySnapshot.objects.filter(unit=unit, year=year, until=end, computed_at__gte=now - FRESH_FOR,
                                              computed_at__lte=now).first()
    if snapshot is None:
        return None
    values = {key: (_decode(v), _decode(p)) for key, (v, p) in snapshot.values.items()}
    return summary.from_values(unit, year, end, values, as_of=snapshot.computed_at)


def _encode(value):
    return str(value) if isinstance(value, Decimal) else value


def _decode(value):
    return Decimal(value) if isinstance(value, str) else value
