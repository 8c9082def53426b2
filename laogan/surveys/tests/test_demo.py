"""The demo centre's yearly survey: about 98 % satisfied, answered on paper, by telephone and online, and the rate on
the results page agrees with an independent count of the stored answers."""

from datetime import date, datetime

import time_machine
from django.test import TestCase
from django.urls import reverse

from laogan.accounts.models import Unit, User
from laogan.lib import figures
from laogan.lib.figures import Period
from laogan.members.management.commands.seed_demo import build_demo
from laogan.surveys import demo, results
from laogan.surveys.models import Response, Survey

from .helpers import SHANGHAI
from .test_results import independent_satisfaction

TODAY = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)


@time_machine.travel(TODAY, tick=False)
class DemoTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        build_demo()
        demo.build()
        cls.centre = Unit.objects.get(code="demo-c1")
        cls.survey = Survey.objects.get(blueprint="yearly")

    def test_this_years_survey_ran_in_march_and_is_closed(self):
        self.assertEqual((self.survey.opens_on, self.survey.closes_on, self.survey.closed_on),
                         (date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 31)))
        self.assertEqual(self.survey.audience, self.centre)

    def test_about_98_percent_are_satisfied_and_an_independent_count_agrees(self):
        r = results.compute(self.survey, date(2026, 11, 26))
        satisfied, answered = independent_satisfaction(self.survey)
        self.assertEqual((r.satisfied, r.answered), (satisfied, answered))
        self.assertGreaterEqual(r.satisfaction, 97)
        self.assertLessEqual(r.satisfaction, 99.5)
        figure = figures.get("survey_satisfaction").value(self.centre, Period.year(2026))
        self.assertEqual(round(figure, 1), r.satisfaction)

    def test_answers_came_on_paper_by_telephone_and_online(self):
        r = results.compute(self.survey, date(2026, 11, 26))
        self.assertTrue(all(r.channels[c] > 0 for c in ("paper", "phone", "online")))
        self.assertEqual(sum(r.channels.values()), r.responses)
        self.assertGreater(len(r.groups), 1)

    def test_the_secretary_sees_the_rate_on_the_results_page(self):
        self.client.force_login(User.objects.get(username="secretary"))
        r = results.compute(self.survey, date(2026, 11, 26))
        page = self.client.get(reverse("survey_results", args=[self.survey.pk]))
        self.assertContains(page, f"{r.satisfaction}%")

    def test_a_second_run_changes_nothing(self):
        before = (Survey.objects.count(), Response.objects.count())
        demo.build()
        self.assertEqual((Survey.objects.count(), Response.objects.count()), before)

    def test_the_follow_up_survey_is_open_for_group_two_with_no_codes_yet(self):
        survey = Survey.objects.get(blueprint="visit_follow_up")
        self.assertTrue(survey.is_open(date(2026, 11, 26)))
        self.assertEqual((survey.audience.code, survey.codes.count()), ("demo-g2", 0))
