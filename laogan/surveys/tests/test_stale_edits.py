"""Optimistic locking of the survey edit page (issue 10): of two people who opened the edit form of one survey, the
second to save is refused with a clear message and changes nothing; closing the survey also makes an open edit
form stale (it moves the last day the form carries); a single edit saves as before."""

import time_machine
from django.urls import reverse

from laogan.accounts.models import AuditAction, AuditEntry
from laogan.lib.tests.formdata import open_form
from laogan.surveys import actions
from laogan.surveys.models import Survey

from .helpers import CLOSES, DURING, ENGLISH, SurveyTestCase, issue_slips, make_survey

TITLE = "2026年度满意度调查"
STALE = "was changed by someone else while you were editing. Reload the page to see their change, then make yours again."


@ENGLISH
@time_machine.travel(DURING, tick=False)
class StaleSurveyEditTest(SurveyTestCase):
    def setUp(self):
        super().setUp()
        self.survey = make_survey(self.centre_a, title=TITLE, acting_user=self.secretary)
        self.url = reverse("survey_edit", args=[self.survey.pk])

    def open_form(self, user):
        return open_form(self, user, self.url)

    def updates(self):
        return AuditEntry.objects.filter(object_type="surveys.survey", object_id=str(self.survey.pk),
                                         action=AuditAction.UPDATE).count()

    def test_the_second_of_two_people_editing_at_once_is_refused_and_changes_nothing(self):
        issue_slips(self.survey, self.group_a1, self.secretary)
        first, first_form = self.open_form(self.secretary)
        second, second_form = self.open_form(self.admin)
        self.assertEqual(first_form["version"], "1")
        self.assertEqual(first.post(self.url, {**first_form, "title": "2026年度满意度调查（修订）"}).status_code, 302)

        # The second changes the introduction and the audience, on the copy read before the first saved.
        response = second.post(self.url, {**second_form, "intro": "请如实填写。", "audience": self.branch_a.pk})
        self.assertContains(response, "2026年度满意度调查（修订） " + STALE, status_code=409)
        survey = Survey.objects.get(pk=self.survey.pk)
        self.assertEqual((survey.title, survey.intro, survey.audience_id, survey.version),
                         ("2026年度满意度调查（修订）", self.survey.intro, self.centre_a.pk, 2))
        self.assertEqual(survey.invitations.count(), 6)  # the refused audience change voided no code
        self.assertEqual(self.updates(), 1)

    def test_closing_the_survey_makes_an_open_edit_form_stale(self):
        browser, form = self.open_form(self.secretary)
        actions.do_close_survey(self.survey, acting_user=self.admin)
        response = browser.post(self.url, {**form, "title": "改个标题"})
        self.assertContains(response, STALE, status_code=409)
        survey = Survey.objects.get(pk=self.survey.pk)
        self.assertEqual((survey.title, survey.closes_on < CLOSES), (TITLE, True))  # the day it closed stays

    def test_a_missing_or_garbled_version_counts_as_stale_never_a_server_error(self):
        browser, form = self.open_form(self.secretary)
        for version in (None, "", "v1", "-1", "1" * 30):
            data = {**form, "title": "被篡改"}
            if version is None:
                del data["version"]
            else:
                data["version"] = version
            with self.subTest(version=version):
                self.assertContains(browser.post(self.url, data), STALE, status_code=409)
        self.assertEqual(Survey.objects.get(pk=self.survey.pk).title, TITLE)

    def test_one_person_saves_and_saves_again_from_the_reloaded_page(self):
        browser, form = self.open_form(self.secretary)
        self.assertRedirects(browser.post(self.url, {**form, "title": "第一次修改"}),
                             self.survey.get_absolute_url(), fetch_redirect_response=False)
        browser, form = self.open_form(self.secretary)
        self.assertEqual(form["version"], "2")
        self.assertEqual(browser.post(self.url, {**form, "intro": "第二次修改"}).status_code, 302)
        survey = Survey.objects.get(pk=self.survey.pk)
        self.assertEqual((survey.title, survey.intro, survey.version), ("第一次修改", "第二次修改", 3))
