"""Figures of 六共同, 请进来, 请出去, 动起来 and partner activities (场), attendance (人次), 送学上门 (人次) and 建言献策
(条), and the dashboard panels of upcoming activities and overdue suggestion replies."""

from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.timezone import localdate
from django.utils.translation import gettext_lazy as _

from laogan.lib.figures import Column, Figure, register, register_area
from laogan.lib.worklist import Item, Panel, panel

from .models import ANSWERED_STATES, Activity, KindGroup, Participation, Presence, Suggestion, SuggestionStatus

register_area("activities", "活动", "Activities", order=50)

ACTIVITY_COLUMNS = (Column("日期", "date"), Column("活动", "title"), Column("类别", "kind_label"),
                    Column("地点", "place"), Column("组织单位", "unit.name"), Column("组织", "organiser"))
PARTICIPATION_COLUMNS = (Column("日期", "day"), Column("姓名", "member.name"), Column("党小组", "member.unit.name"),
                         Column("活动", "activity.title"), Column("类别", "activity.kind_label"))
SUGGESTION_COLUMNS = (Column("收到日期", "received_on"), Column("老干部", "member.name"), Column("顾问团小组", "group.name"),
                      Column("领域", "field"),
                      Column("状态", "status"), Column("转交", "forwarded_to"), Column("答复期限", "reply_due"))


def _held(group):
    # Held: not cancelled and already happened; a recurring activity's coming occurrence is not counted yet.
    def where(period):
        return Q(kind_group=group, cancelled=False, date__lte=localdate())
    return where


def _activities(key, group, label_zh, label_en, rule, order):
    return Figure(key=key, area="activities", label_zh=label_zh, label_en=label_en, unit="场", model=Activity,
                  path_field="unit_path", date_field="date", where=_held(group), order=order, rule_zh=rule,
                  columns=ACTIVITY_COLUMNS)


def _present(presence):
    def where(period):
        return Q(presence=presence, activity__cancelled=False)
    return where


register(
    _activities("activities_six", KindGroup.SIX_TOGETHER, "“六共同”活动", "Six-together activities",
                "期内举办的座谈会、学习会、参观市容市貌、参观重点工程、共撰体会、共出专刊活动场数（已取消的不计）。", 10),
    _activities("activities_in", KindGroup.INVITE_IN, "“请进来”专题活动", "Invited-in activities",
                "期内举办的形势报告、专题辅导和形势通报会场数。", 20),
    _activities("activities_out", KindGroup.GO_OUT, "“请出去”互动活动", "Going-out activities",
                "期内顾问团工作、关工委工作和招商引资活动场数。", 30),
    _activities("activities_active", KindGroup.ACTIVE, "“动起来”主题活动", "Theme activities",
                "期内每季一主题的活动场数（认养树木、服务明星评比、才艺展示、“我想对你说”等）。", 40),
    _activities("activities_joint", KindGroup.JOINT, "共建活动", "Joint activities with partners",
                "期内与结对单位共同举办的活动场数。", 50),
    Figure(key="activities_attendance", area="activities", label_zh="参加活动", label_en="Activity attendance",
           unit="人次", model=Participation, path_field="unit_path", date_field="day",
           where=_present(Presence.ATTENDED), order=60, columns=PARTICIPATION_COLUMNS, key_figure=False,
           rule_zh="期内老干部参加各类活动的人次（每位老干部每参加一场计1人次）。"),
    Figure(key="activities_home", area="activities", label_zh="送学上门", label_en="Material brought home",
           unit="人次", model=Participation, path_field="unit_path", date_field="day",
           where=_present(Presence.HOME), order=70, columns=PARTICIPATION_COLUMNS,
           rule_zh="期内因行动不便未能到会、由工作人员把学习材料送到家中的人次。"),
    Figure(key="suggestions_received", area="activities", label_zh="建言献策", label_en="Suggestions received",
           unit="条", model=Suggestion, path_field="unit_path", date_field="received_on", order=80,
           columns=SUGGESTION_COLUMNS, rule_zh="期内收到的老干部和顾问团、参谋队的意见建议条数。"),
    Figure(key="suggestions_answered", area="activities", label_zh="建言已获答复", label_en="Suggestions answered",
           unit="条", model=Suggestion, path_field="unit_path", date_field="received_on",
           where=Q(status__in=ANSWERED_STATES), order=90, columns=SUGGESTION_COLUMNS,
           rule_zh="期内收到的建议中，相关部门已经答复的条数（含已采纳、未采纳）。"),
    Figure(key="suggestions_adopted", area="activities", label_zh="建言被采纳", label_en="Suggestions adopted",
           unit="条", model=Suggestion, path_field="unit_path", date_field="received_on",
           where=Q(status=SuggestionStatus.ADOPTED), order=100, columns=SUGGESTION_COLUMNS,
           rule_zh="期内收到的建议中，已被采纳的条数。"),
)


@panel(order=60)
def upcoming_activities(user, today):
    if not user.sees_personal_data:
        return None
    rows = Activity.objects.visible_to(user).upcoming(today, 14)
    shown = list(rows.order_by("starts_at", "id")[:8])
    items = [Item(text=a.title, url=a.get_absolute_url(), note=f"{a.date.month}月{a.date.day}日 · {a.kind_label}",
                  urgent=a.date == today) for a in shown]
    return Panel(key="activities_upcoming", title=_("Activities in the next two weeks"), items=items,
                 count=rows.count(), more_url=reverse("activity_list"), empty_text=_("No activities in the next two weeks."))


@panel(order=61)
def overdue_replies(user, today):
    if not user.sees_personal_data:
        return None
    rows = Suggestion.objects.visible_to(user).overdue(today)
    shown = list(rows.order_by("reply_due", "id")[:8])
    items = [Item(text=f"{s.field}：{s.text[:24]}", url=s.get_absolute_url(), urgent=True,
                  note=f"{s.forwarded_to} · {s.reply_due.month}月{s.reply_due.day}日到期") for s in shown]
    return Panel(key="suggestions_overdue", title=_("Suggestion replies overdue"), items=items, count=rows.count(),
                 more_url=reverse("suggestion_list") + "?" + urlencode({"state": "overdue"}),
                 empty_text=_("No reply is overdue."))
