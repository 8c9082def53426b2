"""A request's deadlines, computed from its category policy and its status history.

Pauses are never stored: they are rebuilt from the history every time (the clock stops while the request waits on
the member, and between a resolution and a reopening). So when a policy changes, recomputing an open request with
the new targets keeps every minute it spent paused.
"""

from laogan.lib import sla

from .models import CLOCK_STOPPED, DONE_STATUSES, OPEN_STATUSES, Policy, Status

DEADLINE_FIELDS = ["respond_by", "resolve_by", "due_at", "risk_at", "time_left_when_paused", "missed_response",
                   "missed_resolution"]
NOTIFIED_FIELDS = ["at_risk_notified_at", "breach_notified_at"]


def pauses_of(request, events):
    """Return the pause intervals of a request from its events (in order), as sla.pauses_from gives them."""
    pauses = sla.pauses_from([(e.at, e.to_status) for e in events if e.to_status], CLOCK_STOPPED)
    if request.status in DONE_STATUSES and pauses and pauses[-1][1] is None:
        # A finished request is not paused: its deadline is the one that stood when work stopped. A wait on the
        # member that ran straight into the resolution still counts up to the resolution.
        since = pauses.pop()[0]
        if request.resolved_at and since < request.resolved_at:
            pauses.append((since, request.resolved_at))
    return pauses


def compute(request, events, policy, now):
    """Return {field: value} of the deadline fields for `request` at `now`."""
    calendar = policy.calendar()
    pauses = pauses_of(request, events)
    # Once someone has responded the response clock is done: later pauses do not move its deadline.
    respond_pauses = [p for p in pauses if request.responded_at is None or p[0] < request.responded_at]
    respond = sla.deadline(request.opened_at, policy.respond_target(), calendar, respond_pauses)
    resolve = sla.deadline(request.opened_at, policy.resolve_target(), calendar, pauses)

    is_open = request.status in OPEN_STATUSES
    responded = request.responded_at or now
    finished = request.resolved_at if request.status in DONE_STATUSES else now
    values = {
        "respond_by": respond.due,
        "resolve_by": resolve.due,
        "due_at": None,
        "risk_at": None,
        "time_left_when_paused": resolve.remaining if request.status == Status.WAITING_MEMBER else None,
        "missed_response": respond.due is not None and responded > respond.due,
        # A request closed without a resolution (the member died) missed nothing it could still have met.
        "missed_resolution": resolve.due is not None and finished is not None and finished > resolve.due,
    }
    if is_open:
        current = respond if request.responded_at is None else resolve
        if current.due is not None:  # a stopped clock is neither at risk nor overdue
            values["due_at"], values["risk_at"] = current.due, current.risk
    return values


def refresh_deadlines(request, *, now, events=None, policy=None):
    """Recompute and save the request's deadlines; return the names of the fields that changed.

    When the current deadline moves, the worker's notification claims are cleared so the new deadline gets its own
    at-risk and overdue messages (their dedupe keys name the deadline, so an old one is never sent twice).
    """
    if events is None:
        events = list(request.events.order_by("at", "id"))
    if policy is None:
        policy = Policy.effective(request.centre_id, request.category)
    values = compute(request, events, policy, now)
    changed = [name for name, value in values.items() if getattr(request, name) != value]
    if "due_at" in changed:
        # Written whatever this copy holds: the worker sets these columns on the row, not on our copy.
        for name in NOTIFIED_FIELDS:
            values[name] = None
            changed.append(name)
    for name in changed:
        setattr(request, name, values[name])
    if changed:
        request.save(update_fields=changed)
    return changed
