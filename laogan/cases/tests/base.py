"""Builders for case-work tests: the personas of laogan/test.py, a member of centre A with a liaison, and helpers
to open cases of each kind with readable, fixed values."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from laogan.accounts.models import Role
from laogan.members.models import Member
from laogan.test import BaseTestCase, make_member, make_user

from ..actions import do_complete_step, do_open_case
from ..models import CaseType, Kind, StepStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args):
    """Return an aware Shanghai datetime, for time_machine.travel."""
    return datetime(*args, tzinfo=SHANGHAI)


class CaseTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.staff2 = make_user("staff2", cls.centre_a, Role.STAFF, full_name="韦小宁")
        cls.member = make_member("张建国", date(1928, 5, 3), unit=cls.group_a1)
        Member.objects.filter(pk=cls.member.pk).update(liaison=cls.liaison)
        cls.member.refresh_from_db()
        cls.other = make_member("李秀英", date(1930, 2, 11), unit=cls.group_a2, sex="F")
        cls.member_b = make_member("周德明", date(1935, 7, 1), unit=cls.group_b1)
        cls.types = {t.code: t for t in CaseType.objects.all()}

    @classmethod
    def open_case(cls, kind, member=None, *, by=None, **kw):
        kw.setdefault("summary", "测试案件")
        if kind == Kind.HOME_CARE:
            kw.setdefault("referral", {"station": "北湖街道居家养老服务站", "service": "housekeeping", "check_every_days": 30})
        return do_open_case(member or cls.member, case_type=cls.types[kind], acting_user=by or cls.liaison, **kw)

    def steps(self, case):
        return {s.code: s for s in case.steps.all()}


def finish(case, user, *, day=None, leave=()):
    """Do every open step (again as successors open) except those in `leave`, giving whatever a step asks for."""
    while True:
        case.refresh_from_db()
        step = case.steps.filter(status=StepStatus.OPEN).exclude(code__in=leave).order_by("order", "id").first()
        if step is None or not case.is_open:
            return
        do_complete_step(step, acting_user=user, done_on=day, result="已办", recipient="家属", satisfaction="satisfied",
                         amount=Decimal("1") if step.asks == "money" else None)
