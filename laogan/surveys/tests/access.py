"""The surveys app's part of the authorisation matrix (laogan/tests/test_access_matrix.py).

Secretaries and admins manage surveys; staff key in paper answers; everyone with personal data reads results. The
answer page is public (a code is the only key). Results open once a survey is closed with enough answers: the world
has one open survey (to manage) and one closed and answered (to read).
"""

from datetime import timedelta

from django.utils import timezone

from laogan.surveys import actions
from laogan.surveys.models import Channel, IssueChannel, Survey
from laogan.surveys.tests.helpers import ANSWER_URL, submit
from laogan.tests.matrix import Route, expect, post_only


def build(world):
    today = timezone.localdate()
    world.survey = actions.do_create_survey(audience=world.group_a1, title="矩阵调查", opens_on=today,
                                            closes_on=today + timedelta(days=30), blueprint="yearly",
                                            acting_user=world.secretary)
    world.question = world.survey.questions.first()
    world.batch = actions.do_issue_codes(world.survey, world.group_a1, channel=IssueChannel.SLIPS,
                                         acting_user=world.secretary, answer_url=ANSWER_URL, on=today).batch
    answered = actions.do_create_survey(audience=world.group_a1, title="矩阵已结束调查", opens_on=today - timedelta(days=60),
                                        closes_on=today + timedelta(days=30), blueprint="yearly",
                                        acting_user=world.secretary)
    Survey.objects.filter(pk=answered.pk).update(min_group_size=1)
    answered.refresh_from_db()
    issued = actions.do_issue_codes(answered, world.group_a1, channel=IssueChannel.SLIPS, acting_user=world.secretary,
                                    answer_url=ANSWER_URL, on=today - timedelta(days=50))
    submit(issued.slips[0].code, answered, channel=Channel.PAPER, on=today - timedelta(days=40))
    actions.do_close_survey(answered, acting_user=world.secretary, on=today - timedelta(days=30))
    world.answered = answered


def _survey(w):
    return {"pk": w.survey.pk}


def _answered(w):
    return {"pk": w.answered.pk}


# The survey is looked up before the role is checked: out of scope it is a 404 whoever asks.
MANAGE = expect("managers", outsider=404)
MANAGE_POST = expect("managers", 302, outsider=404)

ROUTES = [
    Route("survey_list", get=expect("personal-data", obj=False)),
    Route("survey_create", get=expect("managers", obj=False), post=expect("managers", obj=False)),
    # Anyone may open the answer page; an empty code is refused.
    Route("survey_answer", get=expect("anyone", obj=False), post=expect("anyone", 400, obj=False)),
    Route("survey_detail", kwargs=_survey, get=expect("personal-data")),
    Route("survey_edit", kwargs=_survey, get=MANAGE, post=MANAGE),
    Route("question_add", kwargs=_survey, get=MANAGE, post=MANAGE),
    Route("question_edit", kwargs=lambda w: {"pk": w.survey.pk, "qid": w.question.pk}, get=MANAGE, post=MANAGE),
    # Deleting, voiding and closing need no data: the button is the whole form.
    Route("question_delete", kwargs=lambda w: {"pk": w.survey.pk, "qid": w.question.pk}, get=post_only(),
          post=MANAGE_POST, writes=True),
    Route("survey_issue", kwargs=_survey, get=post_only(), post=MANAGE_POST),
    Route("survey_replacement", kwargs=_survey, get=post_only(), post=MANAGE_POST),
    Route("batch_void", kwargs=lambda w: {"pk": w.survey.pk, "bid": w.batch.pk}, get=post_only(), post=MANAGE_POST,
          writes=True),
    Route("survey_close", kwargs=_survey, get=post_only(), post=MANAGE_POST, writes=True),
    Route("survey_entry", kwargs=_survey, get=expect("staff-only"), post=expect("staff-only")),
    Route("survey_questionnaire", kwargs=_survey, get=expect("personal-data")),
    Route("survey_results", kwargs=_answered, get=expect("personal-data")),
    Route("survey_results_how", kwargs=_answered, get=expect("personal-data")),
    Route("survey_results_download", kwargs=lambda w: {"pk": w.answered.pk, "fmt": "xlsx"}, get=expect("personal-data"),
          writes=True),
]
