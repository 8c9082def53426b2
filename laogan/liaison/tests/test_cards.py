"""What a card says, and which cards are stale after each kind of change (computed in bulk, three queries)."""

from datetime import date

from laogan.accounts.actions import do_set_user_active, do_update_unit, do_update_user
from laogan.accounts.models import Role
from laogan.liaison import actions, cards
from laogan.members.actions import do_record_life_event
from laogan.members.models import Member
from laogan.test import make_member, make_user

from .base import LiaisonTestCase, set_liaison


class CardFieldsTest(LiaisonTestCase):
    def test_a_card_carries_member_group_leader_liaison_and_hotline(self):
        set_liaison(self.a1, self.liaison)
        state = cards.card_states(Member.objects.filter(pk=self.a1[0].pk))[0]
        self.assertEqual(state.fields, {
            "centre": "甲中心", "name": "张建国", "group": "第一党小组", "leader_name": "覃振华",
            "leader_mobile": "13977131000", "leader_work_phone": "0771-3125099", "liaison_name": "黄海燕",
            "liaison_mobile": "13977101001", "hotline": "0771-1111111",
        })
        self.assertTrue(state.never_printed)

    def test_a_disabled_leader_or_liaison_is_not_printed(self):
        set_liaison(self.a1, self.liaison)
        do_set_user_active(self.group_leader, False, acting_user=self.admin)
        do_set_user_active(self.liaison, False, acting_user=self.admin)
        fields = cards.card_states(Member.objects.filter(pk=self.a1[0].pk))[0].fields
        self.assertEqual((fields["leader_name"], fields["liaison_name"], fields["liaison_mobile"]), ("", "", ""))

    def test_a_group_hotline_overrides_the_centres(self):
        do_update_unit(self.group_a2, hotline="0771-2222222", acting_user=self.admin)
        states = {s.member.unit_id: s.fields["hotline"] for s in cards.card_states(Member.objects.filter(centre=self.centre_a))}
        self.assertEqual(states, {self.group_a1.pk: "0771-1111111", self.group_a2.pk: "0771-2222222"})

    def test_the_qr_code_saves_the_numbers_as_one_labelled_contact(self):
        set_liaison(self.a1, self.liaison)
        fields = cards.card_states(Member.objects.filter(pk=self.a1[0].pk))[0].fields
        text = cards.vcard(fields)
        self.assertTrue(text.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n"))
        for line in ("item1.TEL;TYPE=CELL:13977131000", "item1.X-ABLabel:党小组长覃振华手机", "item2.TEL;TYPE=WORK:07713125099",
                     "item3.TEL;TYPE=CELL:13977101001", "item3.X-ABLabel:联络员黄海燕", "item4.X-ABLabel:服务热线",
                     "ORG:甲中心"):
            self.assertIn(line + "\r\n", text)

    def test_numbers_are_grouped_for_reading(self):
        self.assertEqual(cards.display_phone("13977101001"), "139 7710 1001")
        self.assertEqual(cards.display_phone("0771-3125000"), "0771-3125000")
        self.assertEqual(cards.display_phone("07713125000"), "0771-3125000")
        self.assertEqual(cards.display_phone("01062345678"), "010-62345678")
        self.assertEqual(cards.display_phone("12345"), "12345")


class StalenessTest(LiaisonTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        set_liaison(cls.a1, cls.liaison)
        set_liaison(cls.a2, cls.liaison2)
        actions.do_print_cards(Member.objects.filter(centre=cls.centre_a), centre=cls.centre_a, unit=cls.centre_a,
                               label="甲中心", acting_user=cls.secretary)

    def stale(self):
        with self.assertNumQueries(3):
            states = cards.card_states(Member.objects.filter(centre=self.centre_a))
        return {s.member.name: s.changed for s in states if s.stale}

    def names(self, members):
        return {m.name for m in members}

    def test_freshly_printed_cards_are_not_stale(self):
        self.assertEqual(self.stale(), {})

    def test_a_group_leaders_new_mobile_makes_exactly_that_groups_cards_stale(self):
        do_update_user(self.group_leader, mobile="13977139999", acting_user=self.admin)
        stale = self.stale()
        self.assertEqual(set(stale), self.names(self.a1))
        self.assertEqual([str(label) for label in stale["张建国"]], ["group leader's mobile"])

    def test_a_new_group_leader_makes_that_groups_cards_stale(self):
        do_set_user_active(self.leader_a2, False, acting_user=self.admin)
        make_user("leader2b", self.group_a2, Role.GROUP_LEADER, full_name="潘文静", mobile="13977131555")
        self.assertEqual(set(self.stale()), self.names(self.a2))

    def test_a_new_liaison_makes_that_members_card_stale(self):
        actions.do_assign_liaison(self.a2[0], self.liaison, acting_user=self.secretary)
        self.assertEqual(self.stale(), {"刘国栋": [cards.CARD_FIELDS["liaison_name"], cards.CARD_FIELDS["liaison_mobile"]]})

    def test_a_liaisons_new_phone_makes_their_members_cards_stale(self):
        do_update_user(self.liaison2, mobile="13977100000", acting_user=self.admin)
        self.assertEqual(set(self.stale()), self.names(self.a2))

    def test_a_new_hotline_makes_every_card_of_the_centre_stale(self):
        do_update_unit(self.centre_a, hotline="0771-1234567", acting_user=self.admin)
        self.assertEqual(set(self.stale()), self.names(self.a1 + self.a2))

    def test_a_liaison_who_left_makes_their_members_cards_stale(self):
        do_set_user_active(self.liaison, False, acting_user=self.admin)
        self.assertEqual(set(self.stale()), self.names(self.a1))

    def test_a_member_moved_to_another_group_gets_a_stale_card(self):
        Member.objects.filter(pk=self.a1[0].pk).update(unit=self.group_a2, unit_path=self.group_a2.path)
        self.assertEqual(set(self.stale()), {"张建国"})

    def test_reprinting_clears_staleness_and_keeps_the_history(self):
        do_update_user(self.group_leader, mobile="13977139999", acting_user=self.admin)
        pdf, batch = actions.do_print_cards(Member.objects.filter(centre=self.centre_a), centre=self.centre_a,
                                            unit=self.centre_a, label="甲中心", stale_only=True, acting_user=self.secretary)
        self.assertEqual(batch.count, 5)
        self.assertEqual(self.stale(), {})
        self.assertEqual(self.a1[0].card_prints.count(), 2)
        self.assertEqual(self.a1[0].card_prints.filter(is_current=True).get().fields["leader_mobile"], "13977139999")

    def test_a_new_member_has_no_card_yet_rather_than_a_stale_one(self):
        newcomer = make_member(name="新成员", unit=self.group_a1)
        state = cards.card_states(Member.objects.filter(pk=newcomer.pk))[0]
        self.assertTrue(state.never_printed)
        self.assertFalse(state.stale)

    def test_the_dead_get_no_card(self):
        do_record_life_event(self.a1[0], kind="died", date=date(2026, 1, 3), acting_user=None)
        do_update_user(self.group_leader, mobile="13977139999", acting_user=self.admin)
        self.assertEqual(set(self.stale()), self.names(self.a1[1:]))

    def test_nothing_stale_means_nothing_printed(self):
        pdf, batch = actions.do_print_cards(Member.objects.filter(centre=self.centre_a), centre=self.centre_a,
                                            unit=self.centre_a, label="甲中心", stale_only=True, acting_user=self.secretary)
        self.assertEqual((pdf, batch), (None, None))
