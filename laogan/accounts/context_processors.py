from django.conf import settings

from laogan.jobs.models import Heartbeat


def laogan(request):
    """Add the worker warning to every staff page: a silent scheduler must never go unnoticed."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"worker_stale": Heartbeat.is_stale(), "service_hotline": settings.LAOGAN_SERVICE_HOTLINE}
