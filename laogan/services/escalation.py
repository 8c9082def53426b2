"""The worker's deadline sweep: at risk → a message to the person handling the request; overdue → a message to the
centre's secretaries. Each exactly once, however many workers run.

Every flag is claimed with a conditional update on the row (the column is still empty and the deadline is still the
one seen), so of two workers that picked the same request only one goes on to write the message; the message's
dedupe key names the request, the deadline and the recipient, so even a retried job cannot send it twice.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from laogan.accounts.models import Role, User, subtree_q
from laogan.jobs.messaging import queue_message
from laogan.jobs.registry import periodic
from laogan.reports import rollups

from .models import OPEN_STATUSES, EventKind, RequestEvent, ServiceRequest

BATCH = 500


def at_risk_candidates(now):
    """Return [(pk, due_at)] of open requests that entered the last fifth of their deadline and were not flagged."""
    rows = ServiceRequest.objects.open().filter(risk_at__lte=now, at_risk_notified_at__isnull=True)
    return list(rows.order_by("risk_at").values_list("pk", "due_at")[:BATCH])


def overdue_candidates(now):
    rows = ServiceRequest.objects.open().filter(due_at__lte=now, breach_notified_at__isnull=True)
    return list(rows.order_by("due_at").values_list("pk", "due_at")[:BATCH])


def flag_at_risk(pk, due_at, now):
    """Claim the at-risk flag of one request and tell the person handling it; return whether this call claimed it."""
    with transaction.atomic():
        claimed = ServiceRequest.objects.filter(
            pk=pk, due_at=due_at, at_risk_notified_at__isnull=True, status__in=OPEN_STATUSES
        ).update(at_risk_notified_at=now)
        if claimed != 1:
            return False
        if due_at <= now:
            return True  # already overdue (the worker was down): the overdue message says it all
        request = _load(pk)
        recipients = [request.assignee] if request.assignee and request.assignee.is_active else secretaries_of(request)
        for user in recipients:
            queue_message(
                dedupe_key=f"request:{pk}:at_risk:{_key_time(due_at)}:{user.pk}", recipient=user,
                subject="服务事项临近时限", body=_body("临近时限", request, due_at), unit_path=request.unit_path,
            )
        RequestEvent.objects.create(request=request, kind=EventKind.AT_RISK, at=now, detail=_notified(recipients))
    return True


def flag_overdue(pk, due_at, now):
    """Claim the overdue flag of one request, mark the missed deadline and tell the centre's secretaries."""
    with transaction.atomic():
        claimed = ServiceRequest.objects.filter(
            pk=pk, due_at=due_at, breach_notified_at__isnull=True, status__in=OPEN_STATUSES
        ).update(breach_notified_at=now)
        if claimed != 1:
            return False
        request = _load(pk)
        missed = "missed_response" if request.responded_at is None else "missed_resolution"
        ServiceRequest.objects.filter(pk=pk).update(**{missed: True})
        rollups.written(ServiceRequest, [request])  # counted as missed in the month it was reported
        recipients = secretaries_of(request) or ([request.assignee] if request.assignee else [])
        for user in recipients:
            queue_message(
                dedupe_key=f"request:{pk}:breached:{_key_time(due_at)}:{user.pk}", recipient=user,
                subject="服务事项已超时", body=_body("已超时", request, due_at), unit_path=request.unit_path,
            )
        RequestEvent.objects.create(request=request, kind=EventKind.BREACHED, at=now, detail=_notified(recipients))
    return True


@periodic("service_deadlines", every=timedelta(minutes=1))
def check_deadlines(now=None):
    """Flag the requests that became at risk or overdue; return (at risk, overdue) counts flagged by this call."""
    now = now or timezone.now()
    at_risk = sum(flag_at_risk(pk, due_at, now) for pk, due_at in at_risk_candidates(now))
    overdue = sum(flag_overdue(pk, due_at, now) for pk, due_at in overdue_candidates(now))
    return at_risk, overdue


def secretaries_of(request):
    users = User.objects.filter(subtree_q(request.centre.path, "unit__path"), role=Role.SECRETARY, is_active=True)
    return list(users.order_by("id"))


def _load(pk):
    return ServiceRequest.objects.select_related("member", "category", "assignee", "centre").get(pk=pk)


def _notified(users):
    return "已通知" + "、".join(u.display_name for u in users) if users else ""


def _key_time(moment):
    return timezone.localtime(moment).strftime("%Y%m%dT%H%M%S")


def _body(state, request, due_at):
    what = "响应" if request.responded_at is None else "办结"
    local = timezone.localtime(due_at)
    due = f"{local.month}月{local.day}日{local:%H:%M}"
    handler = f"，负责人{request.assignee.display_name}" if request.assignee else "，尚未指派"
    return (f"【{state}】{request.member.name}：{request.category.name}——{request.summary}。"
            f"应于{due}前{what}{handler}。事项编号{request.pk}。")
