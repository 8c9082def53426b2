"""A balancing proposal for one centre: made from the database, shown for approval, carried to approval in a
signed form field (nothing is stored until it is applied), and checked against the roster again when applied."""

from dataclasses import dataclass

from django.core import signing

from laogan.members.models import Member

from . import balancing, roster
from .models import LiaisonPolicy

SALT = "laogan.liaison.proposal"
MAX_AGE = 2 * 60 * 60  # a proposal older than two hours is made again rather than trusted


class StaleProposal(Exception):
    """The proposal no longer matches the roster (someone changed it meanwhile) or was tampered with."""


@dataclass
class Move:
    member: Member
    old: object  # User or None
    new: object  # User


@dataclass
class Draft:
    centre: object
    mode: str
    proposal: balancing.Proposal
    participants: list  # Users taking part
    moves: list  # Move rows, for display
    token: str  # the signed form of the changes


def make(centre, participants, mode):
    """Return a Draft proposal for the centre's living members among `participants` (eligible Users)."""
    policy = LiaisonPolicy.for_centre(centre)
    eligible = {u.pk: u for u in roster.eligible_liaisons(centre).select_related("unit")}
    participants = [u for u in participants if u.pk in eligible]
    members = list(Member.objects.filter(centre=centre).filter(roster.LIVING).select_related("liaison", "unit").order_by("id"))
    slots = [balancing.Slot(m.pk, m.unit_id, m.liaison_id if m.liaison_id in eligible else None) for m in members]
    proposal = balancing.propose(slots, [u.pk for u in participants], balancing.Bounds(policy.min_caseload, policy.max_caseload), mode)
    by_id = {m.pk: m for m in members}
    moves = [Move(by_id[mid], by_id[mid].liaison, eligible[lid]) for mid, lid in proposal.moves.items()]
    moves.sort(key=lambda mv: (mv.new.pk, mv.member.unit_id, mv.member.name_pinyin))
    payload = {"centre": centre.pk, "mode": str(mode),
               "changes": [[mv.member.pk, mv.member.liaison_id, mv.new.pk] for mv in moves]}
    token = signing.dumps(payload, salt=SALT, compress=True)
    return Draft(centre, str(mode), proposal, participants, moves, token)


def read(token, centre):
    """Return [(member id, old liaison id, new liaison id)] from a signed proposal for `centre`."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise StaleProposal("expired") from None
    except signing.BadSignature:
        raise StaleProposal("bad signature") from None
    if payload.get("centre") != centre.pk:
        raise StaleProposal("another centre")
    return [tuple(change) for change in payload["changes"]], payload.get("mode", "")
