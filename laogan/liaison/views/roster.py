"""一联多: the roster, balancing, assignment by hand, a liaison's own page and the contacts they log."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from laogan.accounts.actions import client_ip
from laogan.members.models import Member

from .. import access, actions, assignment, roster
from ..forms import AssignForm, BalanceForm, ContactForm, PolicyForm
from ..models import LiaisonPolicy

NEEDS_LIST_LIMIT = 200


def _centre_url(name, centre, **params):
    return reverse(name) + "?" + urlencode({"centre": centre.code, **params})


def roster_page(request):
    access.require_worker(request)
    centre = access.centre_for(request)
    policy = LiaisonPolicy.for_centre(centre)
    now = timezone.now()
    members = Member.objects.visible_to(request.user).filter(centre=centre)
    rows = roster.caseloads(centre, members, policy, now)
    living = members.filter(roster.LIVING).count()
    needing = (members.filter(roster.needs_liaison_q()).select_related("unit", "liaison__unit")
               .order_by("unit__path", "name_pinyin"))
    needing_count = needing.count()
    context = {
        "centre": centre, "centres": list(roster.centres_for(request.user)), "policy": policy, "rows": rows,
        "living": living, "needing": needing[:NEEDS_LIST_LIMIT], "needing_count": needing_count,
        "overdue": members.filter(roster.overdue_q(policy, now)).count(),
        "over": sum(1 for r in rows if r.state == "over"), "under": sum(1 for r in rows if r.state == "under"),
        "is_manager": access.is_manager(request.user),
        "policy_form": PolicyForm(instance=policy) if access.is_manager(request.user) else None,
        "staff_choices": [r.liaison for r in rows] if access.is_manager(request.user) else [],
    }
    return render(request, "liaison/roster.html", context)


@require_POST
def policy_save(request):
    access.require_manager(request)
    centre = access.centre_for(request)
    access.require_centre_manager(request, centre)
    policy = LiaisonPolicy.for_centre(centre)
    form = PolicyForm(request.POST, instance=policy)
    if form.is_valid():
        try:
            actions.do_save_policy(form.save(commit=False), expected_version=form.expected_version,
                                   acting_user=request.user, ip=client_ip(request))
        except actions.StaleEdit as e:
            messages.error(request, str(e))
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("Caseload bounds and contact intervals saved."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(_centre_url("liaison_roster", centre))


def balance(request):
    """Show the balancing form; on POST show the proposal (nothing changes until it is applied)."""
    access.require_manager(request)
    centre = access.centre_for(request)
    access.require_centre_manager(request, centre)
    eligible = list(roster.eligible_liaisons(centre))
    with_members = set(Member.objects.filter(centre=centre, liaison__in=eligible).filter(roster.LIVING)
                       .values_list("liaison_id", flat=True))
    default = [u.pk for u in eligible if u.pk in with_members] or [u.pk for u in eligible]
    form = BalanceForm(request.POST or None, centre=centre, initial={"participants": default})
    draft = None
    if request.method == "POST" and form.is_valid():
        draft = assignment.make(centre, list(form.cleaned_data["participants"]), form.cleaned_data["mode"])
    policy = LiaisonPolicy.for_centre(centre)
    living = Member.objects.filter(centre=centre).filter(roster.LIVING).count()
    context = {"centre": centre, "form": form, "draft": draft, "policy": policy, "living": living,
               "eligible_count": len(eligible), "loads": _load_rows(draft) if draft else []}
    return render(request, "liaison/balance.html", context)


def _load_rows(draft):
    people = {u.pk: u for u in draft.participants}
    return [(people[lid], n) for lid, n in sorted(draft.proposal.loads.items(), key=lambda item: people[item[0]].pk)]


@require_POST
def balance_apply(request):
    access.require_manager(request)
    centre = access.centre_for(request)
    access.require_centre_manager(request, centre)
    try:
        count = actions.do_apply_proposal(centre, request.POST.get("token", ""), acting_user=request.user, ip=client_ip(request))
    except assignment.StaleProposal:
        messages.error(request, _("The roster changed after this proposal was made, or the proposal is too old. "
                                  "Nothing was changed: make a new proposal."))
        return redirect(_centre_url("liaison_balance", centre))
    messages.success(request, _("The new roster is in force: %(n)s members have a new liaison.") % {"n": count})
    return redirect(_centre_url("liaison_roster", centre))


@require_POST
def assign(request, pk):
    member = access.get_member_for_user(request, pk)
    access.require_manager(request)
    form = AssignForm(request.POST, centre=member.centre)
    if form.is_valid():
        liaison = form.cleaned_data["liaison"]
        actions.do_assign_liaison(member, liaison, acting_user=request.user, ip=client_ip(request))
        text = _("%(member)s's liaison is now %(liaison)s.") % {"member": member.name, "liaison": liaison.display_name}
        if request.htmx:
            return render(request, "liaison/_assigned.html", {"member": member, "text": text})
        messages.success(request, text)
    else:
        text = _("Choose a working staff member of this centre.")
        if request.htmx:
            return render(request, "liaison/_assigned.html", {"member": member, "text": text, "error": True})
        messages.error(request, text)
    return redirect(access.safe_next(request, reverse("member_detail", args=[member.pk])))


def staff_page(request, pk):
    """A liaison's members with their last contact, those waiting longest first."""
    access.require_worker(request)
    liaison = access.get_staff_for_user(request, pk)
    centre = liaison.unit.centre
    policy = LiaisonPolicy.for_centre(centre)
    now = timezone.now()
    members = (Member.objects.visible_to(request.user).filter(liaison=liaison).filter(roster.LIVING)
               .select_related("unit").order_by(F("last_contact_at").asc(nulls_first=True), "name_pinyin"))
    rows = [{"member": m, "days": roster.days_since_contact(m, now), "interval": roster.contact_interval(m, policy),
             "overdue": roster.is_overdue(m, policy, now)} for m in members]
    context = {"liaison": liaison, "centre": centre, "rows": rows, "policy": policy,
               "tab": "mine" if liaison.pk == request.user.pk else "roster",
               "eligible": roster.is_eligible(liaison, centre), "overdue": sum(1 for r in rows if r["overdue"])}
    return render(request, "liaison/staff.html", context)


def my_page(request):
    return redirect("liaison_staff", request.user.pk)


def overdue(request):
    """Members not contacted within their interval, per liaison: a liaison sees their own, a secretary everyone's."""
    access.require_worker(request)
    centre = access.centre_for(request)
    policy = LiaisonPolicy.for_centre(centre)
    now = timezone.now()
    members = (Member.objects.visible_to(request.user).filter(centre=centre).filter(roster.overdue_q(policy, now))
               .select_related("unit", "liaison").order_by("liaison__full_name", "liaison_id",
                                                          F("last_contact_at").asc(nulls_first=True), "name_pinyin"))
    if not access.is_manager(request.user):
        members = members.filter(liaison=request.user)
    groups = {}
    for m in members:
        groups.setdefault(m.liaison, []).append({"member": m, "days": roster.days_since_contact(m, now),
                                                 "interval": roster.contact_interval(m, policy)})
    context = {"centre": centre, "policy": policy, "groups": list(groups.items()),
               "total": sum(len(v) for v in groups.values())}
    return render(request, "liaison/overdue.html", context)


def contact(request, pk):
    """Log a call or other contact with a member."""
    access.require_contacter(request)
    member = access.get_member_for_user(request, pk)
    form = ContactForm(request.POST or None)
    back = access.safe_next(request, reverse("member_detail", args=[member.pk]))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_log_contact(member, acting_user=request.user, ip=client_ip(request), **form.cleaned_data)
        except ValidationError as e:
            form.add_error("at", e.messages[0])
        else:
            messages.success(request, _("Contact with %(name)s recorded.") % {"name": member.name})
            return redirect(back)
    logs = member.liaison_contacts.select_related("by")[:10]
    return render(request, "liaison/contact_form.html", {"member": member, "form": form, "logs": logs, "next": back})
