"""Deadline arithmetic for service promises (水坏不过夜，电坏不过天).

A target is a duration ("within 24 hours") or anchored to the reporting day ("by the end of the day the fault was
reported, but never less than 3 hours", so a leak reported at 22:30 is due at 01:30 and one reported at 09:00 by
23:59:59). Time is counted on a calendar: the 24/7 clock by default, because the centre promises help day and night,
or working hours on the Chinese statutory calendar (public holidays off, make-up working days on).

The clock stops while a request is paused (waiting on the member, or resolved and not yet reopened). Pauses are
given as (start, end) intervals, end None for a pause still running; a deadline that an open pause reaches first is
None: nobody can say when it falls until the clock runs again.

Pure functions on aware datetimes; Asia/Shanghai has no daylight saving, so wall-clock arithmetic is exact.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A deadline is "at risk" in the last fifth of the time it allows.
RISK_SHARE = 0.2
# A working-hours search gives up after this many days (a calendar with no working time would loop for ever).
MAX_DAYS = 3660
ZERO = timedelta(0)


@dataclass(frozen=True)
class Target:
    """`minutes` of clock time; with `end_of_day`, the end of the reporting day but never less than `minutes`."""

    minutes: int
    end_of_day: bool = False

    def describe_zh(self):
        amount = _amount_zh(self.minutes)
        return f"当日内，至少{amount}" if self.end_of_day else f"{amount}内"


def _amount_zh(minutes):
    if minutes % 60 == 0:
        return f"{minutes // 60}小时"
    return f"{minutes}分钟"


def is_working_day(day):
    """Return whether `day` is a working day: the statutory calendar where the library knows the year (holidays
    off, make-up Saturdays and Sundays on), Monday to Friday for any other year."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def calendar_knows(year):
    """Return whether the statutory calendar has the holidays of `year` (else weekends are the only days off)."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


class AlwaysOpen:
    """The 24/7 clock: every second counts, day or night, weekday or holiday."""

    def __init__(self, tz=SHANGHAI):
        self.tz = tz

    def add(self, start, delta):
        return start + max(delta, ZERO)

    def between(self, a, b):
        return max(b - a, ZERO)

    def end_of_day(self, moment):
        local = moment.astimezone(self.tz)
        midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=self.tz)
        return midnight - timedelta(seconds=1)


class WorkingHours:
    """Working windows (e.g. 08:30–12:00 and 14:30–17:30) on working days only."""

    def __init__(self, windows=((time(8, 30), time(12, 0)), (time(14, 30), time(17, 30))), tz=SHANGHAI,
                 working_day=is_working_day):
        if not windows or any(start >= end for start, end in windows):
            raise ValueError("working hours need at least one window, each starting before it ends")
        self.windows = tuple(sorted(windows))
        self.tz = tz
        self.working_day = working_day

    def _spans_from(self, moment):
        """Yield the working spans (start, end) that end after `moment`, in order."""
        day = moment.astimezone(self.tz).date()
        for _ in range(MAX_DAYS):
            if self.working_day(day):
                for start, end in self.windows:
                    span_end = datetime.combine(day, end, tzinfo=self.tz)
                    if span_end > moment:
                        yield max(datetime.combine(day, start, tzinfo=self.tz), moment), span_end
            day += timedelta(days=1)
        raise ValueError(f"no working time within {MAX_DAYS} days of {moment:%Y-%m-%d}")

    def add(self, start, delta):
        if delta <= ZERO:
            return start
        remaining = delta
        for span_start, span_end in self._spans_from(start):
            if span_start + remaining <= span_end:
                return span_start + remaining
            remaining -= span_end - span_start
        raise AssertionError("unreachable")  # _spans_from raises first

    def between(self, a, b):
        total = ZERO
        if b <= a:
            return total
        for span_start, span_end in self._spans_from(a):
            if span_start >= b:
                break
            total += min(span_end, b) - span_start
        return total

    def end_of_day(self, moment):
        """Return the end of the working day on which the clock starts running at or after `moment`."""
        first_start, _ = next(self._spans_from(moment))
        day = first_start.astimezone(self.tz).date()
        return datetime.combine(day, self.windows[-1][1], tzinfo=self.tz)


def add_active(calendar, start, delta, pauses=()):
    """Return the moment `delta` of clock time after `start`, not counting paused time, or None when an open pause
    stops the clock first."""
    moment, remaining = start, delta
    for pause_start, pause_end in sorted(pauses, key=lambda p: p[0]):
        if pause_end is not None and pause_end <= moment:
            continue
        if pause_start > moment:
            reached = calendar.add(moment, remaining)
            if reached <= pause_start:
                return reached
            remaining -= calendar.between(moment, pause_start)
        if pause_end is None:
            return None
        moment = pause_end
    return calendar.add(moment, remaining)


def active_between(calendar, a, b, pauses=()):
    """Return the clock time between `a` and `b` that was not paused."""
    total = calendar.between(a, b)
    for pause_start, pause_end in pauses:
        start, end = max(pause_start, a), min(pause_end or b, b)
        if end > start:
            total -= calendar.between(start, end)
    return max(total, ZERO)


def allowed_time(start, target, calendar):
    """Return the clock time a target allows for a request opened at `start`."""
    least = timedelta(minutes=target.minutes)
    if not target.end_of_day:
        return least
    return max(calendar.between(start, calendar.end_of_day(start)), least)


@dataclass(frozen=True)
class Deadline:
    due: datetime | None  # None while an open pause holds the clock
    risk: datetime | None  # when the last RISK_SHARE of the allowed time begins
    allowed: timedelta
    remaining: timedelta | None = None  # clock time left when the open pause began


def deadline(start, target, calendar, pauses=()):
    """Return the Deadline of `target` for a request opened at `start` and paused during `pauses`."""
    allowed = allowed_time(start, target, calendar)
    due = add_active(calendar, start, allowed, pauses)
    risk = add_active(calendar, start, allowed * (1 - RISK_SHARE), pauses)
    remaining = None
    if due is None:
        open_since = next(p[0] for p in pauses if p[1] is None)
        remaining = max(allowed - active_between(calendar, start, open_since, pauses), ZERO)
    return Deadline(due=due, risk=risk, allowed=allowed, remaining=remaining)


def pauses_from(changes, stopped):
    """Return the pause intervals of a status history: `changes` are (moment, status) in order, `stopped` the
    statuses in which the clock does not run. A pause still running at the end has end None."""
    pauses, since = [], None
    for moment, status in changes:
        if status in stopped:
            if since is None:
                since = moment
        elif since is not None:
            pauses.append((since, moment))
            since = None
    if since is not None:
        pauses.append((since, None))
    return pauses
