"""The balancing algorithm on plain data: bounds, party groups kept together, existing pairs kept, clear refusals."""

from collections import Counter
from unittest import TestCase

from hypothesis import given, settings
from hypothesis import strategies as st

from laogan.liaison.balancing import Bounds, Mode, Slot, propose

BOUNDS = Bounds(20, 30)


def slots(groups, liaison=None):
    """Return slots for {group: size}, numbered from 1, all with the same current liaison."""
    out, n = [], 0
    for group, size in groups.items():
        for _ in range(size):
            n += 1
            out.append(Slot(n, group, liaison))
    return out


def after(proposal, given_slots):
    """Return {member: liaison} once the proposal is applied."""
    result = {s.member: s.liaison for s in given_slots}
    result.update(proposal.moves)
    return result


class BalancingTest(TestCase):
    def test_unassigned_members_are_spread_evenly_within_bounds(self):
        members = slots({1: 19, 2: 19, 3: 18, 4: 18})
        p = propose(members, [10, 11, 12], BOUNDS, Mode.NEW)
        self.assertTrue(p.feasible)
        self.assertEqual(sorted(p.loads.values()), [24, 25, 25])
        self.assertEqual(len(p.moves), 74)
        self.assertEqual((p.over, p.under), ([], []))

    def test_party_groups_go_to_as_few_liaisons_as_possible(self):
        members = slots({1: 10, 2: 10, 3: 10})
        p = propose(members, [10, 11, 12], BOUNDS, Mode.FRESH)
        by_group = {}
        for s in members:
            by_group.setdefault(s.group, set()).add(p.moves[s.member])
        self.assertEqual([len(v) for v in by_group.values()], [1, 1, 1])

    def test_a_whole_group_goes_to_the_liaison_with_room_for_it(self):
        members = [Slot(i, 1, 10) for i in range(1, 5)] + [Slot(i, 2, None) for i in range(5, 10)]
        p = propose(members, [10, 11], BOUNDS, Mode.NEW)
        self.assertEqual(set(p.moves.values()), {11})
        self.assertEqual(p.loads, {10: 4, 11: 5})

    def test_the_demo_centre_is_cut_into_few_parts(self):
        members = slots({1: 19, 2: 18, 3: 19, 4: 18})
        p = propose(members, [10, 11, 12], BOUNDS, Mode.FRESH)
        self.assertEqual(len({(s.group, p.moves[s.member]) for s in members}), 6)

    def test_a_group_larger_than_a_caseload_is_cut_into_few_parts(self):
        members = slots({1: 45, 2: 15})
        p = propose(members, [10, 11], BOUNDS, Mode.FRESH)
        parts = Counter((s.group, p.moves[s.member]) for s in members)
        self.assertEqual(sorted(p.loads.values()), [30, 30])
        self.assertEqual(len(parts), 3)  # group 1 in two parts, group 2 whole

    def test_too_few_liaisons_is_refused_with_the_number_needed(self):
        p = propose(slots({1: 77}), [10, 11], BOUNDS, Mode.NEW)
        self.assertFalse(p.feasible)
        self.assertEqual((p.reason, p.needed, p.liaisons, p.moves), ("too_few_liaisons", 3, 2, {}))

    def test_no_liaison_at_all_is_refused(self):
        p = propose(slots({1: 5}), [], BOUNDS, Mode.NEW)
        self.assertFalse(p.feasible)
        self.assertEqual(p.needed, 1)

    def test_too_few_members_for_the_minimum_is_said_not_refused(self):
        p = propose(slots({1: 40}), [10, 11, 12, 13], BOUNDS, Mode.NEW)
        self.assertTrue(p.feasible)
        self.assertEqual(sorted(p.under), [10, 11, 12, 13])
        self.assertEqual((p.needed, p.fits_min, p.bounds_reachable), (2, 2, True))

    def test_existing_pairs_are_kept_when_placing_new_members(self):
        members = [Slot(1, 1, 10), Slot(2, 1, 10), Slot(3, 2, 11), Slot(4, 1, None), Slot(5, 2, None)]
        p = propose(members, [10, 11], BOUNDS, Mode.NEW)
        self.assertEqual(p.moves, {4: 10, 5: 11})  # each joins the liaison who already has their group

    def test_new_mode_leaves_crowded_liaisons_alone_and_says_rebalancing_is_needed(self):
        members = slots({1: 31}, liaison=10) + [Slot(100, 2, None)]
        p = propose(members, [10, 11], BOUNDS, Mode.NEW)
        self.assertTrue(p.feasible)
        self.assertEqual(p.moves, {100: 11})
        self.assertEqual(p.over, [10])

    def test_new_mode_fills_the_others_up_to_the_maximum_when_one_is_crowded(self):
        members = slots({1: 35}, liaison=10) + [Slot(100 + i, 2, None) for i in range(25)]
        p = propose(members, [10, 11], BOUNDS, Mode.NEW)
        self.assertTrue(p.feasible)
        self.assertEqual(p.loads, {10: 35, 11: 25})

    def test_rebalance_moves_only_the_surplus_and_from_the_smallest_group_part(self):
        members = slots({1: 30}, liaison=10) + [Slot(100 + i, 2, 10) for i in range(4)] + slots({3: 0})
        members += [Slot(200 + i, 3, 11) for i in range(10)]
        p = propose(members, [10, 11], BOUNDS, Mode.REBALANCE)
        self.assertEqual(p.loads, {10: 22, 11: 22})
        self.assertEqual(len(p.moves), 12)
        # the four members of group 2 move together, then eight of group 1
        self.assertTrue({100, 101, 102, 103} <= set(p.moves))

    def test_rebalance_takes_members_away_from_someone_who_no_longer_takes_part(self):
        members = [Slot(i, 1, 10) for i in range(1, 6)] + [Slot(i, 1, 11) for i in range(6, 11)]
        p = propose(members, [11, 12], BOUNDS, Mode.REBALANCE)
        self.assertEqual(p.loads, {11: 5, 12: 5})
        self.assertEqual(set(p.moves), {1, 2, 3, 4, 5})

    def test_new_mode_leaves_members_of_a_liaison_not_taking_part_alone(self):
        members = [Slot(1, 1, 99), Slot(2, 1, None)]
        p = propose(members, [10], BOUNDS, Mode.NEW)
        self.assertEqual(p.moves, {2: 10})
        self.assertEqual(p.members, 1)

    def test_fresh_mode_may_change_every_pair(self):
        members = [Slot(i, i % 2, 10 + i % 2) for i in range(1, 9)]
        p = propose(members, [10, 11], BOUNDS, Mode.FRESH)
        self.assertEqual(sorted(p.loads.values()), [4, 4])
        self.assertTrue(p.feasible)

    def test_it_is_deterministic(self):
        members = slots({1: 13, 2: 17, None: 5})
        self.assertEqual(propose(members, [3, 1, 2], BOUNDS, Mode.FRESH).moves,
                         propose(list(reversed(members)), [1, 2, 3], BOUNDS, Mode.FRESH).moves)


group_sizes = st.dictionaries(st.integers(1, 8), st.integers(0, 40), max_size=6)


class BalancingPropertiesTest(TestCase):
    @settings(max_examples=300, deadline=None)
    @given(group_sizes, st.integers(0, 6), st.integers(1, 35), st.sampled_from(list(Mode)),
           st.lists(st.integers(0, 7), max_size=250))
    def test_bounds_hold_whenever_a_solution_exists(self, groups, n_liaisons, maximum, mode, current):
        liaisons = list(range(1, n_liaisons + 1))
        members = slots(groups)
        # give some members a current liaison (0 = none; 7 = someone not taking part)
        members = [Slot(s.member, s.group, (current[i] or None) if i < len(current) else None)
                   for i, s in enumerate(members)]
        bounds = Bounds(min(5, maximum), maximum)
        p = propose(members, liaisons, bounds, mode)
        counted = [s for s in members if mode != Mode.NEW or s.liaison is None or s.liaison in liaisons]
        if len(counted) > len(liaisons) * maximum:
            self.assertFalse(p.feasible)
            self.assertEqual(p.reason, "too_few_liaisons")
            return
        final = after(p, members)
        crowded_before = {lid for lid, n in Counter(s.liaison for s in counted).items() if n > maximum}
        self.assertTrue(p.feasible)
        loads = Counter(final[s.member] for s in counted)
        self.assertTrue(all(lid in liaisons for lid in loads))
        # Only NEW mode keeps pairs above the maximum (that is what REBALANCE is for); it adds nobody to them.
        kept_counts = Counter(s.liaison for s in counted)
        for lid, n in loads.items():
            self.assertLessEqual(n, kept_counts[lid] if lid in crowded_before and mode == Mode.NEW else maximum)
        self.assertEqual(dict(loads), {lid: n for lid, n in p.loads.items() if n})
        if mode == Mode.NEW:
            for s in counted:
                if s.liaison is not None:
                    self.assertEqual(final[s.member], s.liaison)
        else:
            self.assertLessEqual(max(p.loads.values(), default=0) - min(p.loads.values(), default=0), 1)
        if mode == Mode.FRESH and counted:
            # each liaison filling up cuts at most one party group
            parts = len({(s.group, final[s.member]) for s in counted})
            groups_present = len({s.group for s in counted})
            self.assertLessEqual(parts, groups_present + len(liaisons) - 1)
