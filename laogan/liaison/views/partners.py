"""一联一 group pairings and 多联一 partner units: commitments, the joint activities that fulfil them, the yearly view."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from laogan.accounts.actions import client_ip
from laogan.accounts.models import Role, User, subtree_q
from laogan.members.models import Member
from laogan.lib.forms import add_errors

from .. import access, actions, roster
from ..forms import ActivityForm, CommitmentForm, PairingForm, PartnerForm, PhotoForm
from ..models import ActivityPhoto, Commitment, GroupPairing, JointActivity, PairingSide, PartnerUnit
from ..yearly import partner_year


def _get_partner_for_user(request, pk):
    try:
        return PartnerUnit.objects.visible_to(request.user).select_related("centre").get(pk=pk)
    except PartnerUnit.DoesNotExist:
        raise Http404 from None


def _get_pairing_for_user(request, pk):
    try:
        return GroupPairing.objects.visible_to(request.user).select_related("centre").get(pk=pk)
    except GroupPairing.DoesNotExist:
        raise Http404 from None


def _get_commitment_for_user(request, pk):
    try:
        return Commitment.objects.select_related("partner__centre").get(
            pk=pk, partner__in=PartnerUnit.objects.visible_to(request.user))
    except Commitment.DoesNotExist:
        raise Http404 from None


def _get_activity_for_user(request, pk):
    try:
        return JointActivity.objects.select_related("partner__centre", "commitment", "recorded_by").get(
            pk=pk, partner__in=PartnerUnit.objects.visible_to(request.user))
    except JointActivity.DoesNotExist:
        raise Http404 from None


def _stale(request, error):
    """Someone saved the row since the form was read: nothing was written; the form comes back as it was typed."""
    messages.error(request, str(error))
    return 409


# -- 一联一 --------------------------------------------------------------------------------------------------------

def _side_size(unit, side):
    if side == PairingSide.STAFF:
        return User.objects.filter(subtree_q(unit.path, "unit__path"), is_active=True,
                                   role__in=[Role.STAFF, Role.SECRETARY]).count()
    return Member.objects.in_unit(unit).filter(roster.LIVING).count()


def pairings(request):
    access.require_worker(request)
    centre = access.centre_for(request)
    today = timezone.localdate()
    rows = []
    # A centre has a handful of pairings: counting each side is two small queries per pairing.
    for p in GroupPairing.objects.visible_to(request.user).filter(centre=centre).select_related("first_unit", "second_unit"):
        rows.append({"pairing": p, "current": p.is_current(today),
                     "first_size": _side_size(p.first_unit, p.first_side),
                     "second_size": _side_size(p.second_unit, p.second_side)})
    context = {"centre": centre, "centres": list(roster.centres_for(request.user)), "rows": rows,
               "is_manager": access.is_manager(request.user)}
    return render(request, "liaison/pairings.html", context)


def pairing_form(request, pk=None):
    # Out-of-scope ids are a 404 for everyone, before any role check.
    pairing = _get_pairing_for_user(request, pk) if pk else None
    access.require_manager(request)
    centre = pairing.centre if pairing else access.centre_for(request)
    access.require_centre_manager(request, centre)
    initial = {} if pairing else {"first_name": "在职党员干部组", "second_name": "离休党员干部组", "started_on": timezone.localdate()}
    form = PairingForm(request.POST or None, instance=pairing, centre=centre, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_pairing(form.save(commit=False), expected_version=form.expected_version,
                                    acting_user=request.user, ip=client_ip(request))
        except actions.StaleEdit as e:
            status = _stale(request, e)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Pairing saved."))
            return redirect(reverse("liaison_pairings") + f"?centre={centre.code}")
    return render(request, "liaison/form.html", {"form": form, "centre": centre, "tab": "pairings",
                                                 "title": _("Group pairing (一联一)"), "back": reverse("liaison_pairings")},
                  status=status)


# -- 多联一 --------------------------------------------------------------------------------------------------------

def partners(request):
    """The partner units with this year's (or ?year=) commitments: planned, done, and what is still open."""
    access.require_worker(request)
    centre = access.centre_for(request)
    today = timezone.localdate()
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= today.year + 1 else today.year
    years = partner_year(PartnerUnit.objects.visible_to(request.user).filter(centre=centre), year, today)
    context = {"centre": centre, "centres": list(roster.centres_for(request.user)), "year": year, "years": years,
               "planned": sum(p.planned for p in years), "done": sum(p.done for p in years),
               "open": sum(p.planned - p.done for p in years),
               "previous": year - 1, "next": year + 1 if year < today.year else None,
               "is_manager": access.is_manager(request.user), "today": today}
    return render(request, "liaison/partners.html", context)


def partner_detail(request, pk):
    access.require_worker(request)
    partner = _get_partner_for_user(request, pk)
    context = {"partner": partner, "centre": partner.centre, "commitments": partner.commitments.all(),
               "activities": partner.activities.select_related("commitment")[:100],
               "is_manager": access.is_manager(request.user), "this_year": timezone.localdate().year}
    return render(request, "liaison/partner_detail.html", context)


def partner_form(request, pk=None):
    partner = _get_partner_for_user(request, pk) if pk else None
    access.require_manager(request)
    centre = partner.centre if partner else access.centre_for(request)
    access.require_centre_manager(request, centre)
    form = PartnerForm(request.POST or None, instance=partner, centre=centre)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            partner = actions.do_save_partner(form.save(commit=False), expected_version=form.expected_version,
                                              acting_user=request.user, ip=client_ip(request))
        except actions.StaleEdit as e:
            status = _stale(request, e)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": partner.name})
            return redirect("liaison_partner", partner.pk)
    back = reverse("liaison_partner", args=[partner.pk]) if partner else reverse("liaison_partners")
    return render(request, "liaison/form.html", {"form": form, "centre": centre, "tab": "partners",
                                                 "title": _("Partner unit (多联一)"), "back": back}, status=status)


def commitment_form(request, partner_pk=None, pk=None):
    commitment = _get_commitment_for_user(request, pk) if pk else None
    partner = commitment.partner if commitment else _get_partner_for_user(request, partner_pk)
    access.require_centre_manager(request, partner.centre)
    form = CommitmentForm(request.POST or None, instance=commitment, partner=partner)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_commitment(form.save(commit=False), expected_version=form.expected_version,
                                       acting_user=request.user, ip=client_ip(request))
        except actions.StaleEdit as e:
            status = _stale(request, e)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Commitment saved."))
            return redirect("liaison_partner", partner.pk)
    return render(request, "liaison/form.html", {
        "form": form, "centre": partner.centre, "tab": "partners", "back": reverse("liaison_partner", args=[partner.pk]),
        "title": _("Yearly commitment of %(name)s") % {"name": partner.name}}, status=status)


def activity_form(request, partner_pk=None, pk=None):
    activity = _get_activity_for_user(request, pk) if pk else None
    partner = activity.partner if activity else _get_partner_for_user(request, partner_pk)
    access.require_worker(request)
    initial = {}
    if not activity and request.GET.get("commitment", "").isdigit():
        initial["commitment"] = int(request.GET["commitment"])
        commitment = partner.commitments.filter(pk=initial["commitment"]).first()
        if commitment:
            initial["title"] = commitment.title
    form = ActivityForm(request.POST or None, request.FILES or None, instance=activity, partner=partner, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            activity = actions.do_record_joint_activity(form.save(commit=False), photos=form.cleaned_data["photos"],
                                                        expected_version=form.expected_version,
                                                        acting_user=request.user, ip=client_ip(request))
        except actions.StaleEdit as e:
            status = _stale(request, e)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Activity recorded."))
            return redirect("liaison_activity", activity.pk)
    return render(request, "liaison/form.html", {
        "form": form, "centre": partner.centre, "tab": "partners", "multipart": True,
        "back": reverse("liaison_partner", args=[partner.pk]),
        "title": _("Joint activity with %(name)s") % {"name": partner.name}}, status=status)


def activity_detail(request, pk):
    access.require_worker(request)
    activity = _get_activity_for_user(request, pk)
    context = {"activity": activity, "partner": activity.partner, "centre": activity.partner.centre,
               "photos": activity.photos.all(), "photo_form": PhotoForm()}
    return render(request, "liaison/activity_detail.html", context)


@require_POST
def activity_photos(request, pk):
    access.require_worker(request)
    activity = _get_activity_for_user(request, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        actions.do_add_activity_photos(activity, form.cleaned_data["photos"], acting_user=request.user, ip=client_ip(request))
        messages.success(request, _("Photos added."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("liaison_activity", activity.pk)


def photo(request, pk):
    access.require_worker(request)
    try:
        item = ActivityPhoto.objects.get(pk=pk, activity__partner__in=PartnerUnit.objects.visible_to(request.user))
    except ActivityPhoto.DoesNotExist:
        raise Http404 from None
    return FileResponse(item.image.open("rb"), content_type="image/jpeg")
