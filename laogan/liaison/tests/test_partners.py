"""多联一 partner units with yearly commitments fulfilled by joint activities, the yearly view, and 一联一 pairings."""

import io
from datetime import date, datetime

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from laogan.accounts.models import AuditEntry
from laogan.lib.worklist import panels_for
from laogan.liaison.models import ActivityPhoto, Commitment, GroupPairing, JointActivity, PartnerUnit

from .base import SHANGHAI, LiaisonTestCase


def photo(name="p.png", fmt="PNG"):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(out, fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{fmt.lower()}")


@time_machine.travel(datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI), tick=False)
class PartnerTest(LiaisonTestCase):
    def test_a_secretary_adds_a_partner_unit_with_its_contact(self):
        self.login(self.secretary)
        response = self.client.post(reverse("liaison_partner_new"), {
            "name": "城区组织部", "contact_person": "陆志明", "contact_post": "科长", "work_phone": "0771 3121001",
            "mobile": "13907713001", "address": "", "notes": "", "sort_order": 1})
        partner = PartnerUnit.objects.get(name="城区组织部")
        self.assertRedirects(response, reverse("liaison_partner", args=[partner.pk]))
        self.assertEqual((partner.centre, partner.work_phone), (self.centre_a, "07713121001"))
        self.assertTrue(AuditEntry.objects.filter(object_type="liaison.partnerunit", action="create").exists())

    def test_a_wrong_phone_number_is_refused(self):
        self.login(self.secretary)
        response = self.client.post(reverse("liaison_partner_new"), {"name": "城区组织部", "mobile": "12345", "sort_order": 0})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(PartnerUnit.objects.filter(name="城区组织部").exists())

    def test_a_liaison_records_activities_but_does_not_set_up_partners(self):
        self.login(self.liaison)
        self.assertEqual(self.client.get(reverse("liaison_partner_new")).status_code, 403)
        self.assertEqual(self.client.get(reverse("liaison_commitment_new", args=[self.partner.pk])).status_code, 403)
        self.assertEqual(self.client.get(reverse("liaison_activity_new", args=[self.partner.pk])).status_code, 200)

    def test_a_joint_activity_fulfils_the_commitment_with_photos(self):
        self.login(self.liaison)
        response = self.client.post(reverse("liaison_activity_new", args=[self.partner.pk]), {
            "commitment": self.commitment.pk, "title": "党务知识培训班", "date": "2026-06-10", "place": "城区党校",
            "attendance": 42, "notes": "讲授党章", "photos": [photo(), photo("q.jpg", "JPEG")]})
        activity = JointActivity.objects.get()
        self.assertRedirects(response, reverse("liaison_activity", args=[activity.pk]))
        self.assertEqual((activity.attendance, activity.recorded_by, activity.commitment), (42, self.liaison, self.commitment))
        photos = ActivityPhoto.objects.filter(activity=activity)
        self.assertEqual(photos.count(), 2)
        with photos[0].image.open("rb") as f:
            self.assertEqual(Image.open(f).format, "JPEG")  # re-encoded: nothing but pixels kept
        served = self.client.get(reverse("liaison_photo", args=[photos[0].pk]))
        self.assertEqual(served["Content-Type"], "image/jpeg")

    def test_a_file_that_is_not_a_photo_is_refused(self):
        self.login(self.liaison)
        fake = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
        response = self.client.post(reverse("liaison_activity_new", args=[self.partner.pk]), {
            "title": "座谈", "date": "2026-06-10", "place": "中心", "attendance": 5, "photos": [fake]})
        self.assertContains(response, "The file is not a photo")
        self.assertFalse(JointActivity.objects.exists())

    def test_an_activity_cannot_be_in_the_future_or_fulfil_another_partners_commitment(self):
        other = Commitment.objects.create(partner=PartnerUnit.objects.create(centre=self.centre_a, name="城区卫生局"),
                                          title="保健知识培训班", first_year=2026)
        self.login(self.secretary)
        url = reverse("liaison_activity_new", args=[self.partner.pk])
        base = {"title": "培训", "place": "党校", "attendance": 10}
        self.client.post(url, {**base, "date": "2026-06-20", "commitment": self.commitment.pk})
        self.client.post(url, {**base, "date": "2026-06-01", "commitment": other.pk})
        self.assertFalse(JointActivity.objects.exists())

    def test_adding_photos_later(self):
        activity = JointActivity.objects.create(partner=self.partner, title="培训", date=date(2026, 6, 1), place="党校", attendance=9)
        self.login(self.liaison)
        self.client.post(reverse("liaison_activity_photos", args=[activity.pk]), {"photos": [photo()]})
        self.assertEqual(activity.photos.count(), 1)


class YearlyViewTest(LiaisonTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.garden = Commitment.objects.create(partner=cls.partner, title="年初游园活动", first_year=2025, due_month=2)
        cls.ended = Commitment.objects.create(partner=cls.partner, title="已结束的承诺", first_year=2020, last_year=2024)
        JointActivity.objects.create(partner=cls.partner, commitment=cls.commitment, title="培训班", date=date(2026, 5, 8),
                                     place="党校", attendance=30)
        JointActivity.objects.create(partner=cls.partner, title="额外的座谈会", date=date(2026, 4, 1), place="中心", attendance=12)

    def year(self, year=None):
        self.login(self.secretary)
        url = reverse("liaison_partners") + (f"?year={year}" if year else "")
        return self.client.get(url).context

    @time_machine.travel(datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI), tick=False)
    def test_planned_against_done_with_what_is_late(self):
        context = self.year()
        entry = context["years"][0]
        states = {row.commitment.title: row.state for row in entry.rows}
        self.assertEqual(states, {"每年共同开办一次党务知识培训班": "done", "年初游园活动": "late"})
        self.assertEqual([a.title for a in entry.extra], ["额外的座谈会"])
        self.assertEqual((context["planned"], context["done"], context["open"]), (2, 1, 1))

    @time_machine.travel(datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI), tick=False)
    def test_a_past_year_shows_what_was_left_undone(self):
        context = self.year(2025)
        states = {row.commitment.title: row.state for row in context["years"][0].rows}
        self.assertEqual(states, {"每年共同开办一次党务知识培训班": "late", "年初游园活动": "late"})

    @time_machine.travel(datetime(2026, 1, 20, 10, 0, tzinfo=SHANGHAI), tick=False)
    def test_early_in_the_year_nothing_is_late_yet(self):
        JointActivity.objects.all().delete()
        states = {row.commitment.title: row.state for row in self.year()["years"][0].rows}
        self.assertEqual(set(states.values()), {"open"})

    def panel_titles(self, when):
        with time_machine.travel(when, tick=False):
            return {p.key: p for p in panels_for(self.secretary, when.date())}

    def test_the_dashboard_lists_open_commitments_from_october_or_once_one_is_late(self):
        self.assertNotIn("partner_open", self.panel_titles(datetime(2026, 1, 20, 10, 0, tzinfo=SHANGHAI)))
        june = self.panel_titles(datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI))["partner_open"]
        self.assertEqual([i.text for i in june.items], ["城区党校：年初游园活动"])
        Commitment.objects.filter(pk=self.garden.pk).update(due_month=None)
        self.assertNotIn("partner_open", self.panel_titles(datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI)))
        october = self.panel_titles(datetime(2026, 10, 8, 10, 0, tzinfo=SHANGHAI))["partner_open"]
        self.assertEqual(october.count, 1)


class PairingTest(LiaisonTestCase):
    def data(self, **kw):
        return {"first_name": "在职党员干部组", "first_unit": self.centre_a.pk, "first_side": "staff",
                "second_name": "离休党员干部组", "second_unit": self.branch_a.pk, "second_side": "members",
                "purpose": "互帮互带", "started_on": "2026-03-01", "ended_on": "", "notes": "", **kw}

    def test_a_secretary_pairs_the_staff_group_with_the_retired_group(self):
        self.login(self.secretary)
        self.client.post(reverse("liaison_pairing_new"), self.data())
        pairing = GroupPairing.objects.get()
        self.assertEqual((pairing.centre, str(pairing)), (self.centre_a, "在职党员干部组 ⇄ 离休党员干部组"))
        rows = self.client.get(reverse("liaison_pairings")).context["rows"]
        # staff: the secretary and two liaisons of centre A; members: the nine of branch A
        self.assertEqual((rows[0]["first_size"], rows[0]["second_size"], rows[0]["current"]), (3, 9, True))

    def test_a_unit_of_another_centre_or_a_group_with_itself_is_refused(self):
        self.login(self.secretary)
        self.client.post(reverse("liaison_pairing_new"), self.data(second_unit=self.group_b1.pk))
        self.client.post(reverse("liaison_pairing_new"), self.data(second_unit=self.centre_a.pk, second_side="staff"))
        self.client.post(reverse("liaison_pairing_new"), self.data(ended_on="2026-01-01"))
        self.assertFalse(GroupPairing.objects.exists())
