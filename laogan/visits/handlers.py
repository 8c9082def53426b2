"""What a life event sets going for visits. Registered from VisitsConfig.ready(); each runs inside the transaction
that records the event, so the event and its visits are stored together or not at all."""

from django.utils import timezone

from laogan.members import events
from laogan.members.models import EventKind, LifeEvent

from . import planning
from .jobs import notify_new_visits
from .models import EVENT_OCCASIONS, CancelCause, PlannedVisit, PlanStatus


def _plan_events(member, start):
    """Plan the member's hospital, follow-up and hardship visits from `start`, and tell the liaison of new ones."""
    today = timezone.localdate()
    result = planning.plan_member(member, start=start, kinds=EVENT_OCCASIONS, today=today)
    keys = [key for _member_id, key in result.created_keys]
    if keys:
        created = PlannedVisit.objects.filter(member_id=member.pk, key__in=keys, status=PlanStatus.OPEN).select_related("member__liaison")
        notify_new_visits(list(created), today)
    return result


def _latest(member, kind, on_or_before):
    return LifeEvent.objects.filter(member=member, kind=kind, date__lte=on_or_before).order_by("-date", "-id").first()


@events.on(EventKind.ADMITTED)
def plan_hospital_visits(event, *, acting_user):
    _plan_events(event.member, event.date)


@events.on(EventKind.DISCHARGED)
def plan_discharge_followup(event, *, acting_user):
    # From the admission: the stay's visits whose windows were still open at discharge are cancelled by the plan.
    admitted = _latest(event.member, EventKind.ADMITTED, event.date)
    _plan_events(event.member, admitted.date if admitted else event.date)


@events.on(EventKind.HARDSHIP_REPORTED)
def plan_hardship_visit(event, *, acting_user):
    _plan_events(event.member, event.date)


@events.on(EventKind.HARDSHIP_RESOLVED)
def drop_resolved_hardship_visit(event, *, acting_user):
    reported = _latest(event.member, EventKind.HARDSHIP_REPORTED, event.date)
    _plan_events(event.member, reported.date if reported else event.date)


@events.on(EventKind.DIED)
def cancel_visits_of_the_deceased(event, *, acting_user):
    planning.cancel_open_visits(event.member, cause=CancelCause.DECEASED,
                                reason=f"老干部已于{planning.day_text(event.date)}去世")
