"""Figures of the satisfaction surveys (answers, response rate, satisfaction rate) and the open-surveys panel.

A survey counts in the period in which it closed, and only once closed: results of an open survey are not shown
anywhere (see results.py). Every figure lists the questionnaires behind it, in random order, without free text.
"""

from decimal import Decimal

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from laogan.accounts.models import subtree_q
from laogan.lib.figures import Column, Figure, register, register_area
from laogan.lib.figures import get as get_figure
from laogan.lib.worklist import Item, Panel, panel

from .models import Invitation, Response, Survey
from .results import pooled_satisfaction

register_area("surveys", "满意度调查", "Satisfaction surveys", order=90)

RESPONSE_COLUMNS = (Column("问卷", "survey.title"), Column("调查截止", "survey.closes_on"),
                    Column("答卷编号", "short_id"), Column("满意度题", "scale_text"))
CLOSED = Q(survey__closed_on__isnull=False)


def _closed_surveys(unit, period):
    return Survey.objects.filter(subtree_q(unit.path, "unit_path"), closed_on__isnull=False,
                                 closes_on__gte=period.start, closes_on__lte=period.end)


def _share(part, whole):
    # A share of nothing is shown as 0.00 with the rule saying so: the report tables expect a number.
    if not whole:
        return Decimal("0.00")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"))


def satisfaction_rate(unit, period):
    satisfied, answered = pooled_satisfaction(get_figure("survey_responses").records(unit, period))
    return _share(satisfied, answered)


def response_rate(unit, period):
    surveys = _closed_surveys(unit, period)
    invited = Invitation.objects.filter(survey__in=surveys).count()
    return _share(Response.objects.filter(survey__in=surveys).count(), invited)


register(
    Figure(
        key="survey_responses", area="surveys", label_zh="收回满意度答卷", label_en="Survey answers received",
        unit="件", model=Response, path_field="survey__unit_path", date_field="survey__closes_on", where=CLOSED,
        order=10, columns=RESPONSE_COLUMNS,
        rule_zh="期内结束的不记名调查收回的答卷份数；每份答卷凭一次性答卷码提交，每码只能用一次。",
    ),
    Figure(
        key="survey_response_rate", area="surveys", label_zh="答卷回收率", label_en="Survey response rate", unit="%",
        model=Response, path_field="survey__unit_path", date_field="survey__closes_on", where=CLOSED, order=20,
        columns=RESPONSE_COLUMNS, compute=response_rate,
        rule_zh="期内结束的调查收回答卷份数÷发放答卷码的人数（补发的不重复计人）；无发放时记为0。",
    ),
    Figure(
        key="survey_satisfaction", area="surveys", label_zh="满意率", label_en="Satisfaction rate", unit="%",
        model=Response, path_field="survey__unit_path", date_field="survey__closes_on", where=CLOSED, order=30,
        columns=RESPONSE_COLUMNS, compute=satisfaction_rate, key_figure=False,
        rule_zh="期内结束的调查中，所有满意度题目的有效回答里选“非常满意”或“满意”的比例；未作答的不计入；无答卷时记为0。",
    ),
)


@panel(order=80)
def open_surveys(user, today):
    """Surveys open now in the user's subtree, with how many answers have come back."""
    if not user.sees_personal_data:
        return None
    surveys = (Survey.objects.visible_to(user).open_on(today)
               .annotate(n_invited=Count("invitations", distinct=True)).order_by("closes_on"))
    if not surveys:
        return None
    counts = dict(Response.objects.filter(survey__in=surveys).values("survey_id").annotate(n=Count("id"))
                  .order_by().values_list("survey_id", "n"))
    items = [Item(text=s.title, url=reverse("survey_detail", args=[s.pk]),
                  note=f"收回{counts.get(s.pk, 0)}/{s.n_invited}，{s.closes_on.month}月{s.closes_on.day}日截止",
                  urgent=(s.closes_on - today).days <= 3) for s in surveys]
    return Panel(key="surveys", title=_("Open surveys"), items=items, count=len(items),
                 more_url=reverse("survey_list"), empty_text="")

