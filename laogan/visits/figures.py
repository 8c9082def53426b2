"""Figures of the 四必访 (home, hospital, birthday, festival and hardship visits, cakes, money) and the dashboard
panels of visits due this week and overdue."""

from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.timezone import localdate
from django.utils.translation import gettext_lazy as _

from laogan.accounts.models import subtree_q
from laogan.lib.figures import Column, Figure, month_periods, register, register_area
from laogan.lib.worklist import Item, Panel, panel
from laogan.members.models import Member

from .models import MoneyEntry, MoneyKind, Occasion, PlannedVisit, PlanStatus, VisitAttendance, VisitForm

register_area("visits", "四必访", "Visits", order=20)

ATTENDANCE_COLUMNS = (Column("日期", "visited_on"), Column("姓名", "member.name"), Column("党小组", "member.unit.name"),
                      Column("形式", "record.form"), Column("事由", "record.occasion"))
PLANNED_COLUMNS = (Column("应访日期", "due_date"), Column("姓名", "member.name"), Column("事由", "occasion_label"),
                   Column("状态", "status"), Column("完成日期", "done_on"))
MONEY_COLUMNS = (Column("日期", "date"), Column("类别", "kind"), Column("场合", "occasion_label"),
                 Column("老干部", "member.name"), Column("物品", "item"), Column("金额（元）", "amount"),
                 Column("经手人", "handed_over_by"), Column("冲销原因", "reason"))
MEMBER_COLUMNS = (Column("姓名", "name"), Column("党小组", "unit.name"), Column("最近联系", "last_contact_at"))

# A phone call keeps in touch but is not a visit (走访): only the follow-up after discharge may be one.
IN_PERSON = ~Q(record__form=VisitForm.PHONE)


def _attendance(key, label_zh, label_en, where, rule, order, key_figure=False):
    return Figure(key=key, area="visits", label_zh=label_zh, label_en=label_en, unit="人次", model=VisitAttendance,
                  path_field="member__unit_path", date_field="visited_on", where=where, order=order, rule_zh=rule,
                  columns=ATTENDANCE_COLUMNS, key_figure=key_figure)


def _never_visited(period):
    # Correlated, so a centre probes its own members' visits by the (member, day) index instead of listing the
    # whole province's visits of the period.
    visited = VisitAttendance.objects.filter(IN_PERSON, member=OuterRef("pk"), visited_on__gte=period.start,
                                             visited_on__lte=period.end)
    return _counted_at(period.end) & ~Exists(visited)


def _counted_at(day, through=""):
    return (Q(**{f"{through}birth_date__lte": day})
            & (Q(**{f"{through}died_on__isnull": True}) | Q(**{f"{through}died_on__gt": day})))


def _never_visited_by_month(unit, period):
    """The members counted at each month's end, less those of them visited in the month: two scans, not twelve."""
    months = month_periods(period)
    counted = Member.objects.filter(subtree_q(unit.path)).aggregate(
        **{f"m{i}": Count("pk", filter=_counted_at(p.end)) for i, p in enumerate(months.values())})
    visits = VisitAttendance.objects.filter(IN_PERSON, member__in=Member.objects.filter(subtree_q(unit.path)).values("pk"),
                                            visited_on__gte=period.start, visited_on__lte=period.end)
    visited = visits.aggregate(**{
        f"m{i}": Count("member_id", distinct=True, filter=Q(visited_on__gte=p.start, visited_on__lte=p.end)
                       & _counted_at(p.end, "member__"))
        for i, p in enumerate(months.values())})
    return {m: counted[f"m{i}"] - visited[f"m{i}"] for i, m in enumerate(months)}


def _overdue(period):
    # Missed (still open after the window closed) or done late; today bounds "missed" for a year not yet over.
    today = localdate()
    return Q(status=PlanStatus.OPEN, window_end__lt=today) | Q(status=PlanStatus.DONE, done_on__gt=F("window_end"))


register(
    _attendance("visits_home", "上门看望", "Home visits", Q(record__form=VisitForm.HOME),
                "期内上门看望的人次（每次看望每位老干部计1人次，含节日、生日、困难走访中的上门看望）。", 10, key_figure=True),
    _attendance("visits_hospital", "看望住院老干部", "Hospital visits", Q(record__form=VisitForm.HOSPITAL),
                "期内到医院看望住院老干部的人次。", 20, key_figure=True),
    _attendance("visits_birthday", "生日祝寿", "Birthday visits", IN_PERSON & Q(record__occasion=Occasion.BIRTHDAY),
                "期内为老干部祝寿的人次（上门、医院或集体祝寿，电话祝贺不计）。", 30),
    _attendance("visits_cakes", "送生日蛋糕", "Birthday cakes delivered", Q(cake_delivered=True),
                "期内送到的生日祝寿蛋糕（人次）。", 40, key_figure=True),
    _attendance("visits_festival", "节日走访慰问", "Festival visits", IN_PERSON & Q(record__occasion=Occasion.FESTIVAL),
                "期内重大节日走访慰问的人次（上门、医院或参加座谈会、茶话会）。", 50),
    _attendance("visits_hardship", "困难帮扶走访", "Hardship visits", IN_PERSON & Q(record__occasion=Occasion.HARDSHIP),
                "期内因家庭困难上门看望的人次。", 60),
    Figure(key="visits_never_visited", area="visits", label_zh="期内未走访的老干部", label_en="Members not visited",
           unit="人", model=Member, path_field="unit_path", where=_never_visited, order=70, columns=MEMBER_COLUMNS,
           compute_monthly=_never_visited_by_month,
           rule_zh="期末在世、期内没有任何上门、医院或座谈会走访记录的老干部人数（电话联系不计）。"),
    Figure(key="visits_overdue", area="visits", label_zh="逾期走访", label_en="Overdue visits", unit="人次",
           model=PlannedVisit, path_field="member__unit_path", date_field="due_date", where=_overdue, order=80,
           columns=PLANNED_COLUMNS,
           rule_zh="应访日期在期内、过了走访期限仍未走访或晚于期限才走访的应访人次（已取消的不计）。"),
    Figure(key="money_condolence", area="visits", label_zh="慰问金", label_en="Condolence money", unit="元",
           model=MoneyEntry, path_field="unit_path", date_field="date", where=Q(kind=MoneyKind.CONDOLENCE),
           measure="sum:amount", order=90, columns=MONEY_COLUMNS,
           rule_zh="期内送出的慰问金合计（冲销记录以负数计入）。"),
    Figure(key="money_gifts", area="visits", label_zh="慰问品", label_en="Gifts (value)", unit="元",
           model=MoneyEntry, path_field="unit_path", date_field="date", where=Q(kind=MoneyKind.GIFT),
           measure="sum:amount", order=91, columns=MONEY_COLUMNS,
           rule_zh="期内送出的慰问品价值合计（冲销记录以负数计入）。"),
    Figure(key="money_spent", area="visits", label_zh="走访慰问支出", label_en="Visits money spent", unit="元",
           model=MoneyEntry, path_field="unit_path", date_field="date", measure="sum:amount", order=92,
           columns=MONEY_COLUMNS, rule_zh="期内慰问金与慰问品价值合计（冲销记录以负数计入）。"),
)


def _scoped(user):
    """Return the planned visits a panel shows: a liaison's own members, everyone's for other roles."""
    visits = PlannedVisit.objects.visible_to(user)
    return visits.for_liaison(user) if user.role == "staff" else visits


def _item(v, today):
    note = f"{v.occasion_label} · {v.due_date.month}月{v.due_date.day}日"
    url = reverse("visit_record") + "?" + urlencode({"planned": v.pk})
    return Item(text=v.member.name, url=url, note=note, urgent=v.window_end < today or v.due_date == today)


@panel(order=40)
def visits_this_week(user, today):
    if not user.sees_personal_data:
        return None
    visits = _scoped(user).due_within(today, 6)
    shown = list(visits.select_related("member", "festival").order_by("due_date", "member__name_pinyin")[:10])
    return Panel(key="visits_week", title=_("Visits due this week"), items=[_item(v, today) for v in shown],
                 count=visits.count(), more_url=reverse("visit_worklist"), empty_text=_("No visits due this week."))


@panel(order=41)
def visits_overdue(user, today):
    if not user.sees_personal_data:
        return None
    visits = _scoped(user).overdue(today)
    shown = list(visits.select_related("member", "festival").order_by("due_date", "member__name_pinyin")[:10])
    return Panel(key="visits_overdue", title=_("Overdue visits"), items=[_item(v, today) for v in shown],
                 count=visits.count(), more_url=reverse("visit_worklist") + "#overdue",
                 empty_text=_("No overdue visits."))
