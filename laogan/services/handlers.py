"""What a life event sets going for service requests. Registered from ServicesConfig.ready(); runs inside the
transaction that records the event."""

from laogan.members import events
from laogan.members.models import EventKind

from .actions import do_close_after_death


@events.on(EventKind.DIED)
def close_open_requests(event, *, acting_user):
    do_close_after_death(event.member, died_on=event.date, acting_user=acting_user)
