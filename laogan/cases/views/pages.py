"""The pages of case work: the list, opening a case, one case, an attachment and the figures."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from laogan.accounts.actions import client_ip
from laogan.lib.figures import Period
from laogan.members.models import Member
from laogan.lib.forms import add_errors

from .. import actions, stats
from ..access import audit_view, get_case_for_user, get_member_for_user, is_worker, require_access, require_worker
from ..forms import (
    AddStepForm, AttachmentForm, CaseFilterForm, CloseForm, EditCaseForm, GrantForm, HelpForm, NoteForm, OpenCaseForm,
    OwnerForm, PartyForm, ReopenForm, SkipStepForm, StepDoneForm,
)
from ..models import SETTLED, Case, CaseAttachment, CaseStep, Kind, StepStatus, Survivor

PAGE_SIZE = 30
MEMBER_RESULTS = 10


def filtered_cases(request, form):
    user, today = request.user, timezone.localdate()
    rows = Case.objects.visible_to(user)
    data = form.cleaned_data if form.is_valid() else {}
    state = data.get("state") or ("all" if data.get("year") else "open")
    rows = {
        "open": lambda r: r.open(),
        "overdue": lambda r: r.with_overdue_steps(today),
        "mine": lambda r: r.open().filter(Q(owner=user) | Q(pk__in=CaseStep.objects.open().filter(assignee=user)
                                                             .values("case_id"))),
        "closed": lambda r: r.closed(),
        "all": lambda r: r,
    }[state](rows)
    if data.get("kind"):
        rows = rows.filter(case_type__code=data["kind"])
    if data.get("year"):
        field = "closed_on" if data.get("by") == "closed" else "opened_on"
        rows = rows.filter(**{f"{field}__year": data["year"]})
    if data.get("q"):
        rows = rows.filter(member__in=Member.objects.visible_to(user).search(data["q"]).values("pk"))
    return rows


def case_list(request):
    require_access(request)
    form = CaseFilterForm(request.GET or None)
    today = timezone.localdate()
    rows = filtered_cases(request, form).select_related("member", "member__unit", "case_type", "owner").annotate(
        steps_required=Count("steps", filter=Q(steps__required=True) & ~Q(steps__status=StepStatus.CANCELLED)),
        steps_settled=Count("steps", filter=Q(steps__required=True, steps__status__in=SETTLED)),
        steps_overdue=Count("steps", filter=Q(steps__status=StepStatus.OPEN, steps__due_date__lt=today)),
    ).order_by("-steps_overdue", "-opened_on", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "today": today, "may_open": is_worker(request.user)}
    if request.htmx and request.headers.get("HX-Target") == "results":
        return render(request, "cases/_results.html", context)
    return render(request, "cases/case_list.html", context)


def case_new(request):
    """Pick a living member, then open a case about them (an after-death case opens by itself on a death)."""
    require_worker(request)
    if not request.GET.get("member"):
        q = request.GET.get("q", "")
        found = (Member.objects.visible_to(request.user).living().search(q).select_related("unit")[:MEMBER_RESULTS]
                 if q.strip() else [])
        return render(request, "cases/case_pick_member.html", {"members": found, "q": q})
    member = get_member_for_user(request, request.GET["member"])
    if member.is_deceased:
        raise Http404
    form = OpenCaseForm(request.POST or None, member=member, initial={"case_type": request.GET.get("kind")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = actions.do_open_case(
                member, case_type=d["case_type"], acting_user=request.user, summary=d["summary"],
                assessment=d["assessment"], owner=d["owner"], opened_on=d["opened_on"], confidential=d["confidential"],
                referral=form.referral(), notify=d["owner"] is not None and d["owner"] != request.user,
                ip=client_ip(request),
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Case opened for %(name)s.") % {"name": member.name})
            return redirect("case_detail", case.pk)
    return render(request, "cases/case_form.html", {"form": form, "member": member})


def case_detail(request, pk, *, bound=None, status=200):
    case = get_case_for_user(request, pk)
    audit_view(request, case, "case page")
    user, today = request.user, timezone.localdate()
    bound = bound or {}
    worker = is_worker(user)
    manage = worker and actions.may_manage(user, case)
    steps = list(case.steps.select_related("assignee", "done_by", "predecessor"))
    for step in steps:
        step.late = step.is_overdue(today)
        step.open_done, step.open_skip = f"done{step.pk}" in bound, f"skip{step.pk}" in bound
        if worker and case.is_open and step.status == StepStatus.OPEN:
            step.done_form = bound.get(f"done{step.pk}") or StepDoneForm(step=step)
        if manage and case.is_open and step.status in (StepStatus.OPEN, StepStatus.WAITING):
            step.skip_form = bound.get(f"skip{step.pk}") or SkipStepForm(prefix=f"skip{step.pk}")
    context = {
        "case": case, "member": case.member, "today": today, "steps": steps,
        "worker": worker, "manage": manage,
        "may_grant": case.confidential and actions.is_centre_secretary(user, case.centre_id),
        "parties": case.parties.select_related("user", "member"),
        "notes": case.notes.select_related("author"),
        "help_rows": case.help.select_related("by"),
        "attachments": case.attachments.select_related("uploaded_by"),
        "grants": case.grants.select_related("user", "granted_by") if case.confidential else [],
        "survivors": Survivor.objects.filter(deceased=case.member) if case.kind == Kind.AFTER_DEATH else [],
        "shows_help": case.kind in (Kind.HARDSHIP, Kind.AFTER_DEATH, Kind.HOME_CARE) or case.help.exists(),
        "open_form": next(iter(bound), ""),
    }
    if worker:
        context.update({
            "add_step_form": bound.get("add_step") or AddStepForm(case=case, prefix="add"),
            "edit_form": bound.get("edit") or EditCaseForm(prefix="edit", version_of=case, initial={
                "summary": case.summary, "assessment": case.assessment}),
            "note_form": bound.get("note") or NoteForm(prefix="note"),
            "party_form": bound.get("party") or PartyForm(case=case, prefix="party"),
            "help_form": bound.get("help") or HelpForm(prefix="help"),
            "attach_form": bound.get("attach") or AttachmentForm(prefix="attach"),
        })
    if manage:
        context.update({
            "close_form": bound.get("close") or CloseForm(prefix="close"),
            "reopen_form": bound.get("reopen") or ReopenForm(prefix="reopen"),
            "owner_form": bound.get("owner") or OwnerForm(case=case, prefix="owner"),
        })
    if context["may_grant"]:
        context["grant_form"] = bound.get("grant") or GrantForm(case=case, prefix="grant")
    return render(request, "cases/case_detail.html", context, status=status)


def attachment(request, pk, attachment_pk):
    case = get_case_for_user(request, pk)
    try:
        row = case.attachments.get(pk=attachment_pk)
    except CaseAttachment.DoesNotExist:
        raise Http404 from None
    audit_view(request, case, f"attachment {row.pk}")
    # Always a download, never shown inline: the browser must not interpret an uploaded file on our origin.
    return FileResponse(row.file.open("rb"), as_attachment=True, filename=row.name, content_type=row.content_type)


def case_figures(request):
    """Counts per kind of case for a year, of the cases the reader may see; each number opens its cases."""
    require_access(request)
    today = timezone.localdate()
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= today.year else today.year
    period = Period.year_to_date(today) if year == today.year else Period.year(year)
    rows, total = stats.by_kind(Case.objects.visible_to(request.user), period, today)
    context = {"rows": rows, "total": total, "year": year, "period": period,
               "years": list(range(today.year, today.year - 6, -1))}
    return render(request, "cases/figures.html", context)

