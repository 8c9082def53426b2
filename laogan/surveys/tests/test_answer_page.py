"""The public answer page: plain POST forms, no log-in, no JavaScript, one question per screen, one answer per code."""

import re

import time_machine
from django.core import signing
from django.urls import reverse

from laogan.surveys import guard
from laogan.surveys.answer import TOKEN_SALT
from laogan.surveys.forms import field_name
from laogan.surveys.models import EntryTally, QuestionKind, Response, SurveyCode, TextAnswer

from .helpers import AFTER, DURING, ENGLISH, SurveyTestCase, issue_slips, make_survey

URL = reverse("survey_answer")


def without_csrf(response):
    return re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+"', "", response.content.decode())


def hidden_fields(html):
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)


@ENGLISH
@time_machine.travel(DURING, tick=False)
class AnswerPageTest(SurveyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.survey = make_survey(cls.centre_a, acting_user=cls.secretary)
        cls.codes = issue_slips(cls.survey, cls.group_a1, cls.secretary)
        cls.questions = list(cls.survey.questions.prefetch_related("choices"))

    def post_step(self, response, **fields):
        """Submit the form on the page the way a browser without JavaScript does: every hidden field plus ours."""
        data = {}
        for name, value in hidden_fields(response.content.decode()):
            if name == "csrfmiddlewaretoken":
                continue
            data.setdefault(name, []).append(value)
        data.update(fields)
        return self.client.post(URL, data)

    def answer_all(self, code, level="4", text="希望多来看看"):
        page = self.client.post(URL, {"code": code})
        for q in self.questions:
            self.assertContains(page, q.text)
            name = field_name(q)
            if q.kind == QuestionKind.SCALE:
                value = level
            elif q.kind == QuestionKind.SINGLE:
                value = str(q.choices.first().pk)
            elif q.kind == QuestionKind.MULTIPLE:
                value = [str(c.pk) for c in q.choices.all()[:2]]
            else:
                value = text
            page = self.post_step(page, **{name: value, "nav": "next"})
        self.assertContains(page, "Please check your answers")
        return self.post_step(page, nav="submit")

    def test_the_page_needs_no_login(self):
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'name="code"')

    def test_the_page_loads_no_script_of_its_own_that_the_flow_depends_on(self):
        # The fragment helper only fills the box; the form posts without it.
        response = self.client.get(URL)
        self.assertContains(response, '<form method="post"')
        self.assertNotContains(response, "onclick")

    def test_a_member_answers_one_question_per_screen_and_the_answer_is_stored(self):
        response = self.answer_all(self.codes["张建国"])
        self.assertContains(response, "Thank you")
        self.assertEqual(Response.objects.filter(survey=self.survey).count(), 1)
        self.assertEqual(TextAnswer.objects.get().text, "希望多来看看")
        tally = EntryTally.objects.get(survey=self.survey)
        self.assertEqual((tally.channel, tally.entered_by, tally.on, tally.count), ("online", None, None, 1))

    def test_each_screen_shows_exactly_one_question(self):
        page = self.client.post(URL, {"code": self.codes["张建国"]})
        self.assertContains(page, "<legend>", count=1)
        self.assertContains(page, "Question 1 of 9")

    def test_a_code_is_accepted_in_lower_case_with_spaces(self):
        code = self.codes["李德明"]
        page = self.client.post(URL, {"code": f" {code[:4].lower()} {code[4:].lower()} "})
        self.assertContains(page, "Question 1 of")

    def test_previous_answers_ride_along_in_hidden_fields_and_can_be_changed(self):
        page = self.client.post(URL, {"code": self.codes["王振华"]})
        first = self.questions[0]
        page = self.post_step(page, **{field_name(first): "2", "nav": "next"})
        self.assertIn((field_name(first), "2"), hidden_fields(page.content.decode()))
        page = self.post_step(page, nav="back")
        self.assertContains(page, 'value="2" checked')
        page = self.post_step(page, **{field_name(first): "5", "nav": "next"})
        self.assertIn((field_name(first), "5"), hidden_fields(page.content.decode()))

    def test_the_review_lists_the_answers_before_anything_is_stored(self):
        page = self.client.post(URL, {"code": self.codes["陈国栋"]})
        for q in self.questions:
            page = self.post_step(page, **{field_name(q): "5" if q.kind == QuestionKind.SCALE else "", "nav": "next"})
        self.assertContains(page, "非常满意", count=6)
        self.assertEqual(Response.objects.count(), 0)
        self.assertFalse(SurveyCode.objects.filter(used=True).exists())

    def test_a_code_works_once(self):
        self.assertContains(self.answer_all(self.codes["张建国"]), "Thank you")
        again = self.client.post(URL, {"code": self.codes["张建国"]})
        self.assertContains(again, "This code cannot be used")
        self.assertEqual(Response.objects.count(), 1)

    def test_a_second_submission_is_refused_without_revealing_anything(self):
        code = self.codes["黄文光"]
        first_page = self.client.post(URL, {"code": code})
        self.answer_all(code, level="1", text="意见很大")
        # The same screens replayed (the back button, a second phone) cannot submit again…
        replay = self.post_step(first_page, nav="submit")
        never_issued = self.client.post(URL, {"code": "ABCD-EFGH"})
        self.assertEqual(Response.objects.count(), 1)
        # …and the refusal reads exactly like the one for a code that never existed: nothing about the first answer.
        self.assertEqual(without_csrf(replay), without_csrf(never_issued))
        for secret in ("意见很大", "非常不满意", "2026", code, code[:4]):
            self.assertNotIn(secret, replay.content.decode())

    def test_a_code_of_a_closed_survey_is_refused_alike(self):
        with time_machine.travel(AFTER, tick=False):
            response = self.client.post(URL, {"code": self.codes["韦永福"]})
        self.assertContains(response, "This code cannot be used")

    def test_a_badly_formed_code_is_explained_and_not_counted_as_a_guess(self):
        response = self.client.post(URL, {"code": "12345"})
        self.assertContains(response, "eight letters and digits", status_code=400)
        self.assertFalse(guard.GuessWindow.objects.exists())

    def test_guessing_is_braked_per_address(self):
        for _ in range(guard.PER_SOURCE_LIMIT):
            self.client.post(URL, {"code": "ABCD-EFGH"})
        blocked = self.client.post(URL, {"code": self.codes["李德明"]})
        self.assertEqual(blocked.status_code, 429)
        other = self.client.post(URL, {"code": self.codes["李德明"]}, REMOTE_ADDR="10.0.0.9")
        self.assertContains(other, "Question 1 of")

    def test_the_brake_stores_no_address_in_clear(self):
        self.client.post(URL, {"code": "ABCD-EFGH"}, REMOTE_ADDR="10.1.2.3")
        keys = list(guard.GuessWindow.objects.values_list("key", flat=True))
        self.assertIn("*", keys)
        self.assertFalse(any("10.1.2.3" in k for k in keys))

    def test_a_required_question_left_empty_stays_on_its_screen(self):
        q = self.questions[0]
        q.required = True
        q.save(update_fields=["required"])
        page = self.client.post(URL, {"code": self.codes["张建国"]})
        page = self.post_step(page, nav="next")
        self.assertContains(page, "Question 1 of")
        self.assertContains(page, "This field is required")

    def test_a_forged_token_is_not_accepted(self):
        token = signing.dumps([self.survey.pk, self.codes["张建国"]], salt="another-salt")
        response = self.client.post(URL, {"t": token, "step": "0", "nav": "submit"})
        self.assertContains(response, "expired")
        self.assertEqual(Response.objects.count(), 0)

    def test_a_token_alone_does_not_spend_a_used_code(self):
        token = signing.dumps([self.survey.pk, self.codes["张建国"]], salt=TOKEN_SALT)
        self.client.post(URL, {"t": token, "step": "9", "nav": "submit"})
        again = self.client.post(URL, {"t": token, "step": "9", "nav": "submit"})
        self.assertContains(again, "This code cannot be used")
        self.assertEqual(Response.objects.count(), 1)

    def test_no_session_is_created_for_a_member_answering(self):
        from django.contrib.sessions.models import Session

        self.answer_all(self.codes["张建国"])
        self.assertFalse(Session.objects.exists())
        self.assertNotIn("sessionid", self.client.cookies)

    def test_error_reports_hide_every_posted_value(self):
        from django.views.debug import SafeExceptionReporterFilter

        request = self.client.post(URL, {"code": self.codes["张建国"]}).wsgi_request
        cleaned = SafeExceptionReporterFilter().get_post_parameters(request)
        self.assertNotEqual(cleaned["code"], self.codes["张建国"])

    def test_pages_are_not_cached(self):
        response = self.client.post(URL, {"code": self.codes["张建国"]})
        self.assertIn("no-store", response["Cache-Control"])

    def test_the_answer_page_uses_large_print_and_big_buttons(self):
        from pathlib import Path

        css = Path(__file__).resolve().parents[2].joinpath("static/laogan/app.css").read_text()
        block = css[css.index("/* surveys"):]
        self.assertIn(".page.answer { max-width: 640px; font-size: 24px;", block)  # 24 px = 18 pt
        self.assertIn("min-height: 64px", block)
        page = self.client.post(URL, {"code": self.codes["张建国"]})
        self.assertContains(page, 'class="page answer"')
        self.assertContains(page, 'class="primary big"')
