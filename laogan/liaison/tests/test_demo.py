"""The liaison part of the demo centre: built by the balancing action, idempotent."""

from datetime import date

import time_machine
from django.core.management import call_command
from django.db.models import Count
from django.test import TestCase

from laogan.accounts.models import AuditEntry, Unit
from laogan.liaison import roster
from laogan.liaison.models import Commitment, ContactLog, GroupPairing, JointActivity, PartnerUnit
from laogan.members.models import Member


@time_machine.travel(date(2026, 11, 26), tick=False)
class DemoTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=open("/dev/null", "w"))
        cls.centre = Unit.objects.get(code="demo-c1")

    def counts(self):
        return (Member.objects.filter(liaison__isnull=False).count(), PartnerUnit.objects.count(), Commitment.objects.count(),
                JointActivity.objects.count(), GroupPairing.objects.count(), ContactLog.objects.count(),
                AuditEntry.objects.count())

    def test_every_living_member_has_a_liaison_within_the_bounds(self):
        living = Member.objects.filter(centre=self.centre).filter(roster.LIVING)
        self.assertFalse(living.filter(roster.needs_liaison_q()).exists())
        loads = dict(living.values("liaison__username").annotate(n=Count("id")).values_list("liaison__username", "n"))
        self.assertEqual((sorted(loads), sorted(loads.values())), (["staff1", "staff2", "staff3"], [24, 25, 25]))

    def test_the_five_partner_units_of_the_source_with_some_commitments_done_this_year(self):
        self.assertEqual(list(PartnerUnit.objects.filter(centre=self.centre).values_list("name", flat=True)),
                         ["城区组织部", "城区党校", "城区直属机关工委", "城区卫生局", "城区民政局"])
        done = set(JointActivity.objects.filter(date__year=2026).values_list("partner__name", flat=True))
        self.assertEqual(done, {"城区组织部", "城区直属机关工委", "城区卫生局"})

    def test_the_staff_group_is_paired_with_the_retired_group_and_contacts_are_logged(self):
        self.assertEqual(str(GroupPairing.objects.get(centre=self.centre)), "在职党员干部组 ⇄ 离休党员干部组")
        self.assertGreater(ContactLog.objects.count(), 30)

    def test_a_second_run_changes_nothing(self):
        before = self.counts()
        call_command("seed_demo", stdout=open("/dev/null", "w"))
        self.assertEqual(self.counts(), before)
