"""The liaison roster read from the database: who may be a liaison, caseloads, members who need a liaison, and
members not contacted for too long. Member queries live here because `members` knows nothing of liaison work."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, F, Q

from laogan.accounts.models import Role, Unit, UnitKind, User, subtree_q
from laogan.members.models import Status

# A member's liaison must still be a working staff member of the member's own centre; anything else (disabled,
# moved to another centre, given another role) leaves the member in need of a new liaison.
HAS_ELIGIBLE_LIAISON = Q(liaison__is_active=True, liaison__role=Role.STAFF, liaison__unit__path__startswith=F("centre__path"))
LIVING = ~Q(status=Status.DECEASED)


def needs_liaison_q():
    """Return a Q for living members with no liaison, or with one who may no longer be their liaison."""
    return LIVING & (Q(liaison__isnull=True) | ~HAS_ELIGIBLE_LIAISON)


def orphaned_q():
    """Return a Q for living members whose liaison was disabled, moved away or changed role."""
    return LIVING & Q(liaison__isnull=False) & ~HAS_ELIGIBLE_LIAISON


def eligible_liaisons(centre):
    """Return the users who may be liaisons of the centre's members: its active staff."""
    return User.objects.filter(subtree_q(centre.path, "unit__path"), is_active=True, role=Role.STAFF).order_by("id")


def is_eligible(user, centre):
    return (user is not None and user.is_active and user.role == Role.STAFF and user.unit_id is not None
            and user.unit.path.startswith(centre.path))


def centres_for(user):
    """Return the centres whose roster the user works on: the one they sit in, or those under their unit."""
    if not user.is_authenticated or user.unit_id is None:
        return Unit.objects.none()
    if user.unit.centre_id:
        return Unit.objects.filter(pk=user.unit.centre_id)
    return Unit.objects.visible_to(user).filter(kind=UnitKind.CENTRE)


# Members in hospital or living alone are contacted more often.
PRIORITY = Q(status=Status.IN_HOSPITAL) | Q(lives_alone=True)


def overdue_q(policy, now):
    """Return a Q for living members not contacted within the policy's interval (never contacted counts)."""
    priority = PRIORITY
    return LIVING & (
        Q(last_contact_at__isnull=True)
        | (priority & Q(last_contact_at__lt=now - timedelta(days=policy.priority_contact_days)))
        | (~priority & Q(last_contact_at__lt=now - timedelta(days=policy.contact_days)))
    )


def contact_interval(member, policy):
    """Return the days within which this member should be contacted."""
    if member.status == Status.IN_HOSPITAL or member.lives_alone:
        return policy.priority_contact_days
    return policy.contact_days


def is_overdue(member, policy, now):
    """Return whether a living member's last contact is older than their interval (the same rule as overdue_q)."""
    if member.status == Status.DECEASED:
        return False
    if member.last_contact_at is None:
        return True
    return member.last_contact_at < now - timedelta(days=contact_interval(member, policy))


def days_since_contact(member, now):
    if member.last_contact_at is None:
        return None
    return (now - member.last_contact_at).days


@dataclass
class CaseloadRow:
    liaison: User
    members: int
    overdue: int
    state: str  # "ok", "over", "under", "none"


def caseloads(centre, members, policy, now):
    """Return a row per eligible liaison of the centre (with the living `members` each looks after) in 2 queries."""
    counts = {
        row["liaison_id"]: row
        for row in members.filter(LIVING, liaison__isnull=False).order_by().values("liaison_id").annotate(
            n=Count("id"), overdue=Count("id", filter=overdue_q(policy, now)))
    }
    rows = []
    for liaison in eligible_liaisons(centre).select_related("unit"):
        row = counts.get(liaison.pk, {"n": 0, "overdue": 0})
        n = row["n"]
        if n == 0:
            state = "none"
        elif n > policy.max_caseload:
            state = "over"
        elif n < policy.min_caseload:
            state = "under"
        else:
            state = "ok"
        rows.append(CaseloadRow(liaison, n, row["overdue"], state))
    return rows

