"""The demo centre's requests, and the issue's "done when": a night-time water fault recorded on a phone, flagged at
risk and then overdue with one message each, and counted in the month's figures."""

import time_machine
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from laogan.accounts.models import Unit, User
from laogan.jobs.models import Message
from laogan.lib import figures
from laogan.lib.figures import Period
from laogan.members.models import Member
from laogan.services import escalation
from laogan.services.models import RequestEvent, ServiceRequest, Status

from .helpers import at, category

SEEDED = at(2026, 11, 26, 12, 0)


def seed():
    with open("/dev/null", "w") as devnull:
        call_command("seed_demo", stdout=devnull)


class DemoTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        with time_machine.travel(SEEDED, tick=False):
            seed()
        cls.centre = Unit.objects.get(code="demo-c1")

    def test_the_demo_has_months_of_requests_mostly_in_time(self):
        rows = ServiceRequest.objects.filter(centre=self.centre)
        self.assertGreater(rows.count(), 40)
        self.assertGreater(rows.order_by("opened_at").first().opened_at, at(2026, 7, 20))
        self.assertLess(rows.order_by("opened_at").first().opened_at, at(2026, 8, 10))
        self.assertEqual(rows.filter(missed_resolution=True).count(), 2)
        self.assertTrue(rows.filter(category__code="water", opened_at__hour__gte=21).exists())  # hours in Asia/Shanghai
        self.assertTrue(rows.filter(status=Status.WAITING_MEMBER).exists())
        self.assertTrue(RequestEvent.objects.filter(request__centre=self.centre, kind="callback", to_status=Status.REOPENED).exists())
        self.assertGreater(rows.filter(satisfied=True).count(), 40)
        self.assertFalse(ServiceRequest.objects.filter(centre__code="demo-c2").exists())

    def test_a_second_run_changes_nothing(self):
        before = (ServiceRequest.objects.count(), RequestEvent.objects.count())
        with time_machine.travel(at(2026, 11, 27, 12, 0), tick=False):
            seed()
        self.assertEqual((ServiceRequest.objects.count(), RequestEvent.objects.count()), before)

    def test_the_demo_shows_open_work_on_the_secretarys_dashboard(self):
        with time_machine.travel(SEEDED, tick=False):
            self.client.force_login(User.objects.get(username="secretary"))
            panels = self.client.get(reverse("home")).context["panels"]
        panel = next(p for p in panels if p.key == "requests_due")
        self.assertEqual(panel.count, 2)  # the bills at risk and the card overdue

    def test_done_when_a_night_time_water_fault_is_flagged_at_risk_then_overdue_once_each(self):
        staff = User.objects.get(username="staff1")
        member = Member.objects.filter(centre=self.centre).living().order_by("id").first()
        night = at(2026, 11, 26, 22, 30)
        with time_machine.travel(night, tick=False):
            self.client.force_login(staff)
            response = self.client.post(reverse("request_create"), {
                "member": member.pk, "category": category("water").pk, "summary": "水管爆裂，满地是水",
                "location": "家中厨房", "caller": "family", "caller_name": "儿子", "channel": "phone", "urgent": "on",
                "handle_now": "on", "q": member.name_initials}, follow=True, headers={"User-Agent": "Mobile"})
        r = ServiceRequest.objects.get(summary="水管爆裂，满地是水")
        self.assertContains(response, "11月27日 01:30:00")
        self.assertEqual(r.resolve_by, at(2026, 11, 27, 1, 30))

        mine = Message.objects.filter(dedupe_key__startswith=f"request:{r.pk}:")
        with time_machine.travel(at(2026, 11, 27, 0, 53), tick=False):
            escalation.check_deadlines()
        self.assertEqual(mine.count(), 0)
        with time_machine.travel(at(2026, 11, 27, 0, 54), tick=False):  # 80 % of the 3 hours
            escalation.check_deadlines()
            escalation.check_deadlines()
        self.assertEqual(list(mine.values_list("recipient__username", flat=True)), ["staff1"])
        with time_machine.travel(at(2026, 11, 27, 1, 30), tick=False):
            escalation.check_deadlines()
            escalation.check_deadlines()
        self.assertEqual(sorted(mine.values_list("recipient__username", flat=True)), ["secretary", "staff1"])
        self.assertEqual(mine.count(), 2)

        month = Period.month(2026, 11)
        water = figures.get("requests_water")
        self.assertIn(r, water.records(self.centre, month))
        self.assertIn(r, figures.get("requests_missed").records(self.centre, month))
