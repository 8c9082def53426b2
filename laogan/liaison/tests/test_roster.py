"""The roster in the database: who may be a liaison, who needs one, who was not contacted in time, balancing applied."""

from datetime import date, datetime, timedelta

import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from laogan.accounts.actions import do_set_user_active, do_update_user
from laogan.accounts.models import AuditEntry, Role
from laogan.jobs.models import Message
from laogan.jobs.runner import run_due_jobs
from laogan.liaison import actions, assignment, roster
from laogan.liaison.balancing import Mode
from laogan.liaison.models import LiaisonPolicy
from laogan.members.actions import do_record_life_event
from laogan.members.models import Member
from laogan.test import make_member, make_user

from .base import SHANGHAI, LiaisonTestCase, set_liaison


class EligibilityTest(LiaisonTestCase):
    def test_a_centre_sees_only_its_own_working_staff(self):
        self.assertEqual(list(roster.eligible_liaisons(self.centre_a)), [self.liaison, self.liaison2])
        self.assertEqual(list(roster.eligible_liaisons(self.centre_b)), [self.outsider])

    def test_disabled_staff_and_other_roles_are_not_liaisons(self):
        do_set_user_active(self.liaison2, False, acting_user=self.admin)
        self.assertEqual(list(roster.eligible_liaisons(self.centre_a)), [self.liaison])
        self.assertNotIn(self.secretary, roster.eligible_liaisons(self.centre_a))


class NeedsLiaisonTest(LiaisonTestCase):
    def needing(self):
        return set(Member.objects.filter(centre=self.centre_a).filter(roster.needs_liaison_q()).values_list("name", flat=True))

    def test_members_without_a_liaison_need_one(self):
        set_liaison(self.a1, self.liaison)
        self.assertEqual(self.needing(), {m.name for m in self.a2})

    def test_members_of_a_disabled_liaison_are_listed_not_lost(self):
        set_liaison(self.a1 + self.a2, self.liaison)
        do_set_user_active(self.liaison, False, acting_user=self.admin)
        self.assertEqual(self.needing(), {m.name for m in self.a1 + self.a2})
        # The name stays on the member until someone is assigned: nothing silently loses its liaison.
        self.assertEqual(Member.objects.filter(liaison=self.liaison).count(), 9)

    def test_members_of_a_liaison_who_moved_to_another_centre_need_one(self):
        set_liaison(self.a1, self.liaison2)
        do_update_user(self.liaison2, unit=self.centre_b, acting_user=self.admin)
        self.assertEqual(self.needing(), {m.name for m in self.a1 + self.a2})
        self.assertEqual(Member.objects.filter(roster.orphaned_q()).count(), 5)

    def test_members_of_a_liaison_given_another_role_need_one(self):
        set_liaison(self.a1, self.liaison2)
        do_update_user(self.liaison2, role=Role.VIEWER, acting_user=self.admin)
        self.assertTrue({m.name for m in self.a1} <= self.needing())

    def test_the_dead_need_no_liaison(self):
        do_record_life_event(self.a2[0], kind="died", date=date(2026, 1, 3), acting_user=None)
        self.assertNotIn(self.a2[0].name, self.needing())


class ReassignmentAfterDisablingTest(LiaisonTestCase):
    def test_balancing_places_the_members_of_a_disabled_liaison_with_the_others(self):
        set_liaison(self.a1, self.liaison)
        set_liaison(self.a2, self.liaison2)
        third = make_user("third", self.centre_a, Role.STAFF, full_name="李思远")
        do_set_user_active(self.liaison, False, acting_user=self.admin)

        draft = assignment.make(self.centre_a, [self.liaison2, third], Mode.NEW)
        self.assertEqual({mv.member.pk for mv in draft.moves}, {m.pk for m in self.a1})
        actions.do_apply_proposal(self.centre_a, draft.token, acting_user=self.secretary)

        self.assertFalse(Member.objects.filter(roster.needs_liaison_q(), centre=self.centre_a).exists())
        self.assertFalse(Member.objects.filter(liaison=self.liaison).exists())
        # the a2 pairs stay; group A1 goes whole to the liaison with room
        self.assertEqual(Member.objects.filter(liaison=self.liaison2).count(), 4)
        self.assertEqual(Member.objects.filter(liaison=third).count(), 5)
        entries = AuditEntry.objects.filter(object_type="members.member", detail__startswith="liaison balancing")
        self.assertEqual(entries.count(), 5)
        self.assertEqual(entries.first().changes["liaison"], ["黄海燕", "李思远"])

    def test_secretaries_are_told_once_which_members_lost_their_liaison(self):
        set_liaison(self.a1, self.liaison)
        do_set_user_active(self.liaison, False, acting_user=self.admin)
        now = timezone.now()
        self.assertEqual(actions.do_notify_orphaned_members(now), 1)
        self.assertEqual(actions.do_notify_orphaned_members(now), 0)
        message = Message.objects.get()
        self.assertEqual(message.recipient, self.secretary)
        self.assertIn("5位老干部", message.body)
        actions.do_assign_liaison(self.a1[0], self.liaison2, acting_user=self.secretary)
        self.assertEqual(actions.do_notify_orphaned_members(now), 1)
        self.assertIn("4位老干部", Message.objects.first().body)


    def test_the_worker_runs_the_check_every_hour(self):
        set_liaison(self.a1, self.liaison)
        do_set_user_active(self.liaison, False, acting_user=self.admin)
        self.assertIn("liaison_orphans", run_due_jobs(timezone.now()))
        self.assertEqual(Message.objects.filter(subject="老干部需要重新安排联络员").count(), 1)


class PolicyTest(LiaisonTestCase):
    def test_a_centre_without_a_policy_uses_the_source_documents_twenty_to_thirty(self):
        policy = LiaisonPolicy.for_centre(self.centre_a)
        self.assertEqual((policy.pk, policy.min_caseload, policy.max_caseload, policy.contact_days,
                          policy.priority_contact_days), (None, 20, 30, 30, 7))

    def test_bounds_and_intervals_must_make_sense(self):
        for fields in ({"min_caseload": 31}, {"max_caseload": 0}, {"priority_contact_days": 40}, {"contact_days": 0}):
            with self.subTest(**fields), self.assertRaises(ValidationError):
                LiaisonPolicy(centre=self.centre_a, **fields).full_clean()


class ApplyProposalTest(LiaisonTestCase):
    def test_applying_changes_nothing_when_the_roster_changed_meanwhile(self):
        draft = assignment.make(self.centre_a, [self.liaison, self.liaison2], Mode.NEW)
        actions.do_assign_liaison(self.a1[0], self.liaison2, acting_user=self.secretary)
        with self.assertRaises(assignment.StaleProposal):
            actions.do_apply_proposal(self.centre_a, draft.token, acting_user=self.secretary)
        self.assertEqual(Member.objects.filter(liaison__isnull=False).count(), 1)

    def test_a_proposal_for_another_centre_or_a_forged_one_is_refused(self):
        draft = assignment.make(self.centre_a, [self.liaison], Mode.NEW)
        with self.assertRaises(assignment.StaleProposal):
            actions.do_apply_proposal(self.centre_b, draft.token, acting_user=self.admin)
        with self.assertRaises(assignment.StaleProposal):
            actions.do_apply_proposal(self.centre_a, draft.token[:-2] + "xx", acting_user=self.secretary)

    def test_a_proposal_expires_after_two_hours(self):
        with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), tick=False):
            draft = assignment.make(self.centre_a, [self.liaison], Mode.NEW)
        with time_machine.travel(datetime(2026, 3, 2, 11, 1, tzinfo=SHANGHAI), tick=False):
            with self.assertRaises(assignment.StaleProposal):
                actions.do_apply_proposal(self.centre_a, draft.token, acting_user=self.secretary)

    def test_too_few_staff_is_said_clearly_and_proposes_nothing(self):
        LiaisonPolicy.objects.create(centre=self.centre_a, min_caseload=2, max_caseload=4)
        draft = assignment.make(self.centre_a, [self.liaison, self.liaison2], Mode.NEW)
        self.assertFalse(draft.proposal.feasible)
        self.assertEqual((draft.proposal.members, draft.proposal.needed), (9, 3))
        self.assertEqual(draft.moves, [])

    def test_assignment_keeps_within_the_bounds(self):
        LiaisonPolicy.objects.create(centre=self.centre_a, min_caseload=2, max_caseload=5)
        draft = assignment.make(self.centre_a, [self.liaison, self.liaison2], Mode.FRESH)
        actions.do_apply_proposal(self.centre_a, draft.token, acting_user=self.secretary)
        self.assertEqual(sorted(Member.objects.filter(centre=self.centre_a).values_list("liaison__username", flat=True)),
                         ["liaison"] * 5 + ["liaison2"] * 4)


@time_machine.travel(datetime(2026, 3, 31, 12, 0, tzinfo=SHANGHAI), tick=False)
class NotContactedTest(LiaisonTestCase):
    def overdue(self, policy=None):
        policy = policy or LiaisonPolicy.for_centre(self.centre_a)
        return set(Member.objects.filter(centre=self.centre_a).filter(roster.overdue_q(policy, timezone.now()))
                   .values_list("name", flat=True))

    def contacted(self, member, days_ago):
        Member.objects.filter(pk=member.pk).update(last_contact_at=timezone.now() - timedelta(days=days_ago))

    def test_thirty_days_for_most_seven_for_those_in_hospital_or_living_alone(self):
        for m in self.a1 + self.a2:
            self.contacted(m, 10)
        self.contacted(self.a1[0], 31)
        Member.objects.filter(pk=self.a1[1].pk).update(lives_alone=True)
        do_record_life_event(self.a2[0], kind="admitted", date=date(2026, 3, 20), hospital="市一院", acting_user=None)
        self.contacted(self.a2[0], 8)
        self.assertEqual(self.overdue(), {"张建国", "李秀英", "刘国栋"})

    def test_never_contacted_counts_as_not_contacted(self):
        self.assertEqual(len(self.overdue()), 9)

    def test_a_centre_may_set_its_own_intervals(self):
        for m in self.a1 + self.a2:
            self.contacted(m, 20)
        self.assertEqual(self.overdue(LiaisonPolicy(centre=self.centre_a, contact_days=14, priority_contact_days=7)),
                         {m.name for m in self.a1 + self.a2})

    def test_logging_a_contact_moves_the_last_contact_forward_only(self):
        at = datetime(2026, 3, 30, 15, 0, tzinfo=SHANGHAI)
        log = actions.do_log_contact(self.a1[0], kind="phone", at=at, acting_user=self.liaison)
        self.a1[0].refresh_from_db()
        self.assertEqual((self.a1[0].last_contact_at, log.day), (at, date(2026, 3, 30)))
        actions.do_log_contact(self.a1[0], kind="home", at=at - timedelta(days=5), acting_user=self.liaison)
        self.a1[0].refresh_from_db()
        self.assertEqual(self.a1[0].last_contact_at, at)
        self.assertNotIn("张建国", self.overdue())

    def test_a_contact_late_at_night_counts_on_that_local_day(self):
        log = actions.do_log_contact(self.a1[0], kind="phone", at=datetime(2026, 3, 30, 23, 30, tzinfo=SHANGHAI),
                                     acting_user=self.liaison)
        self.assertEqual(log.day, date(2026, 3, 30))

    def test_a_member_in_another_centre_is_not_counted(self):
        self.assertNotIn("周明德", self.overdue())
        self.assertEqual(make_member(name="新来的", unit=self.group_a1).last_contact_at, None)
