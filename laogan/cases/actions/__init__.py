"""Every change to a case goes through these functions: views, life-event handlers, the worker and the demo alike.

Each runs in one transaction with the case row locked, so two people completing steps of one case at once cannot
both close it, and a step's successors open exactly once.
"""

from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from laogan.accounts.actions import record_audit
from laogan.accounts.models import AuditAction, Role, User
from laogan.jobs.messaging import queue_message
from laogan.lib.locking import StaleEdit, claim  # noqa: F401 (StaleEdit: one import point)
from laogan.members.actions import do_record_life_event, note_contact
from laogan.members.models import EventKind, Member, Status as MemberStatus, validate_phone

from ..models import (
    CONTACT_KINDS, OUTCOME_ZH, SETTLED, AssigneeRole, Asks, Case, CaseAttachment, CaseGrant, CaseHelp, CaseNote,
    CaseParty, CaseStep, CaseType, CareReferral, HelpKind, Kind, NoteKind, Outcome, PartyRole, Status, StepStatus,
    is_centre_secretary,
)
from .survivors import do_add_survivor, do_record_survivor_visit, do_set_survivor_active  # noqa: F401 (one import point)

# The step a home-care service's periodic checks follow on from, and the code of the checks themselves.
CARE_CHECK_AFTER = ("first_check", "check")
CARE_END = "end"


# -- who ------------------------------------------------------------------------------------------------------------

def secretaries_of(centre_id):
    return User.objects.filter(unit__centre_id=centre_id, role=Role.SECRETARY, is_active=True).order_by("id")


def case_workers(centre_id):
    """Return the users who may own or do a case's steps: active staff and secretaries of the centre."""
    return User.objects.filter(unit__centre_id=centre_id, role__in=[Role.STAFF, Role.SECRETARY],
                               is_active=True).order_by("role", "full_name", "id")


def default_owner(member, acting_user):
    """Return who owns a new case: the member's liaison (一联多), else the person opening it, else a secretary."""
    liaison = member.liaison
    if liaison is not None and liaison.is_active and liaison.role == Role.STAFF:
        return liaison
    if (acting_user is not None and acting_user.is_active and acting_user.role in (Role.STAFF, Role.SECRETARY)
            and acting_user.unit_id and acting_user.unit.centre_id == member.centre_id):
        return acting_user
    return secretaries_of(member.centre_id).first()


def may_see(user, case):
    """Return whether `user` may see this case (the same rule as access_q, for one loaded case)."""
    return Case.objects.visible_to(user).filter(pk=case.pk).exists()


def _assignee_for(role, case):
    # A confidential case's steps stay with its owner: a liaison outside the grant must not learn of it.
    if role == AssigneeRole.LIAISON and not case.confidential:
        liaison = case.member.liaison
        if liaison is not None and liaison.is_active:
            return liaison
    if role == AssigneeRole.SECRETARY:
        return secretaries_of(case.centre_id).first()
    return None  # the owner, whoever that is when the step is done


# -- opening ----------------------------------------------------------------------------------------------------------

def do_open_case(member, *, case_type, acting_user, summary="", assessment="", owner=None, opened_on=None,
                 confidential=False, referral=None, notify=False, ip=None):
    """Open a case about a member with its type's checklist; `referral` ({station, station_phone, service,
    check_every_days}) is required for a home-care referral."""
    today = timezone.localdate()
    opened_on = opened_on or today
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        if not case_type.active:
            raise ValidationError(_("This kind of case is no longer in use."))
        if case_type.once_per_member and Case.objects.filter(member=member, case_type=case_type).exists():
            raise ValidationError(_("%(name)s already has a case of this kind.") % {"name": member.name})
        if member.status == MemberStatus.DECEASED and case_type.code != Kind.AFTER_DEATH:
            raise ValidationError(_("%(name)s is recorded as deceased.") % {"name": member.name})
        if opened_on > today:
            raise ValidationError({"opened_on": _("The date cannot be in the future.")})
        if case_type.code == Kind.HOME_CARE and not referral:
            raise ValidationError(_("Say which home-care station and which service."))
        if owner is not None and not case_workers(member.centre_id).filter(pk=owner.pk).exists():
            raise ValidationError({"owner": _("The owner must be a staff member of the member's centre.")})
        case = Case(
            centre_id=member.centre_id, unit_path=member.unit_path, member=member, case_type=case_type,
            summary=summary or case_type.name, assessment=assessment, opened_on=opened_on,
            owner=owner or default_owner(member, acting_user), confidential=case_type.confidential or confidential,
            once=case_type.once_per_member, opened_by=acting_user,
        )
        case.save()
        if referral:
            CareReferral.objects.create(case=case, **referral)
        _instantiate_steps(case)
        _note(case, NoteKind.OPENED, acting_user, opened_on, "")
        record_audit(acting_user, AuditAction.CREATE, case, ip=ip, unit_path=case.unit_path,
                     changes={"type": case_type.code, "opened_on": opened_on.isoformat(),
                              "owner": case.owner.get_username() if case.owner else ""})
        if notify:
            transaction.on_commit(lambda: notify_opened(case))
    return case


def do_update_case(case, *, summary, assessment, expected_version, acting_user, ip=None):
    """Change what a case is about and its assessment (the need as understood after the first visit).

    `expected_version` is the case's version when the edit form was read: if someone saved the description since,
    StaleEdit is raised and nothing changes."""
    if not summary.strip():
        raise ValidationError({"summary": _("Say what the case is about.")})
    with transaction.atomic():
        case = _lock(case)
        case.version = claim(Case, case.pk, expected_version)
        changed = [f for f, v in (("summary", summary.strip()), ("assessment", assessment.strip())) if getattr(case, f) != v]
        case.summary, case.assessment = summary.strip(), assessment.strip()
        case.save(update_fields=["summary", "assessment", "version", "updated_at"])
        if changed:
            record_audit(acting_user, AuditAction.UPDATE, case, ip=ip, unit_path=case.unit_path,
                         changes={"changed": changed})
    return case


def _instantiate_steps(case):
    """Copy the type's checklist into the case; a step waits while its predecessor is not done."""
    templates = list(case.case_type.templates.order_by("order", "id"))
    made = {}
    while templates:
        ready = [t for t in templates if t.predecessor_id is None or t.predecessor_id in made]
        if not ready:  # a cycle in hand-edited templates: ignore the remaining predecessors rather than loop
            ready = templates
        for t in ready:
            step = CaseStep(
                case=case, template=t, code=t.code, title=t.title, hint=t.hint, order=t.order, anchor=t.anchor,
                offset_days=t.offset_days, required=t.required, asks=t.asks, result_label=t.result_label,
                predecessor=made.get(t.predecessor_id), assignee=_assignee_for(t.assignee_role, case),
            )
            step.status = StepStatus.WAITING if step.predecessor is not None else StepStatus.OPEN
            step.due_date = step.due_from(case.opened_on)
            step.save()
            made[t.pk] = step
        templates = [t for t in templates if t not in ready]


def notify_opened(case):
    """Tell the owner of a case that a life event opened (queued once, whoever calls it again)."""
    case = Case.objects.select_related("owner", "member", "case_type").filter(pk=case.pk).first()
    if case is None or not case.is_open or case.owner is None or not case.owner.is_active:
        return
    first = case.steps.filter(status=StepStatus.OPEN, due_date__isnull=False).order_by("due_date", "order").first()
    if case.confidential:
        body = "您负责的一件保密案件已建立，请登录查看。"
    else:
        body = f"{case.member.name}：{case.case_type.name}已建立（{case.summary}）。"
        if first is not None:
            body += f"第一步：{first.title}，请于{first.due_date.month}月{first.due_date.day}日前完成。"
    queue_message(dedupe_key=f"case:{case.pk}:opened:{case.owner_id}", recipient=case.owner, subject="新案件",
                  body=body, unit_path=case.unit_path)


def open_after_death_case(member, *, died_on, acting_user, notify=False):
    """Return the member's after-death case, opening it (dated the day of death) if there is none yet."""
    case_type = CaseType.objects.filter(code=Kind.AFTER_DEATH, active=True).first()
    if case_type is None:
        return None
    existing = Case.objects.filter(member=member, case_type=case_type).first()
    if existing is not None:
        return existing
    summary = f"{member.name}同志于{died_on.year}年{died_on.month}月{died_on.day}日去世"
    return do_open_case(member, case_type=case_type, acting_user=acting_user, summary=summary, opened_on=died_on,
                        notify=notify)


# -- steps ------------------------------------------------------------------------------------------------------------

def _lock(case):
    return Case.objects.select_for_update(of=("self",)).select_related("case_type", "member").get(pk=case.pk)


def _require_open(case):
    if case.status != Status.OPEN:
        raise ValidationError(_("The case is closed; reopen it first."))


def _check_day(day, case, field):
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if day < case.opened_on:
        raise ValidationError({field: _("The date is before the case was opened.")})


def do_complete_step(step, *, acting_user, done_on=None, result="", amount=None, recipient="", satisfaction="",
                     ip=None):
    """Record a step as done, open the steps that waited for it, and close the case when nothing required is left."""
    done_on = done_on or timezone.localdate()
    with transaction.atomic():
        case = _lock(step.case)
        step = CaseStep.objects.select_for_update(of=("self",)).select_related("predecessor").get(pk=step.pk, case=case)
        _require_open(case)
        if step.status != StepStatus.OPEN:
            raise ValidationError(_("This step cannot be done now (%(status)s).") % {"status": step.get_status_display()})
        _check_day(done_on, case, "done_on")
        if step.predecessor is not None and step.predecessor.done_on and done_on < step.predecessor.done_on:
            raise ValidationError({"done_on": _("The date is before the previous step was done.")})
        result = (result or "").strip()
        if step.asks == Asks.TEXT and not result:
            raise ValidationError({"result": _("Fill in: %(label)s.") % {"label": step.result_label or _("the result")}})
        if step.asks == Asks.MONEY:
            if amount is None or amount <= 0:
                raise ValidationError({"amount": _("Give the amount in yuan.")})
            if not recipient.strip():
                raise ValidationError({"recipient": _("Say who received it.")})
            amount = amount.quantize(Decimal("0.01"), ROUND_HALF_UP)
            result = f"{amount}元，{recipient.strip()}" + (f"；{result}" if result else "")
        if step.asks == Asks.SATISFACTION and not satisfaction:
            raise ValidationError({"satisfaction": _("Record how satisfied they are.")})
        step.status, step.done_on, step.done_at, step.done_by, step.result = (
            StepStatus.DONE, done_on, timezone.now(), acting_user, result)
        step.save(update_fields=["status", "done_on", "done_at", "done_by", "result"])
        if step.asks == Asks.MONEY:
            CaseHelp.objects.create(case=case, step=step, kind=HelpKind.MONEY, given_on=done_on, amount=amount,
                                    recipient=recipient.strip(), description=step.title, by=acting_user)
        if step.asks == Asks.SATISFACTION:
            case.satisfaction = satisfaction
            case.save(update_fields=["satisfaction", "updated_at"])
        _open_successors(case, step)
        _care_followups(case, step, acting_user)
        _note(case, NoteKind.STEP, acting_user, done_on, f"完成：{step.title}" + (f"（{result}）" if result else ""))
        record_audit(acting_user, AuditAction.UPDATE, case, ip=ip, unit_path=case.unit_path,
                     changes={"step": step.code or step.pk, "status": "done", "done_on": done_on.isoformat()})
        _close_if_complete(case, acting_user, ip=ip)
    return step


def do_skip_step(step, *, reason, acting_user, ip=None):
    """Record that a step is not needed in this case; the steps waiting for it open as if it were done."""
    with transaction.atomic():
        case = _lock(step.case)
        step = CaseStep.objects.select_for_update().get(pk=step.pk, case=case)
        _require_open(case)
        if step.status not in (StepStatus.OPEN, StepStatus.WAITING):
            raise ValidationError(_("This step is already settled."))
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the step is not needed.")})
        today = timezone.localdate()
        step.status, step.skip_reason, step.done_on, step.done_at, step.done_by = (
            StepStatus.SKIPPED, reason.strip(), max(today, case.opened_on), timezone.now(), acting_user)
        step.save(update_fields=["status", "skip_reason", "done_on", "done_at", "done_by"])
        _open_successors(case, step)
        _note(case, NoteKind.STEP, acting_user, today, f"不需要：{step.title}（{step.skip_reason}）")
        record_audit(acting_user, AuditAction.UPDATE, case, ip=ip, unit_path=case.unit_path,
                     changes={"step": step.code or step.pk, "status": "skipped", "reason": step.skip_reason})
        _close_if_complete(case, acting_user, ip=ip)
    return step


def _open_successors(case, step):
    for successor in step.successors.filter(status=StepStatus.WAITING).select_related("predecessor"):
        successor.status = StepStatus.OPEN
        successor.due_date = successor.due_from(case.opened_on)
        successor.save(update_fields=["status", "due_date"])


def _care_followups(case, step, acting_user):
    """Keep a running home-care service checked: after each check the next one is due; the end cancels them."""
    if case.case_type.code != Kind.HOME_CARE:
        return
    if step.code == CARE_END:
        case.steps.filter(code="check", status=StepStatus.OPEN).update(status=StepStatus.CANCELLED)
        return
    if step.code not in CARE_CHECK_AFTER:
        return
    if case.steps.filter(code=CARE_END, status__in=SETTLED).exists():
        return
    every = case.referral.check_every_days if hasattr(case, "referral") else 30
    _add_step(case, title="定期回访服务情况", code="check", due_date=step.done_on + timedelta(days=every),
              required=False, asks=Asks.TEXT, result_label="服务情况", added_by=acting_user)


def _add_step(case, *, title, due_date, added_by, code="", assignee=None, required=True, asks="", result_label="",
              hint=""):
    order = (case.steps.aggregate(m=Max("order"))["m"] or 0) + 10
    return CaseStep.objects.create(
        case=case, code=code, title=title, hint=hint, order=order, due_date=due_date, status=StepStatus.OPEN,
        assignee=assignee, required=required, asks=asks, result_label=result_label, added_by=added_by,
    )


def do_add_step(case, *, title, due_date, acting_user, assignee=None, required=True, ip=None):
    """Add a step to a running case (something this case needs that its checklist did not foresee)."""
    with transaction.atomic():
        case = _lock(case)
        _require_open(case)
        if due_date is not None and due_date < case.opened_on:
            raise ValidationError({"due_date": _("The date is before the case was opened.")})
        if assignee is not None and not (case_workers(case.centre_id).filter(pk=assignee.pk).exists()
                                         and may_see(assignee, case)):
            raise ValidationError({"assignee": _("Only someone who may see this case can do its steps.")})
        step = _add_step(case, title=title.strip(), due_date=due_date, assignee=assignee, required=required,
                         added_by=acting_user)
        _note(case, NoteKind.STEP, acting_user, timezone.localdate(), f"新增步骤：{step.title}")
        record_audit(acting_user, AuditAction.UPDATE, case, ip=ip, unit_path=case.unit_path,
                     changes={"added_step": step.title, "due": due_date.isoformat() if due_date else ""})
    return step


# -- closing and reopening ------------------------------------------------------------------------------------------

def _close_if_complete(case, acting_user, ip=None):
    if not case.case_type.auto_outcome:
        return False
    steps = list(case.steps.filter(required=True))
    if any(s.status not in SETTLED for s in steps):
        return False
    last = max((s.done_on for s in steps if s.done_on), default=timezone.localdate())
    _close(case, outcome=case.case_type.auto_outcome, note="", closed_on=max(last, case.opened_on),
           acting_user=acting_user, ip=ip)
    return True


def _close(case, *, outcome, note, closed_on, acting_user, ip=None, record_event=True):
    case.status, case.outcome, case.outcome_note, case.closed_on = Status.CLOSED, outcome, note, closed_on
    case.save(update_fields=["status", "outcome", "outcome_note", "closed_on", "updated_at"])
    case.steps.filter(status__in=[StepStatus.OPEN, StepStatus.WAITING]).update(status=StepStatus.CANCELLED)
    _note(case, NoteKind.CLOSED, acting_user, closed_on, OUTCOME_ZH[outcome] + (f"：{note}" if note else ""))
    record_audit(acting_user, AuditAction.UPDATE, case, ip=ip, unit_path=case.unit_path,
                 changes={"status": "closed", "outcome": outcome, "closed_on": closed_on.isoformat()})
    # A hardship case resolved here resolves the member's hardship too (its visit stops being due); the case is
    # already closed, so the event's own handler finds nothing left to close.
    if (record_event and case.case_type.code == Kind.HARDSHIP and outcome == Outcome.RESOLVED
            and Member.objects.filter(pk=case.member_id, has_hardship=True).exists()):
        do_record_life_event(case.member, kind=EventKind.HARDSHIP_RESOLVED, date=closed_on, acting_user=acting_user,
                             notes="帮扶案件办结", ip=ip)


def may_manage(user, case):
    """Return whether `user` may close, reopen, hand over or skip steps of the case: its owner or a secretary of its
    centre (or an administrator, for a case that is not confidential)."""
    if not user.is_authenticated or not user.sees_personal_data:
        return False
    if case.owner_id == user.pk or is_centre_secretary(user, case.centre_id):
        return True
    return user.role == Role.ADMIN and not case.confidential


def do_close_case(case, *, outcome, note, acting_user, closed_on=None, ip=None):
    """Close a case with an outcome chosen by its owner or a secretary, whatever steps are left."""
    with transaction.atomic():
        case = _lock(case)
        _require_open(case)
        if not may_manage(acting_user, case):
            raise ValidationError(_("Only the case's owner or the secretary can close it."))
        if outcome not in Outcome.values:
            raise ValidationError({"outcome": _("Choose the outcome.")})
        closed_on = closed_on or timezone.localdate()
        _check_day(closed_on, case, "closed_on")
        _close(case, outcome=outcome, note=note.strip(), closed_on=closed_on, acting_user=acting_user, ip=ip)
    return case


def do_reopen_case(case, *, reason, acting_user, ip=None):
    """Reopen a closed case, recording why; the steps the closing cancelled are to do again."""
    with transaction.atomic():
        case = _lock(case)
        if case.status != Status.CLOSED:
            raise ValidationError(_("The case is open."))
        if not may_manage(acting_user, case):
            raise ValidationError(_("Only the case's owner or the secretary can reopen it."))
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the case is reopened.")})
        if case.member.status == MemberStatus.DECEASED and case.case_type.code != Kind.AFTER_DEATH:
            raise ValidationError(_("%(name)s is recorded as deceased.") % {"name": case.member.name})
        before = OUTCOME_ZH[case.outcome]
        case.status, case.closed_on, case.outcome, case.outcome_note = Status.OPEN, None, "", ""
        case.save(update_fields=["status", "closed_on", "outcome", "outcome_note", "updated_at"])
        for step in case.steps.filter(status=StepStatus.CANCELLED).select_related("predecessor"):
            waiting = step.predecessor is not None and not step.predecessor.is_settled
            step.status = StepStatus.WAITING if waiting else StepStatus.OPEN
            step.save(update_fields=["status"])
        _note(case, NoteKind.REOPENED, acting_user, timezone.localdate(), f"{reason.strip()}（原结果：{before}）")
        record_audit(acting_user, AuditAction.UPDATE, case, ip=ip, unit_path=case.unit_path,
                     changes={"status": "reopened", "reason": reason.strip()})
    return case


def close_cases_of_the_deceased(member, *, died_on, acting_user):
    """End the member's other open cases (a home-care service, a hardship, a concern): nothing more is due."""
    for case in Case.objects.filter(member=member, status=Status.OPEN).exclude(case_type__code=Kind.AFTER_DEATH):
        case = _lock(case)
        _close(case, outcome=Outcome.MEMBER_DIED, note="", closed_on=max(died_on, case.opened_on),
               acting_user=acting_user, record_event=False)


def close_resolved_hardship(member, *, resolved_on, acting_user):
    """Close the member's open hardship cases when the hardship is recorded as resolved in the archive."""
    for case in Case.objects.filter(member=member, status=Status.OPEN, case_type__code=Kind.HARDSHIP):
        case = _lock(case)
        _close(case, outcome=Outcome.RESOLVED, note="成员档案中已登记困难解决",
               closed_on=max(resolved_on, case.opened_on), acting_user=acting_user, record_event=False)


# -- owner and grants -----------------------------------------------------------------------------------------------

def do_change_owner(case, *, owner, acting_user, ip=None):
    with transaction.atomic():
        case = _lock(case)
        if not may_manage(acting_user, case):
            raise ValidationError(_("Only the case's owner or the secretary can hand it over."))
        if not case_workers(case.centre_id).filter(pk=owner.pk).exists():
            raise ValidationError({"owner": _("The owner must be a staff member of the member's centre.")})
        before = case.owner.get_username() if case.owner else ""
        case.owner = owner
        case.save(update_fields=["owner", "updated_at"])
        _note(case, NoteKind.CHANGE, acting_user, timezone.localdate(), f"负责人改为{owner.display_name}")
        record_audit(acting_user, AuditAction.UPDATE, case, ip=ip, unit_path=case.unit_path,
                     changes={"owner": [before, owner.get_username()]})
    return case


def grantable_users(case):
    """Return who a secretary may grant a confidential case to: active staff and group leaders of its centre."""
    return User.objects.filter(unit__centre_id=case.centre_id, is_active=True,
                               role__in=[Role.STAFF, Role.GROUP_LEADER]).order_by("role", "full_name", "id")


def do_grant(case, *, user, acting_user, ip=None):
    with transaction.atomic():
        case = _lock(case)
        if not case.confidential or not is_centre_secretary(acting_user, case.centre_id):
            raise ValidationError(_("Only the secretary grants access to a confidential case."))
        if not grantable_users(case).filter(pk=user.pk).exists():
            raise ValidationError({"user": _("Choose a staff member or group leader of the centre.")})
        grant, created = CaseGrant.objects.get_or_create(case=case, user=user, defaults={"granted_by": acting_user})
        if created:
            record_audit(acting_user, AuditAction.UPDATE, case, ip=ip, unit_path=case.unit_path,
                         changes={"granted": user.get_username()})
    return grant


def do_revoke(case, *, user, acting_user, ip=None):
    with transaction.atomic():
        case = _lock(case)
        if not is_centre_secretary(acting_user, case.centre_id):
            raise ValidationError(_("Only the secretary grants access to a confidential case."))
        deleted, _rows = CaseGrant.objects.filter(case=case, user=user).delete()
        if deleted:
            # Their steps go back to the owner: a step of a case one may not see cannot be one's work.
            case.steps.filter(assignee=user).update(assignee=None)
            record_audit(acting_user, AuditAction.UPDATE, case, ip=ip, unit_path=case.unit_path,
                         changes={"revoked": user.get_username()})
    return deleted


# -- notes, people, help, attachments -------------------------------------------------------------------------------

def _note(case, kind, author, happened_on, text, with_whom=""):
    return CaseNote.objects.create(case=case, kind=kind, author=author, happened_on=happened_on, text=text,
                                   with_whom=with_whom)


def do_add_note(case, *, kind, text, happened_on, acting_user, with_whom="", ip=None):
    """Record a note, a conversation (a mediator's talk), an earlier attempt or a check on a service."""
    if kind not in (NoteKind.NOTE, NoteKind.CONVERSATION, NoteKind.ATTEMPT, NoteKind.CHECK):
        raise ValidationError({"kind": _("Choose what kind of record this is.")})
    with transaction.atomic():
        case = _lock(case)
        if happened_on > timezone.localdate():
            raise ValidationError({"happened_on": _("The date cannot be in the future.")})
        if not text.strip():
            raise ValidationError({"text": _("Write what happened.")})
        note = _note(case, kind, acting_user, happened_on, text.strip(), with_whom.strip())
        # Being in touch with the member keeps their last contact current — except in a confidential case, whose
        # conversations must not show up as unexplained contacts on pages others can read.
        if kind in CONTACT_KINDS and not case.confidential and case.member.status != MemberStatus.DECEASED:
            at = timezone.now()
            if happened_on != timezone.localdate():
                at = timezone.make_aware(datetime.combine(happened_on, time(12)))
            note_contact([case.member_id], at)
        record_audit(acting_user, AuditAction.UPDATE, case, ip=ip, unit_path=case.unit_path,
                     changes={"note": kind, "date": happened_on.isoformat()})
    return note


def do_add_party(case, *, role, acting_user, user=None, member=None, name="", relationship="", organisation="",
                 phone="", notes="", ip=None):
    """Record someone involved in the case."""
    with transaction.atomic():
        case = _lock(case)
        phone = validate_phone(phone) if phone.strip() else ""
        if role == PartyRole.STAFF:
            if user is None or not case_workers(case.centre_id).filter(pk=user.pk).exists():
                raise ValidationError({"user": _("Choose a staff member of the centre.")})
            if case.confidential and not may_see(user, case):
                raise ValidationError({"user": _("Ask the secretary to grant them access to this case first.")})
        elif role == PartyRole.MEDIATOR:
            if member is not None and (member.pk == case.member_id or member.centre_id != case.centre_id
                                       or member.status == MemberStatus.DECEASED):
                raise ValidationError({"member": _("Choose another living member of the centre.")})
            if member is None and not name.strip():
                raise ValidationError({"name": _("Choose a member or give the mediator's name.")})
        elif role == PartyRole.PARTNER:
            if not organisation.strip():
                raise ValidationError({"organisation": _("Give the partner unit's name.")})
        elif not name.strip():
            raise ValidationError({"name": _("Give the name.")})
        party = CaseParty.objects.create(
            case=case, role=role, user=user if role == PartyRole.STAFF else None,
            member=member if role == PartyRole.MEDIATOR else None, name=name.strip(), relationship=relationship.strip(),
            organisation=organisation.strip(), phone=phone, notes=notes.strip(), added_by=acting_user,
        )
        record_audit(acting_user, AuditAction.UPDATE, case, ip=ip, unit_path=case.unit_path,
                     changes={"party": role, "name": party.display_name if not case.confidential else ""})
    return party


def do_remove_party(party, *, acting_user, ip=None):
    with transaction.atomic():
        case = _lock(party.case)
        party.delete()
        record_audit(acting_user, AuditAction.UPDATE, case, ip=ip, unit_path=case.unit_path,
                     changes={"removed_party": party.role})


def do_add_help(case, *, kind, given_on, acting_user, amount=None, description="", recipient="", ip=None):
    """Record help given in the case: money in yuan (two places), goods, a referral or a service."""
    with transaction.atomic():
        case = _lock(case)
        _check_day(given_on, case, "given_on")
        if kind not in HelpKind.values:
            raise ValidationError({"kind": _("Choose what kind of help.")})
        if kind == HelpKind.MONEY:
            if amount is None or amount <= 0:
                raise ValidationError({"amount": _("Give the amount in yuan.")})
            amount = amount.quantize(Decimal("0.01"), ROUND_HALF_UP)
        elif not description.strip():
            raise ValidationError({"description": _("Say what was given or arranged.")})
        help_row = CaseHelp.objects.create(
            case=case, kind=kind, given_on=given_on, amount=amount if kind == HelpKind.MONEY else None,
            description=description.strip(), recipient=recipient.strip(), by=acting_user)
        record_audit(acting_user, AuditAction.UPDATE, case, ip=ip, unit_path=case.unit_path,
                     changes={"help": kind, "amount": str(help_row.amount or ""), "date": given_on.isoformat()})
    return help_row


def do_attach(case, checked, *, acting_user, ip=None):
    """Store a checked file (lib.documents.CheckedFile) with the case."""
    with transaction.atomic():
        case = _lock(case)
        attachment = CaseAttachment(case=case, name=checked.name, kind=checked.kind, content_type=checked.content_type,
                                    size=len(checked.content), uploaded_by=acting_user)
        attachment.file.save(checked.name, ContentFile(checked.content), save=False)
        attachment.save()
        record_audit(acting_user, AuditAction.UPDATE, case, ip=ip, unit_path=case.unit_path,
                     changes={"attached": checked.kind, "size": attachment.size})
    return attachment
