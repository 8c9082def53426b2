"""The flow a liaison does by hand on a phone: open this week's visits, tap a member's birthday, record the visit
with the cake, a gift and a photo, and see it done.

Driven with Playwright on Debian's chromium (never `playwright install`), against a live server in real time.
"""

import io
from datetime import timedelta
from pathlib import Path

from django.utils.timezone import localdate
from PIL import Image

from laogan.accounts.models import Role, UnitKind
from laogan.members.models import Member
from laogan.test import BrowserTestCase, PASSWORD, make_member, make_unit, make_user
from laogan.visits.models import MoneyEntry, Occasion, PlannedVisit, PlanStatus, VisitPhoto
from laogan.visits.planning import plan

SCREENSHOT = Path("/tmp/browser_visits.png")


class RecordABirthdayVisitOnAPhoneTest(BrowserTestCase):
    def setUp(self):
        bureau = make_unit("bureau", UnitKind.BUREAU, name="城区老干部局")
        centre = make_unit("centre-a", UnitKind.CENTRE, bureau, name="甲中心")
        group = make_unit("group-a1", UnitKind.GROUP, make_unit("branch-a", UnitKind.BRANCH, centre), name="第一党小组")
        self.liaison = make_user("liaison", centre, Role.STAFF, full_name="刘晓红")
        today = localdate()
        birthday = today + timedelta(days=2)
        if (birthday.month, birthday.day) == (2, 29):
            birthday += timedelta(days=1)
        self.member = make_member(name="张建国", born=birthday.replace(year=birthday.year - 90), unit=group)
        Member.objects.filter(pk=self.member.pk).update(liaison=self.liaison)
        plan(today, today + timedelta(days=30))
        self.birthday = PlannedVisit.objects.get(member=self.member, kind=Occasion.BIRTHDAY)
        self.open_phone()

    def test_a_liaison_records_this_weeks_birthday_visit_from_a_phone(self):
        from playwright.sync_api import expect

        page = self.page
        page.goto(self.live_server_url + "/login/")
        page.fill("input[name=username]", "liaison")
        page.fill("input[name=password]", PASSWORD)
        page.click("form button")
        page.goto(self.live_server_url + "/visits/")
        week = page.locator("#week .visit-row")
        expect(week).to_have_count(1)
        expect(week).to_contain_text("张建国")
        self.assert_no_horizontal_scroll()
        week.locator("a").click()

        expect(page.locator("h1")).to_contain_text("张建国")
        expect(page.locator("[data-show-when-occasion]")).to_be_hidden()  # not a festival visit
        expect(page.locator("input[name=cake_ordered]")).to_be_checked()  # a 90th birthday wants a cake
        page.check("input[name=cake_delivered]")
        page.fill("input[name=gifts-0-item]", "生日蛋糕")
        page.fill("input[name=gifts-0-value]", "168.00")
        page.fill("textarea[name=notes]", "老人精神很好，一起吃了蛋糕")
        out = io.BytesIO()
        Image.new("RGB", (400, 300), (220, 120, 40)).save(out, "PNG")
        page.set_input_files("input[name=photos]", files=[{"name": "cake.png", "mimeType": "image/png", "buffer": out.getvalue()}])
        self.assert_no_horizontal_scroll()
        page.click("form.record-form button.primary")

        page.wait_for_url(self.live_server_url + "/visits/")
        expect(page.locator("#done .visit-row")).to_contain_text("张建国")
        expect(page.locator("#week .visit-row")).to_have_count(0)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        self.birthday.refresh_from_db()
        self.assertEqual((self.birthday.status, self.birthday.done_on), (PlanStatus.DONE, localdate()))
        self.assertTrue(self.birthday.attendance.cake_delivered)
        self.assertEqual(MoneyEntry.objects.get(member=self.member).amount, 168)
        self.assertEqual(VisitPhoto.objects.filter(record=self.birthday.attendance.record).count(), 1)
