"""Who sees which survey: staff of another centre get 404 for everything of centre A, bureau viewers see figures
only, a party-group leader sees the surveys of their group."""

import time_machine
from django.urls import reverse

from laogan.surveys.models import IssueBatch, Survey

from .helpers import DURING, ENGLISH, SurveyTestCase, issue_slips, make_survey, submit


@ENGLISH
@time_machine.travel(DURING, tick=False)
class ScopeTest(SurveyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.survey = make_survey(cls.centre_a, acting_user=cls.secretary)
        codes = issue_slips(cls.survey, cls.group_a1, cls.secretary)
        submit(codes["张建国"], cls.survey)
        cls.batch = IssueBatch.objects.get(survey=cls.survey)
        cls.question = cls.survey.questions.first()
        cls.group_survey = make_survey(cls.group_a1, title="第一党小组回访", blueprint="visit_follow_up")

    def urls(self, survey):
        pk = survey.pk
        q = self.question.pk if survey == self.survey else survey.questions.first().pk
        gets = [reverse(name, args=[pk]) for name in ("survey_detail", "survey_edit", "question_add", "survey_entry",
                                                       "survey_questionnaire", "survey_results", "survey_results_how")]
        gets += [reverse("question_edit", args=[pk, q]), reverse("survey_results_download", args=[pk, "xlsx"]),
                 reverse("survey_results_download", args=[pk, "pdf"])]
        posts = [reverse(name, args=[pk]) for name in ("survey_issue", "survey_replacement", "survey_close")]
        posts += [reverse("question_delete", args=[pk, q]), reverse("batch_void", args=[pk, self.batch.pk])]
        return gets, posts

    def test_staff_of_another_centre_get_404_for_every_page_of_a_survey_of_centre_a(self):
        self.client.force_login(self.outsider)
        gets, posts = self.urls(self.survey)
        for url in gets:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        for url in posts:
            with self.subTest(url=url):
                self.assertEqual(self.client.post(url, {"unit": self.group_a1.pk, "channel": "slips"}).status_code, 404)
        self.assertNotContains(self.client.get(reverse("survey_list")), self.survey.title)
        self.assertEqual(Survey.objects.get(pk=self.survey.pk).closed_on, None)

    def test_a_bureau_viewer_sees_no_survey_page(self):
        self.client.force_login(self.viewer)
        self.assertEqual(self.client.get(reverse("survey_list")).status_code, 403)
        gets, _ = self.urls(self.survey)
        for url in gets:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 403)

    def test_a_group_leader_sees_the_group_survey_but_not_the_centre_survey(self):
        self.client.force_login(self.group_leader)
        listing = self.client.get(reverse("survey_list"))
        self.assertContains(listing, "第一党小组回访")
        self.assertNotContains(listing, self.survey.title)
        self.assertEqual(self.client.get(reverse("survey_detail", args=[self.survey.pk])).status_code, 404)
        self.assertEqual(self.client.get(reverse("survey_detail", args=[self.group_survey.pk])).status_code, 200)
        self.assertEqual(self.client.get(reverse("survey_edit", args=[self.group_survey.pk])).status_code, 403)

    def test_staff_may_read_and_key_but_not_manage(self):
        self.client.force_login(self.liaison)
        self.assertEqual(self.client.get(reverse("survey_detail", args=[self.survey.pk])).status_code, 200)
        self.assertEqual(self.client.get(reverse("survey_entry", args=[self.survey.pk])).status_code, 200)
        self.assertEqual(self.client.get(reverse("survey_edit", args=[self.survey.pk])).status_code, 403)
        self.assertEqual(self.client.post(reverse("survey_close", args=[self.survey.pk])).status_code, 403)

    def test_the_answer_page_needs_no_login_but_staff_pages_do(self):
        self.assertEqual(self.client.get(reverse("survey_answer")).status_code, 200)
        self.assertEqual(self.client.get(reverse("survey_list")).status_code, 302)
        self.assertEqual(self.client.get(reverse("survey_detail", args=[self.survey.pk])).status_code, 302)

    def test_writes_refuse_get(self):
        self.client.force_login(self.secretary)
        for url in self.urls(self.survey)[1]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 405)

    def test_the_list_page_makes_the_same_queries_for_one_survey_or_many(self):
        self.login(self.secretary)
        with self.assertNumQueries(6):
            self.client.get(reverse("survey_list"))
        for n in range(3):
            make_survey(self.centre_a, title=f"调查{n}")
        with self.assertNumQueries(6):
            page = self.client.get(reverse("survey_list"))
        self.assertContains(page, "1 answers from 6 codes")

    def test_the_open_survey_panel_shows_on_the_dashboard_for_staff_only(self):
        self.client.force_login(self.liaison)
        self.assertContains(self.client.get(reverse("home")), "收回1/6，3月31日截止")
        self.client.force_login(self.outsider)
        self.assertNotContains(self.client.get(reverse("home")), "收回1/6")
