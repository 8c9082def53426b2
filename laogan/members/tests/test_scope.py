"""Every member URL, as seen by each persona: another centre's members are a 404, a bureau viewer sees no personal
data, a group leader sees their own group only, and an anonymous visitor is sent to the log-in page."""

import io
from datetime import date

from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from laogan.accounts.models import AuditAction, AuditEntry
from laogan.members import urls as member_urls
from laogan.members.models import LifeEvent
from laogan.test import BaseTestCase, make_member

EVENT = {"kind": "hardship_reported", "date": "2026-01-05"}


def jpeg():
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "JPEG")
    return ContentFile(out.getvalue())


class ScopeTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.in_a1 = make_member(name="张建国", unit=cls.group_a1, id_number="450107192805031238", address="民族大道1号",
                                phones=[("mobile", "13877001234")])
        cls.in_a2 = make_member(name="李秀英", unit=cls.group_a2, sex="F", id_number="45010319330214028X",
                                born=date(1933, 2, 14))

    def setUp(self):
        # Saved here, not in setUpTestData, so the file lands in the per-test MEDIA_ROOT.
        for member in (self.in_a1, self.in_a2):
            member.photo.save("face.jpg", jpeg(), save=False)
            type(member).objects.filter(pk=member.pk).update(photo=member.photo.name)

    def member_urls(self, member):
        """Return (method, url, data) for every URL that names one member."""
        pk = member.pk
        return [
            ("get", reverse("member_detail", args=[pk]), None),
            ("get", reverse("member_edit", args=[pk]), None),
            ("post", reverse("member_edit", args=[pk]), {"name": "改名", "version": "1"}),
            ("post", reverse("member_record_event", args=[pk]), EVENT),
            ("post", reverse("member_reveal", args=[pk, "id_number"]), None),
            ("post", reverse("member_reveal", args=[pk, "phones"]), None),
            ("post", reverse("member_reveal", args=[pk, "address"]), None),
            ("get", reverse("member_photo", args=[pk]), None),
        ]

    def fetch(self, method, url, data):
        return getattr(self.client, method)(url, data or {})

    def assert_untouched(self):
        self.in_a1.refresh_from_db()
        self.assertEqual((self.in_a1.name, self.in_a1.version), ("张建国", 1))
        self.assertFalse(LifeEvent.objects.exists())
        self.assertFalse(AuditEntry.objects.filter(action=AuditAction.REVEAL).exists())

    def test_every_member_url_is_covered_here(self):
        # A new URL that names a member must be added to member_urls() above, so its scope is tested.
        covered = {"member_detail", "member_edit", "member_record_event", "member_reveal", "member_photo"}
        named = {p.name for p in member_urls.urlpatterns if "<int:pk>" in str(p.pattern)}
        self.assertEqual(named - covered, set())

    def test_liaison_of_the_centre_reaches_every_url(self):
        self.login(self.liaison)
        self.assertEqual(self.client.get(reverse("member_detail", args=[self.in_a1.pk])).status_code, 200)
        self.assertEqual(self.client.get(reverse("member_photo", args=[self.in_a1.pk])).status_code, 200)
        self.assertEqual(self.client.post(reverse("member_reveal", args=[self.in_a1.pk, "phones"])).status_code, 200)

    def test_outsider_gets_404_for_every_url_of_another_centres_member(self):
        self.login(self.outsider)
        for method, url, data in self.member_urls(self.in_a1):
            with self.subTest(method=method, url=url):
                response = self.fetch(method, url, data)
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("张建国", response.content.decode())
        self.assert_untouched()

    def test_outsider_does_not_find_another_centres_member_in_the_list(self):
        self.login(self.outsider)
        for q in ("", "张建国", "zjg", "1234", "1238", "450107192805031238"):
            with self.subTest(q=q):
                response = self.client.get(reverse("member_list"), {"q": q, "status": "all"})
                self.assertEqual(response.status_code, 200)
                self.assertEqual(list(response.context["page"]), [])
                self.assertNotContains(response, reverse("member_detail", args=[self.in_a1.pk]))

    def test_outsider_home_page_shows_nothing_of_another_centre(self):
        self.login(self.outsider)
        response = self.client.get(reverse("home"), follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "张建国")
        self.assertNotContains(response, reverse("member_detail", args=[self.in_a1.pk]))

    def test_viewer_is_refused_every_member_url_and_never_sees_a_name(self):
        self.login(self.viewer)
        urls = self.member_urls(self.in_a1) + [
            ("get", reverse("member_list"), None),
            ("get", reverse("member_list"), {"q": "zjg"}),
            ("get", reverse("member_create"), None),
        ]
        for method, url, data in urls:
            with self.subTest(method=method, url=url):
                response = self.fetch(method, url, data)
                self.assertIn(response.status_code, (403, 404))
                self.assertNotIn("张建国", response.content.decode())
                self.assertNotIn("李秀英", response.content.decode())
        self.assert_untouched()

    def test_viewer_home_page_shows_no_names(self):
        self.login(self.viewer)
        response = self.client.get(reverse("home"), follow=True)
        self.assertEqual(response.status_code, 200)
        for name in ("张建国", "李秀英"):
            self.assertNotContains(response, name)

    def test_group_leader_sees_only_their_group(self):
        self.login(self.group_leader)
        response = self.client.get(reverse("member_list"), {"status": "all"})
        self.assertEqual([m.name for m in response.context["page"]], ["张建国"])
        self.assertEqual(self.client.get(reverse("member_detail", args=[self.in_a1.pk])).status_code, 200)
        for method, url, data in self.member_urls(self.in_a2):
            with self.subTest(method=method, url=url):
                self.assertEqual(self.fetch(method, url, data).status_code, 404)

    def test_group_leader_may_read_but_not_write_or_reveal_the_id_number(self):
        self.login(self.group_leader)
        self.assertEqual(self.client.get(reverse("member_edit", args=[self.in_a1.pk])).status_code, 403)
        self.assertEqual(self.client.post(reverse("member_record_event", args=[self.in_a1.pk]), EVENT).status_code, 403)
        self.assertEqual(self.client.post(reverse("member_reveal", args=[self.in_a1.pk, "id_number"])).status_code, 403)
        self.assert_untouched()

    def test_secretary_and_bureau_admin_see_the_centres_members(self):
        for user in (self.secretary, self.admin):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(reverse("member_detail", args=[self.in_a2.pk])).status_code, 200)

    def test_anonymous_is_sent_to_log_in(self):
        urls = self.member_urls(self.in_a1) + [("get", reverse("member_list"), None), ("get", reverse("member_create"), None)]
        for method, url, data in urls:
            with self.subTest(method=method, url=url):
                response = self.fetch(method, url, data)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith(reverse("login") + "?next="))
        self.assert_untouched()
