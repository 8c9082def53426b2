"""Builders for survey tests: a survey of centre A in March 2026 with members in its two party groups."""

import random
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.test import override_settings

from laogan.surveys import actions
from laogan.surveys.models import Channel, IssueChannel, QuestionKind
from laogan.test import BaseTestCase, make_member

SHANGHAI = ZoneInfo("Asia/Shanghai")
DURING = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
AFTER = datetime(2026, 4, 2, 9, 0, tzinfo=SHANGHAI)
OPENS, CLOSES = date(2026, 3, 1), date(2026, 3, 31)
ANSWER_URL = "http://testserver/surveys/a/"
CODE_RE = re.compile(r"\b[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}\b")
ENGLISH = override_settings(LANGUAGE_CODE="en")

A1_NAMES = ["张建国", "李德明", "王振华", "陈国栋", "黄文光", "韦永福"]
A2_NAMES = ["覃秀英", "莫桂兰", "梁玉珍"]


class SurveyTestCase(BaseTestCase):
    """Centre A: six living members in group A1, three in group A2 (below the minimum of five), one deceased."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.a1_members = [make_member(name=n, born=date(1930, 1, 1 + i), unit=cls.group_a1,
                                      phones=[("mobile", f"1387700{1000 + i}")]) for i, n in enumerate(A1_NAMES)]
        cls.a2_members = [make_member(name=n, born=date(1931, 2, 1 + i), sex="F", unit=cls.group_a2)
                          for i, n in enumerate(A2_NAMES)]
        cls.deceased = make_member(name="蓝光荣", born=date(1925, 6, 1), unit=cls.group_a1, status="deceased")
        cls.b_member = make_member(name="周明德", born=date(1940, 3, 3), unit=cls.group_b1)

    def setUp(self):
        # Mixing uses the system's randomness; a seeded one keeps a failing test repeatable.
        self._random, actions._random = actions._random, random.Random(7)

    def tearDown(self):
        actions._random = self._random


def make_survey(audience, *, blueprint="yearly", title="2026年度满意度调查", acting_user=None, **kw):
    return actions.do_create_survey(audience=audience, title=title, opens_on=kw.pop("opens_on", OPENS),
                                    closes_on=kw.pop("closes_on", CLOSES), blueprint=blueprint,
                                    acting_user=acting_user, **kw)


def issue_slips(survey, unit, user, on=date(2026, 3, 2)):
    """Return {member name: code} for the slips issued to a unit."""
    issued = actions.do_issue_codes(survey, unit, channel=IssueChannel.SLIPS, acting_user=user, answer_url=ANSWER_URL, on=on)
    return {s.member.name: s.code for s in issued.slips}


def scale_answers(survey, level, **extra):
    """Return raw answers giving `level` to every satisfaction question (plus `extra` keyed by short label)."""
    raw = {}
    for q in survey.questions.prefetch_related("choices"):
        if q.kind == QuestionKind.SCALE:
            raw[q.pk] = level
        if q.short_label in extra:
            raw[q.pk] = extra[q.short_label]
    return raw


def submit(code, survey, level=5, channel=Channel.PAPER, entered_by=None, on=date(2026, 3, 10), **extra):
    return actions.do_submit_response(code, scale_answers(survey, level, **extra), channel=channel,
                                      entered_by=entered_by, on=on)


def question(survey, short_label):
    return survey.questions.get(short_label=short_label)
