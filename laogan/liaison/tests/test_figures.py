"""The liaison figures and dashboard panels, counted from rows this test makes."""

from datetime import date, datetime, timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from laogan.accounts.actions import do_update_user
from laogan.lib import figures
from laogan.lib.figures import Period
from laogan.lib.worklist import panels_for
from laogan.liaison import actions
from laogan.liaison.models import Commitment, JointActivity
from laogan.members.models import Member

from .base import SHANGHAI, LiaisonTestCase, set_liaison

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI)


@time_machine.travel(NOW, tick=False)
class FiguresTest(LiaisonTestCase):
    def value(self, key, period=Period.year(2026), unit=None):
        return figures.get(key).value(unit or self.centre_a, period)

    def test_members_without_a_liaison(self):
        set_liaison(self.a1, self.liaison)
        self.assertEqual(self.value("members_without_liaison"), 4)
        self.assertEqual(self.value("members_without_liaison", unit=self.bureau), 5)

    def test_contacts_are_counted_per_time_on_their_local_day(self):
        for days in (1, 2, 40):
            actions.do_log_contact(self.a1[0], kind="phone", at=NOW - timedelta(days=days), acting_user=self.liaison)
        actions.do_log_contact(self.a2[0], kind="home", at=datetime(2025, 12, 31, 23, 30, tzinfo=SHANGHAI),
                               acting_user=self.liaison2)
        self.assertEqual(self.value("liaison_contacts"), 3)
        self.assertEqual(self.value("liaison_contacts", Period.year(2025)), 1)
        self.assertEqual(self.value("liaison_contacts", Period.month(2026, 6)), 2)

    def test_partner_commitments_planned_and_done(self):
        Commitment.objects.create(partner=self.partner, title="游园", first_year=2026)
        Commitment.objects.create(partner=self.partner, title="旧承诺", first_year=2020, last_year=2025)
        JointActivity.objects.create(partner=self.partner, commitment=self.commitment, title="培训", date=date(2026, 5, 1),
                                     place="党校", attendance=20)
        JointActivity.objects.create(partner=self.partner, commitment=self.commitment, title="培训二", date=date(2026, 5, 9),
                                     place="党校", attendance=20)
        self.assertEqual((self.value("partner_commitments_planned"), self.value("partner_commitments_done")), (2, 1))
        self.assertEqual(self.value("partner_commitments_planned", Period.year(2025)), 2)
        self.assertEqual(self.value("partner_activities"), 2)
        self.assertEqual(self.value("partner_activities", unit=self.centre_b), 0)

    def test_cards_printed_counts_members_once(self):
        set_liaison(self.a1, self.liaison)
        group = Member.objects.filter(unit=self.group_a1)
        actions.do_print_cards(group, centre=self.centre_a, unit=self.group_a1, label="一组", acting_user=self.liaison)
        do_update_user(self.group_leader, mobile="13977139999", acting_user=self.admin)
        actions.do_print_cards(group, centre=self.centre_a, unit=self.group_a1, label="一组", stale_only=True,
                               acting_user=self.liaison)
        self.assertEqual(self.value("service_cards_printed"), 5)
        self.assertEqual(figures.get("service_cards_printed").records(self.centre_a, Period.year(2026)).count(), 10)


    def test_every_figure_opens_on_the_records_behind_it(self):
        set_liaison(self.a1, self.liaison)
        actions.do_log_contact(self.a1[0], kind="phone", at=NOW - timedelta(days=1), acting_user=self.liaison)
        JointActivity.objects.create(partner=self.partner, commitment=self.commitment, title="培训", date=date(2026, 5, 1),
                                     place="党校", attendance=20)
        self.login(self.secretary)
        for key in ("members_without_liaison", "liaison_contacts", "partner_commitments_planned",
                    "partner_commitments_done", "partner_activities", "service_cards_printed"):
            with self.subTest(key=key):
                response = self.client.get(reverse("figure_records", args=[key]) + "?year=2026")
                self.assertEqual(response.status_code, 200)
        self.assertContains(self.client.get(reverse("figure_records", args=["liaison_contacts"]) + "?year=2026"), "张建国")


@time_machine.travel(NOW, tick=False)
class PanelsTest(LiaisonTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        set_liaison(cls.a1, cls.liaison)
        set_liaison(cls.a2[:2], cls.liaison2)
        Member.objects.filter(pk=cls.a1[0].pk).update(last_contact_at=NOW - timedelta(days=2))
        Member.objects.filter(pk=cls.a1[1].pk).update(last_contact_at=NOW - timedelta(days=9), lives_alone=True)

    def panels(self, user):
        return {p.key: p for p in panels_for(user, timezone.localdate())}

    def test_a_liaison_sees_their_own_members_not_contacted_in_time(self):
        panel = self.panels(self.liaison)["not_contacted"]
        self.assertEqual(panel.count, 4)
        self.assertEqual(panel.items[0].text, "李秀英")  # living alone, nine days: urgent, and longest waiting
        self.assertTrue(panel.items[0].urgent)
        self.assertNotIn("liaison_roster", self.panels(self.liaison))

    def test_a_secretary_sees_counts_per_liaison_and_roster_problems(self):
        panels = self.panels(self.secretary)
        self.assertEqual({(i.text, i.note) for i in panels["not_contacted"].items},
                         {("黄海燕", "4 members"), ("韦小宁", "2 members"), ("No liaison", "2 members")})
        self.assertEqual(panels["not_contacted"].count, 8)
        roster_items = [i.text for i in panels["liaison_roster"].items]
        self.assertEqual(roster_items[0], "2 members need a liaison")

    def test_the_viewer_and_the_bureau_get_no_liaison_panels(self):
        for user in (self.viewer, self.admin):
            self.assertFalse({"not_contacted", "liaison_roster", "partner_open"} & set(self.panels(user)))
