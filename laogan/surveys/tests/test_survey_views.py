"""Setting a survey up: from the shipped yearly questionnaire, editing questions, closing."""

from datetime import date, datetime

import time_machine
from django.urls import reverse

from laogan.accounts.models import AuditEntry
from laogan.surveys import actions, guard
from laogan.surveys.models import GuessWindow, Question, QuestionKind, Survey

from .helpers import DURING, ENGLISH, SHANGHAI, SurveyTestCase, issue_slips, make_survey, submit


@ENGLISH
@time_machine.travel(DURING, tick=False)
class SurveySetupTest(SurveyTestCase):
    def form(self, **overrides):
        data = {"title": "2026年度满意度调查", "audience": self.centre_a.pk, "opens_on": "2026-03-01",
                "closes_on": "2026-03-31", "intro": "", "record_group": "on", "min_group_size": "5", "blueprint": "yearly"}
        data.update(overrides)
        return data

    def test_a_secretary_creates_the_yearly_survey_with_its_six_satisfaction_questions(self):
        self.client.force_login(self.secretary)
        response = self.client.post(reverse("survey_create"), self.form())
        survey = Survey.objects.get()
        self.assertRedirects(response, reverse("survey_detail", args=[survey.pk]), fetch_redirect_response=False)
        labels = list(survey.questions.filter(kind=QuestionKind.SCALE).values_list("short_label", flat=True))
        self.assertEqual(labels, ["学习教育", "结对联系", "生活服务", "走访慰问", "组织活动", "总体评价"])
        self.assertEqual(survey.questions.count(), 9)
        self.assertEqual((survey.centre, survey.unit_path), (self.centre_a, self.centre_a.path))
        self.assertTrue(AuditEntry.objects.filter(action="create", object_type="surveys.survey").exists())

    def test_the_audience_must_be_a_unit_the_secretary_sees(self):
        self.client.force_login(self.secretary)
        response = self.client.post(reverse("survey_create"), self.form(audience=self.centre_b.pk))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Survey.objects.exists())

    def test_a_survey_cannot_close_before_it_opens(self):
        self.client.force_login(self.secretary)
        page = self.client.post(reverse("survey_create"), self.form(closes_on="2026-02-01"))
        self.assertContains(page, "The survey closes before it opens.")

    def test_staff_cannot_create_a_survey(self):
        self.client.force_login(self.liaison)
        self.assertEqual(self.client.get(reverse("survey_create")).status_code, 403)

    def test_questions_of_every_kind_can_be_added_changed_and_deleted_before_answers(self):
        survey = make_survey(self.centre_a, blueprint="")
        self.client.force_login(self.secretary)
        add = reverse("question_add", args=[survey.pk])
        self.client.post(add, {"kind": "single", "text": "您多久参加一次活动？", "short_label": "参加", "order": "10",
                               "choices": "每月\n每季度\n\n很少"})
        self.client.post(add, {"kind": "scale", "text": "您对活动满意吗？", "order": "", "choices": ""})  # to the end
        single = survey.questions.get(kind="single")
        self.assertEqual([c.text for c in single.choices.all()], ["每月", "每季度", "很少"])
        self.assertEqual(list(survey.questions.values_list("order", flat=True)), [10, 20])
        self.client.post(reverse("question_edit", args=[survey.pk, single.pk]),
                         {"kind": "multiple", "text": "您参加过哪些活动？", "order": "10", "choices": "参观\n讲座"})
        single.refresh_from_db()
        self.assertEqual((single.kind, [c.text for c in single.choices.all()]), ("multiple", ["参观", "讲座"]))
        self.client.post(reverse("question_delete", args=[survey.pk, single.pk]))
        self.assertEqual(list(survey.questions.values_list("kind", flat=True)), ["scale"])

    def test_a_choice_question_needs_two_choices(self):
        survey = make_survey(self.centre_a, blueprint="")
        self.client.force_login(self.secretary)
        page = self.client.post(reverse("question_add", args=[survey.pk]),
                                {"kind": "single", "text": "只有一个选项？", "order": "10", "choices": "是"})
        self.assertContains(page, "Give at least two choices")
        self.assertFalse(Question.objects.filter(survey=survey).exists())

    def test_changing_the_audience_before_answers_warns_that_codes_were_voided(self):
        survey = make_survey(self.centre_a)
        issue_slips(survey, self.group_a1, self.secretary)
        self.client.force_login(self.secretary)
        data = self.form(audience=self.branch_a.pk, version=survey.version)
        del data["blueprint"]
        self.client.post(reverse("survey_edit", args=[survey.pk]), data)
        page = self.client.get(reverse("survey_detail", args=[survey.pk]))
        self.assertContains(page, "6 codes issued under the old settings were voided")

    def test_closing_early_shows_the_results_and_ends_answering(self):
        survey = make_survey(self.centre_a)
        codes = issue_slips(survey, self.centre_a, self.secretary)
        for code in list(codes.values())[:5]:
            submit(code, survey)
        self.client.force_login(self.secretary)
        response = self.client.post(reverse("survey_close", args=[survey.pk]))
        self.assertRedirects(response, reverse("survey_results", args=[survey.pk]), fetch_redirect_response=False)
        survey.refresh_from_db()
        self.assertEqual((survey.closed_on, survey.closes_on), (date(2026, 3, 10), date(2026, 3, 10)))
        self.assertContains(self.client.get(reverse("survey_results", args=[survey.pk])), "Satisfaction by question")
        with self.assertRaises(actions.CodeRefused):
            submit(list(codes.values())[6], survey)


class PeriodicJobsTest(SurveyTestCase):
    def test_surveys_past_their_last_day_are_closed_once(self):
        survey = make_survey(self.centre_a)
        self.assertEqual(actions.close_due_surveys(date(2026, 3, 31)), 0)
        self.assertEqual(actions.close_due_surveys(date(2026, 4, 1)), 1)
        self.assertEqual(actions.close_due_surveys(date(2026, 4, 2)), 0)
        survey.refresh_from_db()
        self.assertEqual(survey.closed_on, date(2026, 3, 31))

    def test_guessing_counts_are_forgotten_after_a_day(self):
        guard.record_failure("10.0.0.1", datetime(2026, 3, 1, 10, 5, tzinfo=SHANGHAI))
        self.assertEqual(GuessWindow.objects.count(), 2)
        self.assertEqual(guard.prune(datetime(2026, 3, 2, 10, 30, tzinfo=SHANGHAI)), 0)
        self.assertEqual(guard.prune(datetime(2026, 3, 2, 11, 30, tzinfo=SHANGHAI)), 2)

    def test_the_worker_runs_the_survey_jobs(self):
        from laogan.jobs.registry import all_jobs

        names = {job.name for job in all_jobs()}
        self.assertLessEqual({"surveys_close_due", "surveys_scrub_codes", "surveys_prune_guesses"}, names)
