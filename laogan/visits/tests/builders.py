"""Builders for the visits tests: fixed, readable values; time is frozen by each test."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from laogan.members.actions import do_record_life_event
from laogan.members.models import EventKind

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=10, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def frozen(year, month, day, hour=9):
    """Freeze the clock at a Shanghai wall time."""
    return time_machine.travel(at(year, month, day, hour), tick=False)


def event(member, kind, day, **kw):
    if kind == EventKind.ADMITTED:
        kw.setdefault("hospital", "广西医科大学第一附属医院")
    return do_record_life_event(member, kind=kind, date=day, acting_user=None, **kw)
