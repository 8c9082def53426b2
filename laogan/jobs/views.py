from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render

from laogan.accounts.models import subtree_q

from .models import Heartbeat, JobRun, Message


def outbox(request):
    """Messages the user may read: their own, and for a secretary or admin everything sent within their unit."""
    user = request.user
    messages = Message.objects.select_related("recipient")
    if user.role in ("admin", "secretary") and user.unit_id:
        messages = messages.filter(Q(recipient=user) | subtree_q(user.unit.path))
    else:
        messages = messages.filter(recipient=user)
    page = Paginator(messages, 50).get_page(request.GET.get("page"))
    context = {"page": page, "heartbeat": Heartbeat.latest(), "jobs": JobRun.objects.order_by("name") if user.role == "admin" else []}
    return render(request, "jobs/outbox.html", context)
