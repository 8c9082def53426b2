"""Optimistic locking of the liaison edit forms that overwrite a whole row (issue 10): the centre's caseload policy,
group pairings, partner units, their commitments and joint activities. Of two people who opened the same edit
form, the second to save is refused with a clear message and changes nothing; a single edit saves as before.
(Assigning liaisons, logging contacts and adding photos only add rows: they need no version.)"""

from datetime import date, datetime

import time_machine
from django.test import override_settings
from django.urls import reverse

from laogan.accounts.models import AuditAction, AuditEntry
from laogan.lib.tests.formdata import open_form
from laogan.liaison.models import Commitment, GroupPairing, JointActivity, LiaisonPolicy, PairingSide, PartnerUnit

from .base import SHANGHAI, LiaisonTestCase

STALE = "Reload the page to see their change, then make yours again."
GENERIC = "Someone else saved this while you were editing. " + STALE


def named(name):
    return f"{name} was changed by someone else while you were editing. {STALE}"


@override_settings(LANGUAGE_CODE="en")
@time_machine.travel(datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI), tick=False)
class StaleLiaisonEditTest(LiaisonTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.pairing = GroupPairing.objects.create(
            centre=cls.centre_a, first_name="在职党员干部组", first_unit=cls.centre_a, first_side=PairingSide.STAFF,
            second_name="离休党员干部组", second_unit=cls.branch_a, second_side=PairingSide.MEMBERS,
            purpose="互帮互带", started_on=date(2020, 3, 1))
        cls.activity = JointActivity.objects.create(partner=cls.partner, commitment=cls.commitment, title="党务知识培训班",
                                                    date=date(2026, 6, 10), place="城区党校", attendance=40,
                                                    recorded_by=cls.liaison)

    def open_form(self, user, url, context_name="form"):
        return open_form(self, user, url, context_name)

    def assert_second_is_refused(self, url, users, first_change, second_change, message):
        """Both open the form at `url`; the first saves `first_change`, the second's `second_change` is refused."""
        first, first_form = self.open_form(users[0], url)
        second, second_form = self.open_form(users[1], url)
        self.assertEqual(first_form["version"], "1")
        self.assertEqual(first.post(url, {**first_form, **first_change}).status_code, 302)
        self.assertContains(second.post(url, {**second_form, **second_change}), message, status_code=409)
        self.assertContains(second.post(url, {**second_form, **second_change, "version": "x"}), message, status_code=409)

    def updates(self, obj):
        return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk),
                                         action=AuditAction.UPDATE).count()

    def test_pairing(self):
        url = reverse("liaison_pairing_edit", args=[self.pairing.pk])
        self.assert_second_is_refused(url, (self.secretary, self.admin), {"purpose": "年轻帮年长，年长带年轻"},
                                      {"first_name": "机关干部组", "ended_on": "2026-12-31"}, GENERIC)
        pairing = GroupPairing.objects.get(pk=self.pairing.pk)
        self.assertEqual((pairing.purpose, pairing.first_name, pairing.ended_on, pairing.version),
                         ("年轻帮年长，年长带年轻", "在职党员干部组", None, 2))
        self.assertEqual(self.updates(pairing), 1)

    def test_partner_unit(self):
        url = reverse("liaison_partner_edit", args=[self.partner.pk])
        self.assert_second_is_refused(url, (self.secretary, self.admin), {"contact_person": "陆志明"},
                                      {"name": "市委党校", "mobile": "13907713001"}, named("城区党校"))
        partner = PartnerUnit.objects.get(pk=self.partner.pk)
        self.assertEqual((partner.name, partner.contact_person, partner.mobile, partner.version),
                         ("城区党校", "陆志明", "", 2))
        self.assertEqual(self.updates(partner), 1)

    def test_commitment(self):
        url = reverse("liaison_commitment_edit", args=[self.commitment.pk])
        self.assert_second_is_refused(url, (self.secretary, self.admin), {"due_month": "5"},
                                      {"title": "每年两次培训", "last_year": "2026"}, named(self.commitment.title))
        commitment = Commitment.objects.get(pk=self.commitment.pk)
        self.assertEqual((commitment.title, commitment.due_month, commitment.last_year, commitment.version),
                         (self.commitment.title, 5, None, 2))
        self.assertEqual(self.updates(commitment), 1)

    def test_joint_activity(self):
        url = reverse("liaison_activity_edit", args=[self.activity.pk])
        self.assert_second_is_refused(url, (self.liaison, self.liaison2), {"attendance": "42"},
                                      {"place": "老干部活动中心", "notes": "改"}, named("党务知识培训班"))
        activity = JointActivity.objects.get(pk=self.activity.pk)
        self.assertEqual((activity.attendance, activity.place, activity.notes, activity.version),
                         (42, "城区党校", "", 2))
        self.assertEqual(self.updates(activity), 1)

    def test_one_person_saves_twice_from_the_reloaded_page_and_new_rows_need_no_version(self):
        url = reverse("liaison_partner_edit", args=[self.partner.pk])
        for n, person in enumerate(("陆志明", "黄小梅"), 1):
            browser, form = self.open_form(self.secretary, url)
            self.assertEqual(form["version"], str(n))
            self.assertEqual(browser.post(url, {**form, "contact_person": person}).status_code, 302)
        self.assertEqual(PartnerUnit.objects.get(pk=self.partner.pk).contact_person, "黄小梅")
        response = browser.post(reverse("liaison_partner_new") + "?centre=centre-a", {"name": "城区卫健局", "sort_order": 2})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(PartnerUnit.objects.get(name="城区卫健局").version, 1)


@override_settings(LANGUAGE_CODE="en")
class StalePolicyTest(LiaisonTestCase):
    """The policy form sits on the roster page; a centre without a stored policy shows the defaults (version 1)."""

    def setUp(self):
        self.roster = reverse("liaison_roster") + "?centre=centre-a"
        self.url = reverse("liaison_policy")

    def open_form(self, user):
        browser, data = open_form(self, user, self.roster, "policy_form")
        return browser, {**data, "centre": "centre-a"}

    def test_two_people_save_over_the_defaults_the_second_is_refused_and_changes_nothing(self):
        first, first_form = self.open_form(self.secretary)
        second, second_form = self.open_form(self.admin)
        self.assertEqual(first_form["version"], "1")
        self.assertFalse(LiaisonPolicy.objects.filter(centre=self.centre_a).exists())
        response = first.post(self.url, {**first_form, "min_caseload": "10", "max_caseload": "25"}, follow=True)
        self.assertContains(response, "Caseload bounds and contact intervals saved.")
        response = second.post(self.url, {**second_form, "contact_days": "60"}, follow=True)
        self.assertContains(response, GENERIC)
        policy = LiaisonPolicy.objects.get(centre=self.centre_a)
        self.assertEqual((policy.min_caseload, policy.max_caseload, policy.contact_days, policy.version), (10, 25, 30, 2))
        self.assertEqual(AuditEntry.objects.filter(object_type="liaison.liaisonpolicy").count(), 1)

    def test_a_missing_or_garbled_version_is_refused_and_stores_nothing(self):
        browser, form = self.open_form(self.secretary)
        for version in (None, "", "0", "2", "一"):
            data = {**form, "contact_days": "60"}
            if version is None:
                del data["version"]
            else:
                data["version"] = version
            with self.subTest(version=version):
                self.assertContains(browser.post(self.url, data, follow=True), GENERIC)
        self.assertFalse(LiaisonPolicy.objects.filter(centre=self.centre_a).exists())

    def test_one_person_saves_and_saves_again_from_the_reloaded_page(self):
        for n, days in enumerate(("45", "40"), 1):
            browser, form = self.open_form(self.secretary)
            self.assertEqual(form["version"], str(n))
            browser.post(self.url, {**form, "contact_days": days})
        policy = LiaisonPolicy.objects.get(centre=self.centre_a)
        self.assertEqual((policy.contact_days, policy.version), (40, 3))
