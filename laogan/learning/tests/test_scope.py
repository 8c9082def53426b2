"""Scope: staff of centre B get 404 for everything of centre A, a party-group leader sees only the group, and the
bureau viewer sees no personal data (only figures)."""

from datetime import date

import time_machine

from .. import actions
from .base import NOW, LearningTestCase, scan


@time_machine.travel(NOW, tick=False)
class ScopeTest(LearningTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with time_machine.travel(NOW, tick=False):
            cls.material = actions.do_receive_material(unit=cls.centre_a, title="中国共产党简史", copies_received=10,
                                                       received_on=date(2026, 1, 5), acting_user=cls.secretary)
            cls.reading_a = actions.do_record_reading(cls.zhang, book_title="红岩", read_on=date(2026, 3, 1), acting_user=cls.liaison)
            cls.reflection_a = actions.do_record_reflection(
                cls.zhang, title="甲中心的体会", text="正文", written_on=date(2026, 4, 1), checked_file=scan(),
                consent_to_publish=True, consent_on=date(2026, 4, 2), acting_user=cls.liaison)
            cls.deed_a = actions.do_record_good_deed(cls.zhang, what="讲党史", for_whom="青少年", done_on=date(2026, 5, 1),
                                                     acting_user=cls.liaison)

    def a_urls(self):
        pk, r = self.zhang.pk, self.reflection_a.pk
        return [
            "/learning/?unit=centre-a", "/learning/?unit=group-a1", "/learning/reflections/?unit=centre-a",
            f"/learning/members/{pk}/", f"/learning/members/{pk}/reading/", f"/learning/members/{pk}/reflection/",
            f"/learning/members/{pk}/deed/", f"/learning/reflections/{r}/", f"/learning/reflections/{r}/file/",
            "/learning/special-issue.pdf?unit=centre-a&year=2026", f"/learning/materials/{self.material.pk}/",
        ]

    def test_outsider_gets_404_for_every_page_file_and_pdf_of_centre_a(self):
        self.login(self.outsider)
        for url in self.a_urls():
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        for url in (f"/learning/records/reading/{self.reading_a.pk}/delete/", f"/learning/records/deed/{self.deed_a.pk}/delete/",
                    f"/learning/reflections/{self.reflection_a.pk}/consent/", f"/learning/materials/{self.material.pk}/"):
            with self.subTest(url=url):
                self.assertEqual(self.client.post(url, {"consent": "", "members": [self.zhang.pk]}).status_code, 404)
        self.assertTrue(type(self.reading_a).objects.filter(pk=self.reading_a.pk).exists())

    def test_outsider_sees_nothing_of_centre_a_on_own_pages(self):
        self.login(self.outsider)
        for url in ("/learning/", "/learning/reflections/", "/learning/materials/"):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200)
            for text in ("张建国", "甲中心的体会", "中国共产党简史"):
                self.assertNotContains(response, text)

    def test_the_viewer_sees_no_personal_data(self):
        self.login(self.viewer)
        for url in self.a_urls() + ["/learning/", "/learning/materials/"]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertIn(response.status_code, (403, 404))
                self.assertNotIn("张建国", response.content.decode())

    def test_the_group_leader_sees_the_group_and_the_centres_materials_but_no_other_group(self):
        self.login(self.group_leader)
        self.assertEqual(self.client.get(f"/learning/members/{self.wang.pk}/").status_code, 404)
        self.assertEqual(self.client.get("/learning/?unit=group-a2").status_code, 404)
        response = self.client.get("/learning/")
        self.assertContains(response, "张建国")
        self.assertNotContains(response, "王德明")
        actions.do_hand_out(self.material, [self.wang, self.zhang], handed_on=date(2026, 2, 1), acting_user=self.secretary)
        page = self.client.get(f"/learning/materials/{self.material.pk}/")
        self.assertContains(page, "张建国")
        self.assertNotContains(page, "王德明")
        self.assertEqual(self.client.post(f"/learning/materials/{self.material.pk}/", {"members": [self.zhang.pk]}).status_code, 403)

    def test_the_pdf_download_is_audited_as_an_export(self):
        from laogan.accounts.models import AuditAction, AuditEntry

        self.login(self.secretary)
        response = self.client.get("/learning/special-issue.pdf", {"unit": "centre-a", "year": 2026})
        self.assertEqual(response["Content-Type"], "application/pdf")
        entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
        self.assertEqual((entry.actor, entry.unit_path), (self.secretary, self.centre_a.path))
        self.assertIn("special issue 2026", entry.detail)
