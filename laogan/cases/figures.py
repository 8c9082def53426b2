"""Figures of case work (善后, 家有困难, 居家养老) and the dashboard panels of case steps due and survivors to visit.

Figures are computed for a unit, the same for every user who opens them (the annual report, the dashboard, the
bureau's roll-up), so they never count a confidential case: a number that included one would tell a staff member
outside its grant that it exists. Grievance mediation is always confidential, so it has no figure here; the
secretary sees its counts on the case-work figures page, which counts only what its reader may see.
"""

from datetime import timedelta
from decimal import Decimal
from statistics import median

from django.db.models import F, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from laogan.accounts.models import Role
from laogan.lib.figures import Column, Figure, get, register, register_area
from laogan.lib.worklist import Item, Panel, panel

from .models import Case, CaseHelp, CaseStep, HelpKind, Kind, Status, StepStatus, Survivor
from .survivors import next_festival

register_area("cases", "善后、帮扶与居家养老", "Case work", order=45)

CASE_COLUMNS = (Column("老干部", "member.name"), Column("类别", "case_type.name"), Column("事由", "summary"),
                Column("建立日期", "opened_on"), Column("办结日期", "closed_on"), Column("负责人", "owner"),
                Column("结果", "outcome"))
STEP_COLUMNS = (Column("应办日期", "due_date"), Column("老干部", "case.member.name"), Column("类别", "case.case_type.name"),
                Column("步骤", "title"), Column("状态", "status"), Column("办理日期", "done_on"))
HELP_COLUMNS = (Column("日期", "given_on"), Column("老干部", "case.member.name"), Column("类别", "case.case_type.name"),
                Column("事项", "description"), Column("金额（元）", "amount"), Column("领取人", "recipient"))
SURVIVOR_COLUMNS = (Column("姓名", "name"), Column("关系", "relationship"), Column("已故老干部", "deceased.name"),
                    Column("最近看望", "last_visited_on"))

COUNTED = Q(confidential=False)
CLOSED = COUNTED & Q(status=Status.CLOSED)


def _overdue_steps(period):
    # Past its date and still to do, or done after its date; today bounds "still to do" in a year not yet over.
    from django.utils.timezone import localdate

    late_open = Q(status=StepStatus.OPEN, case__status=Status.OPEN, due_date__lt=localdate())
    late_done = Q(status=StepStatus.DONE, done_on__gt=F("due_date"))
    return Q(case__confidential=False) & (late_open | late_done)


def median_days(cases):
    """Return the median of opened → closed in days over a queryset of cases, or None when none is closed."""
    days = [(closed - opened).days for opened, closed in cases.values_list("opened_on", "closed_on") if closed]
    if not days:
        return None
    value = Decimal(str(median(days))).quantize(Decimal("0.1"))
    return int(value) if value == value.to_integral_value() else value


def _median_to_close(unit, period):
    return median_days(get("cases_days_to_close").records(unit, period)) or 0


def _opened(kind, key, label_zh, label_en, rule, order, key_figure=False):
    return Figure(key=key, area="cases", label_zh=label_zh, label_en=label_en, unit="件", model=Case,
                  path_field="unit_path", date_field="opened_on", where=COUNTED & Q(case_type__code=kind), order=order,
                  rule_zh=rule, columns=CASE_COLUMNS, key_figure=key_figure)


def _closed(kind, key, label_zh, label_en, rule, order):
    return Figure(key=key, area="cases", label_zh=label_zh, label_en=label_en, unit="件", model=Case,
                  path_field="unit_path", date_field="closed_on", where=CLOSED & Q(case_type__code=kind), order=order,
                  rule_zh=rule, columns=CASE_COLUMNS)


register(
    _opened(Kind.AFTER_DEATH, "cases_after_death", "处理老干部后事", "After-death cases",
            "期内老干部去世后建立的善后案件数（每位去世老干部一件，按去世日期）。", 10, key_figure=True),
    _closed(Kind.AFTER_DEATH, "cases_after_death_closed", "善后工作办结", "After-death cases completed",
            "期内善后清单全部办完（或由负责人办结）的案件数，按办结日期。", 11),
    _opened(Kind.HARDSHIP, "cases_hardship", "家庭困难帮扶", "Hardship cases opened",
            "期内建立的家庭困难帮扶案件数（登记家庭困难时自动建立），按建立日期；保密案件不计。", 20),
    _closed(Kind.HARDSHIP, "cases_hardship_closed", "家庭困难帮扶办结", "Hardship cases closed",
            "期内办结的家庭困难帮扶案件数，按办结日期；保密案件不计。", 21),
    _opened(Kind.HOME_CARE, "cases_home_care", "居家养老服务转介", "Home-care referrals",
            "期内向居家养老服务中心（站）转介的案件数，按建立日期；保密案件不计。", 30),
    _closed(Kind.HOME_CARE, "cases_home_care_closed", "居家养老服务转介办结", "Home-care referrals closed",
            "期内服务结束（或由负责人办结）的转介案件数，按办结日期；保密案件不计。", 32),
    Figure(key="cases_home_care_started", area="cases", label_zh="居家养老服务开始", label_en="Home-care services started",
           unit="件", model=CaseStep, path_field="case__unit_path", date_field="done_on",
           where=Q(case__confidential=False, case__case_type__code=Kind.HOME_CARE, code="start", status=StepStatus.DONE),
           order=31, columns=STEP_COLUMNS, rule_zh="期内服务站开始上门服务的转介案件数，按开始服务日期。"),
    Figure(key="cases_opened", area="cases", label_zh="建立案件合计", label_en="Cases opened", unit="件", model=Case,
           path_field="unit_path", date_field="opened_on", where=COUNTED, order=40, columns=CASE_COLUMNS,
           rule_zh="期内建立的善后、家庭困难帮扶、居家养老转介等案件合计，按建立日期；保密案件（含新老联手化解矛盾）不计。"),
    Figure(key="cases_closed", area="cases", label_zh="办结案件合计", label_en="Cases closed", unit="件", model=Case,
           path_field="unit_path", date_field="closed_on", where=CLOSED, order=41, columns=CASE_COLUMNS,
           rule_zh="期内办结的案件合计，按办结日期；重新打开后尚未再次办结的不计；保密案件不计。"),
    Figure(key="cases_days_to_close", area="cases", label_zh="案件办结天数中位数", label_en="Median days to close a case",
           unit="天", model=Case, path_field="unit_path", date_field="closed_on", where=CLOSED, order=42,
           compute=_median_to_close, columns=CASE_COLUMNS,
           rule_zh="期内办结的案件从建立到办结的天数中位数；无办结案件时为0；保密案件不计。"),
    Figure(key="case_steps_overdue", area="cases", label_zh="逾期步骤", label_en="Case steps overdue", unit="件",
           model=CaseStep, path_field="case__unit_path", date_field="due_date", where=_overdue_steps, order=50,
           columns=STEP_COLUMNS,
           rule_zh="应办日期在期内、过期仍未办或晚于应办日期才办的案件步骤数（不需要、已取消的不计）；保密案件不计。"),
    Figure(key="case_help_money", area="cases", label_zh="帮扶和善后慰问资金", label_en="Money given in cases", unit="元",
           model=CaseHelp, path_field="case__unit_path", date_field="given_on",
           where=Q(kind=HelpKind.MONEY, case__confidential=False), measure="sum:amount", order=60, columns=HELP_COLUMNS,
           rule_zh="期内在困难帮扶和善后案件中送出的资金合计（走访时送的慰问金另见“四必访”）；保密案件不计。"),
    Figure(key="survivors_listed", area="cases", label_zh="节日走访的遗属", label_en="Survivors visited on festivals",
           unit="人", model=Survivor, path_field="unit_path",
           where=lambda p: Q(added_on__lte=p.end) & (Q(active=True) | Q(stopped_on__gt=p.end)), order=70,
           columns=SURVIVOR_COLUMNS, rule_zh="期末在节日走访名单上的已故老干部遗属人数。"),
)


# -- dashboard panels ---------------------------------------------------------------------------------------------------

def _step_item(step, today):
    due = f"{step.due_date.month}月{step.due_date.day}日" if step.due_date else ""
    late = step.due_date is not None and step.due_date < today
    note = f"{step.title} · {due}" + ("（已逾期）" if late else "")
    return Item(text=f"{step.case.member.name} · {step.case.case_type.name}", url=step.get_absolute_url(), note=note,
                urgent=late)


@panel(order=45)
def case_steps(user, today):
    """Steps due within a week or overdue: one's own; a secretary also sees every overdue step of the centre."""
    if not user.sees_personal_data or user.role == Role.GROUP_LEADER:
        return None
    steps = CaseStep.objects.visible_to(user).due_by(today + timedelta(days=6))
    mine = steps.for_user(user)
    if user.role in (Role.SECRETARY, Role.ADMIN):
        steps = steps.filter(Q(pk__in=mine.values("pk")) | Q(due_date__lt=today))
    else:
        steps = mine
    shown = list(steps.select_related("case__member", "case__case_type").order_by("due_date", "order", "id")[:10])
    more = reverse("case_list") + "?" + urlencode({"state": "overdue" if user.role != Role.STAFF else "mine"})
    return Panel(key="case_steps", title=_("Case steps due"), items=[_step_item(s, today) for s in shown],
                 count=steps.count(), more_url=more, empty_text=_("No case step is due this week."))


@panel(order=46)
def survivors_to_visit(user, today):
    """Survivors not yet visited for the coming festival, in the four weeks before it."""
    if not user.sees_personal_data or user.unit.centre_id is None:
        return None
    festival = next_festival(user.unit.centre_id, today)
    if festival is None or (festival.day - today).days > 28:
        return None
    survivors = Survivor.objects.visible_to(user).not_visited_since(festival.window_start).select_related("deceased")
    if not survivors.exists():
        return None
    shown = list(survivors.order_by("name", "id")[:10])
    items = [Item(text=f"{s.name}（{s.deceased.name}之{s.relationship}）", url=s.get_absolute_url()) for s in shown]
    title = _("Survivors to visit before %(festival)s (%(day)s)") % {
        "festival": festival.name, "day": f"{festival.day.month}月{festival.day.day}日"}
    return Panel(key="survivors", title=title, items=items, count=survivors.count(),
                 more_url=reverse("survivor_list") + "?todo=1", empty_text="")
