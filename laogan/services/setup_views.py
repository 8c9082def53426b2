"""A centre's own set-up of requests: its categories, the deadline policy of each, and its partners."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from laogan.accounts.actions import client_ip
from laogan.accounts.models import Role, Unit, UnitKind
from laogan.lib import sla
from laogan.lib.forms import add_errors

from . import actions
from .forms import CategoryForm, PartnerForm, PolicyForm
from .models import Category, Partner, Policy


def _centre_for(request):
    """Return the centre being set up: the user's own, or for a bureau administrator ?centre=CODE in their scope."""
    user = request.user
    if not user.sees_personal_data or user.role not in (Role.SECRETARY, Role.ADMIN):
        raise PermissionDenied
    if user.unit.centre_id:
        return user.unit.centre
    code = request.GET.get("centre") or request.POST.get("centre")
    if not code:
        return None
    try:
        return Unit.objects.visible_to(user).get(code=code, kind=UnitKind.CENTRE)
    except Unit.DoesNotExist:
        raise Http404 from None


def _back(centre):
    return reverse("request_setup") + "?" + urlencode({"centre": centre.code})


def setup(request):
    centre = _centre_for(request)
    if centre is None:
        centres = Unit.objects.visible_to(request.user).filter(kind=UnitKind.CENTRE)
        return render(request, "services/setup.html", {"centre": None, "centres": centres})
    categories = list(Category.objects.for_centre(centre))
    policies = {}
    shipped_first = F("unit_id").asc(nulls_first=True)
    for p in Policy.objects.filter(Q(unit__isnull=True) | Q(unit=centre), category__in=categories).order_by(shipped_first):
        # Shipped first on every database, so a centre's own policy replaces the shipped one.
        policies[p.category_id] = p
    rows = [(c, policies.get(c.pk) or Policy(category=c)) for c in categories]
    context = {"centre": centre, "rows": rows, "partners": Partner.objects.filter(centre=centre),
               "category_form": CategoryForm(), "policy_form": PolicyForm(prefix="policy"),
               "partner_form": PartnerForm(), "calendar_years": _calendar_years()}
    return render(request, "services/setup.html", context)


def _calendar_years():
    from django.utils.timezone import localdate

    year = localdate().year
    return [(y, sla.calendar_knows(y)) for y in (year, year + 1)]


def policy_edit(request, category_id):
    centre = _centre_for(request)
    if centre is None:
        raise Http404
    try:
        category = Category.objects.for_centre(centre).get(pk=category_id)
    except Category.DoesNotExist:
        raise Http404 from None
    current = Policy.effective(centre.pk, category)
    form = PolicyForm(request.POST or None, instance=Policy(**{f: getattr(current, f) for f in actions.POLICY_FIELDS}))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_policy(centre, category, form.cleaned_data, acting_user=request.user, ip=client_ip(request))
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The deadlines of %(category)s are saved; open requests follow them now.") % {
                "category": category.name})
            return redirect(_back(centre))
    return render(request, "services/policy_form.html", {"form": form, "category": category, "centre": centre,
                                                          "current": current})


def category_create(request):
    centre = _centre_for(request)
    if centre is None or request.method != "POST":
        raise Http404
    form = CategoryForm(request.POST)
    policy_form = PolicyForm(request.POST, prefix="policy")
    if form.is_valid() and policy_form.is_valid():
        d = form.cleaned_data
        try:
            category = actions.do_create_category(centre, code=d["code"], name=d["name"], order=d["order"],
                                                  acting_user=request.user, ip=client_ip(request))
            actions.do_save_policy(centre, category, policy_form.cleaned_data, acting_user=request.user, ip=client_ip(request))
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Category %(name)s added.") % {"name": category.name})
            return redirect(_back(centre))
    return render(request, "services/category_form.html", {"form": form, "policy_form": policy_form, "centre": centre}, status=400)


def partner_edit(request, partner_id=None):
    centre = _centre_for(request)
    if centre is None:
        raise Http404
    partner = None
    if partner_id is not None:
        try:
            partner = Partner.objects.get(pk=partner_id, centre=centre)
        except Partner.DoesNotExist:
            raise Http404 from None
    elif request.method != "POST":
        raise Http404
    form = PartnerForm(request.POST or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.do_save_partner(centre, name=d["name"], kind=d["kind"], phone=d["phone"], partner=partner,
                                    acting_user=request.user, ip=client_ip(request))
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Partner %(name)s saved.") % {"name": d["name"]})
            return redirect(_back(centre))
    return render(request, "services/partner_form.html", {"form": form, "partner": partner, "centre": centre},
                  status=400 if request.method == "POST" else 200)
