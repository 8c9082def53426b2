"""Study materials: copies on hand are received minus handed out, and a hand-out never goes below zero — a bulk
hand-out is all or nothing."""

from datetime import date

import time_machine
from django.core.exceptions import ValidationError

from laogan.lib.figures import Period, get
from laogan.members.actions import do_record_life_event
from laogan.members.models import EventKind

from .. import actions
from ..models import MaterialHandout
from .base import NOW, LearningTestCase


@time_machine.travel(NOW, tick=False)
class HandOutTest(LearningTestCase):
    def setUp(self):
        self.material = actions.do_receive_material(unit=self.centre_a, title="《党的二十大报告辅导读本》", edition="人民出版社 2022年版",
                                                    copies_received=3, received_on=date(2026, 1, 5), acting_user=self.secretary)

    def test_copies_on_hand_are_received_minus_handed_out(self):
        self.assertEqual(self.material.title, "党的二十大报告辅导读本")
        actions.do_hand_out(self.material, [self.zhang], handed_on=date(2026, 1, 6), copies=2, acting_user=self.liaison)
        self.assertEqual((self.material.copies_handed_out(), self.material.copies_on_hand()), (2, 1))

    def test_handing_out_more_than_on_hand_is_refused_whole_with_a_clear_message(self):
        actions.do_hand_out(self.material, [self.zhang], handed_on=date(2026, 1, 6), acting_user=self.liaison)
        with self.assertRaises(ValidationError) as caught:
            actions.do_hand_out(self.material, [self.li, self.wang, self.zhao], handed_on=date(2026, 1, 7), acting_user=self.liaison)
        text = " ".join(caught.exception.messages)
        self.assertIn("Only 2 copies of 《党的二十大报告辅导读本》 are on hand; 3 are needed for 3 members.", text)
        self.assertIn("Not members of 甲中心: 赵志强.", text)
        self.assertEqual(MaterialHandout.objects.count(), 1)  # nothing half-written

    def test_a_member_receives_a_material_once_and_the_dead_none(self):
        actions.do_hand_out(self.material, [self.zhang], handed_on=date(2026, 1, 6), acting_user=self.liaison)
        do_record_life_event(self.wang, kind=EventKind.DIED, date=date(2026, 1, 2), acting_user=None)
        self.wang.refresh_from_db()
        with self.assertRaises(ValidationError) as caught:
            actions.do_hand_out(self.material, [self.zhang, self.wang], handed_on=date(2026, 1, 8), acting_user=self.liaison)
        self.assertIn("Already received this material: 张建国.", caught.exception.messages)
        self.assertIn("Died before that day: 王德明.", caught.exception.messages)

    def test_the_page_hands_out_to_ticked_members_and_says_why_it_refuses(self):
        self.login(self.liaison)
        url = f"/learning/materials/{self.material.pk}/"
        response = self.client.post(url, {"members": [self.zhang.pk, self.li.pk], "handed_on": "2026-02-01", "copies": 1,
                                          "delivered_home": "on"})
        self.assertRedirects(response, url)
        self.assertEqual(MaterialHandout.objects.filter(delivered_home=True).count(), 2)
        page = self.client.get(url)
        self.assertContains(page, "<strong>1 on hand</strong>", html=False)
        self.assertNotContains(page, f'name="members" value="{self.zhang.pk}"')  # not offered twice
        refused = self.client.post(url, {"members": [self.wang.pk], "handed_on": "2026-02-01", "copies": 2})
        self.assertEqual(refused.status_code, 200)
        self.assertContains(refused, "Only 1 copies of")
        self.assertEqual(MaterialHandout.objects.count(), 2)

    def test_the_books_handed_out_figure_sums_copies_and_lists_the_rows(self):
        actions.do_hand_out(self.material, [self.zhang], handed_on=date(2026, 1, 6), copies=2, acting_user=self.liaison)
        actions.do_hand_out(self.material, [self.li], handed_on=date(2026, 1, 6), acting_user=self.liaison)
        figure = get("learning_books_handed_out")
        self.assertEqual(figure.value(self.centre_a, Period.year(2026)), 3)
        self.assertEqual(figure.records(self.centre_a, Period.year(2026)).count(), 2)
        self.assertEqual(figure.value(self.group_a2, Period.year(2026)), 0)

    def test_staff_record_a_material_received(self):
        self.login(self.secretary)
        response = self.client.post("/learning/materials/new/", {"title": "中国共产党章程", "edition": "人民出版社 2022年版",
                                                                  "copies_received": 80, "received_on": "2026-03-05",
                                                                  "unit": self.centre_a.pk})
        material = self.material.__class__.objects.get(title="中国共产党章程")
        self.assertRedirects(response, f"/learning/materials/{material.pk}/")
        self.assertEqual((material.unit_path, material.copies_on_hand()), (self.centre_a.path, 80))
        listing = self.client.get("/learning/materials/")
        self.assertContains(listing, "《中国共产党章程》")
