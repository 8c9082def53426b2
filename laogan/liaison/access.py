"""Who may do what in the liaison app, and the scoped look-ups every view goes through.

Anything outside the user's scope is a 404, never a 403, so ids of another centre reveal nothing; a role that may
not use a page at all gets a 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme

from laogan.accounts.models import Role, User
from laogan.members.models import Member

from . import roster

MANAGERS = (Role.ADMIN, Role.SECRETARY)
WORKERS = (Role.ADMIN, Role.SECRETARY, Role.STAFF)
CONTACTERS = (Role.ADMIN, Role.SECRETARY, Role.STAFF, Role.GROUP_LEADER)


def is_worker(user):
    return user.sees_personal_data and user.role in WORKERS


def is_manager(user):
    return user.sees_personal_data and user.role in MANAGERS


def require_worker(request):
    if not is_worker(request.user):
        raise PermissionDenied


def require_manager(request):
    if not is_manager(request.user):
        raise PermissionDenied


def require_centre_manager(request, centre):
    """A secretary or admin whose unit covers the whole centre: centre-wide changes are theirs alone."""
    if not is_manager(request.user) or not centre.path.startswith(request.user.unit.path):
        raise PermissionDenied


def require_contacter(request):
    if not (request.user.sees_personal_data and request.user.role in CONTACTERS):
        raise PermissionDenied


def centre_for(request):
    """Return the centre the page is about: the user's own, or ?centre=CODE among those under their unit."""
    centres = roster.centres_for(request.user)
    code = request.GET.get("centre") or request.POST.get("centre")
    if code:
        centre = centres.filter(code=code).first()
        if centre is None:
            raise Http404
        return centre
    centre = centres.order_by("path").first()
    if centre is None:
        raise Http404
    return centre


def get_member_for_user(request, pk):
    try:
        return Member.objects.visible_to(request.user).select_related("unit", "centre", "liaison__unit").get(pk=pk)
    except Member.DoesNotExist:
        raise Http404 from None


def get_staff_for_user(request, pk):
    """Return a user of one of the centres the requesting user works on (inactive ones too: their members matter)."""
    centre_ids = list(roster.centres_for(request.user).values_list("pk", flat=True))
    try:
        return User.objects.select_related("unit__centre").get(pk=pk, unit__centre_id__in=centre_ids)
    except User.DoesNotExist:
        raise Http404 from None


def safe_next(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default
