"""Who may do what with activities, and the scoped look-ups every view goes through.

Anything outside the user's scope is a 404, never a 403, so ids of another centre reveal nothing; a role that may
not use a page at all (the bureau viewer, who sees figures only) gets a 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from laogan.accounts.models import Role, Unit, UnitKind
from laogan.members.models import Member

from .models import Activity, ActivitySeries, AdvisoryGroup, Suggestion

WORKERS = (Role.ADMIN, Role.SECRETARY, Role.STAFF)


def is_worker(user):
    return user.sees_personal_data and user.role in WORKERS


def require_reader(request):
    if not request.user.sees_personal_data:
        raise PermissionDenied


def require_worker(request):
    if not is_worker(request.user):
        raise PermissionDenied


def centre_for(request):
    """Return the centre a page is about: the one the user sits in, or ?centre=CODE among those under their unit."""
    user = request.user
    if user.unit.centre_id:
        return user.unit.centre
    centres = Unit.objects.visible_to(user).filter(kind=UnitKind.CENTRE)
    code = request.GET.get("centre") or request.POST.get("centre")
    centre = centres.filter(code=code).first() if code else centres.order_by("path").first()
    if centre is None:
        raise Http404
    return centre


def _one(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_activity(request, pk):
    require_reader(request)
    return _one(Activity.objects.visible_to(request.user).select_related("centre", "unit", "series", "created_by"), pk)


def get_series(request, pk):
    require_reader(request)
    return _one(ActivitySeries.objects.visible_to(request.user).select_related("centre", "unit"), pk)


def get_group(request, pk):
    require_reader(request)
    return _one(AdvisoryGroup.objects.visible_to(request.user).select_related("centre"), pk)


def get_suggestion(request, pk):
    require_reader(request)
    return _one(Suggestion.objects.visible_to(request.user).select_related("member__unit", "group", "recorded_by"), pk)


def members_for(request, centre):
    """Return the living members of the centre the user may see, with their units."""
    return (Member.objects.visible_to(request.user).filter(centre=centre).living().select_related("unit")
            .order_by("unit__path", "name_pinyin", "id"))
