"""Balanced liaison assignment (一联多), in plain Python over plain data so that it can be reasoned about and tested
without a database.

The maximum caseload is a hard bound: a proposal never gives a liaison more than `max` members when any assignment
can avoid it, and says it cannot be done when `members > liaisons × max`. The minimum is a target: when there are
too few members to give every liaison `min` of them, the proposal still balances, and says which liaisons stay
under it and how many liaisons would fit the bounds. Members of one party group go to as few liaisons as possible,
and the liaisons who already look after some of a group are preferred for the rest of it.

Three modes:
- NEW: only members without a liaison are placed; every existing pair stays (even above the maximum).
- REBALANCE: caseloads are evened out; liaisons above their share give up the fewest members needed, taken from
  the party groups they hold fewest of, so most pairs stay.
- FRESH: every pair is made anew, party group by party group.
"""

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from math import ceil


class Mode(enum.StrEnum):
    NEW = "new"
    REBALANCE = "rebalance"
    FRESH = "fresh"


@dataclass(frozen=True)
class Slot:
    """One member to be looked after: their party group and their current liaison (None: nobody, or nobody who
    may still be their liaison)."""

    member: int
    group: int | None
    liaison: int | None


@dataclass(frozen=True)
class Bounds:
    min: int
    max: int


@dataclass
class Proposal:
    feasible: bool
    moves: dict = field(default_factory=dict)  # member → new liaison, only for members whose liaison changes
    loads: dict = field(default_factory=dict)  # liaison → caseload afterwards
    members: int = 0  # members in the caseloads of the liaisons taking part
    liaisons: int = 0
    needed: int = 0  # fewest liaisons that can hold `members` within the maximum
    fits_min: int = 0  # most liaisons that can all reach the minimum
    reason: str = ""  # why it is not feasible: "too_few_liaisons"
    over: list = field(default_factory=list)  # liaisons above the maximum afterwards (only kept pairs can do that)
    under: list = field(default_factory=list)  # liaisons below the minimum afterwards

    @property
    def bounds_reachable(self):
        """Whether some number of liaisons could hold all members within both bounds."""
        return self.needed <= self.fits_min


def propose(slots, liaisons, bounds, mode=Mode.NEW):
    """Return a Proposal placing `slots` among `liaisons` (ids) within `bounds`."""
    mode = Mode(mode)
    liaisons = sorted(set(liaisons))
    taking_part = set(liaisons)
    if mode == Mode.NEW:
        # Members of a liaison who does not take part keep their liaison and are none of this proposal's business.
        slots = [s for s in slots if s.liaison is None or s.liaison in taking_part]
    total = len(slots)
    result = Proposal(feasible=False, members=total, liaisons=len(liaisons),
                      needed=ceil(total / bounds.max) if bounds.max else 0,
                      fits_min=total // bounds.min if bounds.min else len(liaisons))
    if total > len(liaisons) * bounds.max:
        result.reason = "too_few_liaisons"
        return result

    if mode == Mode.FRESH:
        kept = {}
    else:
        kept = {s.member: s.liaison for s in slots if s.liaison in taking_part}
    loads = {lid: 0 for lid in liaisons}
    for lid in kept.values():
        loads[lid] += 1
    group_of = {s.member: s.group for s in slots}
    base, extra = divmod(total, len(liaisons)) if liaisons else (0, 0)
    if mode == Mode.REBALANCE:
        # The remainder goes to those who hold most already, so that the fewest members move.
        order = sorted(liaisons, key=lambda lid: (-loads[lid], lid))
        targets = {lid: base + (1 if i < extra else 0) for i, lid in enumerate(order)}
        for lid in liaisons:
            for member in _release(lid, loads[lid] - targets[lid], kept, group_of):
                del kept[member]
                loads[lid] -= 1

    placed = dict(kept)
    pool = [s.member for s in slots if s.member not in kept]
    # Everyone's fair share is `base`, and `extra` of them get one more. Who gets one more is decided while
    # placing, in favour of keeping a party group whole; those who already hold more than `base` have theirs.
    shares = Shares(caps={lid: base + (1 if loads[lid] > base else 0) for lid in liaisons},
                    spare=max(0, extra - sum(1 for lid in liaisons if loads[lid] > base)), base=base)
    pool = _place(pool, placed, loads, shares, group_of)
    # Only when kept pairs crowd some liaisons (NEW mode) is there anyone left: then up to the maximum. That always
    # suffices: the room below the maximum is liaisons × max − kept + (kept above the maximum), never less than
    # the members still to place once members ≤ liaisons × max.
    pool = _place(pool, placed, loads, Shares(caps={lid: bounds.max for lid in liaisons}), group_of)
    assert not pool, "capacity was checked above"

    current = {s.member: s.liaison for s in slots}
    result.feasible = True
    result.moves = {m: lid for m, lid in sorted(placed.items()) if current[m] != lid}
    result.loads = loads
    result.over = [lid for lid in liaisons if loads[lid] > bounds.max]
    result.under = [lid for lid in liaisons if loads[lid] < bounds.min]
    return result


def _release(liaison, count, kept, group_of):
    """Return `count` of the liaison's members to move, from the party groups the liaison holds fewest of."""
    held = defaultdict(list)
    for member, lid in kept.items():
        if lid == liaison:
            held[group_of[member]].append(member)
    chunks = sorted(held.items(), key=lambda item: (len(item[1]), _key(item[0])))
    out = []
    for _, members in chunks:
        for member in sorted(members, reverse=True):
            if len(out) == count:
                return out
            out.append(member)
    return out


@dataclass
class Shares:
    """How many members each liaison may take in a pass, and how many may still be given one more than `base`."""

    caps: dict
    spare: int = 0
    base: int = 0

    def room(self, lid, loads):
        return self.caps[lid] - loads[lid]

    def can_grow(self, lid):
        return self.spare > 0 and self.caps[lid] == self.base

    def grow(self, lid):
        self.caps[lid] += 1
        self.spare -= 1


def _place(pool, placed, loads, shares, group_of):
    """Place pool members within `shares`, party group by party group (largest first); return those left over."""
    groups = defaultdict(list)
    for member in pool:
        groups[group_of[member]].append(member)
    serving = defaultdict(set)  # group → liaisons already looking after some of it
    for member, lid in placed.items():
        serving[group_of[member]].add(lid)
    left = []
    for group, members in sorted(groups.items(), key=lambda item: (-len(item[1]), _key(item[0]))):
        members = sorted(members)
        while members:
            lid = _choose(len(members), serving[group], loads, shares)
            if lid is None:
                break
            take = min(len(members), shares.room(lid, loads))
            for member in members[:take]:
                placed[member] = lid
            members = members[take:]
            loads[lid] += take
            serving[group].add(lid)
        left.extend(members)
    return left


def _choose(size, serving, loads, shares):
    """Return the liaison for the next part of a party group of `size` members, or None when all are full.

    Preferred: one already serving the group; then the one whose room fits the whole rest most tightly (keeping
    big rooms for big groups), if need be with one more than the fair share; then the one with most room, so that
    the group is cut into as few parts as possible. A liaison is given one more only when that keeps the rest of
    the group whole, or when nobody has room left.
    """
    room = {lid: shares.room(lid, loads) for lid in shares.caps}

    def pick(lid, grow):
        if grow:
            shares.grow(lid)
        return lid

    def reach(lid):
        return room[lid] + (1 if room[lid] >= 0 and shares.can_grow(lid) else 0)

    for lid in sorted((lid for lid in serving if reach(lid) > 0), key=lambda lid: (-reach(lid), lid)):
        # One more only when it keeps the rest whole, or when this liaison has no room without it.
        return pick(lid, reach(lid) > room[lid] and (room[lid] == 0 or size == room[lid] + 1))
    fitting = [lid for lid in room if room[lid] >= size]
    if fitting:
        return min(fitting, key=lambda lid: (room[lid], lid))
    fitting = [lid for lid in room if room[lid] + 1 >= size and room[lid] >= 0 and shares.can_grow(lid)]
    if fitting:
        return pick(min(fitting, key=lambda lid: (room[lid], lid)), True)
    with_room = [lid for lid in room if room[lid] > 0]
    if with_room:
        return min(with_room, key=lambda lid: (-room[lid], lid))
    growable = [lid for lid in room if room[lid] == 0 and shares.can_grow(lid)]
    if growable:
        return pick(min(growable, key=lambda lid: (lid not in serving, loads[lid], lid)), True)
    return None


def _key(group):
    # Members attached to a branch have no party group; sort them after the groups.
    return (group is None, group or 0)
