from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from laogan.accounts.actions import client_ip, record_audit
from laogan.accounts.models import AuditAction, Unit, UnitKind, User, subtree_q
from laogan.members.models import Member
from laogan.reports.scope import year_for

from . import actions, ledger
from .forms import (
    AttendeesForm, BudgetForm, CancelForm, FestivalForm, GiftFormSet, RecordVisitForm, ReverseForm, RulesForm,
    gift_lines, planned_choices,
)
from .models import (
    DEFAULT_FESTIVALS, Festival, MoneyEntry, Occasion, PlannedVisit, PlanStatus, VisitAttendance, VisitForm,
    VisitRecord, VisitRules, may_keep_ledger, may_set_rules,
)

# A gathering page lists every living member of the chosen unit as a checkbox; beyond this, pick a party group.
GATHERING_LIST_LIMIT = 400


def _require_personal(request):
    if not request.user.sees_personal_data:
        raise PermissionDenied


def _get_planned_for_user(request, pk):
    try:
        return PlannedVisit.objects.visible_to(request.user).select_related("member__unit", "member__centre", "festival").get(pk=pk)
    except (PlannedVisit.DoesNotExist, ValueError):
        raise Http404 from None


def _get_member_for_user(request, pk):
    try:
        return Member.objects.visible_to(request.user).select_related("unit", "centre").get(pk=pk)
    except (Member.DoesNotExist, ValueError):
        raise Http404 from None


def _get_record_for_user(request, pk):
    try:
        return VisitRecord.objects.visible_to(request.user).select_related("festival", "recorded_by").get(pk=pk)
    except VisitRecord.DoesNotExist:
        raise Http404 from None


def _get_money_entry_for_user(request, pk):
    try:
        return MoneyEntry.objects.visible_to(request.user).select_related("member", "reverses").get(pk=pk)
    except MoneyEntry.DoesNotExist:
        raise Http404 from None


def _centre_for(request):
    """Return the centre named by ?centre=CODE, else the user's own; 404 outside the user's subtree."""
    centres = Unit.objects.visible_to(request.user).filter(kind=UnitKind.CENTRE)
    code = request.GET.get("centre")
    if code:
        centre = centres.filter(code=code).first()
    elif request.user.unit.centre_id:
        centre = request.user.unit.centre
    else:
        centre = centres.order_by("path").first()
    if centre is None:
        raise Http404
    return centre


# -- work lists ----------------------------------------------------------------------------------------------------

def worklist(request):
    """A liaison's visits: overdue, due this week, done lately. ?who=all shows everyone's (?liaison=ID|none)."""
    _require_personal(request)
    user, today = request.user, timezone.localdate()
    who = request.GET.get("who") or ("mine" if user.role == "staff" and not request.GET.get("liaison") else "all")
    visits = PlannedVisit.objects.visible_to(user)
    liaison = None
    if who == "mine":
        visits = visits.for_liaison(user)
    elif request.GET.get("liaison") == "none":
        visits, liaison = visits.filter(member__liaison__isnull=True), "none"
    elif request.GET.get("liaison"):
        liaison = User.objects.visible_to(user).filter(pk=request.GET["liaison"] if request.GET["liaison"].isdigit() else 0).first()
        if liaison is None:
            raise Http404
        visits = visits.filter(member__liaison=liaison)
    order = ("due_date", "member__name_pinyin", "id")
    related = ("member", "festival")
    context = {
        "who": who, "liaison": liaison, "today": today, "week_end": today + timedelta(days=6),
        "overdue": list(visits.overdue(today).select_related(*related).order_by(*order)[:200]),
        "week": list(visits.due_within(today, 6).select_related(*related).order_by(*order)[:200]),
        "done": list(visits.filter(status=PlanStatus.DONE, done_on__gte=today - timedelta(days=13))
                     .select_related(*related).order_by("-done_on", "id")[:50]),
    }
    return render(request, "visits/worklist.html", context)


def team(request):
    """Everyone's visits per liaison: due this week, overdue and done this year, for the secretary."""
    _require_personal(request)
    user, today = request.user, timezone.localdate()
    open_ = Q(status=PlanStatus.OPEN)
    counts = (
        PlannedVisit.objects.visible_to(user)
        # Open rows (partial index) and this year's done ones: years of history are never counted here.
        .filter(Q(status=PlanStatus.OPEN) | Q(status=PlanStatus.DONE, done_on__gte=date(today.year, 1, 1)))
        .order_by().values("member__liaison")
        .annotate(week=Count("pk", filter=open_ & Q(window_end__gte=today, window_start__lte=today + timedelta(days=6))),
                  overdue=Count("pk", filter=open_ & Q(window_end__lt=today)),
                  done=Count("pk", filter=Q(status=PlanStatus.DONE, done_on__gte=date(today.year, 1, 1))))
    )
    caseload = dict(Member.objects.visible_to(user).living().order_by().values("liaison").annotate(n=Count("pk"))
                    .values_list("liaison", "n"))
    counts = list(counts)
    users = User.objects.in_bulk([c["member__liaison"] for c in counts if c["member__liaison"]])
    rows = [{"liaison": users.get(c["member__liaison"]), "members": caseload.get(c["member__liaison"], 0), **c}
            for c in counts]
    rows.sort(key=lambda r: (-r["overdue"], -r["week"], r["liaison"].display_name if r["liaison"] else "~"))
    totals = {k: sum(r[k] for r in rows) for k in ("week", "overdue", "done")}
    return render(request, "visits/team.html", {"rows": rows, "totals": totals, "today": today})


def member_visits(request, pk):
    """One member's planned visits (with their outcome) and the visits made to them."""
    _require_personal(request)
    member = _get_member_for_user(request, pk)
    planned = member.planned_visits.select_related("festival", "attendance").order_by("-due_date", "-id")[:60]
    attended = (VisitAttendance.objects.filter(member=member).select_related("record__festival")
                .order_by("-visited_on", "-id")[:60])
    context = {"member": member, "planned": planned, "attended": attended, "today": timezone.localdate(),
               "can_cancel": may_keep_ledger(request.user)}
    return render(request, "visits/member_visits.html", context)


@require_POST
def cancel_planned(request, pk):
    planned = _get_planned_for_user(request, pk)
    if not may_keep_ledger(request.user):
        raise PermissionDenied
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            actions.do_cancel_planned_visit(planned, reason=form.cleaned_data["reason"], acting_user=request.user,
                                            ip=client_ip(request))
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("The planned visit is cancelled."))
    else:
        messages.error(request, _("Say why the visit is cancelled."))
    return redirect("visit_member", planned.member_id)


# -- recording -----------------------------------------------------------------------------------------------------

_DEFAULT_FORM = {Occasion.HOSPITAL: VisitForm.HOSPITAL, Occasion.HOSPITAL_FOLLOWUP: VisitForm.PHONE}


def record_visit(request):
    """Record a visit to one member, from a planned visit (?planned=ID) or for a member (?member=ID)."""
    _require_personal(request)
    params = request.GET  # the page's subject; the form posts back to the same URL
    planned = _get_planned_for_user(request, params["planned"]) if params.get("planned", "").isdigit() else None
    if planned is None and not params.get("member"):
        raise Http404
    member = planned.member if planned else _get_member_for_user(request, params["member"])
    today = timezone.localdate()
    choices = planned_choices(member, today)
    initial = {}
    if planned:
        initial = {"occasion": planned.kind, "festival": planned.festival_id, "planned": str(planned.pk),
                   "form": _DEFAULT_FORM.get(planned.kind, VisitForm.HOME), "cake_ordered": planned.wants_cake}
        if planned.status != PlanStatus.OPEN:
            choices.append((str(planned.pk), f"{planned.occasion_label} · {planned.due_date:%Y-%m-%d}"))
    form = RecordVisitForm(request.POST or None, request.FILES or None, centre=member.centre, acting_user=request.user,
                           planned_choices=choices, initial=initial)
    gifts = GiftFormSet(request.POST or None, prefix="gifts")
    if request.method == "POST" and form.is_valid() and gifts.is_valid():
        d = form.cleaned_data
        chosen = d.get("planned") or "auto"
        target = None
        if chosen.isdigit():
            target = PlannedVisit.objects.filter(member=member, pk=int(chosen)).select_related("festival").first()
        try:
            record, fulfilled = actions.do_record_visit(
                [member], planned=target, auto_match=chosen == "auto", acting_user=request.user, ip=client_ip(request),
                gifts=gift_lines(gifts), **_visit_fields(d),
            )
        except ValidationError as e:
            form.add_error(None, e)
        else:
            _say_recorded(request, record, fulfilled)
            return redirect(_after_record(request))
    context = {"form": form, "gifts": gifts, "member": member, "planned": planned}
    return render(request, "visits/record.html", context)


def gathering(request):
    """Record one gathering (座谈会, 茶话会, collective birthday) once for all the members who attended."""
    _require_personal(request)
    centre = _centre_for(request)
    units = Unit.objects.visible_to(request.user).subtree(centre).filter(kind__in=[UnitKind.BRANCH, UnitKind.GROUP])
    unit = units.filter(code=request.GET.get("unit")).first() if request.GET.get("unit") else None
    members = Member.objects.visible_to(request.user).living().filter(centre=centre).select_related("unit")
    if unit is not None:
        members = members.filter(subtree_q(unit.path))
    too_many = unit is None and members.count() > GATHERING_LIST_LIMIT
    attendees = AttendeesForm(request.POST or None, members=members)
    form = RecordVisitForm(request.POST or None, request.FILES or None, centre=centre, acting_user=request.user,
                           gathering=True, initial={"form": VisitForm.GATHERING, "occasion": Occasion.FESTIVAL})
    gifts = GiftFormSet(request.POST or None, prefix="gifts")
    if request.method == "POST" and attendees.is_valid() and form.is_valid() and gifts.is_valid():
        try:
            record, fulfilled = actions.do_record_visit(
                list(attendees.cleaned_data["members"]), acting_user=request.user, ip=client_ip(request),
                gifts=gift_lines(gifts), title=form.cleaned_data["title"], **_visit_fields(form.cleaned_data),
            )
        except ValidationError as e:
            form.add_error(None, e)
        else:
            _say_recorded(request, record, fulfilled)
            return redirect("visit_record_detail", record.pk)
    context = {"form": form, "gifts": gifts, "attendees": attendees, "centre": centre, "units": units, "unit": unit,
               "too_many": too_many}
    return render(request, "visits/gathering.html", context)


def _visit_fields(d):
    return {
        "visited_at": d["visited_at"], "form": d["form"], "occasion": d["occasion"], "festival": d.get("festival"),
        "visitors": list(d["visitors"]), "partner_units": d["partner_units"], "place": d["place"], "notes": d["notes"],
        "condolence_amount": d.get("condolence_amount"), "condolence_by": d["condolence_by"],
        "cake_ordered": d["cake_ordered"], "cake_delivered": d["cake_delivered"], "photos": d["photos"],
    }


def _say_recorded(request, record, fulfilled):
    if fulfilled:
        messages.success(request, ngettext("Visit recorded; it fulfils %(n)s planned visit.",
                                           "Visit recorded; it fulfils %(n)s planned visits.", len(fulfilled)) % {"n": len(fulfilled)})
    else:
        messages.success(request, _("Visit recorded (no planned visit matched)."))


def _after_record(request):
    back = request.POST.get("next", "")
    return back if back.startswith("/visits/") and "//" not in back else reverse("visit_worklist")


def record_list(request):
    _require_personal(request)
    user = request.user
    records = (VisitRecord.objects.visible_to(user).select_related("festival").annotate(n=Count("attendances"))
               .order_by("-visited_at", "-id"))
    form = request.GET.get("form")
    if form in VisitForm.values:
        records = records.filter(form=form)
    seen = VisitAttendance.objects.filter(subtree_q(user.unit.path, "member__unit_path")).select_related("member")
    records = records.prefetch_related(Prefetch("attendances", queryset=seen, to_attr="seen"))
    page = Paginator(records, 30).get_page(request.GET.get("page"))
    return render(request, "visits/record_list.html", {"page": page, "form_filter": form, "forms": VisitForm.choices})


def record_detail(request, pk):
    _require_personal(request)
    record = _get_record_for_user(request, pk)
    seen = record.attendances.filter(subtree_q(request.user.unit.path, "member__unit_path")).select_related("member", "planned")
    context = {"record": record, "attendances": seen, "visitors": record.visitors.all(), "photos": record.photos.all(),
               "money": record.money.select_related("member").order_by("id"), "hidden": record.attendances.count() - len(seen)}
    return render(request, "visits/record_detail.html", context)


def record_photo(request, pk, photo_pk):
    _require_personal(request)
    record = _get_record_for_user(request, pk)
    photo = record.photos.filter(pk=photo_pk).first()
    if photo is None:
        raise Http404
    return FileResponse(photo.image.open("rb"), content_type="image/jpeg")


# -- ledger --------------------------------------------------------------------------------------------------------

def _require_ledger(request):
    if not may_keep_ledger(request.user):
        raise PermissionDenied


def ledger_view(request):
    _require_ledger(request)
    centre, year = _centre_for(request), year_for(request)
    page = Paginator(ledger.entries(centre, year).order_by("-date", "-id"), 50).get_page(request.GET.get("page"))
    s = ledger.summary(centre, year)
    context = {"summary": s, "centre": centre, "year": year, "page": page,
               "budget_form": BudgetForm(initial={"amount": s.budget}),
               "years": list(range(timezone.localdate().year + 1, timezone.localdate().year - 5, -1))}
    return render(request, "visits/ledger.html", context)


def ledger_export(request):
    _require_ledger(request)
    centre, year = _centre_for(request), year_for(request)
    content = ledger.workbook(centre, year)
    members = ledger.entries(centre, year).exclude(member=None).values_list("member_id", flat=True).distinct()
    record_audit(request.user, AuditAction.EXPORT, centre, detail=f"visits money ledger {year} xlsx", ip=client_ip(request),
                 subjects=sorted(set(members)))  # for each member's personal-data access report
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{centre.code}-{year}-visits-ledger.xlsx"'
    return response


@require_POST
def ledger_budget(request):
    _require_ledger(request)
    centre, year = _centre_for(request), year_for(request)
    form = BudgetForm(request.POST)
    if form.is_valid():
        actions.do_set_budget(centre, year, form.cleaned_data["amount"], acting_user=request.user, ip=client_ip(request))
        messages.success(request, _("The budget is saved."))
    else:
        messages.error(request, _("Give the budget as an amount in yuan."))
    return redirect(reverse("visit_ledger") + "?" + urlencode({"centre": centre.code, "year": year}))


def ledger_reverse(request, pk):
    _require_ledger(request)
    entry = _get_money_entry_for_user(request, pk)
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_reverse_money_entry(entry, reason=form.cleaned_data["reason"], acting_user=request.user,
                                           ip=client_ip(request))
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, _("The entry is reversed."))
            return redirect(reverse("visit_ledger") + "?" + urlencode({"centre": entry.centre.code, "year": entry.date.year}))
    return render(request, "visits/ledger_reverse.html", {"entry": entry, "form": form})


# -- rules ---------------------------------------------------------------------------------------------------------

def _require_rules(request):
    if not may_set_rules(request.user):
        raise PermissionDenied


def rules_view(request):
    _require_rules(request)
    centre = _centre_for(request)
    stored = VisitRules.objects.filter(centre=centre).first()
    status = 200
    if request.method == "POST":
        # Unsaved defaults until the form is valid: a refused form stores nothing (not even the default rules).
        form = RulesForm(request.POST, instance=stored or VisitRules(centre=centre))
        if form.is_valid():
            try:
                actions.do_save_rules(centre, values={f: form.cleaned_data[f] for f in RulesForm.Meta.fields},
                                      expected_version=form.expected_version, acting_user=request.user,
                                      ip=client_ip(request))
            except actions.StaleEdit as e:
                messages.error(request, str(e))
                status = 409
            else:
                messages.success(request, _("The visit rules are saved; coming visits are planned by them."))
                return redirect(reverse("visit_rules") + "?" + urlencode({"centre": centre.code}))
    else:
        # Reading the page writes nothing: a centre without stored rules sees the defaults it would get.
        form = RulesForm(instance=stored or VisitRules(centre=centre))
    festivals = list(Festival.objects.filter(centre=centre)) if stored else []
    context = {"form": form, "centre": centre, "festivals": festivals, "stored": stored is not None,
               "defaults": DEFAULT_FESTIVALS}
    return render(request, "visits/rules.html", context, status=status)


def festival_edit(request, pk=None):
    _require_rules(request)
    if pk is None:
        centre = _centre_for(request)
        festival, before = Festival(centre=centre), None
    else:
        festival = Festival.objects.filter(pk=pk, centre__in=Unit.objects.visible_to(request.user)).select_related("centre").first()
        if festival is None:
            raise Http404
        centre, before = festival.centre, {f: getattr(festival, f) for f in FestivalForm.Meta.fields}
    form = FestivalForm(request.POST or None, instance=festival)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_festival(form.save(commit=False), before=before, expected_version=form.expected_version,
                                     acting_user=request.user, ip=client_ip(request))
        except actions.StaleEdit as e:
            messages.error(request, str(e))
            status = 409
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, _("The festival is saved; coming festival visits are planned by it."))
            return redirect(reverse("visit_rules") + "?" + urlencode({"centre": centre.code}))
    return render(request, "visits/festival_form.html", {"form": form, "festival": festival, "centre": centre},
                  status=status)
