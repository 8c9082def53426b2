"""The flow a liaison does by hand on a phone: log in, find a member by pinyin initials, record a hospital admission.

Driven with Playwright on Debian's chromium (never `playwright install`), against a live server.
"""

from datetime import date
from pathlib import Path

from django.utils.timezone import localdate

from laogan.accounts.models import Role, UnitKind
from laogan.members.models import EventKind, Status
from laogan.test import BrowserTestCase, PASSWORD, make_member, make_unit, make_user

SCREENSHOT = Path("/tmp/browser_member.png")
HOSPITAL = "广西医科大学第一附属医院"


class RecordAdmissionOnAPhoneTest(BrowserTestCase):
    def setUp(self):
        bureau = make_unit("bureau", UnitKind.BUREAU, name="城区老干部局")
        centre = make_unit("centre-a", UnitKind.CENTRE, bureau, name="甲中心")
        branch = make_unit("branch-a", UnitKind.BRANCH, centre, name="甲支部")
        group = make_unit("group-a1", UnitKind.GROUP, branch, name="第一党小组")
        self.liaison = make_user("liaison", centre, Role.STAFF, full_name="刘晓红")
        self.member = make_member(name="张建国", born=date(1928, 5, 3), unit=group, phones=[("mobile", "13877001234")])
        make_member(name="张建华", born=date(1930, 8, 15), unit=group)
        make_member(name="赵建国", born=date(1931, 1, 20), unit=group)  # zhaojianguo: the same initials, zjg
        make_member(name="李秀英", born=date(1933, 2, 14), sex="F", unit=group)
        self.open_phone()

    def test_liaison_records_a_hospital_admission_from_a_phone(self):
        from playwright.sync_api import expect

        page = self.page
        page.goto(self.live_server_url + "/login/")
        page.fill("input[name=username]", "liaison")
        page.fill("input[name=password]", PASSWORD)
        page.click("form button.primary")
        page.wait_for_url(self.live_server_url + "/")

        page.goto(self.live_server_url + "/members/")
        page.fill("input[name=q]", "zjg")  # htmx searches as one types
        rows = page.locator("#results .member-row")
        expect(rows).to_have_count(2)
        expect(rows.filter(has_text="张建国")).to_have_count(1)
        self.assert_no_horizontal_scroll()
        rows.filter(has_text="张建国").locator("a").click()
        page.wait_for_url(f"{self.live_server_url}/members/{self.member.pk}/")
        expect(page.locator("h1")).to_contain_text("张建国")

        page.click("details.record-event summary")
        page.select_option("select[name=kind]", EventKind.ADMITTED)
        page.fill("input[name=date]", localdate().isoformat())
        page.fill("input[name=hospital]", HOSPITAL)
        page.fill("input[name=ward]", "心内科")
        page.click("details.record-event button.primary")

        page.wait_for_url(f"{self.live_server_url}/members/{self.member.pk}/")
        expect(page.locator("h1 .tag.in_hospital")).to_be_visible()
        expect(page.locator(".timeline li.event-admitted")).to_contain_text(HOSPITAL)
        expect(page.locator(".messages")).to_contain_text("张建国")
        self.assert_no_horizontal_scroll()
        page.screenshot(path=str(SCREENSHOT), full_page=True)

        self.member.refresh_from_db()
        self.assertEqual(self.member.status, Status.IN_HOSPITAL)
        event = self.member.events.get()
        self.assertEqual((event.kind, event.hospital, event.ward, event.recorded_by), (EventKind.ADMITTED, HOSPITAL, "心内科", self.liaison))
