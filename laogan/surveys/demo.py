"""The demo centre's surveys: this year's satisfaction survey (in March, as in the source document: anonymous,
about 98 % satisfied), answered on paper, by telephone and online, and closed; and a short visit follow-up survey
for the second party group, open now with no codes issued yet, to walk through issuing slips and answering.

Deterministic in content and idempotent: a second run finds the surveys and changes nothing. (Row keys are random
by design; see models.py.)
"""

import random
from datetime import date, timedelta

from django.utils.timezone import localdate

from laogan.accounts.models import Unit, User

from . import actions
from .blueprints import VISIT_FOLLOW_UP, YEARLY
from .models import Channel, IssueChannel, QuestionKind, Survey

ANSWER_URL = "http://127.0.0.1:8000/surveys/a/"
SUGGESTIONS = [
    "希望多组织参观新建成的重点工程，看看南宁的新变化。",
    "联络员每次在我住院时都来看望，谢谢支部。",
    "建议学习材料印成大字版，眼睛不好看不清小字。",
    "换灯泡、修水管都很及时，非常满意。",
    "希望保健知识讲座多讲讲怎样防跌倒。",
    "生日蛋糕收到了，谢谢组织还记得我。",
    "希望形势通报会安排在上午，下午精神不好。",
    "上门帮忙换医疗卡，省了我很多事。",
    "老伴住院时支部帮了大忙，全家都很感激。",
    "建议电话联系时说话慢一点、声音大一点。",
    "没有意见，支部工作做得很好。",
    "希望多开展读书交流，大家一起谈谈体会。",
    "小区门口的台阶太高，希望帮忙向街道反映。",
    "建议每季度组织一次健康体检讲解。",
    "党小组长经常打电话来问候，很暖心。",
    "希望办事时少跑几趟，能上门的尽量上门。",
    "参观青秀山很开心，希望以后还有这样的活动。",
    "换季时希望提醒大家注意添衣保暖。",
]


def build():
    centre = Unit.objects.get(code="demo-c1")
    secretary = User.objects.get(username="secretary")
    today = localdate()
    _yearly(centre, secretary, today)
    _follow_up(Unit.objects.get(code="demo-g2"), secretary, today)


def _yearly(centre, secretary, today):
    opens, closes = date(today.year, 3, 1), date(today.year, 3, 31)
    if closes >= today:  # early in the year: the month just past instead
        opens, closes = today - timedelta(days=31), today - timedelta(days=1)
    title = YEARLY.title.format(year=opens.year)
    if Survey.objects.filter(audience=centre, blueprint=YEARLY.key, title=title).exists():
        return
    survey = actions.do_create_survey(audience=centre, title=title, intro=YEARLY.intro, opens_on=opens, closes_on=closes,
                                      blueprint=YEARLY.key, acting_user=secretary)
    issued = actions.do_issue_codes(survey, centre, channel=IssueChannel.SLIPS, acting_user=secretary,
                                    answer_url=ANSWER_URL, on=opens)
    questions = list(survey.questions.prefetch_related("choices"))
    keyers = {Channel.PAPER: list(User.objects.filter(username__in=["staff1", "staff2", "staff3", "staff4"]).order_by("username")),
              Channel.PHONE: list(User.objects.filter(username__in=["staff5", "staff6"]).order_by("username"))}
    rng = random.Random(2014)
    # Slips in roster order, so that the same members answer on every run.
    for slip in sorted(issued.slips, key=lambda s: (s.member.unit_path, s.member.name_pinyin, s.member.pk)):
        draws = [rng.random() for _ in range(4)]
        answers = _answers(rng, questions)
        if draws[0] > 0.92:  # about one in twelve does not answer
            continue
        channel = Channel.PAPER if draws[1] < 0.6 else Channel.PHONE if draws[1] < 0.85 else Channel.ONLINE
        keyer = keyers[channel][int(draws[2] * len(keyers[channel]))] if channel in keyers else None
        day = opens + timedelta(days=int(draws[3] * (closes - opens).days))
        actions.do_submit_response(slip.code, answers, channel=channel, entered_by=keyer, on=day)
    actions.do_close_survey(survey, acting_user=secretary, on=closes)


def _answers(rng, questions):
    answers = {}
    for q in questions:
        draw = rng.random()
        if q.kind == QuestionKind.SCALE:
            answers[q.pk] = 5 if draw < 0.55 else 4 if draw < 0.982 else 3 if draw < 0.996 else 2
        elif q.kind == QuestionKind.SINGLE:
            choices = list(q.choices.all())
            answers[q.pk] = choices[0 if draw < 0.2 else 1 if draw < 0.85 else 2 if draw < 0.97 else 3].pk
        elif q.kind == QuestionKind.MULTIPLE:
            choices = list(q.choices.all())
            answers[q.pk] = sorted(c.pk for c in rng.sample(choices, 1 + int(draw * 3)))
        else:
            pick = rng.randrange(len(SUGGESTIONS))
            answers[q.pk] = SUGGESTIONS[pick] if draw < 0.22 else ""
    return answers


def _follow_up(group, secretary, today):
    title = VISIT_FOLLOW_UP.title.format(year=today.year)
    if Survey.objects.filter(audience=group, blueprint=VISIT_FOLLOW_UP.key, title=title).exists():
        return
    actions.do_create_survey(audience=group, title=title, intro=VISIT_FOLLOW_UP.intro, opens_on=today - timedelta(days=3),
                             closes_on=today + timedelta(days=25), blueprint=VISIT_FOLLOW_UP.key, acting_user=secretary)
