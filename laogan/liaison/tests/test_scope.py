"""Every liaison URL as each persona sees it: another centre's ids are a 404 for staff and secretaries alike, a bureau
viewer sees no personal data, and an anonymous visitor is sent to log in."""

import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from laogan.accounts.models import Role
from laogan.liaison.models import ActivityPhoto, CardPrint, ContactLog, GroupPairing, JointActivity, PairingSide
from laogan.members.models import Member
from laogan.test import make_user

from .base import LiaisonTestCase, set_liaison

LIST_URLS = ["liaison_roster", "liaison_overdue", "liaison_pairings", "liaison_partners", "liaison_cards", "liaison_balance"]


def jpeg():
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


class ScopeTest(LiaisonTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        set_liaison(cls.a1, cls.liaison)
        cls.outside_secretary = make_user("secretary-b", cls.centre_b, Role.SECRETARY)
        cls.pairing = GroupPairing.objects.create(
            centre=cls.centre_a, first_name="在职党员干部组", first_unit=cls.centre_a, first_side=PairingSide.STAFF,
            second_name="离休党员干部组", second_unit=cls.branch_a, second_side=PairingSide.MEMBERS, purpose="互帮互带",
            started_on=date(2020, 1, 1))
        cls.activity = JointActivity.objects.create(partner=cls.partner, commitment=cls.commitment, title="培训班",
                                                    date=date(2026, 3, 1), place="党校", attendance=30)

    def setUp(self):
        self.photo = ActivityPhoto(activity=self.activity)
        self.photo.image.save("p.jpg", jpeg(), save=True)

    def id_urls(self):
        """(method, url, data) for every URL that names a record of centre A."""
        m, u = self.a1[0].pk, self.liaison.pk
        return [
            ("post", reverse("liaison_assign", args=[m]), {"liaison": self.outsider.pk}),
            ("get", reverse("liaison_contact", args=[m]), None),
            ("post", reverse("liaison_contact", args=[m]), {"kind": "phone", "at": "2026-01-02T10:00"}),
            ("post", reverse("liaison_card_member", args=[m]), None),
            ("get", reverse("liaison_staff", args=[u]), None),
            ("get", reverse("liaison_pairing_edit", args=[self.pairing.pk]), None),
            ("post", reverse("liaison_pairing_edit", args=[self.pairing.pk]), {"first_name": "x"}),
            ("get", reverse("liaison_partner", args=[self.partner.pk]), None),
            ("get", reverse("liaison_partner_edit", args=[self.partner.pk]), None),
            ("post", reverse("liaison_partner_edit", args=[self.partner.pk]), {"name": "改名"}),
            ("get", reverse("liaison_commitment_new", args=[self.partner.pk]), None),
            ("get", reverse("liaison_commitment_edit", args=[self.commitment.pk]), None),
            ("get", reverse("liaison_activity_new", args=[self.partner.pk]), None),
            ("get", reverse("liaison_activity", args=[self.activity.pk]), None),
            ("get", reverse("liaison_activity_edit", args=[self.activity.pk]), None),
            ("post", reverse("liaison_activity_photos", args=[self.activity.pk]), {"photos": jpeg()}),
            ("get", reverse("liaison_photo", args=[self.photo.pk]), None),
        ]

    def assert_untouched(self):
        self.a1[0].refresh_from_db()
        self.partner.refresh_from_db()
        self.assertEqual((self.a1[0].liaison, self.partner.name), (self.liaison, "城区党校"))
        self.assertFalse(ContactLog.objects.exists() or CardPrint.objects.exists())
        self.assertEqual(ActivityPhoto.objects.count(), 1)

    def test_staff_and_secretaries_of_another_centre_get_404_for_every_id(self):
        for user in (self.outsider, self.outside_secretary):
            self.login(user)
            for method, url, data in self.id_urls():
                with self.subTest(user=user.username, url=url, method=method):
                    self.assertEqual(getattr(self.client, method)(url, data or {}).status_code, 404)
        self.assert_untouched()

    def test_another_centres_pages_are_a_404(self):
        self.login(self.outside_secretary)
        for name in LIST_URLS:
            with self.subTest(name=name):
                self.assertEqual(self.client.get(reverse(name) + "?centre=centre-a").status_code, 404)

    def test_a_centre_sees_only_its_own_staff_members_and_partners(self):
        self.login(self.outside_secretary)
        roster = self.client.get(reverse("liaison_roster"))
        self.assertEqual([r.liaison.username for r in roster.context["rows"]], ["outsider"])
        self.assertNotContains(roster, "黄海燕")
        partners = self.client.get(reverse("liaison_partners"))
        self.assertEqual([p.partner.name for p in partners.context["years"]], ["城区卫生局"])
        cards = self.client.get(reverse("liaison_cards"))
        self.assertEqual(cards.context["total"], 1)

    def test_the_bureau_viewer_sees_no_personal_data(self):
        self.login(self.viewer)
        for name in LIST_URLS:
            with self.subTest(name=name):
                self.assertEqual(self.client.get(reverse(name)).status_code, 403)
        for method, url, data in self.id_urls():
            with self.subTest(url=url, method=method):
                self.assertIn(getattr(self.client, method)(url, data or {}).status_code, (403, 404))
        self.assert_untouched()

    def test_the_bureau_admin_chooses_a_centre(self):
        self.login(self.admin)
        response = self.client.get(reverse("liaison_roster") + "?centre=centre-b")
        self.assertEqual(response.context["centre"], self.centre_b)
        self.assertEqual(len(response.context["centres"]), 2)
        self.assertEqual(self.client.get(reverse("liaison_roster") + "?centre=nowhere").status_code, 404)

    def test_a_group_leader_may_log_contacts_but_not_use_the_roster(self):
        self.login(self.group_leader)
        self.assertEqual(self.client.get(reverse("liaison_roster")).status_code, 403)
        self.assertEqual(self.client.get(reverse("liaison_contact", args=[self.a1[0].pk])).status_code, 200)

    def test_an_anonymous_visitor_is_sent_to_log_in(self):
        for method, url, data in self.id_urls():
            with self.subTest(url=url):
                response = getattr(self.client, method)(url, data or {})
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith(reverse("login")))
        self.assertEqual(Member.objects.filter(liaison=self.liaison).count(), 5)
