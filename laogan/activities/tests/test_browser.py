"""The flow a secretary does by hand on a phone: record a 学习会, open its attendance checklist, tap who came and who
had the material brought home, save, and see the 人次 on the activity's page.

Driven with Playwright on Debian's chromium (never `playwright install`), against a live server in real time. The
main pages are also photographed at 360 px wide into /tmp/activities_*.png for a person to look at.
"""

from datetime import date, timedelta
from pathlib import Path

from django.utils import timezone

from laogan.accounts.models import Role, UnitKind
from laogan.test import BrowserTestCase, PASSWORD, make_member, make_unit, make_user

from ..actions import do_add_adviser, do_create_default_groups, do_forward, do_record_suggestion
from ..models import Activity, Participation, Presence

SHOTS = Path("/tmp")


class RecordAStudySessionOnAPhoneTest(BrowserTestCase):
    def setUp(self):
        bureau = make_unit("bureau", UnitKind.BUREAU, name="城区老干部局")
        self.centre = make_unit("centre-a", UnitKind.CENTRE, bureau, name="甲中心")
        branch = make_unit("branch-a", UnitKind.BRANCH, self.centre, name="甲支部")
        group = make_unit("group-a1", UnitKind.GROUP, branch, name="第一党小组")
        self.secretary = make_user("secretary", self.centre, Role.SECRETARY, full_name="覃丽华")
        names = ["张建国", "李秀英", "王振华", "黄志强", "韦桂兰"]
        self.members = [make_member(n, date(1928 + i, 3, 1 + i), unit=group, sex="F" if n in ("李秀英", "韦桂兰") else "M")
                        for i, n in enumerate(names)]
        groups = do_create_default_groups(self.centre, acting_user=self.secretary)
        do_add_adviser(groups[1], self.members[2], expertise="水稻种植，曾任农业局副局长", is_leader=True,
                       acting_user=self.secretary)
        today = timezone.localdate()
        s = do_record_suggestion(centre=self.centre, member=self.members[0], text="北湖路老旧小区楼道狭窄，建议改造时加装扶手和照明。",
                                 field="建设", received_on=today - timedelta(days=50), acting_user=self.secretary)
        do_forward(s, to="城区住建局", on=today - timedelta(days=45), acting_user=self.secretary)
        do_record_suggestion(centre=self.centre, group=groups[1], text="建议扶持坛洛镇香蕉深加工。", field="农业",
                             received_on=today, acting_user=self.secretary)
        self.open_phone()

    def test_a_secretary_records_a_study_session_and_ticks_attendance_on_the_phone(self):
        from playwright.sync_api import expect

        page = self.page
        page.goto(self.live_server_url + "/login/")
        page.fill("input[name=username]", "secretary")
        page.fill("input[name=password]", PASSWORD)
        page.click("form button")
        page.goto(self.live_server_url + "/activities/new/")
        expect(page.locator("input[name=custom_kind]")).to_be_hidden()
        page.select_option("select[name=kind]", "study")
        page.fill("input[name=title]", "学习党的创新理论学习会")
        page.fill("input[name=place]", "中心活动室")
        now = timezone.localtime().replace(second=0, microsecond=0) - timedelta(hours=1)
        page.fill("input[name=starts_at]", now.strftime("%Y-%m-%dT%H:%M"))
        self.assert_no_horizontal_scroll()
        page.click("form.activity-form button.primary")

        expect(page.locator("h1")).to_contain_text("学习党的创新理论学习会")
        activity = Activity.objects.get()
        page.click(".attendance-actions .primary")
        expect(page.locator(".check-row")).to_have_count(5)
        self.assert_no_horizontal_scroll()
        rows = page.locator(".check-row")
        rows.nth(0).locator(".seg-attended").tap()
        rows.nth(1).locator(".seg-attended").tap()
        rows.nth(3).locator(".seg-attended").tap()
        rows.nth(4).locator(".seg-home").tap()
        expect(page.locator("[data-tally=attended]")).to_have_text("3")
        expect(page.locator("[data-tally=home]")).to_have_text("1")
        page.screenshot(path=str(SHOTS / "activities_checklist.png"), full_page=True)
        page.click(".checklist-form button.primary")

        page.wait_for_url(self.live_server_url + activity.get_absolute_url())
        expect(page.locator("#attended .count")).to_have_text("3")
        expect(page.locator("#home .count")).to_have_text("1")
        self.assert_no_horizontal_scroll()
        page.screenshot(path=str(SHOTS / "activities_detail.png"), full_page=True)
        rows = Participation.objects.filter(activity=activity)
        self.assertEqual(rows.filter(presence=Presence.ATTENDED).count(), 3)
        self.assertEqual(rows.filter(presence=Presence.HOME).count(), 1)

        for name, path in (("list", "/activities/"), ("scan", f"/activities/{activity.pk}/scan/"),
                           ("suggestions", "/activities/suggestions/?state=all"),
                           ("advisory", "/activities/advisory/"), ("cards", "/activities/signin-cards/?print=1"),
                           ("yearly", "/activities/suggestions/yearly/"), ("new", "/activities/new/")):
            with self.subTest(page=name):
                page.goto(self.live_server_url + path)
                self.assert_no_horizontal_scroll()
                page.screenshot(path=str(SHOTS / f"activities_{name}.png"), full_page=True)
        page.goto(self.live_server_url + "/activities/suggestions/?state=overdue")
        expect(page.locator(".suggestion-row")).to_have_count(1)
        page.locator(".suggestion-row a").click()
        expect(page.locator("h1 .tag.late")).to_be_visible()
        page.screenshot(path=str(SHOTS / "activities_suggestion.png"), full_page=True)
