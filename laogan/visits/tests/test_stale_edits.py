"""Optimistic locking of a centre's visit rules and festivals (issue 10): of two people who opened the same edit
form, the second to save is refused with a clear message and changes nothing; the first save of the unsaved
default rules still works (whoever stored the defaults meanwhile); a single edit saves as before."""

from django.test import override_settings
from django.urls import reverse

from laogan.accounts.models import AuditAction, AuditEntry
from laogan.lib.tests.formdata import open_form
from laogan.test import BaseTestCase
from laogan.visits.models import Festival, VisitRules
from laogan.visits.planning import rules_for

from .builders import frozen

STALE = "Reload the page to see their change, then make yours again."
RULES_STALE = "Someone else saved this while you were editing. " + STALE


@override_settings(LANGUAGE_CODE="en")
@frozen(2026, 10, 15)
class StaleRulesTest(BaseTestCase):
    def setUp(self):
        self.url = reverse("visit_rules") + "?centre=centre-a"

    def open_form(self, user):
        return open_form(self, user, self.url)

    def rules(self):
        return VisitRules.objects.get(centre=self.centre_a)

    def test_two_people_save_over_the_unsaved_defaults_the_second_is_refused(self):
        first, first_form = self.open_form(self.secretary)
        second, second_form = self.open_form(self.admin)
        self.assertEqual(first_form["version"], "1")
        self.assertFalse(VisitRules.objects.filter(centre=self.centre_a).exists())

        self.assertEqual(first.post(self.url, {**first_form, "milestone_ages": "70,80,90"}).status_code, 302)
        festivals = Festival.objects.filter(centre=self.centre_a).count()
        self.assertGreater(festivals, 0)  # the first save stored the defaults with their festivals

        response = second.post(self.url, {**second_form, "reminder_days": "5"})
        self.assertContains(response, RULES_STALE, status_code=409)
        rules = self.rules()
        self.assertEqual((rules.milestone_ages, rules.reminder_days, rules.version), ("70,80,90", 3, 2))
        self.assertEqual(Festival.objects.filter(centre=self.centre_a).count(), festivals)
        self.assertEqual(AuditEntry.objects.filter(object_type="visits.visitrules", action=AuditAction.UPDATE).count(), 1)

    def test_the_first_save_works_when_the_planner_stored_the_defaults_meanwhile(self):
        browser, form = self.open_form(self.secretary)
        rules_for(self.centre_a)  # the nightly planning stores the defaults: nobody changed anything
        self.assertEqual(browser.post(self.url, {**form, "birthday_window_days": "10"}).status_code, 302)
        self.assertEqual((self.rules().birthday_window_days, self.rules().version), (10, 2))

    def test_the_second_of_two_people_editing_stored_rules_is_refused(self):
        rules_for(self.centre_a)
        first, first_form = self.open_form(self.secretary)
        second, second_form = self.open_form(self.admin)
        self.assertEqual(first.post(self.url, {**first_form, "hardship_days": "2"}).status_code, 302)
        self.assertContains(second.post(self.url, {**second_form, "followup_days": "14"}), RULES_STALE, status_code=409)
        rules = self.rules()
        self.assertEqual((rules.hardship_days, rules.followup_days, rules.version), (2, 7, 2))

    def test_a_missing_or_garbled_version_is_refused_and_stores_nothing_not_even_the_defaults(self):
        browser, form = self.open_form(self.secretary)
        for version in (None, "", "0", "二", "1" * 20):
            data = {**form, "reminder_days": "9"}
            if version is None:
                del data["version"]
            else:
                data["version"] = version
            with self.subTest(version=version):
                self.assertContains(browser.post(self.url, data), RULES_STALE, status_code=409)
        self.assertFalse(VisitRules.objects.filter(centre=self.centre_a).exists())
        self.assertFalse(Festival.objects.filter(centre=self.centre_a).exists())

    def test_one_person_saves_and_saves_again_from_the_reloaded_page(self):
        browser, form = self.open_form(self.secretary)
        self.assertEqual(browser.post(self.url, {**form, "reminder_days": "5"}).status_code, 302)
        browser, form = self.open_form(self.secretary)
        self.assertEqual(form["version"], "2")
        self.assertEqual(browser.post(self.url, {**form, "hospital_visit_days": "1"}).status_code, 302)
        rules = self.rules()
        self.assertEqual((rules.reminder_days, rules.hospital_visit_days, rules.version), (5, 1, 3))


@override_settings(LANGUAGE_CODE="en")
@frozen(2026, 10, 15)
class StaleFestivalTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        rules_for(cls.centre_a)
        cls.festival = Festival.objects.get(centre=cls.centre_a, name="重阳")

    def setUp(self):
        self.url = reverse("visit_festival_edit", args=[self.festival.pk])

    def open_form(self, user):
        return open_form(self, user, self.url)

    def test_the_second_of_two_people_editing_a_festival_is_refused_and_changes_nothing(self):
        first, first_form = self.open_form(self.secretary)
        second, second_form = self.open_form(self.admin)
        self.assertEqual(first_form["version"], "1")
        self.assertEqual(first.post(self.url, {**first_form, "window_days": "21"}).status_code, 302)

        response = second.post(self.url, {**second_form, "name": "重阳节", "gatherings_count": ""})
        self.assertContains(response, "重阳 was changed by someone else while you were editing. " + STALE, status_code=409)
        festival = Festival.objects.get(pk=self.festival.pk)
        self.assertEqual((festival.name, festival.window_days, festival.gatherings_count, festival.version),
                         ("重阳", 21, self.festival.gatherings_count, 2))
        self.assertEqual(AuditEntry.objects.filter(object_type="visits.festival", action=AuditAction.UPDATE).count(), 1)

    def test_a_missing_or_garbled_version_is_refused_never_a_server_error(self):
        browser, form = self.open_form(self.secretary)
        for version in (None, "", "abc", "-3"):
            data = {**form, "window_days": "3"}
            if version is None:
                del data["version"]
            else:
                data["version"] = version
            with self.subTest(version=version):
                self.assertContains(browser.post(self.url, data), STALE, status_code=409)
        self.assertEqual(Festival.objects.get(pk=self.festival.pk).window_days, self.festival.window_days)

    def test_one_person_saves_and_saves_again_and_a_new_festival_needs_no_version(self):
        browser, form = self.open_form(self.secretary)
        self.assertEqual(browser.post(self.url, {**form, "window_days": "10"}).status_code, 302)
        browser, form = self.open_form(self.secretary)
        self.assertEqual(browser.post(self.url, {**form, "window_days": "12"}).status_code, 302)
        self.assertEqual(Festival.objects.get(pk=self.festival.pk).window_days, 12)
        response = browser.post(reverse("visit_festival_new") + "?centre=centre-a", {
            "name": "元旦", "calendar": "solar", "month": "1", "day": "1", "window_days": "10", "active": "on"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Festival.objects.get(centre=self.centre_a, name="元旦").version, 1)
