"""Issuing codes: one per living member of the audience, on slips printed once or by text message."""

import io
from datetime import date

import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from laogan.jobs.models import Message
from laogan.surveys import actions, codes
from laogan.surveys.models import Invitation, IssueBatch, IssueChannel, SurveyCode

from .helpers import ANSWER_URL, CODE_RE, DURING, ENGLISH, A1_NAMES, A2_NAMES, SurveyTestCase, issue_slips, make_survey, submit


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@ENGLISH
@time_machine.travel(DURING, tick=False)
class IssueTest(SurveyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.survey = make_survey(cls.centre_a, acting_user=cls.secretary)

    def issue(self, unit, channel="slips"):
        self.client.force_login(self.secretary)
        return self.client.post(reverse("survey_issue", args=[self.survey.pk]), {"unit": unit.pk, "channel": channel})

    def test_the_slips_pdf_carries_each_living_members_name_and_a_working_code(self):
        response = self.issue(self.group_a1)
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = pdf_text(response.content)
        for name in A1_NAMES:
            self.assertIn(name, text)
        self.assertNotIn("蓝光荣", text)  # deceased: no slip
        found = CODE_RE.findall(text)
        self.assertEqual(len(found), 6)
        self.assertIn("/surveys/a/", text)
        self.assertIn("发放时沿虚线剪下此栏并销毁", text)
        self.assertEqual(SurveyCode.objects.filter(code_hash__in=[codes.code_hash(codes.normalize(c)) for c in found]).count(), 6)
        submit(found[0], self.survey)

    def test_the_qr_carries_the_code_after_the_hash_sign_only(self):
        from laogan.surveys import exports

        slips = actions.do_issue_codes(self.survey, self.group_a2, channel=IssueChannel.SLIPS, acting_user=self.secretary,
                                       answer_url=ANSWER_URL).slips
        captured = []
        original = exports.qr_data_uri
        exports.qr_data_uri = lambda text: captured.append(text) or original(text)
        try:
            exports.slips_pdf(self.survey, slips, ANSWER_URL)
        finally:
            exports.qr_data_uri = original
        self.assertEqual(captured, [f"{ANSWER_URL}#{s.display_code}" for s in slips])

    def test_nobody_is_given_two_codes(self):
        self.issue(self.group_a1)
        again = self.issue(self.centre_a)
        self.assertEqual(set(CODE_RE.findall(pdf_text(again.content))).__len__(), 3)  # only A2 was still to give
        self.assertEqual(Invitation.objects.filter(survey=self.survey).count(), 9)
        self.assertEqual(self.issue(self.centre_a).status_code, 302)  # everyone has one now
        self.assertEqual(SurveyCode.objects.filter(survey=self.survey).count(), 9)

    def test_codes_are_stored_as_hashes_only(self):
        slips = issue_slips(self.survey, self.group_a1, self.secretary)
        stored = set(SurveyCode.objects.values_list("code_hash", flat=True))
        for code in slips.values():
            self.assertNotIn(code, stored)
            self.assertIn(codes.code_hash(code), stored)

    def test_text_messages_go_to_members_with_a_mobile_and_the_rest_are_named_for_slips(self):
        response = self.issue(self.centre_a, channel="sms")
        self.assertRedirects(response, reverse("survey_detail", args=[self.survey.pk]), fetch_redirect_response=False)
        messages = list(Message.objects.all())
        self.assertEqual(len(messages), 6)
        self.assertTrue(all(CODE_RE.search(m.body) and m.to_address.startswith("1387700") for m in messages))
        page = self.client.get(reverse("survey_detail", args=[self.survey.pk]))
        self.assertContains(page, "No mobile number for 梁玉珍、莫桂兰、覃秀英")
        self.assertEqual(set(issue_slips(self.survey, self.centre_a, self.secretary)), set(A2_NAMES))

    def test_a_batch_whose_slips_never_went_out_can_be_voided_and_issued_again(self):
        old = issue_slips(self.survey, self.group_a1, self.secretary)
        batch = IssueBatch.objects.get()
        self.client.force_login(self.secretary)
        self.client.post(reverse("batch_void", args=[self.survey.pk, batch.pk]))
        batch.refresh_from_db()
        self.assertTrue(batch.voided)
        with self.assertRaises(actions.CodeRefused):
            submit(old["张建国"], self.survey)
        new = issue_slips(self.survey, self.group_a1, self.secretary)
        self.assertEqual(set(new), set(A1_NAMES))
        submit(new["张建国"], self.survey)

    def test_a_batch_with_a_used_code_cannot_be_voided(self):
        slips = issue_slips(self.survey, self.group_a1, self.secretary)
        submit(slips["张建国"], self.survey)
        with self.assertRaises(ValidationError):
            actions.do_void_batch(IssueBatch.objects.get(), acting_user=self.secretary)

    def test_a_replacement_slip_is_printed_for_a_member_who_lost_theirs_and_counted(self):
        issue_slips(self.survey, self.group_a1, self.secretary)
        self.client.force_login(self.secretary)
        member = self.a1_members[0]
        response = self.client.post(reverse("survey_replacement", args=[self.survey.pk]), {"member": member.pk})
        text = pdf_text(response.content)
        self.assertIn(member.name, text)
        submit(CODE_RE.search(text).group(0), self.survey)
        self.assertTrue(IssueBatch.objects.filter(replacement=True, count=1).exists())

    def test_no_replacement_for_a_member_never_given_a_code(self):
        with self.assertRaises(ValidationError):
            actions.do_issue_replacement(self.survey, self.a2_members[0], acting_user=self.secretary)

    def test_codes_cannot_be_issued_for_a_unit_outside_the_audience_or_after_closing(self):
        survey = make_survey(self.group_a1, title="一组")
        with self.assertRaises(ValidationError):
            actions.do_issue_codes(survey, self.group_a2, channel=IssueChannel.SLIPS, acting_user=self.secretary,
                                   answer_url=ANSWER_URL)
        with self.assertRaises(ValidationError):
            actions.do_issue_codes(survey, self.group_a1, channel=IssueChannel.SLIPS, acting_user=self.secretary,
                                   answer_url=ANSWER_URL, on=date(2026, 4, 1))

    def test_staff_cannot_issue_codes(self):
        self.client.force_login(self.liaison)
        response = self.client.post(reverse("survey_issue", args=[self.survey.pk]), {"unit": self.group_a1.pk, "channel": "slips"})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(SurveyCode.objects.exists())

    def test_the_blank_paper_questionnaire_lists_every_question_and_choice(self):
        self.client.force_login(self.liaison)
        text = pdf_text(self.client.get(reverse("survey_questionnaire", args=[self.survey.pk])).content).replace("\n", "")
        for expected in ("答卷码", "非常满意", "非常不满意", "每季度", "参观考察", "意见和建议", "不记录是谁的答卷"):
            self.assertIn(expected, text)
