"""The roster pages as a secretary and a liaison use them: caseloads, balancing with approval, assignment by hand,
a liaison's own page, the not-contacted list and logging a contact."""

from datetime import datetime, timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from laogan.accounts.actions import do_set_user_active
from laogan.accounts.models import AuditEntry, Role
from laogan.liaison.models import ContactLog, LiaisonPolicy
from laogan.members.models import Member
from laogan.test import make_member, make_user

from .base import SHANGHAI, LiaisonTestCase, set_liaison

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI)


@time_machine.travel(NOW, tick=False)
class RosterPageTest(LiaisonTestCase):
    def test_it_shows_caseloads_of_the_centres_own_staff_only(self):
        set_liaison(self.a1, self.liaison)
        self.login(self.secretary)
        response = self.client.get(reverse("liaison_roster"))
        rows = {r.liaison.username: (r.members, r.state) for r in response.context["rows"]}
        self.assertEqual(rows, {"liaison": (5, "under"), "liaison2": (0, "none")})
        self.assertEqual(response.context["needing_count"], 4)
        self.assertNotContains(response, "outsider")
        self.assertNotContains(response, "周明德")

    def test_its_queries_do_not_grow_with_the_members(self):
        self.login(self.secretary)
        self.client.get(reverse("liaison_roster"))  # warm the session and content types
        with self.assertNumQueries(13):
            self.client.get(reverse("liaison_roster"))
        set_liaison([make_member(name=f"新{i}", unit=self.group_a2) for i in range(6)], self.liaison2)
        with self.assertNumQueries(13):
            self.client.get(reverse("liaison_roster"))

    def test_members_of_a_disabled_liaison_are_listed_with_who_they_had(self):
        set_liaison(self.a1, self.liaison2)
        do_set_user_active(self.liaison2, False, acting_user=self.admin)
        self.login(self.secretary)
        response = self.client.get(reverse("liaison_roster"))
        self.assertEqual(response.context["needing_count"], 9)
        self.assertContains(response, "was 韦小宁")

    def test_a_liaison_sees_the_roster_but_cannot_balance(self):
        self.login(self.liaison)
        self.assertEqual(self.client.get(reverse("liaison_roster")).status_code, 200)
        self.assertEqual(self.client.get(reverse("liaison_balance")).status_code, 403)
        self.assertEqual(self.client.post(reverse("liaison_policy"), {"min_caseload": 1}).status_code, 403)

    def test_a_secretary_of_one_branch_cannot_rearrange_the_whole_centre(self):
        self.login(make_user("branch-secretary", self.branch_a, Role.SECRETARY))
        self.assertEqual(self.client.get(reverse("liaison_roster")).status_code, 200)
        self.assertEqual(self.client.get(reverse("liaison_balance")).status_code, 403)
        self.assertEqual(self.client.get(reverse("liaison_partner_new")).status_code, 403)

    def test_a_secretary_sets_the_bounds(self):
        self.login(self.secretary)
        data = {"centre": "centre-a", "min_caseload": 10, "max_caseload": 25, "contact_days": 30, "priority_contact_days": 7,
                "version": 1}  # the unsaved defaults' version, as the roster page's form carries it
        self.client.post(reverse("liaison_policy"), data)
        policy = LiaisonPolicy.objects.get(centre=self.centre_a)
        self.assertEqual((policy.min_caseload, policy.max_caseload), (10, 25))
        self.client.post(reverse("liaison_policy"), {**data, "min_caseload": 26, "version": policy.version})
        policy.refresh_from_db()
        self.assertEqual(policy.min_caseload, 10)


@time_machine.travel(NOW, tick=False)
class BalanceFlowTest(LiaisonTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        LiaisonPolicy.objects.create(centre=cls.centre_a, min_caseload=3, max_caseload=5)

    def propose(self, mode="new", participants=None):
        participants = participants or [self.liaison.pk, self.liaison2.pk]
        return self.client.post(reverse("liaison_balance"), {"mode": mode, "participants": participants})

    def test_a_proposal_is_shown_and_changes_nothing_until_approved(self):
        self.login(self.secretary)
        response = self.propose()
        draft = response.context["draft"]
        self.assertEqual(len(draft.moves), 9)
        self.assertEqual(sorted(n for _u, n in response.context["loads"]), [4, 5])
        self.assertFalse(Member.objects.filter(liaison__isnull=False).exists())

        response = self.client.post(reverse("liaison_balance_apply"), {"centre": "centre-a", "token": draft.token})
        self.assertRedirects(response, reverse("liaison_roster") + "?centre=centre-a")
        self.assertEqual(Member.objects.filter(centre=self.centre_a, liaison__isnull=False).count(), 9)
        # party groups stay whole: one liaison each
        for group in (self.group_a1, self.group_a2):
            self.assertEqual(Member.objects.filter(unit=group).values("liaison").distinct().count(), 1)
        self.assertEqual(AuditEntry.objects.filter(detail="liaison balancing (new)").count(), 9)

    def test_too_few_staff_is_said_and_nothing_can_be_applied(self):
        self.login(self.secretary)
        response = self.propose(participants=[self.liaison.pk])
        self.assertContains(response, "No assignment is possible: 9 members need at least 2 liaisons")
        self.assertNotContains(response, "Approve and apply")

    def test_a_proposal_is_refused_when_the_roster_changed_meanwhile(self):
        self.login(self.secretary)
        token = self.propose().context["draft"].token
        set_liaison([self.a1[0]], self.liaison2)
        response = self.client.post(reverse("liaison_balance_apply"), {"centre": "centre-a", "token": token}, follow=True)
        self.assertContains(response, "The roster changed after this proposal was made")
        self.assertEqual(Member.objects.filter(liaison__isnull=False).count(), 1)

    def test_the_proposal_cannot_name_staff_of_another_centre(self):
        self.login(self.secretary)
        response = self.propose(participants=[self.liaison.pk, self.outsider.pk])
        self.assertIsNone(response.context["draft"])
        self.assertTrue(response.context["form"].errors["participants"])

    def test_apply_is_post_only(self):
        self.login(self.secretary)
        self.assertEqual(self.client.get(reverse("liaison_balance_apply")).status_code, 405)


@time_machine.travel(NOW, tick=False)
class AssignTest(LiaisonTestCase):
    def test_a_secretary_assigns_a_liaison_by_hand_and_it_is_audited(self):
        self.login(self.secretary)
        response = self.client.post(reverse("liaison_assign", args=[self.a1[0].pk]), {"liaison": self.liaison2.pk})
        self.assertRedirects(response, reverse("member_detail", args=[self.a1[0].pk]), fetch_redirect_response=False)
        self.a1[0].refresh_from_db()
        self.assertEqual(self.a1[0].liaison, self.liaison2)
        entry = AuditEntry.objects.get(detail="assigned by hand")
        self.assertEqual(entry.changes, {"liaison": [None, "韦小宁"]})

    def test_htmx_gets_the_row_back(self):
        self.login(self.secretary)
        response = self.client.post(reverse("liaison_assign", args=[self.a1[0].pk]), {"liaison": self.liaison.pk},
                                    headers={"HX-Request": "true"})
        self.assertContains(response, "张建国&#x27;s liaison is now 黄海燕")

    def test_htmx_hears_why_an_assignment_was_refused(self):
        self.login(self.secretary)
        response = self.client.post(reverse("liaison_assign", args=[self.a1[0].pk]), {"liaison": self.outsider.pk},
                                    headers={"HX-Request": "true"})
        self.assertContains(response, "Choose a working staff member of this centre.")

    def test_only_working_staff_of_the_members_centre_can_be_assigned(self):
        self.login(self.secretary)
        do_set_user_active(self.liaison2, False, acting_user=self.admin)
        for liaison in (self.outsider, self.liaison2, self.secretary):
            self.client.post(reverse("liaison_assign", args=[self.a1[0].pk]), {"liaison": liaison.pk})
        self.a1[0].refresh_from_db()
        self.assertIsNone(self.a1[0].liaison)

    def test_a_liaison_cannot_reassign(self):
        self.login(self.liaison)
        self.assertEqual(self.client.post(reverse("liaison_assign", args=[self.a1[0].pk]), {"liaison": self.liaison.pk}).status_code, 403)


@time_machine.travel(NOW, tick=False)
class LiaisonPageTest(LiaisonTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        set_liaison(cls.a1, cls.liaison)
        Member.objects.filter(pk=cls.a1[0].pk).update(last_contact_at=NOW - timedelta(days=3))
        Member.objects.filter(pk=cls.a1[1].pk).update(last_contact_at=NOW - timedelta(days=40))

    def test_a_liaison_sees_their_members_longest_waiting_first(self):
        self.login(self.liaison)
        response = self.client.get(reverse("liaison_mine"), follow=True)
        rows = response.context["rows"]
        self.assertEqual([r["member"].name for r in rows][-2:], ["李秀英", "张建国"])
        self.assertEqual([(r["days"], r["overdue"]) for r in rows][-2:], [(40, True), (3, False)])
        self.assertEqual(response.context["overdue"], 4)
        self.assertContains(response, "3 days ago")

    def test_its_queries_do_not_grow_with_the_members(self):
        self.login(self.liaison)
        url = reverse("liaison_staff", args=[self.liaison.pk])
        self.client.get(url)
        with self.assertNumQueries(8):
            self.client.get(url)
        set_liaison([make_member(name=f"新{i}", unit=self.group_a2) for i in range(5)], self.liaison)
        with self.assertNumQueries(8):
            self.client.get(url)

    def test_the_not_contacted_list_shows_a_liaison_only_their_own(self):
        set_liaison(self.a2, self.liaison2)
        self.login(self.liaison)
        groups = self.client.get(reverse("liaison_overdue")).context["groups"]
        self.assertEqual([(liaison.username, len(rows)) for liaison, rows in groups], [("liaison", 4)])
        self.login(self.secretary)
        groups = self.client.get(reverse("liaison_overdue")).context["groups"]
        self.assertEqual(sorted((liaison.username, len(rows)) for liaison, rows in groups), [("liaison", 4), ("liaison2", 4)])


@time_machine.travel(NOW, tick=False)
class ContactLogTest(LiaisonTestCase):
    def test_a_liaison_logs_a_phone_call(self):
        self.login(self.liaison)
        url = reverse("liaison_contact", args=[self.a1[0].pk])
        self.assertEqual(self.client.get(url).status_code, 200)
        self.assertFalse(ContactLog.objects.exists())
        response = self.client.post(url, {"kind": "phone", "at": "2026-06-15T09:30", "notes": "身体好",
                                          "next": reverse("liaison_mine")})
        self.assertRedirects(response, reverse("liaison_mine"), fetch_redirect_response=False)
        log = ContactLog.objects.get()
        self.assertEqual((log.by, log.at, log.notes), (self.liaison, datetime(2026, 6, 15, 9, 30, tzinfo=SHANGHAI), "身体好"))
        self.a1[0].refresh_from_db()
        self.assertEqual(self.a1[0].last_contact_at, log.at)

    def test_a_contact_in_the_future_is_refused(self):
        self.login(self.liaison)
        response = self.client.post(reverse("liaison_contact", args=[self.a1[0].pk]), {"kind": "phone", "at": "2026-06-16T09:30"})
        self.assertContains(response, "The contact cannot be in the future.")
        self.assertFalse(ContactLog.objects.exists())

    def test_a_group_leader_logs_contacts_with_their_own_group_only(self):
        self.login(self.group_leader)
        self.client.post(reverse("liaison_contact", args=[self.a1[0].pk]), {"kind": "home", "at": "2026-06-14T16:00"})
        self.assertEqual(ContactLog.objects.count(), 1)
        response = self.client.post(reverse("liaison_contact", args=[self.a2[0].pk]), {"kind": "home", "at": "2026-06-14T16:00"})
        self.assertEqual(response.status_code, 404)

    def test_an_outside_next_address_is_ignored(self):
        self.login(self.liaison)
        response = self.client.post(reverse("liaison_contact", args=[self.a1[0].pk]),
                                    {"kind": "phone", "at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "next": "https://evil.example/"})
        self.assertRedirects(response, reverse("member_detail", args=[self.a1[0].pk]), fetch_redirect_response=False)
