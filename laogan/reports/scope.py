"""Which unit a figures page is about, and what the user may open there."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.timezone import localdate

from laogan.accounts.models import Unit
from laogan.lib.figures import Period


def unit_for(request, code=None):
    """Return the unit named by ?unit=CODE (default: the user's own), or 404 when it is outside their subtree."""
    code = code or request.GET.get("unit")
    if not code:
        if request.user.unit_id is None:
            raise PermissionDenied
        return request.user.unit
    try:
        return Unit.objects.visible_to(request.user).get(code=code)
    except Unit.DoesNotExist:
        raise Http404 from None


def year_for(request):
    raw = request.GET.get("year") or ""
    today = localdate()
    if not raw:
        return today.year
    if not raw.isdigit() or not (2000 <= int(raw) <= today.year + 1):
        raise Http404
    return int(raw)


def period_for(request):
    """Return the period of ?from=&to= (ISO dates), else of ?year=, else the year so far."""
    try:
        start = date.fromisoformat(request.GET["from"])
        end = date.fromisoformat(request.GET["to"])
    except (KeyError, ValueError):
        year = year_for(request)
        today = localdate()
        return Period.year_to_date(today) if year == today.year else Period.year(year)
    if end < start or (end - start).days > 3700:
        raise Http404
    return Period(start, end, f"{start:%Y-%m-%d}至{end:%Y-%m-%d}")


def may_open_records(user):
    """Bureau viewers see numbers only; the records behind them are personal data."""
    return user.sees_personal_data
