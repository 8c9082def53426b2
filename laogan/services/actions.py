"""Every change to a service request goes through these functions: views, the worker, commands and the demo alike.

Status changes are made on the version the person saw: the change claims the next version with a conditional
update, so of two people acting on the same request at once one wins and the other is told, with nothing lost.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from laogan.accounts.actions import record_audit
from laogan.accounts.models import AuditAction
from laogan.lib import spreadsheet
from laogan.members.actions import note_contact

from .clock import refresh_deadlines
from .models import (
    DONE_STATUSES, OPEN_STATUSES, RESPONDING_STATUSES, Category, EventKind, Partner, Policy, RequestEvent,
    ServiceRequest, Status,
)


class StaleRequest(Exception):
    """Someone else changed the request after the person acting had loaded it."""


# Which statuses each action may start from.
ALLOWED_FROM = {
    "assign": set(OPEN_STATUSES),
    "dispatch": {Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED},
    "start": {Status.NEW, Status.ASSIGNED, Status.REOPENED},
    "wait": {Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED},
    "resume": {Status.WAITING_MEMBER},
    "resolve": set(OPEN_STATUSES),
    "callback": {Status.RESOLVED},
    "close": {Status.RESOLVED, Status.CONFIRMED},
    "reopen": set(DONE_STATUSES),
}


def allowed_actions(request):
    return {name for name, statuses in ALLOWED_FROM.items() if request.status in statuses}


def do_create_request(member, *, category, summary, acting_user, location="", channel="phone", caller="member",
                      caller_name="", urgent=False, opened_at=None, assignee=None, handle_now=False, ip=None, at=None):
    """Record a request for a member and set it going: handled by the person taking it, or assigned to the chosen
    staff member, or else to the member's own liaison (一联多) when they have one."""
    at = at or timezone.now()
    opened_at = opened_at or at
    with transaction.atomic():
        request = ServiceRequest(
            centre_id=member.centre_id, unit_path=member.unit_path, member=member, category=category,
            summary=summary, location=location, channel=channel, caller=caller, caller_name=caller_name,
            urgent=urgent, opened_at=opened_at, reported_on=timezone.localdate(opened_at), created_by=acting_user,
        )
        request.save()
        _event(request, EventKind.CREATED, acting_user, opened_at, to_status=Status.NEW,
               detail=f"{request.get_channel_display()} · {request.get_caller_display()} {caller_name}".strip())
        if handle_now:
            request.assignee = acting_user
            _set_status(request, Status.IN_PROGRESS, at, ["assignee"])
            _event(request, EventKind.STARTED, acting_user, at, from_status=Status.NEW, to_status=Status.IN_PROGRESS,
                   detail=_name(acting_user))
        else:
            assignee = assignee or _liaison_of(member)
            if assignee is not None:
                request.assignee = assignee
                _set_status(request, Status.ASSIGNED, at, ["assignee"])
                _event(request, EventKind.ASSIGNED, acting_user, at, from_status=Status.NEW, to_status=Status.ASSIGNED,
                       detail=_name(assignee))
        refresh_deadlines(request, now=at)
        note_contact([member.pk], opened_at)
        record_audit(acting_user, AuditAction.CREATE, request, ip=ip,
                     changes={"member": member.name, "category": category.code, "summary": summary})
    return request


def _liaison_of(member):
    liaison = member.liaison
    return liaison if liaison is not None and liaison.is_active else None


def do_assign(request, *, assignee, expected_version, acting_user, note="", at=None, ip=None):
    """Give the request to a staff member; a new or reopened request becomes "assigned"."""
    to_status = Status.ASSIGNED if request.status in (Status.NEW, Status.REOPENED) else None

    def apply(at):
        request.assignee = assignee
        return ["assignee"]

    return _change(request, "assign", expected_version=expected_version, acting_user=acting_user, at=at, ip=ip,
                   kind=EventKind.ASSIGNED, to_status=to_status, detail=_name(assignee), note=note, apply=apply)


def do_dispatch(request, *, partner, reference, expected_version, acting_user, note="", at=None, ip=None):
    """Hand the work to a partner with their reference; the centre has acted, so this is a response. The person
    dispatching follows it up unless someone already does."""

    def apply(at):
        request.partner, request.partner_ref = partner, reference
        fields = ["partner", "partner_ref"]
        if request.assignee_id is None:
            request.assignee = acting_user
            fields.append("assignee")
        return fields

    detail = f"{partner.name}（{reference}）" if reference else partner.name
    return _change(request, "dispatch", expected_version=expected_version, acting_user=acting_user, at=at, ip=ip,
                   kind=EventKind.DISPATCHED, to_status=Status.IN_PROGRESS, detail=detail, note=note, apply=apply)


def do_start(request, *, expected_version, acting_user, note="", at=None, ip=None):
    def apply(at):
        if request.assignee_id is None:
            request.assignee = acting_user
            return ["assignee"]
        return []

    return _change(request, "start", expected_version=expected_version, acting_user=acting_user, at=at, ip=ip,
                   kind=EventKind.STARTED, to_status=Status.IN_PROGRESS, note=note, apply=apply)


def do_wait(request, *, reason, expected_version, acting_user, note="", at=None, ip=None):
    """Stop the clock: the request waits on the member (away, deciding, not answering)."""
    return _change(request, "wait", expected_version=expected_version, acting_user=acting_user, at=at, ip=ip,
                   kind=EventKind.WAITING, to_status=Status.WAITING_MEMBER, detail=reason, note=note)


def do_resume(request, *, expected_version, acting_user, note="", at=None, ip=None):
    return _change(request, "resume", expected_version=expected_version, acting_user=acting_user, at=at, ip=ip,
                   kind=EventKind.RESUMED, to_status=Status.IN_PROGRESS, note=note)


def do_resolve(request, *, resolution, expected_version, acting_user, delay_reason="", at=None, ip=None):
    """Record what was done. A late resolution must say why: the reasons are what the figures of breaches show."""

    def apply(at):
        request.resolved_at, request.resolved_on = at, timezone.localdate(at)
        request.resolution, request.delay_reason = resolution, delay_reason
        return ["resolved_at", "resolved_on", "resolution", "delay_reason"]

    def check():
        if request.missed_resolution and not delay_reason.strip():
            raise ValidationError({"delay_reason": _("The deadline has passed: say why it took longer.")})

    return _change(request, "resolve", expected_version=expected_version, acting_user=acting_user, at=at, ip=ip,
                   kind=EventKind.RESOLVED, to_status=Status.RESOLVED, note=resolution, apply=apply, check=check,
                   detail=delay_reason)


def do_callback(request, *, satisfied, comment, expected_version, acting_user, answered_by="", at=None, ip=None):
    """Record the callback after a resolution: satisfied confirms it, not satisfied reopens it."""

    def apply(at):
        request.satisfied, request.callback_at, request.callback_comment = satisfied, at, comment
        return ["satisfied", "callback_at", "callback_comment"]

    verdict = _("satisfied") if satisfied else _("not satisfied")
    detail = f"{verdict} · {answered_by}" if answered_by else verdict
    at = at or timezone.now()
    with transaction.atomic():
        _change(request, "callback", expected_version=expected_version, acting_user=acting_user, at=at, ip=ip,
                kind=EventKind.CALLBACK, to_status=Status.CONFIRMED if satisfied else Status.REOPENED,
                detail=detail, note=comment, apply=apply)
        note_contact([request.member_id], at)  # the callback is a conversation with the member or the family
    return request


def do_close(request, *, expected_version, acting_user, note="", at=None, ip=None):
    def apply(at):
        request.closed_at = at
        return ["closed_at"]

    return _change(request, "close", expected_version=expected_version, acting_user=acting_user, at=at, ip=ip,
                   kind=EventKind.CLOSED, to_status=Status.CLOSED, note=note, apply=apply)


def do_reopen(request, *, reason, expected_version, acting_user, at=None, ip=None):
    """Reopen a finished request. The time it spent finished does not count; the original deadline stands."""

    def apply(at):
        request.closed_at = None
        return ["closed_at"]

    return _change(request, "reopen", expected_version=expected_version, acting_user=acting_user, at=at, ip=ip,
                   kind=EventKind.REOPENED, to_status=Status.REOPENED, note=reason, apply=apply)


def do_close_after_death(member, *, died_on, acting_user, at=None):
    """Close the member's open requests when their death is recorded: nobody is left to help, and the worker must
    not keep reporting them overdue. Each keeps its history, ending with the reason."""
    at = at or timezone.now()
    closed = 0
    for request in ServiceRequest.objects.open().filter(member=member).select_for_update():
        from_status = request.status
        request.status, request.closed_at, request.version = Status.CLOSED, at, request.version + 1
        request.save(update_fields=["status", "closed_at", "version", "updated_at"])
        _event(request, EventKind.CLOSED, acting_user, at, from_status=from_status, to_status=Status.CLOSED,
               note=f"老干部于{died_on:%Y年%m月%d日}去世，事项终止")
        refresh_deadlines(request, now=at)
        closed += 1
    return closed


def do_add_note(request, *, note, acting_user, at=None):
    """Add a note to the history. Notes never conflict, so they do not need the version the person saw."""
    at = at or timezone.now()
    with transaction.atomic():
        event = _event(request, EventKind.NOTE, acting_user, at, note=note)
        note_contact([request.member_id], at)
    return event


def _change(request, action, *, expected_version, acting_user, kind, at=None, to_status=None, detail="", note="",
            apply=None, check=None, ip=None):
    at = at or timezone.now()
    if request.version != expected_version:
        raise StaleRequest(stale_message(request))
    if request.status not in ALLOWED_FROM[action]:
        raise ValidationError(_("This cannot be done while the request is “%(status)s”.") % {"status": request.get_status_display()})
    with transaction.atomic():
        claimed = ServiceRequest.objects.filter(pk=request.pk, version=expected_version).update(version=F("version") + 1)
        if claimed != 1:
            request.refresh_from_db()
            raise StaleRequest(stale_message(request))
        request.version = expected_version + 1
        from_status = request.status
        fields = apply(at) if apply else []
        if to_status is not None and to_status != from_status:
            _set_status(request, to_status, at, fields)
        elif fields:
            request.save(update_fields=[*fields, "updated_at"])
        _event(request, kind, acting_user, at, from_status=from_status if to_status else "",
               to_status=to_status or "", detail=detail, note=note)
        refresh_deadlines(request, now=at)
        if check:
            check()
        record_audit(acting_user, AuditAction.UPDATE, request, ip=ip, detail=kind,
                     changes={"status": [from_status, request.status]} if to_status else {})
    return request


def _set_status(request, status, at, fields):
    request.status = status
    fields = [*fields, "status", "updated_at"]
    if status in RESPONDING_STATUSES and request.responded_at is None:
        request.responded_at = at
        fields.append("responded_at")
    request.save(update_fields=fields)


def _event(request, kind, actor, at, *, from_status="", to_status="", detail="", note=""):
    return RequestEvent.objects.create(request=request, kind=kind, actor=actor, at=at, from_status=from_status,
                                       to_status=to_status, detail=detail[:200], note=note)


def _name(user):
    return user.display_name if user is not None else ""


def stale_message(request):
    last = request.events.exclude(kind=EventKind.NOTE).select_related("actor").order_by("-at", "-id").first()
    who = _name(last.actor) if last and last.actor else _("someone else")
    when = date_format(timezone.localtime(last.at), "H:i") if last else ""
    return _("%(who)s changed this request at %(when)s (it is now “%(status)s”) while you were working on it. "
             "Nothing was saved from your side; your entry is still below: check the request and send it again.") % {
        "who": who, "when": when, "status": request.get_status_display()}


# -- categories, policies and partners ------------------------------------------------------------------------------

POLICY_FIELDS = ["respond_minutes", "respond_anchor", "resolve_minutes", "resolve_anchor", "clock", "morning_start",
                 "morning_end", "afternoon_start", "afternoon_end"]


def do_save_policy(centre, category, values, *, acting_user, at=None, ip=None):
    """Give the centre its own policy for a category and recompute the deadlines of its open requests.

    Pauses come from each request's history, so the new targets apply to the same paused time as the old ones.
    """
    at = at or timezone.now()
    with transaction.atomic():
        policy = Policy.objects.filter(unit=centre, category=category).first() or Policy(unit=centre, category=category)
        before = {f: str(getattr(policy, f)) for f in POLICY_FIELDS} if policy.pk else {}
        for field in POLICY_FIELDS:
            setattr(policy, field, values[field])
        policy.full_clean()
        policy.save()
        text = str(policy)
        affected = ServiceRequest.objects.open().filter(centre=centre, category=category)
        for request in affected:
            _event(request, EventKind.POLICY, acting_user, at, detail=text)
            refresh_deadlines(request, now=at, policy=policy)
        record_audit(acting_user, AuditAction.UPDATE if before else AuditAction.CREATE, centre, ip=ip,
                     object_type="services.policy", object_repr=text[:200],
                     changes={f: [before.get(f), str(values[f])] for f in POLICY_FIELDS if before.get(f) != str(values[f])})
    return policy


def do_create_category(centre, *, code, name, order, acting_user, ip=None):
    """Add a category of the centre's own; its deadlines are the general defaults until it gets a policy."""
    with transaction.atomic():
        if Category.objects.filter(code=code, unit__isnull=True).exists():
            raise ValidationError({"code": _("This code is used by a shipped category.")})
        category = Category(unit=centre, code=code, name=name, order=order)
        category.full_clean()
        category.save()
        record_audit(acting_user, AuditAction.CREATE, centre, ip=ip, object_type="services.category",
                     object_repr=name, changes={"code": code, "name": name})
    return category


def do_save_partner(centre, *, name, kind, phone, acting_user, partner=None, ip=None):
    with transaction.atomic():
        partner = partner or Partner(centre=centre)
        created = partner.pk is None
        partner.name, partner.kind, partner.phone = name, kind, phone
        partner.full_clean()
        partner.save()
        record_audit(acting_user, AuditAction.CREATE if created else AuditAction.UPDATE, centre, ip=ip,
                     object_type="services.partner", object_repr=name, changes={"name": name, "kind": kind})
    return partner


# -- export ---------------------------------------------------------------------------------------------------------

EXPORT_HEADER = ["编号", "受理时间", "老干部", "党小组", "类别", "事项", "地点", "渠道", "来电人", "紧急", "状态", "负责人",
                 "合作单位", "响应时限", "首次响应", "办结时限", "办结时间", "响应超时", "办结超时", "超时原因", "回访结果", "回访意见"]
EXPORT_WIDTHS = [7, 17, 10, 12, 14, 30, 20, 8, 12, 6, 10, 10, 20, 17, 17, 17, 17, 8, 8, 20, 8, 24]


def export_row(r):
    def t(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    verdict = {True: "满意", False: "不满意"}.get(r.satisfied, "")
    return [r.pk, t(r.opened_at), r.member.name, r.member.unit.name, r.category.name, r.summary, r.location,
            r.get_channel_display(), f"{r.get_caller_display()} {r.caller_name}".strip(), "是" if r.urgent else "",
            r.get_status_display(), _name(r.assignee), r.partner_text, t(r.respond_by), t(r.responded_at),
            t(r.resolve_by), t(r.resolved_at), "是" if r.missed_response else "", "是" if r.missed_resolution else "",
            r.delay_reason, verdict, r.callback_comment]


def do_export_requests(requests, out, *, unit, acting_user, detail="", ip=None):
    """Write the requests as an Excel sheet to the binary file `out`, record the export, return the row count."""
    count = 0
    members = set()  # for the personal-data access report (AuditSubject)

    def rows():
        nonlocal count
        for request in requests:
            count += 1
            members.add(request.member_id)
            yield export_row(request)

    spreadsheet.write_xlsx(out, EXPORT_HEADER, rows(), title="服务事项", column_widths=EXPORT_WIDTHS)
    record_audit(acting_user, AuditAction.EXPORT, unit, ip=ip, detail=detail, changes={"rows": count, "format": "xlsx"},
                 subjects=sorted(members))
    return count
