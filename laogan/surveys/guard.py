"""The brake on guessing codes: failed entries are counted per hour for a keyed hash of the address (or of the
staff user) and for everyone together; past the limits the code is not even looked at.

Only failures are counted, never a successful entry, so the table says nothing about who answered.
"""

from datetime import timedelta

from django.db.models import F

from laogan.lib.crypto import lookup_hash

from .models import GuessWindow

PER_SOURCE_LIMIT = 20
# Over all sources together: with 3,000 live codes among 2^40, 3,000 tries an hour find one in about 14 years.
# Set high enough that someone failing on purpose cannot easily lock every member out.
GLOBAL_LIMIT = 3000
KEEP = timedelta(days=1)


def window_start(now):
    return now.replace(minute=0, second=0, microsecond=0)


def _keys(source):
    return [lookup_hash(f"survey-guess:{source}"), "*"]


def allowed(source, now):
    """Return False when `source` (an address or "user:<id>") or everyone together has failed too often this hour."""
    limits = dict(zip(_keys(source), (PER_SOURCE_LIMIT, GLOBAL_LIMIT)))
    rows = GuessWindow.objects.filter(window_start=window_start(now), key__in=list(limits)).values_list("key", "failures")
    return all(failures < limits[key] for key, failures in rows)


def record_failure(source, now):
    start = window_start(now)
    for key in _keys(source):
        row, _ = GuessWindow.objects.get_or_create(key=key, window_start=start)
        GuessWindow.objects.filter(pk=row.pk).update(failures=F("failures") + 1)


def prune(now):
    """Delete the counts of windows older than a day; return how many went."""
    return GuessWindow.objects.filter(window_start__lt=window_start(now) - KEEP).delete()[0]
