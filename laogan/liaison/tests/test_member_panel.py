"""The liaison part of the member page: liaison, last contact, group leader and card state, with a fixed number of
queries; what each role may do from there."""

from datetime import date

from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from laogan.accounts.actions import do_set_user_active, do_update_user
from laogan.liaison import actions
from laogan.members.actions import do_record_life_event
from laogan.members.models import Member

from .base import LiaisonTestCase, set_liaison


class MemberPanelTest(LiaisonTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        set_liaison(cls.a1, cls.liaison)

    def page(self, member, user=None):
        self.login(user or self.secretary)
        return self.client.get(reverse("member_detail", args=[member.pk]))

    def test_it_shows_liaison_group_leader_and_that_no_card_was_printed(self):
        response = self.page(self.a1[0])
        self.assertContains(response, 'id="liaison-panel"')
        self.assertContains(response, "黄海燕")
        self.assertContains(response, "覃振华")
        self.assertContains(response, "0771-3125099")
        self.assertContains(response, "never printed")
        self.assertContains(response, "Change liaison")

    def test_it_says_when_the_card_must_be_reprinted_and_why(self):
        actions.do_print_cards(Member.objects.filter(pk=self.a1[0].pk), centre=self.centre_a, unit=self.group_a1,
                               label="张建国", acting_user=self.secretary)
        self.assertContains(self.page(self.a1[0]), "up to date")
        do_update_user(self.group_leader, work_phone="0771-3125000", acting_user=self.admin)
        response = self.page(self.a1[0])
        self.assertContains(response, "to reprint")
        self.assertContains(response, "group leader&#x27;s work phone")

    def test_a_member_whose_liaison_left_is_marked(self):
        do_set_user_active(self.liaison, False, acting_user=self.admin)
        self.assertContains(self.page(self.a1[0]), "left: needs a new liaison")

    def test_a_liaison_may_log_and_print_but_not_reassign(self):
        response = self.page(self.a1[0], self.liaison)
        self.assertContains(response, reverse("liaison_contact", args=[self.a1[0].pk]))
        self.assertContains(response, reverse("liaison_card_member", args=[self.a1[0].pk]))
        self.assertNotContains(response, "Change liaison")

    def test_a_group_leader_may_log_contacts_only(self):
        response = self.page(self.a1[0], self.group_leader)
        self.assertContains(response, reverse("liaison_contact", args=[self.a1[0].pk]))
        self.assertNotContains(response, reverse("liaison_card_member", args=[self.a1[0].pk]))

    def test_the_dead_have_no_card_and_no_contact_button(self):
        do_record_life_event(self.a1[0], kind="died", date=date(2026, 1, 3), acting_user=None)
        response = self.page(self.a1[0])
        self.assertNotContains(response, reverse("liaison_contact", args=[self.a1[0].pk]))
        self.assertNotContains(response, "Service card")

    def test_the_panel_costs_a_fixed_number_of_queries(self):
        request = RequestFactory().get("/")
        request.user = self.secretary
        template = Template('{% load liaison_tags %}{% liaison_panel member %}')
        for member in (self.a1[0], self.a2[0]):
            member = Member.objects.select_related("unit", "centre").get(pk=member.pk)
            # policy; member with liaison; group leader; card print; the liaisons to choose from
            with self.assertNumQueries(5):
                template.render(Context({"request": request, "member": member}))
