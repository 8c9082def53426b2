"""Staff key in paper questionnaires and telephone answers with the slip's code; the entry shows who keyed it,
never whose answer it is."""

from datetime import date

import time_machine
from django.urls import reverse

from laogan.accounts.models import AuditEntry
from laogan.surveys import guard
from laogan.surveys.forms import field_name
from laogan.surveys.models import EntryTally, QuestionKind, Response, TextAnswer

from .helpers import AFTER, DURING, ENGLISH, SurveyTestCase, issue_slips, make_survey, question


@ENGLISH
@time_machine.travel(DURING, tick=False)
class PaperEntryTest(SurveyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.survey = make_survey(cls.centre_a, acting_user=cls.secretary)
        cls.codes = issue_slips(cls.survey, cls.group_a1, cls.secretary)
        cls.url = reverse("survey_entry", args=[cls.survey.pk])

    def envelope(self, code, channel="paper", level="5", **extra):
        data = {"channel": channel, "code": code}
        for q in self.survey.questions.all():
            if q.kind == QuestionKind.SCALE:
                data[field_name(q)] = level
        data.update(extra)
        return data

    def test_the_entry_form_asks_for_a_code_and_never_for_a_member(self):
        self.client.force_login(self.liaison)
        page = self.client.get(self.url)
        self.assertContains(page, 'name="code"')
        self.assertNotContains(page, 'name="member"')
        self.assertNotContains(page, "张建国")

    def test_a_paper_questionnaire_is_recorded_as_keyed_by_the_staff_member(self):
        self.client.force_login(self.liaison)
        text_q = question(self.survey, "意见建议")
        response = self.client.post(self.url, self.envelope(self.codes["张建国"], **{field_name(text_q): "灯泡坏了三天才换"}))
        self.assertRedirects(response, self.url, fetch_redirect_response=False)
        self.assertContains(self.client.get(self.url), "Answer recorded, keyed by liaison")
        self.assertEqual(Response.objects.filter(survey=self.survey).count(), 1)
        self.assertEqual(TextAnswer.objects.get().text, "灯泡坏了三天才换")
        tally = EntryTally.objects.get()
        self.assertEqual((tally.entered_by, tally.channel, tally.on, tally.count), (self.liaison, "paper", date(2026, 3, 10), 1))
        detail = self.client.get(reverse("survey_detail", args=[self.survey.pk]))
        self.assertContains(detail, "3月10日 · liaison · Paper questionnaire · 1")

    def test_the_audit_says_who_keyed_an_answer_but_not_the_code_or_the_answers(self):
        self.client.force_login(self.liaison)
        code = self.codes["李德明"]
        self.client.post(self.url, self.envelope(code, level="2"))
        entry = AuditEntry.objects.filter(actor=self.liaison).latest("at")
        self.assertEqual(entry.detail, "keyed one answer (paper)")
        self.assertNotIn(code, str(entry.changes) + entry.detail + entry.object_repr)

    def test_a_telephone_answer_is_keyed_with_the_code_the_member_reads_out(self):
        self.client.force_login(self.liaison)
        self.client.post(self.url, self.envelope(self.codes["王振华"].lower(), channel="phone"))
        self.assertEqual(EntryTally.objects.get().channel, "phone")
        self.assertEqual(Response.objects.count(), 1)

    def test_a_used_code_on_paper_is_refused_and_nothing_is_stored(self):
        self.client.force_login(self.liaison)
        self.client.post(self.url, self.envelope(self.codes["陈国栋"]))
        page = self.client.post(self.url, self.envelope(self.codes["陈国栋"], level="1"))
        self.assertContains(page, "This code cannot be used")
        self.assertEqual(Response.objects.count(), 1)
        self.assertFalse(Response.objects.filter(answers__scale=1).exists())

    def test_a_code_of_another_survey_is_refused(self):
        other = make_survey(self.centre_a, title="另一个调查")
        other_code = issue_slips(other, self.group_a2, self.secretary)["覃秀英"]
        self.client.force_login(self.liaison)
        page = self.client.post(self.url, self.envelope(other_code))
        self.assertContains(page, "This code cannot be used")
        self.assertFalse(Response.objects.exists())

    def test_a_mistake_on_the_form_does_not_spend_the_code(self):
        q = question(self.survey, "学习教育")
        q.required = True
        q.save(update_fields=["required"])
        self.client.force_login(self.liaison)
        data = self.envelope(self.codes["黄文光"])
        del data[field_name(q)]
        self.assertContains(self.client.post(self.url, data), "This field is required")
        self.assertEqual(self.client.post(self.url, self.envelope(self.codes["黄文光"])).status_code, 302)

    def test_wrong_codes_typed_by_staff_are_braked_too(self):
        self.client.force_login(self.liaison)
        for _ in range(guard.PER_SOURCE_LIMIT):
            self.client.post(self.url, self.envelope("ABCD-EFGH"))
        page = self.client.post(self.url, self.envelope(self.codes["韦永福"]))
        self.assertContains(page, "Too many wrong codes")
        self.assertFalse(Response.objects.exists())

    def test_nothing_can_be_keyed_once_the_survey_is_closed(self):
        with time_machine.travel(AFTER, tick=False):
            self.client.force_login(self.liaison)
            self.assertContains(self.client.get(self.url), "The survey is not open")
            page = self.client.post(self.url, self.envelope(self.codes["韦永福"]))
        self.assertContains(page, "The survey is not open")
        self.assertFalse(Response.objects.exists())

    def test_a_group_leader_cannot_key_answers(self):
        survey = make_survey(self.group_a1, title="一组调查")
        self.client.force_login(self.group_leader)
        self.assertEqual(self.client.get(reverse("survey_entry", args=[survey.pk])).status_code, 403)
