"""Builders for the activities tests: the personas of laogan/test.py, members of centre A's two party groups and one
of centre B, and an activity of centre A on a fixed day. Time is frozen by each test."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from laogan.test import BaseTestCase, make_member

from ..actions import do_save_activity
from ..models import Activity, Kind

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=9, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def frozen(year, month, day, hour=18):
    return time_machine.travel(at(year, month, day, hour), tick=False)


class ActivityTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.zhang = make_member("张建国", date(1928, 5, 3), unit=cls.group_a1)
        cls.li = make_member("李秀英", date(1930, 2, 11), unit=cls.group_a1, sex="F")
        cls.wang = make_member("王振华", date(1931, 8, 9), unit=cls.group_a2)
        cls.zhou = make_member("周德明", date(1935, 7, 1), unit=cls.group_b1)

    @classmethod
    def make_activity(cls, kind=Kind.STUDY, when=None, unit=None, title="学习会", invited=None, **kw):
        activity = Activity(unit=unit or cls.centre_a, kind=kind, title=title, starts_at=when or at(2026, 4, 18),
                            place=kw.pop("place", "中心活动室"), **kw)
        return do_save_activity(activity, invited=invited, acting_user=cls.secretary)
