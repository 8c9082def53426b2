"""Once the first answer arrives, the audience, the anonymity settings and the questions stay as they are."""

import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from laogan.surveys import actions
from laogan.surveys.models import Invitation, QuestionKind, Survey, SurveyCode, SurveyFrozen

from .helpers import DURING, ENGLISH, SurveyTestCase, issue_slips, make_survey, submit


@ENGLISH
@time_machine.travel(DURING, tick=False)
class FreezeTest(SurveyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.survey = make_survey(cls.centre_a, acting_user=cls.secretary)
        cls.codes = issue_slips(cls.survey, cls.group_a1, cls.secretary)

    def answer_once(self):
        submit(self.codes["张建国"], self.survey)
        self.survey.refresh_from_db()

    def test_the_first_answer_freezes_the_survey(self):
        self.assertFalse(self.survey.frozen)
        self.answer_once()
        self.assertTrue(self.survey.frozen)

    def test_the_model_refuses_a_new_audience_after_the_first_answer(self):
        self.answer_once()
        self.survey.audience = self.group_a1
        with self.assertRaises(SurveyFrozen):
            self.survey.save()
        self.assertEqual(Survey.objects.get(pk=self.survey.pk).audience, self.centre_a)

    def test_the_model_refuses_a_smaller_minimum_or_no_breakdown_after_the_first_answer(self):
        self.answer_once()
        for field, value in (("min_group_size", 9), ("record_group", False)):
            survey = Survey.objects.get(pk=self.survey.pk)
            setattr(survey, field, value)
            with self.subTest(field=field), self.assertRaises(SurveyFrozen):
                survey.save(update_fields=[field])

    def test_the_action_refuses_to_change_anonymity_after_the_first_answer(self):
        self.answer_once()
        with self.assertRaises(SurveyFrozen):
            actions.do_update_survey(self.survey, expected_version=self.survey.version, acting_user=self.secretary,
                                     record_group=False)

    def test_other_settings_may_still_change_after_the_first_answer(self):
        self.answer_once()
        survey, voided = actions.do_update_survey(self.survey, expected_version=self.survey.version,
                                                  acting_user=self.secretary, title="新标题",
                                                  closes_on=self.survey.closes_on.replace(day=30))
        self.assertEqual((survey.title, voided), ("新标题", 0))

    def test_questions_cannot_be_added_changed_or_deleted_after_the_first_answer(self):
        self.answer_once()
        q = self.survey.questions.first()
        with self.assertRaises(SurveyFrozen):
            actions.do_save_question(self.survey, acting_user=self.secretary, kind=QuestionKind.TEXT, text="新题")
        with self.assertRaises(SurveyFrozen):
            actions.do_save_question(self.survey, question=q, acting_user=self.secretary, kind=q.kind, text="改")
        with self.assertRaises(SurveyFrozen):
            q.delete()

    def test_before_any_answer_a_new_audience_voids_the_codes_already_issued(self):
        survey, voided = actions.do_update_survey(self.survey, expected_version=self.survey.version,
                                                  acting_user=self.secretary, audience=self.group_a1)
        self.assertEqual(voided, 6)
        self.assertFalse(Invitation.objects.filter(survey=survey).exists())
        self.assertFalse(SurveyCode.objects.filter(survey=survey, void=False).exists())
        with self.assertRaises(actions.CodeRefused):
            submit(self.codes["张建国"], survey)

    def test_the_edit_form_shows_the_frozen_fields_disabled_and_ignores_a_forged_change(self):
        self.answer_once()
        self.client.force_login(self.secretary)
        url = reverse("survey_edit", args=[self.survey.pk])
        self.assertContains(self.client.get(url), "Fixed: answers have arrived.", count=3)
        data = {"title": "2026年度满意度调查", "audience": self.group_a2.pk, "opens_on": "2026-03-01",
                "closes_on": "2026-03-31", "intro": "", "record_group": "", "min_group_size": "5",
                "version": self.survey.version}
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.survey.refresh_from_db()
        self.assertEqual((self.survey.audience, self.survey.record_group), (self.centre_a, True))

    def test_the_minimum_group_size_cannot_go_below_five(self):
        with self.assertRaises(ValidationError):
            make_survey(self.centre_a, title="太小", min_group_size=3)
