"""Builders shared by the liaison tests: a second liaison in centre A, members of both groups, a partner unit."""

from datetime import date
from zoneinfo import ZoneInfo

from laogan.accounts.models import Role
from laogan.liaison.models import Commitment, PartnerUnit
from laogan.members.models import Member
from laogan.test import BaseTestCase, make_member, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
NAMES_A1 = ["张建国", "李秀英", "王振华", "陈德明", "黄桂兰"]
NAMES_A2 = ["刘国栋", "杨玉珍", "赵文光", "周永福"]


def set_liaison(members, liaison):
    Member.objects.filter(pk__in=[m.pk for m in members]).update(liaison=liaison)
    for m in members:
        m.liaison = liaison


class LiaisonTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.liaison.full_name, cls.liaison.mobile = "黄海燕", "13977101001"
        cls.liaison.save(update_fields=["full_name", "mobile"])
        cls.liaison2 = make_user("liaison2", cls.centre_a, Role.STAFF, full_name="韦小宁", mobile="13977101002")
        cls.group_leader.full_name, cls.group_leader.mobile, cls.group_leader.work_phone = "覃振华", "13977131000", "0771-3125099"
        cls.group_leader.save(update_fields=["full_name", "mobile", "work_phone"])
        cls.leader_a2 = make_user("leader2", cls.group_a2, Role.GROUP_LEADER, full_name="蒙宝山", mobile="13977131001",
                                  work_phone="0771-3125098")
        cls.a1 = [make_member(name=n, born=date(1928, 5, 1 + i), unit=cls.group_a1) for i, n in enumerate(NAMES_A1)]
        cls.a2 = [make_member(name=n, born=date(1930, 3, 1 + i), unit=cls.group_a2) for i, n in enumerate(NAMES_A2)]
        cls.in_b = make_member(name="周明德", born=date(1931, 7, 7), unit=cls.group_b1)
        cls.partner = PartnerUnit.objects.create(centre=cls.centre_a, name="城区党校", contact_person="韦海英",
                                                 work_phone="0771-3121002")
        cls.commitment = Commitment.objects.create(partner=cls.partner, title="每年共同开办一次党务知识培训班", first_year=2025)
        cls.partner_b = PartnerUnit.objects.create(centre=cls.centre_b, name="城区卫生局")
