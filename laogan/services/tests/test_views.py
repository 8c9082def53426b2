import io
from datetime import date

import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from laogan.accounts.models import AuditAction, AuditEntry
from laogan.services import actions
from laogan.services.models import Partner, ServiceRequest, Status
from laogan.test import BaseTestCase, make_member

from .helpers import at, category, make_request, step

ENGLISH = override_settings(LANGUAGE_CODE="en")
NIGHT = at(2026, 3, 10, 22, 30)


def intake(member, **overrides):
    data = {"member": str(member.pk), "category": str(category("water").pk), "summary": "厨房水管爆裂",
            "location": "家中厨房", "caller": "member", "caller_name": "", "channel": "phone", "opened_at": "",
            "assignee": "", "q": ""}
    data.update(overrides)
    return data


@ENGLISH
@time_machine.travel(NIGHT, tick=False)
class IntakeViewTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.zhang = make_member(name="张建国", born=date(1928, 5, 3), unit=cls.group_a1)
        cls.li = make_member(name="李秀英", born=date(1933, 2, 14), sex="F", unit=cls.group_a2)
        cls.other = make_member(name="张乙", unit=cls.group_b1)

    def test_a_night_time_water_fault_is_recorded_and_shows_its_due_time(self):
        self.login(self.liaison)
        response = self.client.post(reverse("request_create"), intake(self.zhang, handle_now="on"), follow=True)
        r = ServiceRequest.objects.get()
        self.assertRedirects(response, reverse("request_detail", args=[r.pk]))
        self.assertEqual((r.status, r.assignee, r.resolve_by), (Status.IN_PROGRESS, self.liaison, at(2026, 3, 11, 1, 30)))
        self.assertContains(response, "Resolve by 3月11日 01:30:00.")
        self.assertContains(response, "3月11日 01:30:00")

    def test_the_form_offers_big_category_buttons_on_a_phone(self):
        self.login(self.liaison)
        response = self.client.get(reverse("request_create"))
        self.assertContains(response, 'class="choice-buttons', count=3)
        self.assertContains(response, "换灯泡")
        self.assertContains(response, "services.js")

    def test_members_are_found_by_pinyin_initials_within_scope(self):
        self.login(self.liaison)
        response = self.client.get(reverse("request_member_search"), {"q": "zjg"}, headers={"HX-Request": "true"})
        self.assertContains(response, "张建国")
        self.assertNotContains(response, "李秀英")
        self.assertNotContains(response, "<html")
        self.assertNotContains(self.client.get(reverse("request_member_search"), {"q": "张"}), "张乙")

    def test_a_family_caller_must_be_named(self):
        self.login(self.liaison)
        response = self.client.post(reverse("request_create"), intake(self.zhang, caller="family"))
        self.assertContains(response, "Say who called")
        self.assertFalse(ServiceRequest.objects.exists())
        self.assertContains(response, 'value="%d" checked' % self.zhang.pk)  # the picked member stays picked

    def test_a_member_of_another_centre_cannot_be_picked(self):
        self.login(self.liaison)
        self.client.post(reverse("request_create"), intake(self.other))
        self.assertFalse(ServiceRequest.objects.exists())
        self.assertEqual(self.client.get(reverse("request_create"), {"member": self.other.pk}).status_code, 404)

    def test_a_call_entered_late_keeps_its_own_time(self):
        self.login(self.liaison)
        self.client.post(reverse("request_create"), intake(self.zhang, opened_at="2026-03-10T21:00"))
        self.assertEqual(ServiceRequest.objects.get().resolve_by, at(2026, 3, 11, 0, 0))

    def test_a_group_leader_records_but_does_not_work_requests(self):
        self.login(self.group_leader)
        self.client.post(reverse("request_create"), intake(self.zhang, handle_now="on"))
        r = ServiceRequest.objects.get()
        self.assertEqual(r.status, Status.NEW)
        response = self.client.get(reverse("request_detail", args=[r.pk]))
        self.assertNotContains(response, "Start work")
        self.assertEqual(self.client.post(reverse("request_action", args=[r.pk, "start"]), {"start-version": "1"}).status_code, 403)


@ENGLISH
class WorkViewTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.member = make_member(name="张建国", born=date(1928, 5, 3), unit=cls.group_a1)
        cls.partner = Partner.objects.create(centre=cls.centre_a, name="北湖物业", phone="0771-1")

    def setUp(self):
        self.r = make_request(self.member, self.liaison, "electricity", opened=at(2026, 3, 10, 8, 0))

    def post(self, action, when, **data):
        with time_machine.travel(when, tick=False):
            self.client.force_login(self.liaison)  # the session would have expired between the frozen moments
            return self.client.post(reverse("request_action", args=[self.r.pk, action]),
                                    {f"{action}-{k}": v for k, v in data.items()})

    def test_the_whole_life_of_a_request_through_the_pages(self):
        self.login(self.liaison)
        self.assertRedirects(self.post("dispatch", at(2026, 3, 10, 8, 10), version=1, partner=self.partner.pk,
                                       reference="WY-7"), reverse("request_detail", args=[self.r.pk]),
                             fetch_redirect_response=False)
        self.post("wait", at(2026, 3, 10, 9, 0), version=2, reason="member_away")
        self.post("resume", at(2026, 3, 10, 11, 0), version=3)
        self.post("resolve", at(2026, 3, 10, 15, 0), version=4, resolution="换了空开")
        self.post("callback", at(2026, 3, 11, 9, 0), version=5, satisfied="yes", comment="很好", answered_by="本人")
        self.post("close", at(2026, 3, 11, 10, 0), version=6)
        self.r.refresh_from_db()
        self.assertEqual((self.r.status, self.r.resolve_by, self.r.satisfied), (Status.CLOSED, at(2026, 3, 11, 10, 0), True))
        with time_machine.travel(at(2026, 3, 11, 10, 5), tick=False):
            self.client.force_login(self.liaison)
            response = self.client.get(reverse("request_detail", args=[self.r.pk]))
        for text in ("Dispatched to a partner", "北湖物业（WY-7）", "Member away", "Resumed", "换了空开", "很好", "Done in time"):
            self.assertContains(response, text)
        self.assertContains(response, "Reopen")

    def test_an_unhappy_callback_reopens_the_request(self):
        self.login(self.liaison)
        self.post("start", at(2026, 3, 10, 8, 5), version=1)
        self.post("resolve", at(2026, 3, 10, 12, 0), version=2, resolution="修好了")
        response = self.post("callback", at(2026, 3, 11, 9, 0), version=3, satisfied="no", comment="")
        self.assertContains(response, "Write down what is still wrong", status_code=400)
        self.post("callback", at(2026, 3, 11, 9, 0), version=3, satisfied="no", comment="插座还是没电")
        self.r.refresh_from_db()
        self.assertEqual((self.r.status, self.r.callback_comment), (Status.REOPENED, "插座还是没电"))

    def test_the_loser_of_a_concurrent_change_is_told_and_keeps_what_they_typed(self):
        self.login(self.liaison)
        step(actions.do_start, self.r, self.secretary, at(2026, 3, 10, 8, 5))  # the secretary was quicker
        response = self.post("resolve", at(2026, 3, 10, 8, 6), version=1, resolution="换好了保险丝，插座有电了")
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "changed this request at 08:05", status_code=409)
        self.assertContains(response, "换好了保险丝，插座有电了", status_code=409)
        self.assertContains(response, 'name="resolve-version" value="2"', status_code=409)
        self.r.refresh_from_db()
        self.assertEqual((self.r.status, self.r.version), (Status.IN_PROGRESS, 2))
        # Sending it again acts on the request as it now is.
        self.post("resolve", at(2026, 3, 10, 8, 7), version=2, resolution="换好了保险丝，插座有电了")
        self.r.refresh_from_db()
        self.assertEqual(self.r.status, Status.RESOLVED)

    def test_a_late_resolution_asks_for_the_reason(self):
        self.login(self.liaison)
        response = self.post("resolve", at(2026, 3, 11, 9, 0), version=1, resolution="修好了")
        self.assertContains(response, "say why it took longer", status_code=400)
        self.r.refresh_from_db()
        self.assertEqual((self.r.status, self.r.version), (Status.NEW, 1))

    def test_notes_are_added_to_the_history(self):
        self.login(self.liaison)
        response = self.client.post(reverse("request_note", args=[self.r.pk]), {"note": "老人下午才在家"})
        self.assertRedirects(response, reverse("request_detail", args=[self.r.pk]) + "#history", fetch_redirect_response=False)
        self.assertContains(self.client.get(reverse("request_detail", args=[self.r.pk])), "老人下午才在家")

    def test_actions_are_post_only(self):
        self.login(self.liaison)
        self.assertEqual(self.client.get(reverse("request_action", args=[self.r.pk, "start"])).status_code, 405)
        self.assertEqual(self.client.get(reverse("request_note", args=[self.r.pk])).status_code, 405)

    def test_an_unknown_action_is_a_404(self):
        self.login(self.liaison)
        self.assertEqual(self.client.post(reverse("request_action", args=[self.r.pk, "delete"])).status_code, 404)


@ENGLISH
@time_machine.travel(at(2026, 3, 20, 12, 0), tick=False)
class ListViewTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.members = [make_member(name=n, unit=cls.group_a1) for n in ("张建国", "李秀英", "王德明")]
        cls.other = make_member(name="陈乙", unit=cls.group_b1)
        cls.overdue = make_request(cls.members[0], cls.liaison, "bills", opened=at(2026, 3, 16, 9, 0), summary="代缴电费",
                                   handle_now=True)
        cls.risky = make_request(cls.members[1], cls.secretary, "medicine", opened=at(2026, 3, 17, 14, 0), summary="代购药",
                                 handle_now=True)
        cls.fresh = make_request(cls.members[2], cls.liaison, "bulb", opened=at(2026, 3, 20, 11, 0), summary="换灯泡",
                                 handle_now=True)
        make_request(cls.other, cls.outsider, "bulb", opened=at(2026, 3, 20, 11, 0), summary="乙中心的灯")

    def summaries(self, response):
        return [r.summary for r in response.context["page"]]

    def test_open_requests_are_listed_soonest_due_first_and_scoped(self):
        self.login(self.liaison)
        response = self.client.get(reverse("request_list"))
        self.assertEqual(self.summaries(response), ["代缴电费", "代购药", "换灯泡"])
        self.assertContains(response, "Overdue")
        self.assertContains(response, "At risk")

    def test_filters_by_state_category_and_member(self):
        self.login(self.liaison)
        self.assertEqual(self.summaries(self.client.get(reverse("request_list"), {"state": "overdue"})), ["代缴电费"])
        self.assertEqual(self.summaries(self.client.get(reverse("request_list"), {"state": "at_risk"})), ["代购药"])
        self.assertEqual(self.summaries(self.client.get(reverse("request_list"), {"state": "mine"})), ["代缴电费", "换灯泡"])
        self.assertEqual(self.summaries(self.client.get(reverse("request_list"), {"category": "bulb"})), ["换灯泡"])
        self.assertEqual(self.summaries(self.client.get(reverse("request_list"), {"q": "lxy"})), ["代购药"])

    def test_htmx_gets_the_results_fragment(self):
        self.login(self.liaison)
        response = self.client.get(reverse("request_list"), {"state": "all"}, headers={"HX-Request": "true", "HX-Target": "results"})
        self.assertNotContains(response, "<html")
        self.assertContains(response, "换灯泡")

    def test_the_list_takes_the_same_number_of_queries_for_more_requests(self):
        self.login(self.liaison)
        with CaptureQueriesContext(connection) as few:
            self.client.get(reverse("request_list"), {"state": "all"})
        for n in range(8):
            make_request(self.members[n % 3], self.liaison, "card", opened=at(2026, 3, 19, 9, n), summary=f"补办{n}")
        with self.assertNumQueries(len(few)):
            self.client.get(reverse("request_list"), {"state": "all"})

    def test_the_excel_export_lists_the_periods_requests_and_is_audited(self):
        self.login(self.liaison)
        response = self.client.get(reverse("request_export"), {"start": "2026-03-01", "end": "2026-03-31"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][:6], ("编号", "受理时间", "老干部", "党小组", "类别", "事项"))
        self.assertEqual([r[5] for r in rows[1:]], ["代缴电费", "代购药", "换灯泡"])
        self.assertEqual(rows[1][1], "2026-03-16 09:00")
        self.assertTrue(AuditEntry.objects.filter(action=AuditAction.EXPORT, actor=self.liaison).exists())

    def test_the_figures_page_counts_per_category_and_links_to_the_requests(self):
        self.login(self.secretary)
        response = self.client.get(reverse("request_figures"), {"start": "2026-03-01", "end": "2026-03-31"})
        total = response.context["total"]
        self.assertEqual((total.count, total.open_overdue), (3, 1))
        self.assertContains(response, "state=overdue")
        self.assertNotContains(response, "乙中心")

    def test_the_dashboard_shows_a_staff_members_own_deadlines_and_the_secretary_all(self):
        self.login(self.liaison)
        panel = next(p for p in self.client.get(reverse("home")).context["panels"] if p.key == "requests_due")
        self.assertEqual([i.text for i in panel.items], ["张建国：代缴电费"])
        self.assertTrue(panel.items[0].urgent)
        self.login(self.secretary)
        panel = next(p for p in self.client.get(reverse("home")).context["panels"] if p.key == "requests_due")
        self.assertEqual([i.text for i in panel.items], ["张建国：代缴电费", "李秀英：代购药"])
        self.assertIn("办结剩余", panel.items[1].note)


@ENGLISH
class SetupViewTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.member = make_member(name="张建国", unit=cls.group_a1)

    def policy_data(self, **overrides):
        data = {"respond_anchor": "duration", "respond_minutes": "60", "resolve_anchor": "duration",
                "resolve_minutes": "1440", "clock": "always", "morning_start": "08:30", "morning_end": "12:00",
                "afternoon_start": "14:30", "afternoon_end": "17:30"}
        data.update(overrides)
        return data

    def test_a_secretary_changes_a_policy_and_open_requests_follow(self):
        r = make_request(self.member, self.liaison, "bulb", opened=at(2026, 3, 10, 9, 0))
        self.login(self.secretary)
        self.assertContains(self.client.get(reverse("request_setup")), "换灯泡")
        response = self.client.post(reverse("request_policy_edit", args=[category("bulb").pk]), self.policy_data())
        self.assertRedirects(response, reverse("request_setup") + "?centre=centre-a")
        r.refresh_from_db()
        self.assertEqual(r.resolve_by, at(2026, 3, 11, 9, 0))

    def test_a_secretary_adds_a_category_with_its_deadlines(self):
        self.login(self.secretary)
        data = {"name": "修剪花木", "code": "garden", "order": "200", **{f"policy-{k}": v for k, v in self.policy_data().items()}}
        self.client.post(reverse("request_category_create"), data)
        self.login(self.liaison)
        self.assertContains(self.client.get(reverse("request_create")), "修剪花木")
        self.login(self.outsider)
        self.assertNotContains(self.client.get(reverse("request_create")), "修剪花木")

    def test_a_secretary_adds_a_partner(self):
        self.login(self.secretary)
        self.client.post(reverse("request_partner_create"), {"name": "便民维修队", "kind": "repair", "phone": "0771-2"})
        self.assertTrue(Partner.objects.filter(centre=self.centre_a, name="便民维修队").exists())

    def test_working_hours_must_make_sense(self):
        self.login(self.secretary)
        response = self.client.post(reverse("request_policy_edit", args=[category("bulb").pk]),
                                    self.policy_data(morning_start="13:00"))
        self.assertContains(response, "Working hours must run morning then afternoon")

    def test_staff_cannot_change_deadlines(self):
        self.login(self.liaison)
        self.assertEqual(self.client.get(reverse("request_setup")).status_code, 403)
        self.assertEqual(self.client.post(reverse("request_policy_edit", args=[category("bulb").pk]), self.policy_data()).status_code, 403)

    def test_a_bureau_admin_chooses_the_centre(self):
        self.login(self.admin)
        self.assertContains(self.client.get(reverse("request_setup")), "centre=centre-a")
        self.assertContains(self.client.get(reverse("request_setup"), {"centre": "centre-b"}), "换灯泡")
