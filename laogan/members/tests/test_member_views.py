import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from laogan.accounts.models import AuditAction, AuditEntry
from laogan.members.actions import do_record_life_event
from laogan.members.models import Category, EventKind, Member, Status
from laogan.members.views import PAGE_SIZE
from laogan.test import BaseTestCase, make_member

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
# Messages are asserted by their English msgids, which stay valid once the zh_Hans catalogue is compiled.
ENGLISH = override_settings(LANGUAGE_CODE="en")


def png_bytes():
    out = io.BytesIO()
    Image.new("RGB", (40, 50), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def form_data(member=None, **overrides):
    """Return the POST data of the member form, filled from `member` or with a new member's fixed values."""
    data = {
        "name": "李秀英", "sex": "F", "ethnicity": "汉族", "birth_date": "1933-02-14", "birthday_custom": "solar",
        "id_number": "", "category": Category.TUIXIU, "is_party_member": "on", "party_join_date": "1956-07-01",
        "work_start_date": "", "retirement_date": "", "former_unit": "南宁市第二中学", "former_post": "教师",
        "treatment_level": "", "unit": "", "address": "民族大道1号", "health_notes": "", "notes": "",
        "phones-TOTAL_FORMS": "1", "phones-INITIAL_FORMS": "0", "phones-MIN_NUM_FORMS": "0", "phones-MAX_NUM_FORMS": "6",
        "phones-0-label": "mobile", "phones-0-number": "13877005678",
        "contacts-TOTAL_FORMS": "1", "contacts-INITIAL_FORMS": "0", "contacts-MIN_NUM_FORMS": "0", "contacts-MAX_NUM_FORMS": "6",
        "contacts-0-name": "", "contacts-0-relationship": "", "contacts-0-phone": "",
    }
    if member is not None:
        data.update({
            "name": member.name, "sex": member.sex, "birth_date": member.birth_date.isoformat(),
            "category": member.category, "unit": str(member.unit_id), "address": member.address,
            "former_unit": member.former_unit, "former_post": member.former_post, "party_join_date": "",
            "version": str(member.version),
        })
    data.update(overrides)
    return data


@ENGLISH
@time_machine.travel(NOW, tick=False)
class MemberListTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.zhang = make_member(name="张建国", unit=cls.group_a1, phones=[("mobile", "13877001234")])
        cls.li = make_member(name="李秀英", born=date(1933, 2, 14), sex="F", unit=cls.group_a2, category=Category.TUIXIU)
        cls.wang = make_member(name="王德明", born=date(1926, 9, 9), unit=cls.group_a1)
        cls.zhao = make_member(name="赵志刚", born=date(1930, 1, 1), unit=cls.group_a2)
        do_record_life_event(cls.zhao, kind=EventKind.ADMITTED, date=date(2026, 5, 20), hospital="区人民医院", acting_user=None)
        do_record_life_event(cls.wang, kind=EventKind.DIED, date=date(2026, 4, 2), acting_user=None)
        cls.other = make_member(name="陈乙", unit=cls.group_b1)

    def names(self, response):
        return [m.name for m in response.context["page"]]

    def test_liaison_sees_the_living_members_of_the_centre(self):
        self.login(self.liaison)
        response = self.client.get(reverse("member_list"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(sorted(self.names(response)), sorted(["张建国", "李秀英", "赵志刚"]))
        self.assertContains(response, "138****1234")
        self.assertNotContains(response, "13877001234")
        self.assertNotContains(response, "陈乙")

    def test_filter_by_group(self):
        self.login(self.liaison)
        response = self.client.get(reverse("member_list"), {"group": self.group_a2.pk})
        self.assertEqual(sorted(self.names(response)), sorted(["李秀英", "赵志刚"]))

    def test_filter_by_group_of_another_centre_is_ignored_not_leaked(self):
        self.login(self.liaison)
        response = self.client.get(reverse("member_list"), {"group": self.group_b1.pk})
        self.assertNotIn("陈乙", self.names(response))

    def test_filter_by_category(self):
        self.login(self.liaison)
        response = self.client.get(reverse("member_list"), {"category": Category.TUIXIU})
        self.assertEqual(self.names(response), ["李秀英"])

    def test_filter_by_status(self):
        self.login(self.liaison)
        self.assertEqual(self.names(self.client.get(reverse("member_list"), {"status": Status.IN_HOSPITAL})), ["赵志刚"])
        self.assertEqual(self.names(self.client.get(reverse("member_list"), {"status": Status.DECEASED})), ["王德明"])
        self.assertEqual(len(self.names(self.client.get(reverse("member_list"), {"status": "all"}))), 4)

    def test_search_by_pinyin_initials(self):
        self.login(self.liaison)
        response = self.client.get(reverse("member_list"), {"q": "zjg"})
        self.assertEqual(self.names(response), ["张建国"])

    def test_htmx_search_returns_only_the_results_fragment(self):
        self.login(self.liaison)
        response = self.client.get(reverse("member_list"), {"q": "zjg"}, headers={"HX-Request": "true", "HX-Target": "results"})
        self.assertTemplateUsed(response, "members/_results.html")
        self.assertTemplateNotUsed(response, "base.html")
        self.assertContains(response, "张建国")

    def test_list_is_paginated(self):
        for i in range(PAGE_SIZE + 2):
            make_member(name=f"周{'一二三四五六七八九十'[i % 10]}{i:02d}", born=date(1930, 1, 1 + i % 28), unit=self.group_a2)
        self.login(self.liaison)
        first = self.client.get(reverse("member_list"))
        self.assertEqual(len(first.context["page"]), PAGE_SIZE)
        self.assertContains(first, 'rel="next"')
        second = self.client.get(reverse("member_list"), {"page": 2})
        self.assertEqual(len(second.context["page"]), 5)  # 35 living members, 30 on page one
        self.assertEqual(first.context["page"].paginator.count, 35)

    def test_list_page_query_count_does_not_grow_with_the_page(self):
        self.login(self.liaison)
        url = reverse("member_list")
        self.client.get(url)  # warm the session and the content types
        with CaptureQueriesContext(connection) as few:
            self.client.get(url)
        for i in range(20):
            make_member(name=f"钱{i:02d}", born=date(1931, 3, 1 + i), unit=self.group_a1, phones=[("mobile", f"139000000{i:02d}")])
        with CaptureQueriesContext(connection) as many:
            self.client.get(url)
        self.assertEqual(len(few), len(many), "a query runs per row on the member list")

    def test_list_page_query_budget(self):
        self.login(self.liaison)
        url = reverse("member_list")
        self.client.get(url)  # renews the session; the next view within the minute only reads it
        # session, user, user's unit, count, worker heartbeat, group choices, page, phones.
        with self.assertNumQueries(8):
            self.client.get(url)


@ENGLISH
@time_machine.travel(NOW, tick=False)
class MemberDetailTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.member = make_member(
            name="张建国", id_number="450107192805031238", unit=cls.group_a1, address="民族大道1号",
            phones=[("mobile", "13877001234")],
        )
        do_record_life_event(cls.member, kind=EventKind.ADMITTED, date=date(2026, 5, 20), hospital="区人民医院",
                             ward="心内科", acting_user=cls.liaison)

    def test_detail_shows_the_archive_masked(self):
        self.login(self.liaison)
        response = self.client.get(reverse("member_detail", args=[self.member.pk]))
        self.assertContains(response, "张建国")
        self.assertContains(response, "4501**********1238")
        self.assertNotContains(response, "450107192805031238")
        self.assertContains(response, "138****1234")
        self.assertNotContains(response, "13877001234")
        self.assertNotContains(response, "民族大道")
        self.assertContains(response, "区人民医院")
        self.assertContains(response, 'class="tag in_hospital"')

    def test_detail_shows_age_on_the_frozen_day(self):
        self.login(self.liaison)
        response = self.client.get(reverse("member_detail", args=[self.member.pk]))
        self.assertEqual(response.context["member"].age, 98)

    def test_liaison_without_the_permission_gets_no_reveal_button_for_the_id_number(self):
        self.login(self.liaison)
        response = self.client.get(reverse("member_detail", args=[self.member.pk]))
        self.assertNotContains(response, reverse("member_reveal", args=[self.member.pk, "id_number"]))
        self.login(self.secretary)
        response = self.client.get(reverse("member_detail", args=[self.member.pk]))
        self.assertContains(response, reverse("member_reveal", args=[self.member.pk, "id_number"]))


@ENGLISH
@time_machine.travel(NOW, tick=False)
class MemberCreateTest(BaseTestCase):
    def test_liaison_creates_a_member(self):
        self.login(self.liaison)
        response = self.client.post(reverse("member_create"), form_data(unit=str(self.group_a2.pk), id_number="45010319330214028x"))
        member = Member.objects.get(name="李秀英")
        self.assertRedirects(response, reverse("member_detail", args=[member.pk]))
        self.assertEqual(member.id_number, "45010319330214028X")
        self.assertEqual((member.name_pinyin, member.name_initials), ("lixiuying", "lxy"))
        self.assertEqual(member.unit_path, self.group_a2.path)
        self.assertEqual(member.centre, self.centre_a)
        self.assertEqual([p.number for p in member.phones.all()], ["13877005678"])
        entry = AuditEntry.objects.get(action=AuditAction.CREATE, object_id=str(member.pk))
        self.assertEqual(entry.actor, self.liaison)
        self.assertEqual(entry.changes["id_number"], "(已填写)")

    def test_missing_fields_are_reported_on_the_fields(self):
        self.login(self.liaison)
        response = self.client.post(reverse("member_create"), form_data(name="", birth_date="", unit=str(self.group_a2.pk)))
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors.as_data()
        self.assertEqual([e.code for e in errors["name"]], ["required"])
        self.assertEqual([e.code for e in errors["birth_date"]], ["required"])
        self.assertFalse(Member.objects.exists())

    def test_id_number_with_a_bad_check_character_is_refused(self):
        self.login(self.liaison)
        response = self.client.post(reverse("member_create"), form_data(unit=str(self.group_a2.pk), id_number="450103193302140281"))
        self.assertIn("校验位", str(response.context["form"].errors["id_number"]))
        self.assertFalse(Member.objects.exists())

    def test_id_number_that_disagrees_with_the_birth_date_is_refused(self):
        self.login(self.liaison)
        response = self.client.post(reverse("member_create"),
                                    form_data(unit=str(self.group_a2.pk), id_number="45010319330214028X", birth_date="1933-02-15"))
        self.assertFormError(response.context["form"], "birth_date", "The ID number gives the birth date 1933-02-14.")
        self.assertFalse(Member.objects.exists())

    def test_id_number_of_a_man_on_a_woman_is_refused(self):
        self.login(self.liaison)
        response = self.client.post(reverse("member_create"),
                                    form_data(unit=str(self.group_a2.pk), id_number="450107192805031238", birth_date="1928-05-03"))
        self.assertIn("sex", response.context["form"].errors)

    def test_a_bad_phone_number_is_reported(self):
        self.login(self.liaison)
        response = self.client.post(reverse("member_create"), form_data(unit=str(self.group_a2.pk), **{"phones-0-number": "12345"}))
        self.assertTrue(response.context["phones"].errors[0]["number"])
        self.assertFalse(Member.objects.exists())

    def test_a_group_of_another_centre_cannot_be_chosen(self):
        self.login(self.liaison)
        response = self.client.post(reverse("member_create"), form_data(unit=str(self.group_b1.pk)))
        self.assertIn("unit", response.context["form"].errors)
        self.assertFalse(Member.objects.exists())

    def test_group_leader_cannot_create(self):
        self.login(self.group_leader)
        self.assertEqual(self.client.get(reverse("member_create")).status_code, 403)
        self.assertEqual(self.client.post(reverse("member_create"), form_data(unit=str(self.group_a1.pk))).status_code, 403)
        self.assertFalse(Member.objects.exists())

    def test_photo_that_is_not_an_image_is_refused(self):
        self.login(self.liaison)
        data = form_data(unit=str(self.group_a2.pk))
        data["photo"] = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a picture", content_type="image/jpeg")
        response = self.client.post(reverse("member_create"), data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("photo", response.context["form"].errors)
        self.assertFalse(Member.objects.exists())

    def test_photo_is_stored_re_encoded_as_jpeg_and_served_to_the_centre_only(self):
        self.login(self.liaison)
        data = form_data(unit=str(self.group_a2.pk))
        data["photo"] = SimpleUploadedFile("portrait.png", png_bytes(), content_type="image/png")
        self.client.post(reverse("member_create"), data)
        member = Member.objects.get()
        self.assertTrue(member.photo.name.endswith(".jpg"))
        response = self.client.get(reverse("member_photo", args=[member.pk]))
        self.assertEqual(response["Content-Type"], "image/jpeg")
        self.assertEqual(Image.open(io.BytesIO(b"".join(response.streaming_content))).format, "JPEG")
        self.login(self.outsider)
        self.assertEqual(self.client.get(reverse("member_photo", args=[member.pk])).status_code, 404)


@ENGLISH
@time_machine.travel(NOW, tick=False)
class MemberEditTest(BaseTestCase):
    def setUp(self):
        self.member = make_member(name="张建国", id_number="450107192805031238", unit=self.group_a1,
                                  former_unit="南宁市供电局", address="民族大道1号", phones=[("mobile", "13877001234")])

    def test_edit_form_carries_the_version_and_never_the_full_id_number(self):
        self.login(self.liaison)
        response = self.client.get(reverse("member_edit", args=[self.member.pk]))
        self.assertContains(response, 'name="version" value="1"')
        self.assertNotContains(response, "450107192805031238")
        self.assertContains(response, "4501**********1238")

    def test_opening_the_edit_form_is_audited_as_a_reveal(self):
        self.login(self.liaison)
        self.client.get(reverse("member_edit", args=[self.member.pk]))
        self.assertTrue(AuditEntry.objects.filter(action=AuditAction.REVEAL, actor=self.liaison, object_id=str(self.member.pk)).exists())

    def test_edit_saves_changes_and_bumps_the_version(self):
        self.login(self.liaison)
        response = self.client.post(reverse("member_edit", args=[self.member.pk]), form_data(self.member, former_post="副局长"))
        self.assertRedirects(response, reverse("member_detail", args=[self.member.pk]))
        self.member.refresh_from_db()
        self.assertEqual((self.member.former_post, self.member.version), ("副局长", 2))
        self.assertEqual(self.member.id_number, "450107192805031238")  # an empty ID field keeps the stored number
        entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_id=str(self.member.pk))
        self.assertEqual(entry.changes["former_post"], ["", "副局长"])

    def test_stale_version_is_refused_and_nothing_is_overwritten(self):
        self.login(self.liaison)
        stale = form_data(self.member, former_unit="我的改动")
        # The secretary saves first.
        self.login(self.secretary)
        self.client.post(reverse("member_edit", args=[self.member.pk]), form_data(self.member, former_unit="书记的改动"))
        self.login(self.liaison)
        response = self.client.post(reverse("member_edit", args=[self.member.pk]), stale)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "was changed by someone else while you were editing")
        self.member.refresh_from_db()
        self.assertEqual((self.member.former_unit, self.member.version), ("书记的改动", 2))
        self.assertFalse(AuditEntry.objects.filter(action=AuditAction.UPDATE, actor=self.liaison).exists())

    def test_missing_or_garbled_version_is_refused_not_a_server_error(self):
        self.login(self.liaison)
        for version in ("", "abc", "²", "99999999999999999999"):
            with self.subTest(version=version):
                response = self.client.post(reverse("member_edit", args=[self.member.pk]),
                                            form_data(self.member, former_unit="改动", version=version))
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "was changed by someone else")
        self.member.refresh_from_db()
        self.assertEqual(self.member.former_unit, "南宁市供电局")

    def test_edit_cannot_type_a_status(self):
        self.login(self.liaison)
        self.client.post(reverse("member_edit", args=[self.member.pk]), form_data(self.member, status="deceased"))
        self.member.refresh_from_db()
        self.assertEqual(self.member.status, Status.ACTIVE)

    def test_group_leader_cannot_edit(self):
        self.login(self.group_leader)
        self.assertEqual(self.client.get(reverse("member_edit", args=[self.member.pk])).status_code, 403)
        self.assertEqual(self.client.post(reverse("member_edit", args=[self.member.pk]), form_data(self.member)).status_code, 403)


@ENGLISH
@time_machine.travel(NOW, tick=False)
class RecordEventTest(BaseTestCase):
    def setUp(self):
        self.member = make_member(name="张建国", unit=self.group_a1)
        self.url = reverse("member_record_event", args=[self.member.pk])

    def test_recording_an_admission(self):
        self.login(self.liaison)
        response = self.client.post(self.url, {"kind": "admitted", "date": "2026-05-30", "hospital": "区人民医院", "ward": "心内科"})
        self.assertRedirects(response, reverse("member_detail", args=[self.member.pk]))
        self.member.refresh_from_db()
        self.assertEqual(self.member.status, Status.IN_HOSPITAL)
        event = self.member.events.get()
        self.assertEqual((event.hospital, event.ward, event.recorded_by), ("区人民医院", "心内科", self.liaison))

    def test_admission_without_hospital_is_shown_back_with_the_error(self):
        self.login(self.liaison)
        response = self.client.post(self.url, {"kind": "admitted", "date": "2026-05-30"})
        self.assertEqual(response.status_code, 400)
        self.assertFormError(response.context["event_form"], "hospital", "Say which hospital.")
        self.assertFalse(self.member.events.exists())

    def test_a_date_in_the_future_is_refused(self):
        self.login(self.liaison)
        response = self.client.post(self.url, {"kind": "hardship_reported", "date": "2026-06-02"})
        self.assertEqual(response.status_code, 400)
        self.assertFormError(response.context["event_form"], "date", "The date is in the future.")

    def test_today_is_not_the_future(self):
        self.login(self.liaison)
        response = self.client.post(self.url, {"kind": "hardship_reported", "date": "2026-06-01"})
        self.assertEqual(response.status_code, 302)

    def test_a_refused_event_shows_the_reason(self):
        self.login(self.liaison)
        response = self.client.post(self.url, {"kind": "discharged", "date": "2026-05-30"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "is not recorded as in hospital", status_code=400)

    def test_deceased_member_page_offers_no_event_form(self):
        do_record_life_event(self.member, kind=EventKind.DIED, date=date(2026, 5, 1), acting_user=self.liaison)
        self.login(self.liaison)
        response = self.client.get(reverse("member_detail", args=[self.member.pk]))
        self.assertNotContains(response, self.url)

    def test_group_leader_cannot_record(self):
        self.login(self.group_leader)
        response = self.client.post(self.url, {"kind": "hardship_reported", "date": "2026-05-30"})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self.member.events.exists())


@ENGLISH
class PostOnlyTest(BaseTestCase):
    def test_it_rejects_get_on_post_only_urls(self):
        member = make_member(unit=self.group_a1)
        self.login(self.secretary)
        for url in (
            reverse("member_record_event", args=[member.pk]),
            reverse("member_reveal", args=[member.pk, "id_number"]),
            reverse("member_reveal", args=[member.pk, "phones"]),
            reverse("logout"),
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 405)
        self.assertFalse(AuditEntry.objects.filter(action=AuditAction.REVEAL).exists())


@ENGLISH
class RevealTest(BaseTestCase):
    def setUp(self):
        self.member = make_member(name="张建国", id_number="450107192805031238", unit=self.group_a1, address="民族大道1号",
                                  phones=[("mobile", "13877001234")])

    def reveal(self, field, **kw):
        return self.client.post(reverse("member_reveal", args=[self.member.pk, field]), **kw)

    def test_secretary_reveals_the_id_number_and_it_is_audited(self):
        self.login(self.secretary)
        response = self.reveal("id_number")
        self.assertContains(response, "450107192805031238")
        entry = AuditEntry.objects.get(action=AuditAction.REVEAL)
        self.assertEqual((entry.actor, entry.detail, entry.object_id), (self.secretary, "id_number", str(self.member.pk)))
        self.assertEqual(entry.unit_path, self.group_a1.path)

    def test_liaison_without_the_permission_cannot_reveal_the_id_number(self):
        self.login(self.liaison)
        response = self.reveal("id_number")
        self.assertEqual(response.status_code, 403)
        self.assertNotContains(response, "450107192805031238", status_code=403)
        self.assertFalse(AuditEntry.objects.filter(action=AuditAction.REVEAL).exists())

    def test_liaison_granted_the_permission_can_reveal_the_id_number(self):
        self.liaison.may_reveal_id = True
        self.liaison.save(update_fields=["may_reveal_id"])
        self.login(self.liaison)
        self.assertContains(self.reveal("id_number"), "450107192805031238")

    def test_liaison_reveals_phones_and_it_is_audited(self):
        self.login(self.liaison)
        response = self.reveal("phones", headers={"HX-Request": "true"})
        self.assertTemplateUsed(response, "members/_revealed.html")
        self.assertTemplateNotUsed(response, "base.html")
        self.assertContains(response, "13877001234")
        self.assertEqual(AuditEntry.objects.get(action=AuditAction.REVEAL).detail, "phones")

    def test_liaison_reveals_the_address(self):
        self.login(self.liaison)
        self.assertContains(self.reveal("address"), "民族大道1号")

    def test_unknown_field_is_404(self):
        self.login(self.secretary)
        self.assertEqual(self.reveal("health_notes").status_code, 404)
        self.assertFalse(AuditEntry.objects.filter(action=AuditAction.REVEAL).exists())
