"""The worker's sweep of overdue case steps: one message per step and deadline to whoever has to do it.

Each step is claimed with a conditional update (its flag still names another deadline, or none), so of two workers
only one writes the message; the dedupe key names the step, the deadline and the recipient, so a retried job cannot
send it twice either.
"""

from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone

from laogan.jobs.messaging import queue_message
from laogan.jobs.registry import periodic

from .actions import secretaries_of
from .models import CaseStep, StepStatus

BATCH = 500
NOT_YET_TOLD = Q(overdue_notified_for__isnull=True) | ~Q(overdue_notified_for=F("due_date"))


def recipients(step):
    """Return who must hear of an overdue step: its assignee, else the case's owner, else the centre's secretaries."""
    for user in (step.assignee, step.case.owner):
        if user is not None and user.is_active:
            return [user]
    return list(secretaries_of(step.case.centre_id))


def body(step):
    case = step.case
    due = f"{step.due_date.month}月{step.due_date.day}日"
    if case.confidential:
        return f"您负责的一件保密案件有一个步骤已过期限（{due}），请登录查看。"
    return f"{case.member.name}（{case.case_type.name}）：“{step.title}”应于{due}前完成，已逾期。"


@periodic("case_overdue_steps", every=timedelta(hours=1))
def notify_overdue_steps(now=None):
    """Tell the people responsible of steps that passed their due date; return how many steps were claimed."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    candidates = list(CaseStep.objects.overdue(today).filter(NOT_YET_TOLD).order_by("due_date")
                      .values_list("pk", "due_date")[:BATCH])
    claimed = 0
    for pk, due in candidates:
        claim = CaseStep.objects.filter(NOT_YET_TOLD, pk=pk, due_date=due, status=StepStatus.OPEN)
        if claim.update(overdue_notified_for=due) != 1:
            continue
        claimed += 1
        step = CaseStep.objects.select_related("assignee", "case__owner", "case__member", "case__case_type").get(pk=pk)
        for user in recipients(step):
            queue_message(dedupe_key=f"case-step:{pk}:overdue:{due.isoformat()}:{user.pk}", recipient=user,
                          subject="案件步骤逾期", body=body(step), unit_path=step.case.unit_path)
    return claimed
