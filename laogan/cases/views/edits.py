"""Every change to a case from the case page: POST only; a refused form comes back on the case page with its errors."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from laogan.accounts.actions import client_ip, record_audit
from laogan.accounts.models import AuditAction
from laogan.lib.forms import add_errors
from laogan.lib.locking import StaleEdit

from .. import actions
from ..access import get_case_for_user, is_worker
from ..forms import (
    AddStepForm, AttachmentForm, CloseForm, EditCaseForm, GrantForm, HelpForm, NoteForm, OwnerForm, PartyForm, ReopenForm,
    SkipStepForm, StepDoneForm,
)
from ..models import CaseParty, CaseStep
from .pages import case_detail

def _case_for_work(request, pk, *, manage=False):
    case = get_case_for_user(request, pk)
    if not is_worker(request.user) or (manage and not actions.may_manage(request.user, case)):
        raise PermissionDenied
    return case


def _step(case, step_pk):
    try:
        return case.steps.select_related("predecessor").get(pk=step_pk)
    except CaseStep.DoesNotExist:
        raise Http404 from None


def _run(request, case, form, key, run, anchor="", success=None):
    """Validate the form and run the action; on success back to the case page, else the page with the form's errors."""
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except StaleEdit as e:
            # Someone saved the case since the form was read: nothing was written; what was typed stays in the form.
            messages.error(request, str(e))
            return case_detail(request, case.pk, bound={key: form}, status=409)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, success or _("Saved."))
            return redirect(case.get_absolute_url() + anchor)
    return case_detail(request, case.pk, bound={key: form}, status=400)


@require_POST
def edit(request, pk):
    case = _case_for_work(request, pk)
    form = EditCaseForm(request.POST, prefix="edit", version_of=case)
    return _run(request, case, form, "edit", lambda d: actions.do_update_case(
        case, summary=d["summary"], assessment=d["assessment"], expected_version=form.expected_version,
        acting_user=request.user, ip=client_ip(request)))


@require_POST
def step_done(request, pk, step_pk):
    case = _case_for_work(request, pk)
    step = _step(case, step_pk)
    form = StepDoneForm(request.POST, step=step)

    def run(d):
        actions.do_complete_step(step, acting_user=request.user, done_on=d["done_on"], result=d.get("result", ""),
                                 amount=d.get("amount"), recipient=d.get("recipient", ""),
                                 satisfaction=d.get("satisfaction", ""), ip=client_ip(request))

    return _run(request, case, form, f"done{step.pk}", run, f"#step-{step.pk}")


@require_POST
def step_skip(request, pk, step_pk):
    case = _case_for_work(request, pk, manage=True)
    step = _step(case, step_pk)
    form = SkipStepForm(request.POST, prefix=f"skip{step.pk}")
    return _run(request, case, form, f"skip{step.pk}", lambda d: actions.do_skip_step(
        step, reason=d["reason"], acting_user=request.user, ip=client_ip(request)), f"#step-{step.pk}")


@require_POST
def step_add(request, pk):
    case = _case_for_work(request, pk)
    form = AddStepForm(request.POST, case=case, prefix="add")
    return _run(request, case, form, "add_step", lambda d: actions.do_add_step(
        case, title=d["title"], due_date=d["due_date"], assignee=d["assignee"], required=d["required"],
        acting_user=request.user, ip=client_ip(request)), "#steps")


@require_POST
def close(request, pk):
    case = _case_for_work(request, pk, manage=True)
    form = CloseForm(request.POST, prefix="close")
    return _run(request, case, form, "close", lambda d: actions.do_close_case(
        case, outcome=d["outcome"], note=d["note"], closed_on=d["closed_on"], acting_user=request.user,
        ip=client_ip(request)), success=_("The case is closed."))


@require_POST
def reopen(request, pk):
    case = _case_for_work(request, pk, manage=True)
    form = ReopenForm(request.POST, prefix="reopen")
    return _run(request, case, form, "reopen", lambda d: actions.do_reopen_case(
        case, reason=d["reason"], acting_user=request.user, ip=client_ip(request)), success=_("The case is open again."))


@require_POST
def change_owner(request, pk):
    case = _case_for_work(request, pk, manage=True)
    form = OwnerForm(request.POST, case=case, prefix="owner")
    return _run(request, case, form, "owner", lambda d: actions.do_change_owner(
        case, owner=d["owner"], acting_user=request.user, ip=client_ip(request)))


@require_POST
def add_note(request, pk):
    case = _case_for_work(request, pk)
    form = NoteForm(request.POST, prefix="note")
    return _run(request, case, form, "note", lambda d: actions.do_add_note(
        case, kind=d["kind"], text=d["text"], happened_on=d["happened_on"], with_whom=d["with_whom"],
        acting_user=request.user, ip=client_ip(request)), "#records")


@require_POST
def add_party(request, pk):
    case = _case_for_work(request, pk)
    form = PartyForm(request.POST, case=case, prefix="party")
    return _run(request, case, form, "party", lambda d: actions.do_add_party(
        case, role=d["role"], user=d["user"], member=d["member"], name=d["name"], relationship=d["relationship"],
        organisation=d["organisation"], phone=d["phone"], notes=d["notes"], acting_user=request.user,
        ip=client_ip(request)), "#people")


def _party(case, party_pk):
    try:
        return case.parties.get(pk=party_pk)
    except CaseParty.DoesNotExist:
        raise Http404 from None


@require_POST
def remove_party(request, pk, party_pk):
    case = _case_for_work(request, pk)
    party = _party(case, party_pk)
    actions.do_remove_party(party, acting_user=request.user, ip=client_ip(request))
    messages.success(request, _("Removed."))
    return redirect(case.get_absolute_url() + "#people")


@require_POST
def reveal_party_phone(request, pk, party_pk):
    """Show one involved person's full phone number; every reveal is audited."""
    case = get_case_for_user(request, pk)
    party = _party(case, party_pk)
    record_audit(request.user, AuditAction.REVEAL, case, unit_path=case.unit_path, detail=f"phone of party {party.pk}",
                 ip=client_ip(request))
    return HttpResponse(escape(party.phone or "—"))  # htmx puts it in the page as HTML


@require_POST
def add_help(request, pk):
    case = _case_for_work(request, pk)
    form = HelpForm(request.POST, prefix="help")
    return _run(request, case, form, "help", lambda d: actions.do_add_help(
        case, kind=d["kind"], given_on=d["given_on"], amount=d["amount"], description=d["description"],
        recipient=d["recipient"], acting_user=request.user, ip=client_ip(request)), "#help")


@require_POST
def attach(request, pk):
    case = _case_for_work(request, pk)
    form = AttachmentForm(request.POST, request.FILES, prefix="attach")

    return _run(request, case, form, "attach", lambda d: actions.do_attach(
        case, d["file"], acting_user=request.user, ip=client_ip(request)), "#attachments")


@require_POST
def grant(request, pk):
    case = get_case_for_user(request, pk)
    if not (case.confidential and actions.is_centre_secretary(request.user, case.centre_id)):
        raise PermissionDenied
    form = GrantForm(request.POST, case=case, prefix="grant")
    return _run(request, case, form, "grant", lambda d: actions.do_grant(
        case, user=d["user"], acting_user=request.user, ip=client_ip(request)), "#access")


@require_POST
def revoke(request, pk, user_pk):
    case = get_case_for_user(request, pk)
    if not (case.confidential and actions.is_centre_secretary(request.user, case.centre_id)):
        raise PermissionDenied
    grant_row = case.grants.select_related("user").filter(user_id=user_pk).first()
    if grant_row is None:
        raise Http404
    actions.do_revoke(case, user=grant_row.user, acting_user=request.user, ip=client_ip(request))
    messages.success(request, _("%(name)s can no longer see this case.") % {"name": grant_row.user.display_name})
    return redirect(case.get_absolute_url() + "#access")

