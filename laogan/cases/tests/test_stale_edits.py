"""Optimistic locking of a case's description (issue 10): of two people who opened the edit form of one case, the
second to save is refused with a clear message and changes nothing; a single edit saves as before."""

from datetime import date

import time_machine
from django.test import override_settings
from django.urls import reverse

from laogan.accounts.models import AuditAction, AuditEntry
from laogan.lib.tests.formdata import open_form

from ..actions import StaleEdit, do_update_case
from ..models import Case, Kind
from .base import CaseTestCase, at

STALE = "Someone else saved this while you were editing. Reload the page to see their change, then make yours again."


@override_settings(LANGUAGE_CODE="en")
@time_machine.travel(at(2026, 5, 20, 9), tick=False)
class StaleCaseEditTest(CaseTestCase):
    def setUp(self):
        self.case = self.open_case(Kind.HARDSHIP, opened_on=date(2026, 5, 1), summary="老伴住院",
                                   assessment="初步了解：子女在外地。")
        self.url = reverse("case_edit", args=[self.case.pk])

    def open_form(self, user):
        return open_form(self, user, self.case.get_absolute_url(), "edit_form", prefix="edit-")

    def updates(self):
        return AuditEntry.objects.filter(object_type="cases.case", object_id=str(self.case.pk),
                                         action=AuditAction.UPDATE).count()

    def test_the_second_of_two_people_editing_at_once_is_refused_and_changes_nothing(self):
        first, first_form = self.open_form(self.liaison)
        second, second_form = self.open_form(self.staff2)
        self.assertEqual(first_form["edit-version"], "1")
        response = first.post(self.url, {**first_form, "edit-summary": "老伴住院两周", "edit-assessment": "需要送餐。"})
        self.assertEqual(response.status_code, 302)

        response = second.post(self.url, {**second_form, "edit-summary": "另一种说法", "edit-assessment": "另一种评估。"})
        self.assertContains(response, STALE, status_code=409)
        self.assertContains(response, "另一种说法", status_code=409)  # what they typed is still in the form
        case = Case.objects.get(pk=self.case.pk)
        self.assertEqual((case.summary, case.assessment, case.version), ("老伴住院两周", "需要送餐。", 2))
        self.assertEqual(self.updates(), 1)

    def test_a_missing_or_garbled_version_counts_as_stale_never_a_server_error(self):
        browser, form = self.open_form(self.liaison)
        for version in (None, "", "abc", "0", "99999999999999999999"):
            data = {**form, "edit-summary": "被篡改"}
            if version is None:
                del data["edit-version"]
            else:
                data["edit-version"] = version
            with self.subTest(version=version):
                self.assertContains(browser.post(self.url, data), STALE, status_code=409)
        case = Case.objects.get(pk=self.case.pk)
        self.assertEqual((case.summary, case.version), ("老伴住院", 1))

    def test_one_person_saves_and_saves_again_from_the_reloaded_page(self):
        browser, form = self.open_form(self.liaison)
        response = browser.post(self.url, {**form, "edit-summary": "老伴住院两周"})
        self.assertRedirects(response, self.case.get_absolute_url(), fetch_redirect_response=False)
        browser, form = self.open_form(self.liaison)
        self.assertEqual(form["edit-version"], "2")
        self.assertEqual(browser.post(self.url, {**form, "edit-assessment": "已落实送餐。"}).status_code, 302)
        case = Case.objects.get(pk=self.case.pk)
        self.assertEqual((case.summary, case.assessment, case.version), ("老伴住院两周", "已落实送餐。", 3))

    def test_the_action_refuses_a_stale_version_inside_its_transaction(self):
        do_update_case(self.case, summary="甲", assessment="", expected_version=1, acting_user=self.liaison)
        with self.assertRaisesMessage(StaleEdit, STALE):
            do_update_case(self.case, summary="乙", assessment="乙", expected_version=1, acting_user=self.staff2)
        case = Case.objects.get(pk=self.case.pk)
        self.assertEqual((case.summary, case.assessment, case.version), ("甲", "", 2))
