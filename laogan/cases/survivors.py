"""When survivors (遗属) are due a visit: the centre's next festival, as the visits app defines festivals.

Survivors are visited on the same festivals as members (重大节日必访), so the festival days come from the visits
app's table — read only, and only here, so that case work depends on visits in this one place. A centre whose
visit rules were never set up uses the shipped default festivals, without writing them.
"""

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class FestivalDay:
    name: str
    day: date
    window_start: date  # a visit on or after this day counts for the festival


def next_festival(centre_id, today):
    """Return the first festival day on or after `today` for the centre, or None when it has no active festival."""
    from laogan.visits.models import DEFAULT_FESTIVALS, Festival

    festivals = list(Festival.objects.filter(centre_id=centre_id, active=True))
    if not festivals and not Festival.objects.filter(centre_id=centre_id).exists():
        festivals = [Festival(name=name, calendar=calendar, month=month, day=day)
                     for name, calendar, month, day, _gatherings in DEFAULT_FESTIVALS]
    found = []
    for festival in festivals:
        for year in (today.year - 1, today.year, today.year + 1):
            day = festival.date_in(year)
            if day >= today:
                found.append(FestivalDay(festival.name, day, day - timedelta(days=(festival.window_days or 14) - 1)))
                break
    return min(found, key=lambda f: (f.day, f.name), default=None)
