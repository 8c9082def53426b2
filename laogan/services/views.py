import io
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from laogan.accounts.actions import client_ip
from laogan.accounts.models import Role
from laogan.lib.figures import Period
from laogan.members.models import Member
from laogan.lib.forms import add_errors

from . import actions, stats
from .forms import (
    AssignForm, CallbackForm, DispatchForm, FilterForm, IntakeForm, NoteForm, NoteOnlyForm, ReopenForm, ResolveForm,
    WaitForm,
)
from .models import DONE_STATUSES, Policy, ServiceRequest, Status

PAGE_SIZE = 30
MEMBER_RESULTS = 8


def _require_access(request):
    if not request.user.sees_personal_data:
        raise PermissionDenied


def may_work(user):
    """Staff, secretaries and administrators act on requests; group leaders record them and add notes."""
    return user.sees_personal_data and user.role in (Role.STAFF, Role.SECRETARY, Role.ADMIN)


def _get_request_for_user(request, pk):
    """Return the service request if the user may see it; anything outside their scope is a 404."""
    rows = ServiceRequest.objects.visible_to(request.user).select_related(
        "member", "member__unit", "category", "assignee", "partner", "centre", "created_by")
    try:
        return rows.get(pk=pk)
    except ServiceRequest.DoesNotExist:
        raise Http404 from None


def filtered_requests(request, form):
    rows = ServiceRequest.objects.visible_to(request.user)
    if not form.is_valid():
        return rows.open()
    data, now = form.cleaned_data, timezone.now()
    state = _state(form)
    rows = {
        "open": lambda r: r.open(),
        "at_risk": lambda r: r.at_risk(now),
        "overdue": lambda r: r.overdue(now),
        "waiting": lambda r: r.filter(status=Status.WAITING_MEMBER),
        "mine": lambda r: r.open().filter(assignee=request.user),
        "resolved": lambda r: r.filter(status=Status.RESOLVED),
        "late": lambda r: r.filter(missed_resolution=True),
        "all": lambda r: r,
    }[state](rows)
    if data.get("category"):
        rows = rows.filter(category__code=data["category"])
    if data.get("start"):
        rows = rows.filter(reported_on__gte=data["start"])
    if data.get("end"):
        rows = rows.filter(reported_on__lte=data["end"])
    if data.get("q"):
        rows = rows.filter(member__in=Member.objects.visible_to(request.user).search(data["q"]).values("pk"))
    return rows


def request_list(request):
    _require_access(request)
    form = FilterForm(request.GET or None, acting_user=request.user)
    rows = filtered_requests(request, form).select_related("member", "member__unit", "category", "assignee", "partner")
    if _by_due(form):
        # Soonest due first; paused requests (no due time) after the rest on every database.
        rows = rows.order_by(F("due_at").asc(nulls_last=True), "-opened_at", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": request.GET.urlencode(), "now": timezone.now(),
               "may_work": may_work(request.user)}
    if request.htmx and request.headers.get("HX-Target") == "results":
        return render(request, "services/_results.html", context)
    return render(request, "services/request_list.html", context)


def _state(form):
    """Return the list's state filter; an empty form shows the open requests."""
    return (form.cleaned_data.get("state") if form.is_valid() else "") or "open"


def _by_due(form):
    return _state(form) in ("open", "at_risk", "overdue", "mine", "waiting")


def request_create(request):
    _require_access(request)
    initial, picked = {}, None
    if request.GET.get("member"):
        try:
            picked = Member.objects.visible_to(request.user).living().select_related("unit").get(pk=int(request.GET["member"]))
        except (ValueError, Member.DoesNotExist):
            raise Http404 from None
        initial["member"] = picked.pk
    form = IntakeForm(request.POST or None, acting_user=request.user,
                      initial={**initial, "opened_at": timezone.localtime().replace(second=0, microsecond=0)})
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            service_request = actions.do_create_request(
                d["member"], category=d["category"], summary=d["summary"], location=d["location"], channel=d["channel"],
                caller=d["caller"], caller_name=d["caller_name"], urgent=d["urgent"], opened_at=d["opened_at"],
                assignee=d["assignee"], handle_now=d["handle_now"] and may_work(request.user),
                acting_user=request.user, ip=client_ip(request),
            )
            messages.success(request, _("Request recorded for %(name)s. %(due)s") % {
                "name": service_request.member.name, "due": due_sentence(service_request)})
            return redirect("request_detail", service_request.pk)
        picked = form.cleaned_data.get("member") if hasattr(form, "cleaned_data") else None
    return render(request, "services/request_form.html", {"form": form, "picked": picked})


def due_sentence(service_request):
    def t(value):
        return date_format(timezone.localtime(value), "n月j日 H:i:s")

    parts = []
    if service_request.responded_at is None and service_request.respond_by:
        parts.append(_("Respond by %(t)s.") % {"t": t(service_request.respond_by)})
    if service_request.resolve_by:
        parts.append(_("Resolve by %(t)s.") % {"t": t(service_request.resolve_by)})
    return " ".join(parts)


def member_search(request):
    """The intake form's member picker: up to eight living members matching a name or pinyin initials."""
    _require_access(request)
    q = request.GET.get("q", "")
    found = Member.objects.visible_to(request.user).living().search(q).select_related("unit")[:MEMBER_RESULTS] if q.strip() else []
    return render(request, "services/_member_choices.html", {"members": found, "q": q})


ACTION_FORMS = {
    "assign": AssignForm, "dispatch": DispatchForm, "start": NoteOnlyForm, "wait": WaitForm, "resume": NoteOnlyForm,
    "resolve": ResolveForm, "callback": CallbackForm, "close": NoteOnlyForm, "reopen": ReopenForm,
}


def _action_form(name, service_request, user, data=None):
    kwargs = {"prefix": name, "initial": {"version": service_request.version}}
    if name == "assign":
        kwargs.update(acting_user=user, centre=service_request.centre)
    if name == "dispatch":
        kwargs["centre"] = service_request.centre
    return ACTION_FORMS[name](data, **kwargs)


ACTION_LABELS = {
    "start": _lazy("Start work (responding now)"), "assign": _lazy("Assign"), "dispatch": _lazy("Dispatch to a partner"),
    "wait": _lazy("Waiting on the member"), "resume": _lazy("Resume work"), "resolve": _lazy("Resolved"),
    "callback": _lazy("Record the callback"), "close": _lazy("Close"), "reopen": _lazy("Reopen"),
}


def request_detail(request, pk, *, bound=None, status=200):
    _require_access(request)
    service_request = _get_request_for_user(request, pk)
    allowed = actions.allowed_actions(service_request) if may_work(request.user) else set()
    action_list = [
        (name, label, bound if bound is not None and bound.prefix == name else _action_form(name, service_request, request.user))
        for name, label in ACTION_LABELS.items() if name in allowed
    ]
    policy = Policy.effective(service_request.centre_id, service_request.category)
    context = {
        "r": service_request, "action_list": action_list, "now": timezone.now(),
        "note_form": bound if isinstance(bound, NoteForm) else NoteForm(),
        "events": service_request.events.select_related("actor"),
        "phones": service_request.member.phones.all(), "contacts": service_request.member.contacts.all(),
        "open_form": getattr(bound, "prefix", "") or "",
        "policy_text": _("respond %(respond)s, resolve %(resolve)s, %(clock)s") % {
            "respond": policy.respond_target().describe_zh(), "resolve": policy.resolve_target().describe_zh(),
            "clock": policy.get_clock_display()},
    }
    return render(request, "services/request_detail.html", context, status=status)


@require_POST
def request_action(request, pk, action):
    _require_access(request)
    service_request = _get_request_for_user(request, pk)
    if action not in ACTION_FORMS:
        raise Http404
    if not may_work(request.user):
        raise PermissionDenied
    form = _action_form(action, service_request, request.user, request.POST)
    if not form.is_valid():
        return request_detail(request, pk, bound=form, status=400)
    d, common = form.cleaned_data, {"expected_version": form.expected_version, "acting_user": request.user,
                                   "ip": client_ip(request)}
    try:
        if action == "assign":
            actions.do_assign(service_request, assignee=d["assignee"], note=d["note"], **common)
        elif action == "dispatch":
            actions.do_dispatch(service_request, partner=d["partner"], reference=d["reference"], note=d["note"], **common)
        elif action == "start":
            actions.do_start(service_request, note=d["note"], **common)
        elif action == "wait":
            actions.do_wait(service_request, reason=form.reason_text(), note=d["note"], **common)
        elif action == "resume":
            actions.do_resume(service_request, note=d["note"], **common)
        elif action == "resolve":
            actions.do_resolve(service_request, resolution=d["resolution"], delay_reason=d["delay_reason"], **common)
        elif action == "callback":
            actions.do_callback(service_request, satisfied=d["satisfied"], comment=d["comment"],
                                answered_by=d["answered_by"], **common)
        elif action == "close":
            actions.do_close(service_request, note=d["note"], **common)
        elif action == "reopen":
            actions.do_reopen(service_request, reason=d["reason"], **common)
    except actions.StaleRequest as e:
        messages.error(request, str(e))
        return request_detail(request, pk, bound=_rebound(form, action, pk, request), status=409)
    except ValidationError as e:
        add_errors(form, e)
        return request_detail(request, pk, bound=form, status=400)
    messages.success(request, _("Saved."))
    return redirect("request_detail", pk)


def _rebound(form, action, pk, request):
    """Return the loser's form with what they typed, carrying the current version so that sending it again acts on
    the request as it now is."""
    current = _get_request_for_user(request, pk)
    data = request.POST.copy()
    data[form.add_prefix("version")] = str(current.version)
    rebound = _action_form(action, current, request.user, data)
    rebound.is_valid()
    return rebound


@require_POST
def request_note(request, pk):
    _require_access(request)
    service_request = _get_request_for_user(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return request_detail(request, pk, bound=form, status=400)
    actions.do_add_note(service_request, note=form.cleaned_data["note"], acting_user=request.user)
    return redirect(reverse("request_detail", args=[pk]) + "#history")


def request_export(request):
    """The requests of the list's filter (default: this month) as an Excel file; every export is audited."""
    _require_access(request)
    params = request.GET.copy()
    today = timezone.localdate()
    if not params.get("start") and not params.get("end"):
        params["start"], params["end"] = today.replace(day=1).isoformat(), today.isoformat()
    params.setdefault("state", "all")
    form = FilterForm(params, acting_user=request.user)
    rows = filtered_requests(request, form).select_related(
        "member", "member__unit", "category", "assignee", "partner").order_by("opened_at", "id")
    out = io.BytesIO()
    period = f"{params.get('start', '')}—{params.get('end', '')}"
    actions.do_export_requests(rows, out, unit=request.user.unit, acting_user=request.user, ip=client_ip(request),
                               detail=f"service requests {period} {params.get('state')}")
    response = HttpResponse(out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="requests-{params.get("start", "")}-{params.get("end", "")}.xlsx"'
    return response


def request_figures(request):
    """Per category for a period: requests, median times, share in time, misses; each number opens its requests."""
    _require_access(request)
    period = _period(request)
    rows = ServiceRequest.objects.visible_to(request.user).filter(reported_on__gte=period.start, reported_on__lte=period.end)
    lines, total = stats.by_category(rows, timezone.now())
    missed = rows.filter(missed_resolution=True).select_related("member", "category").order_by("-opened_at")[:100]
    base = {"start": period.start.isoformat(), "end": period.end.isoformat(), "state": "all"}
    context = {"period": period, "lines": lines, "total": total, "missed": missed, "base": base,
               "done_statuses": DONE_STATUSES}
    return render(request, "services/figures.html", context)


def _period(request):
    today = timezone.localdate()
    try:
        start = date.fromisoformat(request.GET["start"])
        end = date.fromisoformat(request.GET["end"])
    except (KeyError, ValueError):
        return Period.month(today.year, today.month)
    if end < start or (end - start).days > 3700:
        raise Http404
    return Period(start, end, f"{start:%Y-%m-%d}至{end:%Y-%m-%d}")
