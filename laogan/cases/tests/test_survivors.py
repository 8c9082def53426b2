"""Survivors (遗属) of deceased members: put on the festival visit list, visited, taken off it."""

from datetime import date

import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from laogan.accounts.models import AuditAction, AuditEntry
from laogan.members.actions import do_record_life_event
from laogan.members.models import EventKind

from ..actions import do_add_survivor, do_record_survivor_visit
from ..models import Case, Survivor
from .base import CaseTestCase, at


@time_machine.travel(at(2026, 6, 20, 9), tick=False)
class SurvivorTest(CaseTestCase):
    def setUp(self):
        do_record_life_event(self.member, kind=EventKind.DIED, date=date(2026, 6, 1), acting_user=self.secretary)
        self.member.refresh_from_db()
        self.login(self.liaison)

    def add(self, **data):
        return self.client.post(reverse("survivor_new", args=[self.member.pk]),
                                {"name": "王桂兰", "relationship": "配偶", "phone": "139 7710 0003", "address": "北湖路1号", **data})

    def test_the_spouse_is_added_from_the_after_death_case_and_listed(self):
        case = Case.objects.get(member=self.member)
        self.assertContains(self.client.get(case.get_absolute_url()), reverse("survivor_new", args=[self.member.pk]))
        self.assertRedirects(self.add(), case.get_absolute_url() + "#survivors")
        survivor = Survivor.objects.get()
        self.assertEqual((survivor.name, survivor.phone, survivor.unit_path), ("王桂兰", "13977100003", self.member.unit_path))
        page = self.client.get(reverse("survivor_list"))
        self.assertContains(page, "139****0003")
        self.assertNotContains(page, "13977100003")
        self.assertContains(self.client.get(reverse("member_detail", args=[self.member.pk])), "王桂兰")

    def test_a_wrong_phone_number_is_refused(self):
        self.assertEqual(self.add(phone="12345").status_code, 200)
        self.assertFalse(Survivor.objects.exists())

    def test_only_a_deceased_members_survivor_can_be_added(self):
        self.assertEqual(self.client.get(reverse("survivor_new", args=[self.other.pk])).status_code, 404)
        with self.assertRaises(ValidationError):
            do_add_survivor(self.other, name="某某", relationship="配偶", acting_user=self.liaison)

    def test_revealing_a_survivors_phone_and_address_is_audited(self):
        self.add()
        survivor = Survivor.objects.get()
        response = self.client.post(reverse("survivor_phone", args=[survivor.pk]))
        self.assertContains(response, "13977100003 · 北湖路1号")
        self.assertTrue(AuditEntry.objects.filter(action=AuditAction.REVEAL, object_type="cases.survivor").exists())

    def test_a_visit_only_moves_the_last_visit_forward(self):
        self.add()
        survivor = Survivor.objects.get()
        self.client.post(reverse("survivor_visit", args=[survivor.pk]), {"visited_on": "2026-06-18"})
        do_record_survivor_visit(survivor, visited_on=date(2026, 6, 10), acting_user=self.liaison)
        survivor.refresh_from_db()
        self.assertEqual(survivor.last_visited_on, date(2026, 6, 18))
        with self.assertRaises(ValidationError):
            do_record_survivor_visit(survivor, visited_on=date(2026, 5, 30), acting_user=self.liaison)
        self.assertEqual(list(Survivor.objects.not_visited_since(date(2026, 6, 19))), [survivor])
        self.assertEqual(list(Survivor.objects.not_visited_since(date(2026, 6, 18))), [])

    def test_stopping_needs_a_reason_and_takes_them_off_the_list(self):
        self.add()
        survivor = Survivor.objects.get()
        self.client.post(reverse("survivor_stop", args=[survivor.pk]), {"reason": ""})
        survivor.refresh_from_db()
        self.assertTrue(survivor.active)
        self.client.post(reverse("survivor_stop", args=[survivor.pk]), {"reason": "随子女迁居外地"})
        survivor.refresh_from_db()
        self.assertEqual((survivor.active, survivor.stopped_reason, survivor.stopped_on), (False, "随子女迁居外地", date(2026, 6, 20)))
        self.assertFalse(Survivor.objects.active().exists())
        self.client.post(reverse("survivor_resume", args=[survivor.pk]))
        self.assertTrue(Survivor.objects.active().exists())

    def test_outsider_gets_404_for_survivors_of_centre_a(self):
        self.add()
        survivor = Survivor.objects.get()
        self.login(self.outsider)
        for url in (reverse("survivor_visit", args=[survivor.pk]), reverse("survivor_stop", args=[survivor.pk]),
                    reverse("survivor_phone", args=[survivor.pk])):
            with self.subTest(url=url):
                self.assertEqual(self.client.post(url, {"visited_on": "2026-06-20", "reason": "x"}).status_code, 404)
        self.assertEqual(self.client.get(reverse("survivor_list")).context["page"].paginator.count, 0)
