"""Survivors (遗属) of deceased members: the festival visit list."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from laogan.accounts.actions import client_ip, record_audit
from laogan.accounts.models import AuditAction
from laogan.lib.forms import add_errors

from .. import actions
from ..access import get_member_for_user, get_survivor_for_user, is_worker, require_access, require_worker
from ..forms import SurvivorForm, SurvivorStopForm, SurvivorVisitForm
from ..models import Case, Kind, Survivor
from ..survivors import next_festival

PAGE_SIZE = 50


def survivor_list(request):
    require_access(request)
    today = timezone.localdate()
    festival = next_festival(request.user.unit.centre_id, today) if request.user.unit.centre_id else None
    rows = Survivor.objects.visible_to(request.user).select_related("deceased", "deceased__unit")
    todo = request.GET.get("todo") == "1" and festival is not None
    if todo:
        rows = rows.not_visited_since(festival.window_start)
    rows = rows.order_by("-active", "name", "id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "festival": festival, "todo": todo, "worker": is_worker(request.user)}
    return render(request, "cases/survivor_list.html", context)


def survivor_new(request, member_pk):
    """Put a survivor of a deceased member on the festival visit list."""
    require_worker(request)
    member = get_member_for_user(request, member_pk)
    if not member.is_deceased:
        raise Http404
    form = SurvivorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.do_add_survivor(member, name=d["name"], relationship=d["relationship"], phone=d["phone"],
                                    address=d["address"], notes=d["notes"], acting_user=request.user,
                                    ip=client_ip(request))
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("%(name)s is on the festival visit list.") % {"name": d["name"]})
            case = Case.objects.visible_to(request.user).filter(member=member, case_type__code=Kind.AFTER_DEATH).first()
            return redirect(case.get_absolute_url() + "#survivors" if case else "survivor_list")
    return render(request, "cases/survivor_form.html", {"form": form, "member": member})


@require_POST
def survivor_visit(request, pk):
    require_worker(request)
    survivor = get_survivor_for_user(request, pk)
    form = SurvivorVisitForm(request.POST)
    if form.is_valid():
        try:
            actions.do_record_survivor_visit(survivor, visited_on=form.cleaned_data["visited_on"],
                                             acting_user=request.user, ip=client_ip(request))
        except ValidationError as e:
            add_errors(form, e)
    if form.errors:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    else:
        messages.success(request, _("Visit to %(name)s recorded.") % {"name": survivor.name})
    return redirect(survivor.get_absolute_url())


@require_POST
def survivor_active(request, pk, active):
    require_worker(request)
    survivor = get_survivor_for_user(request, pk)
    form = SurvivorStopForm(request.POST) if not active else None
    if form is not None and not form.is_valid():
        messages.error(request, _("Say why they are no longer visited."))
        return redirect(survivor.get_absolute_url())
    actions.do_set_survivor_active(survivor, active=active, reason=form.cleaned_data["reason"] if form else "",
                                   acting_user=request.user, ip=client_ip(request))
    messages.success(request, _("Saved."))
    return redirect(survivor.get_absolute_url())


@require_POST
def survivor_phone(request, pk):
    """Show a survivor's full phone number and address; every reveal is audited."""
    survivor = get_survivor_for_user(request, pk)
    record_audit(request.user, AuditAction.REVEAL, survivor, detail="phone and address", ip=client_ip(request))
    text = " · ".join(v for v in (survivor.phone, survivor.address) if v) or "—"
    return HttpResponse(escape(text))  # htmx puts it in the page as HTML
