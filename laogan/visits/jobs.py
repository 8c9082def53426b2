"""What the worker does for visits: the daily plan, and reminders to liaisons before birthdays and festivals.

Every message has a dedupe key naming the visit (or the festival day) and the recipient, so a job that runs twice,
or two workers that run it at once, still send each reminder exactly once.
"""

from collections import defaultdict
from datetime import timedelta

from django.utils import timezone

from laogan.accounts.models import Role, User
from laogan.jobs.messaging import queue_message
from laogan.jobs.registry import periodic

from . import planning
from .models import Occasion, PlannedVisit, PlanStatus, VisitRules

WEEKDAYS = "一二三四五六日"
# The longest reminder lead a centre may set; the sweep reads no further ahead than this.
MAX_REMINDER_DAYS = 14


def recipients_for(members):
    """Return {member id: [users to tell]}: the member's liaison, or the centre's secretaries when there is none."""
    members = list(members)
    orphan_centres = {m.centre_id for m in members if m.liaison_id is None}
    secretaries = defaultdict(list)
    if orphan_centres:
        for user in User.objects.filter(unit_id__in=orphan_centres, role=Role.SECRETARY, is_active=True).select_related("unit"):
            secretaries[user.unit_id].append(user)
    return {m.id: [m.liaison] if m.liaison_id else secretaries[m.centre_id] for m in members}


def _when(day, today):
    ahead = (day - today).days
    lead = {0: "今天", 1: "明天", 2: "后天"}.get(ahead, f"{ahead}天后")
    return f"{lead}（{day.month}月{day.day}日，星期{WEEKDAYS[day.weekday()]}）"


def _event_body(v, today):
    name = v.member.name
    return {
        Occasion.HOSPITAL: f"{name}住院，请在{_when(v.due_date, today)}前到医院探望。",
        Occasion.HOSPITAL_FOLLOWUP: f"{name}已出院，请在{_when(v.due_date, today)}前电话或上门回访。",
        Occasion.HARDSHIP: f"{name}家中有困难，请在{_when(v.due_date, today)}前上门看望。",
    }.get(v.kind, f"{name}：{v.occasion_label}，请在{_when(v.due_date, today)}前走访。")


def notify_new_visits(visits, today, now=None):
    """Tell the liaison (or secretaries) at once of new hospital, follow-up and hardship visits whose window is open.

    Later ones (a long stay's next monthly visit) are left to the reminder sweep, days before they fall due.
    """
    visits = [v for v in visits if v.window_start <= today <= v.window_end]
    recipients = recipients_for(v.member for v in visits)
    for v in visits:
        for user in recipients[v.member_id]:
            queue_message(dedupe_key=f"visit-due:{v.pk}:{user.pk}", recipient=user, subject="四必访提醒",
                          body=_event_body(v, today))
    PlannedVisit.objects.filter(pk__in=[v.pk for v in visits]).update(reminded_at=now or timezone.now())


@periodic("plan_visits", every=timedelta(days=1))
def plan_visits_daily(now=None):
    """Plan what entered the horizon and what changed (planning.plan_daily); on Sundays reconcile everything."""
    today = timezone.localdate(now)
    if today.weekday() == 6:
        return planning.plan_everyone(today, now=now)
    return planning.plan_daily(today, now=now)


@periodic("visit_reminders", every=timedelta(hours=1))
def send_visit_reminders(now=None):
    """Remind a few days ahead: one message per birthday or hospital visit, one per liaison and festival day."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = list(
        PlannedVisit.objects.filter(status=PlanStatus.OPEN, reminded_at__isnull=True,
                                    due_date__gte=today, due_date__lte=today + timedelta(days=MAX_REMINDER_DAYS))
        .select_related("member__liaison", "festival").order_by("due_date", "member__name_pinyin")
    )
    lead = dict(VisitRules.objects.filter(centre_id__in={v.centre_id for v in due}).values_list("centre_id", "reminder_days"))
    due = [v for v in due if (v.due_date - today).days <= lead.get(v.centre_id, 3)]
    recipients = recipients_for({v.member_id: v.member for v in due}.values())
    festivals = defaultdict(list)
    sent = 0
    for v in due:
        m = v.member
        if v.kind == Occasion.BIRTHDAY:
            lunar = "农历" if m.birthday_custom == "lunar" else ""
            body = f"{_when(v.due_date, today)}是{m.name}的{lunar}生日"
            body += f"（{v.milestone_age}岁寿辰，请订好蛋糕）。" if v.milestone_age else "。"
            body += "请安排上门祝寿。"
            for user in recipients[m.id]:
                sent += queue_message(dedupe_key=f"visit-reminder:{v.pk}:{user.pk}", recipient=user,
                                      subject="生日祝寿提醒", body=body)[1]
        elif v.kind == Occasion.FESTIVAL:
            for user in recipients[m.id]:
                festivals[(v.festival_id, v.occasion_year, user)].append(v)
        else:
            for user in recipients[m.id]:
                sent += queue_message(dedupe_key=f"visit-due:{v.pk}:{user.pk}", recipient=user, subject="四必访提醒",
                                      body=_event_body(v, today))[1]
    for (festival_id, year, user), visits in festivals.items():
        first = visits[0]
        names = "、".join(v.member.name for v in visits[:10]) + ("等" if len(visits) > 10 else "")
        body = (f"{first.festival.name}{_when(first.due_date, today)}将到，您联系的{len(visits)}位老干部尚待走访：{names}。"
                + ("参加座谈会、茶话会的可算走访。" if first.festival.gatherings_count else ""))
        sent += queue_message(dedupe_key=f"visit-reminder:festival:{festival_id}:{year}:{user.pk}", recipient=user,
                              subject=f"{first.festival.name}走访提醒", body=body)[1]
    PlannedVisit.objects.filter(pk__in=[v.pk for v in due], reminded_at__isnull=True).update(reminded_at=now)
    return sent
