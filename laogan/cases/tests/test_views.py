"""The case pages: scope (another centre's ids are 404), roles (viewers see no case, group leaders read only), the
forms from opening a case to closing it, and a list whose query count does not grow with its rows."""

from datetime import date
from decimal import Decimal

import time_machine
from django.test.utils import CaptureQueriesContext
from django.db import connection
from django.urls import reverse

from laogan.accounts.models import AuditAction, AuditEntry

from ..actions import do_add_party
from ..models import Case, CaseHelp, Kind, PartyRole, Status, StepStatus
from .base import CaseTestCase, at


@time_machine.travel(at(2026, 5, 20, 9), tick=False)
class ScopeTest(CaseTestCase):
    def setUp(self):
        self.case = self.open_case(Kind.HARDSHIP, opened_on=date(2026, 5, 1))
        self.party = do_add_party(self.case, role=PartyRole.FAMILY, name="张伟", relationship="儿子",
                                  phone="13877100001", acting_user=self.liaison)

    def test_outsider_gets_404_for_every_case_address_of_centre_a(self):
        self.login(self.outsider)
        pk, step = self.case.pk, self.case.steps.first().pk
        for url in (reverse("case_detail", args=[pk]), reverse("case_new") + f"?member={self.member.pk}",
                    reverse("survivor_new", args=[self.member.pk])):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        for url in (reverse("case_step_done", args=[pk, step]), reverse("case_close", args=[pk]),
                    reverse("case_note", args=[pk]), reverse("case_party_phone", args=[pk, self.party.pk]),
                    reverse("case_attach", args=[pk])):
            with self.subTest(url=url):
                self.assertEqual(self.client.post(url, {}).status_code, 404)
        self.assertEqual(self.client.get(reverse("case_list") + "?state=all").context["page"].paginator.count, 0)

    def test_viewer_sees_no_case_page(self):
        self.login(self.viewer)
        for url in (reverse("case_list"), reverse("case_detail", args=[self.case.pk]), reverse("survivor_list"),
                    reverse("case_figures")):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 403)

    def test_group_leader_reads_a_case_but_cannot_change_it(self):
        self.login(self.group_leader)
        self.assertContains(self.client.get(self.case.get_absolute_url()), "测试案件")
        step = self.case.steps.get(code="assess")
        response = self.client.post(reverse("case_step_done", args=[self.case.pk, step.pk]),
                                    {f"step{step.pk}-done_on": "2026-05-20"})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.client.get(reverse("case_new")).status_code, 403)

    def test_write_addresses_refuse_get(self):
        self.login(self.liaison)
        self.assertEqual(self.client.get(reverse("case_close", args=[self.case.pk])).status_code, 405)

    def test_revealing_a_family_phone_is_audited(self):
        self.login(self.liaison)
        response = self.client.post(reverse("case_party_phone", args=[self.case.pk, self.party.pk]))
        self.assertContains(response, "13877100001")
        self.assertContains(self.client.get(self.case.get_absolute_url()), "138****0001")
        self.assertTrue(AuditEntry.objects.filter(action=AuditAction.REVEAL, actor=self.liaison,
                                                  detail=f"phone of party {self.party.pk}").exists())

    def test_the_list_costs_the_same_queries_for_one_case_or_many(self):
        self.login(self.liaison)
        url = reverse("case_list") + "?state=all"
        self.client.get(url)
        with CaptureQueriesContext(connection) as one:
            self.client.get(url)
        for i in range(4):
            self.open_case(Kind.HOME_CARE, member=self.other, summary=f"转介{i}")
        with self.assertNumQueries(len(one.captured_queries)):
            page = self.client.get(url)
        self.assertEqual(page.context["page"].paginator.count, 5)


@time_machine.travel(at(2026, 5, 20, 9), tick=False)
class FlowTest(CaseTestCase):
    def test_a_liaison_opens_a_hardship_case_from_the_member_page(self):
        self.login(self.liaison)
        self.assertContains(self.client.get(reverse("member_detail", args=[self.member.pk])),
                            reverse("case_new") + f"?member={self.member.pk}")
        found = self.client.get(reverse("case_new") + "?q=zjg")
        self.assertContains(found, "张建国")
        response = self.client.post(reverse("case_new") + f"?member={self.member.pk}", {
            "case_type": "hardship", "summary": "老伴住院无人照料", "assessment": "", "opened_on": "2026-05-20"})
        case = Case.objects.get(member=self.member)
        self.assertRedirects(response, case.get_absolute_url())
        self.assertEqual((case.owner, case.case_type.code, case.confidential), (self.liaison, "hardship", False))

    def test_an_after_death_case_cannot_be_opened_by_hand(self):
        self.login(self.liaison)
        response = self.client.post(reverse("case_new") + f"?member={self.member.pk}", {
            "case_type": "after_death", "summary": "x", "opened_on": "2026-05-20"})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Case.objects.exists())

    def test_a_home_care_referral_needs_its_station_and_service(self):
        self.login(self.liaison)
        url = reverse("case_new") + f"?member={self.member.pk}"
        response = self.client.post(url, {"case_type": "home_care", "summary": "需要家政", "opened_on": "2026-05-20"})
        self.assertEqual(set(response.context["form"].errors), {"station", "service"})
        self.client.post(url, {"case_type": "home_care", "summary": "需要家政", "opened_on": "2026-05-20",
                               "station": "北湖街道居家养老服务站", "service": "housekeeping", "check_every_days": "30"})
        self.assertEqual(Case.objects.get().referral.station, "北湖街道居家养老服务站")

    def test_a_mediation_case_opened_by_hand_is_confidential(self):
        self.login(self.liaison)
        self.client.post(reverse("case_new") + f"?member={self.member.pk}", {
            "case_type": "mediation", "summary": "待遇问题", "opened_on": "2026-05-20"})
        self.assertTrue(Case.objects.get().confidential)

    def test_doing_steps_through_the_page_until_the_case_closes(self):
        case = self.open_case(Kind.HARDSHIP, opened_on=date(2026, 5, 18))
        self.login(self.secretary)
        for code, data in (("assess", {}), ("plan", {"result": "临时补助"}), ("deliver", {}),
                           ("confirm", {"satisfaction": "satisfied"})):
            step = case.steps.get(code=code)
            post = {f"step{step.pk}-done_on": "2026-05-20", **{f"step{step.pk}-{k}": v for k, v in data.items()}}
            response = self.client.post(reverse("case_step_done", args=[case.pk, step.pk]), post)
            self.assertEqual(response.status_code, 302, code)
        case.refresh_from_db()
        self.assertEqual((case.status, case.outcome, case.satisfaction), (Status.CLOSED, "resolved", "satisfied"))

    def test_a_refused_step_comes_back_with_its_error(self):
        case = self.open_case(Kind.HARDSHIP, opened_on=date(2026, 5, 18))
        self.login(self.liaison)
        step = case.steps.get(code="assess")
        response = self.client.post(reverse("case_step_done", args=[case.pk, step.pk]),
                                    {f"step{step.pk}-done_on": "2026-05-25"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.context["open_form"], f"done{step.pk}")
        shown = next(s for s in response.context["steps"] if s.pk == step.pk)
        self.assertIn("done_on", shown.done_form.errors)
        step.refresh_from_db()
        self.assertEqual(step.status, StepStatus.OPEN)

    def test_help_money_is_kept_in_yuan_with_two_places(self):
        case = self.open_case(Kind.HARDSHIP, opened_on=date(2026, 5, 18))
        self.login(self.liaison)
        self.client.post(reverse("case_help", args=[case.pk]), {
            "help-kind": "money", "help-given_on": "2026-05-19", "help-amount": "500", "help-recipient": "本人"})
        self.assertEqual(CaseHelp.objects.get().amount, Decimal("500.00"))
        response = self.client.post(reverse("case_help", args=[case.pk]), {
            "help-kind": "money", "help-given_on": "2026-05-19", "help-amount": ""})
        self.assertEqual(response.status_code, 400)

    def test_closing_and_reopening_through_the_page(self):
        case = self.open_case(Kind.MEDIATION, opened_on=date(2026, 5, 1))
        self.login(self.staff2)
        self.assertEqual(self.client.post(reverse("case_close", args=[case.pk]), {}).status_code, 404)
        self.login(self.liaison)
        self.client.post(reverse("case_close", args=[case.pk]), {
            "close-outcome": "resolved", "close-closed_on": "2026-05-20", "close-note": "想通了"})
        case.refresh_from_db()
        self.assertEqual((case.status, case.outcome), (Status.CLOSED, "resolved"))
        response = self.client.post(reverse("case_reopen", args=[case.pk]), {"reopen-reason": ""})
        self.assertEqual(response.status_code, 400)
        self.client.post(reverse("case_reopen", args=[case.pk]), {"reopen-reason": "又来反映"})
        case.refresh_from_db()
        self.assertEqual(case.status, Status.OPEN)

    def test_a_staff_member_who_is_not_owner_cannot_close_a_plain_case(self):
        case = self.open_case(Kind.HARDSHIP)
        self.login(self.staff2)
        response = self.client.post(reverse("case_close", args=[case.pk]), {
            "close-outcome": "withdrawn", "close-closed_on": "2026-05-20"})
        self.assertEqual(response.status_code, 403)
