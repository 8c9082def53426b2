"""Every service-request URL, as seen by each persona: another centre's requests are a 404, a bureau viewer sees no
personal data, a group leader sees their own group's requests only, and an anonymous visitor is sent to log in."""

import io
from datetime import date

from django.urls import reverse
from openpyxl import load_workbook

from laogan.services.models import Partner, RequestEvent, ServiceRequest
from laogan.test import BaseTestCase, make_member

from .helpers import at, category, make_request


class ScopeTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.in_a1 = make_member(name="张建国", born=date(1928, 5, 3), unit=cls.group_a1)
        cls.in_a2 = make_member(name="李秀英", born=date(1933, 2, 14), sex="F", unit=cls.group_a2)
        cls.request_a1 = make_request(cls.in_a1, cls.liaison, "water", opened=at(2026, 3, 10, 22, 30), summary="甲一的水管")
        cls.request_a2 = make_request(cls.in_a2, cls.liaison, "bulb", opened=at(2026, 3, 10, 9, 0), summary="甲二的灯")
        cls.partner_a = Partner.objects.create(centre=cls.centre_a, name="甲物业")

    def request_urls(self, r):
        """Return (method, url, data) for every URL that names one request."""
        pk = r.pk
        urls = [("get", reverse("request_detail", args=[pk]), None),
                ("post", reverse("request_note", args=[pk]), {"note": "越权备注"})]
        for action in ("assign", "dispatch", "start", "wait", "resume", "resolve", "callback", "close", "reopen"):
            urls.append(("post", reverse("request_action", args=[pk, action]),
                         {f"{action}-version": "1", f"{action}-resolution": "x", f"{action}-assignee": str(self.outsider.pk),
                          f"{action}-reason": "member_away", f"{action}-satisfied": "yes"}))
        return urls

    def assert_untouched(self):
        for r in (self.request_a1, self.request_a2):
            fresh = ServiceRequest.objects.get(pk=r.pk)
            self.assertEqual((fresh.version, fresh.status), (r.version, r.status))
        self.assertFalse(RequestEvent.objects.filter(note="越权备注").exists())

    def test_outsider_gets_404_for_every_request_of_another_centre(self):
        self.login(self.outsider)
        for method, url, data in self.request_urls(self.request_a1):
            with self.subTest(url=url):
                self.assertEqual(getattr(self.client, method)(url, data or {}).status_code, 404)
        self.assert_untouched()

    def test_outsider_sees_nothing_of_another_centre_in_lists_fragments_exports_and_figures(self):
        self.login(self.outsider)
        self.assertNotContains(self.client.get(reverse("request_list"), {"state": "all"}), "甲一的水管")
        self.assertNotContains(self.client.get(reverse("request_member_search"), {"q": "zjg"}), "张建国")
        self.assertEqual(self.client.get(reverse("request_create"), {"member": self.in_a1.pk}).status_code, 404)
        response = self.client.get(reverse("request_export"), {"start": "2026-03-01", "end": "2026-03-31"})
        self.assertEqual(len(list(load_workbook(io.BytesIO(response.content)).active.iter_rows())), 1)
        self.assertEqual(self.client.get(reverse("request_figures"), {"start": "2026-03-01", "end": "2026-03-31"}).context["total"].count, 0)
        self.assertEqual(self.client.get(reverse("request_partner_edit", args=[self.partner_a.pk])).status_code, 403)

    def test_outsider_cannot_record_a_request_for_another_centres_member(self):
        self.login(self.outsider)
        self.client.post(reverse("request_create"), {"member": str(self.in_a1.pk), "category": str(category("bulb").pk),
                                                     "summary": "越权", "caller": "member", "channel": "phone"})
        self.assertFalse(ServiceRequest.objects.filter(summary="越权").exists())

    def test_viewer_sees_no_requests(self):
        self.login(self.viewer)
        for name in ("request_list", "request_create", "request_member_search", "request_export", "request_figures"):
            with self.subTest(name=name):
                self.assertEqual(self.client.get(reverse(name)).status_code, 403)
        for method, url, data in self.request_urls(self.request_a1):
            with self.subTest(url=url):
                self.assertIn(getattr(self.client, method)(url, data or {}).status_code, (403, 404))
        self.assertEqual(self.client.get(reverse("request_setup")).status_code, 403)
        self.assert_untouched()

    def test_group_leader_sees_their_own_groups_requests_only(self):
        self.login(self.group_leader)
        self.assertEqual(self.client.get(reverse("request_detail", args=[self.request_a1.pk])).status_code, 200)
        self.assertEqual(self.client.get(reverse("request_detail", args=[self.request_a2.pk])).status_code, 404)
        response = self.client.get(reverse("request_list"), {"state": "all"})
        self.assertContains(response, "甲一的水管")
        self.assertNotContains(response, "甲二的灯")

    def test_secretary_of_a_centre_cannot_set_up_another_centre(self):
        self.login(self.secretary)
        garden_b = category("bulb")
        response = self.client.get(reverse("request_setup"), {"centre": "centre-b"})
        self.assertContains(response, "甲中心")  # always their own centre, whatever the query says
        self.assertEqual(self.client.get(reverse("request_policy_edit", args=[garden_b.pk]) + "?centre=centre-b").status_code, 200)

    def test_a_centres_own_category_is_a_404_for_another_centre(self):
        from laogan.services.actions import do_create_category

        own = do_create_category(self.centre_b, code="garden", name="乙修剪花木", order=1, acting_user=None)
        self.login(self.secretary)
        self.assertEqual(self.client.get(reverse("request_policy_edit", args=[own.pk])).status_code, 404)

    def test_anonymous_visitors_are_sent_to_log_in(self):
        for name, args in (("request_list", []), ("request_create", []), ("request_detail", [self.request_a1.pk]),
                           ("request_export", []), ("request_figures", []), ("request_setup", [])):
            with self.subTest(name=name):
                response = self.client.get(reverse(name, args=args))
                self.assertEqual(response.status_code, 302)
                self.assertIn(reverse("login"), response["Location"])
