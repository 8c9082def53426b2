"""Attendance on a phone: a checklist saved in one POST, a scanning page for sign-in codes, the printable sheet of
sign-in cards (签到卡)."""

import re
from functools import lru_cache

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from laogan.accounts.actions import client_ip, record_audit
from laogan.accounts.models import AuditAction, Unit, subtree_q
from laogan.members.models import Member

from .. import access, actions, codes
from ..models import Participation, Presence

LIST_LIMIT = 400
FIELD = re.compile(r"^m(\d+)$")


def _checklist_members(request, activity, unit=None):
    """Return (members, too_many): the invited members and those already recorded, or, when nobody was invited
    (or ?all=1), every living member of the organising unit (or of the chosen unit) — only those the user may see."""
    base = Member.objects.visible_to(request.user).filter(centre=activity.centre)
    recorded = Participation.objects.filter(activity=activity).values("member_id")
    has_invitations = Participation.objects.filter(activity=activity, invited=True).exists()
    if unit is not None or request.GET.get("all") or not has_invitations:
        scope = unit or activity.unit
        members = base.filter(Q(pk__in=recorded) | (Q(subtree_q(scope.path)) & ~Q(status="deceased")))
    else:
        members = base.filter(pk__in=recorded)
    members = members.select_related("unit").order_by("unit__path", "name_pinyin", "id")
    count = members.count()
    return members[:LIST_LIMIT], count > LIST_LIMIT


def attendance(request, pk):
    access.require_worker(request)
    activity = access.get_activity(request, pk)
    if request.method == "POST":
        return _save_list(request, activity)
    units = Unit.objects.visible_to(request.user).filter(subtree_q(activity.centre.path, "path")).exclude(kind="centre")
    unit = units.filter(code=request.GET.get("unit")).first() if request.GET.get("unit") else None
    members, too_many = _checklist_members(request, activity, unit)
    members = list(members)
    state = dict(Participation.objects.filter(activity=activity, member__in=[m.pk for m in members])
                 .values_list("member_id", "presence"))
    rows = [(m, state.get(m.pk, Presence.INVITED)) for m in members]
    counts = actions.attendance_counts(activity)
    return render(request, "activities/attendance.html", {
        "activity": activity, "rows": rows, "too_many": too_many, "counts": counts, "units": units, "unit": unit,
        "all": bool(request.GET.get("all"))})


def _save_list(request, activity):
    wanted = {}
    for key, value in request.POST.items():
        match = FIELD.match(key)
        if match:
            if value not in ("", Presence.ATTENDED, Presence.HOME):
                raise Http404
            wanted[int(match[1])] = value or Presence.INVITED
    allowed = {m.pk: m for m in Member.objects.visible_to(request.user).filter(pk__in=list(wanted), centre=activity.centre)}
    try:
        if len(allowed) != len(wanted):
            raise ValidationError(_("The list names members who are not on this centre's roster; nothing was saved."))
        if not wanted:
            raise ValidationError(_("The list is empty; nothing was saved."))
        counts = actions.do_record_attendance(activity, {allowed[pk]: state for pk, state in wanted.items()},
                                              acting_user=request.user, ip=client_ip(request))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("activity_attendance", activity.pk)
    messages.success(request, _("Attendance saved: %(attended)s attended, %(home)s had the material brought home.") % counts)
    return redirect("activity_detail", activity.pk)


def scan(request, pk):
    access.require_worker(request)
    activity = access.get_activity(request, pk)
    result = error = None
    if request.method == "POST":
        try:
            result = actions.do_scan(activity, request.POST.get("code", ""), acting_user=request.user,
                                     ip=client_ip(request))
        except ValidationError as e:
            error = " ".join(e.messages)
    context = {"activity": activity, "result": result, "error": error, "counts": actions.attendance_counts(activity)}
    if request.htmx:
        return render(request, "activities/_scan_result.html", context)
    return render(request, "activities/scan.html", context)


@lru_cache(maxsize=4096)
def qr_uri(code):
    return segno.make(code, error="m", micro=False).png_data_uri(scale=4, border=2)


def signin_cards(request):
    """A printable sheet of sign-in cards (签到卡): each member's name, party group and sign-in QR."""
    access.require_worker(request)
    centre = access.centre_for(request)
    units = Unit.objects.visible_to(request.user).filter(subtree_q(centre.path, "path")).exclude(kind="centre")
    unit = units.filter(code=request.GET.get("unit")).first() if request.GET.get("unit") else None
    members = access.members_for(request, centre)
    if unit is not None:
        members = members.filter(subtree_q(unit.path))
    cards = []
    if request.GET.get("print"):
        members = list(members[:LIST_LIMIT])
        cards = [{"member": m, "code": codes.code_for(m.pk), "qr": qr_uri(codes.code_for(m.pk))} for m in members]
        record_audit(request.user, AuditAction.EXPORT, unit or centre, detail=f"sign-in cards ({len(cards)})",
                     ip=client_ip(request))
    return render(request, "activities/signin_cards.html", {"centre": centre, "units": units, "unit": unit,
                                                            "cards": cards})
