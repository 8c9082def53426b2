"""The worker puts the next occurrences of recurring activities (the half-yearly 形势通报会) on the calendar.

Only series whose stored next_due is within reach are read (a partial index over active series), and each
occurrence is claimed by a conditional update inside actions.generate, so two workers never create one twice.
"""

from datetime import timedelta

from laogan.jobs.registry import periodic

from .actions import generate_due


@periodic("activity_series", every=timedelta(hours=6))
def schedule_series(now=None):
    from django.utils import timezone

    return generate_due(timezone.localdate(now) if now else None)
