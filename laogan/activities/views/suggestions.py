"""建言献策: suggestions received, forwarded, answered and decided; the overdue replies; the yearly table."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from laogan.accounts.actions import client_ip

from .. import access, actions
from ..forms import AnswerForm, DecideForm, ForwardForm, SuggestionForm
from ..models import FIELD_CHOICES, Suggestion, SuggestionStatus
from laogan.lib.forms import add_errors
from laogan.reports.scope import year_for

STATES = ["open", "overdue", *SuggestionStatus.values, "all"]


def suggestion_list(request):
    access.require_reader(request)
    today = timezone.localdate()
    state = request.GET.get("state") or "open"
    if state not in STATES:
        state = "open"
    rows = Suggestion.objects.visible_to(request.user).select_related("member", "group")
    if state == "open":
        rows = rows.filter(status__in=[SuggestionStatus.RECEIVED, SuggestionStatus.FORWARDED, SuggestionStatus.ANSWERED])
    elif state == "overdue":
        rows = rows.overdue(today)
    elif state != "all":
        rows = rows.filter(status=state)
    year = request.GET.get("year", "")
    if year.isdigit():
        rows = rows.filter(received_on__year=int(year))
    field = request.GET.get("field", "")
    if field in dict(FIELD_CHOICES):
        rows = rows.filter(field=field)
    order = ("reply_due", "id") if state == "overdue" else ("-received_on", "-id")
    page = Paginator(rows.order_by(*order), 30).get_page(request.GET.get("page"))
    overdue = Suggestion.objects.visible_to(request.user).overdue(today).count()
    return render(request, "activities/suggestions.html", {
        "page": page, "state": state, "states": _state_labels(), "today": today, "overdue": overdue,
        "may_edit": access.is_worker(request.user), "year": year, "field": field})


def _state_labels():
    return [("open", _("Open")), ("overdue", _("Reply overdue")), *SuggestionStatus.choices, ("all", _("All"))]


def suggestion_new(request):
    access.require_worker(request)
    centre = access.centre_for(request)
    form = SuggestionForm(request.POST or None, centre=centre, members=access.members_for(request, centre))
    if request.method == "POST" and form.is_valid():
        try:
            s = actions.do_record_suggestion(centre=centre, acting_user=request.user, ip=client_ip(request), **form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The suggestion is recorded."))
            return redirect("suggestion_detail", s.pk)
    return render(request, "activities/form.html", {"form": form, "title": _("Record a suggestion")})


def suggestion_detail(request, pk):
    s = access.get_suggestion(request, pk)
    today = timezone.localdate()
    may_edit = access.is_worker(request.user)
    forms = {}
    if may_edit:
        if s.status == SuggestionStatus.RECEIVED:
            forms["forward"] = ForwardForm(initial={"on": today})
        elif s.status == SuggestionStatus.FORWARDED:
            forms["answer"] = AnswerForm(initial={"on": today})
        elif s.status == SuggestionStatus.ANSWERED:
            forms["decide"] = DecideForm(initial={"on": today})
    return render(request, "activities/suggestion_detail.html", {"s": s, "today": today, "forms": forms,
                                                                 "overdue": s.is_overdue(today)})


def _step(request, pk, form_class, run):
    s = access.get_suggestion(request, pk)
    access.require_worker(request)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            run(s, form.cleaned_data)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("The suggestion is now “%(status)s”.") % {"status": s.get_status_display()})
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("suggestion_detail", s.pk)


@require_POST
def forward(request, pk):
    return _step(request, pk, ForwardForm, lambda s, d: actions.do_forward(
        s, to=d["to"], on=d["on"], reply_due=d["reply_due"], acting_user=request.user, ip=client_ip(request)))


@require_POST
def answer(request, pk):
    return _step(request, pk, AnswerForm, lambda s, d: actions.do_answer(
        s, reply=d["reply"], on=d["on"], acting_user=request.user, ip=client_ip(request)))


@require_POST
def decide(request, pk):
    return _step(request, pk, DecideForm, lambda s, d: actions.do_decide(
        s, adopted=d["adopted"], on=d["on"], note=d["note"], acting_user=request.user, ip=client_ip(request)))


def yearly(request):
    """The year's suggestions by field and by where each stands, every cell linked to its list."""
    access.require_reader(request)
    year = year_for(request)
    counts = {(r["field"], r["status"]): r["n"] for r in Suggestion.objects.visible_to(request.user)
              .filter(received_on__year=year).order_by().values("field", "status").annotate(n=Count("pk"))}
    statuses = SuggestionStatus.choices
    base = reverse("suggestion_list")
    rows = []
    for field, label in FIELD_CHOICES:
        cells = [(counts.get((field, st), 0), base + "?" + urlencode({"state": st, "year": year, "field": field}))
                 for st, _l in statuses]
        total = sum(c for c, _u in cells)
        rows.append({"field": label, "cells": cells, "total": total,
                     "url": base + "?" + urlencode({"state": "all", "year": year, "field": field})})
    totals = [sum(r["cells"][i][0] for r in rows) for i in range(len(statuses))]
    today = timezone.localdate()
    return render(request, "activities/yearly.html", {
        "year": year, "rows": rows, "statuses": statuses, "totals": totals, "grand": sum(totals),
        "years": list(range(today.year, today.year - 6, -1))})
