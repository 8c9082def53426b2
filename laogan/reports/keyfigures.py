"""The dashboard's key figures: the same for every user of a unit, so computed once a minute per unit, not per view.

Each figure is its value for the year so far and its months for the sparkline (~2 queries a figure, ~250 ms for a
2,000-member centre; closed months come from the roll-ups). Work panels and a liaison's own share stay live: they
differ per user and must show a task the moment it is done.
"""

import json

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from laogan.lib import figures

from . import rollups


def for_unit(unit, period):
    """Return (as_of, [(figure, value, chart_json)]) for the unit's key figures over the period, cached briefly."""
    seconds = settings.LAOGAN_DASHBOARD_CACHE_SECONDS
    cache_key = f"laogan:dashboard:{unit.pk}:{period.start}:{period.end}"
    stored = cache.get(cache_key) if seconds else None
    if stored is None:
        rolled = rollups.Reader(unit, period.start, period.end)
        stored = (timezone.now(), [_compute(f, rolled, period) for f in figures.all_figures() if f.key_figure])
        if seconds:
            cache.set(cache_key, stored, seconds)
    as_of, rows = stored
    return as_of, [(figures.get(key), value, chart) for key, value, chart in rows]


def _compute(figure, rolled, period):
    value, monthly = rolled.value_and_months(figure, period)
    chart = json.dumps({"months": [f"{m.month}月" for m in monthly], "values": [float(v) for v in monthly.values()]})
    return figure.key, value, chart
