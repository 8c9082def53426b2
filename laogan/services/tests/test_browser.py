"""The flow a liaison does by hand on a phone: a member's son calls about a burst pipe; the liaison finds the member
by pinyin initials, taps the category, types what and where, and sees the due time. Then dispatches a plumber.

Driven with Playwright on Debian's chromium (never `playwright install`), against a live server in real time.
"""

import re
from datetime import date

from django.utils import timezone

from laogan.accounts.models import Role, UnitKind
from laogan.services.defaults import ensure_shipped
from laogan.services.models import Partner, ServiceRequest, Status
from laogan.test import BrowserTestCase, PASSWORD, make_member, make_unit, make_user


class NightWaterFaultOnAPhoneTest(BrowserTestCase):
    def setUp(self):
        ensure_shipped()  # a transactional test before this one may have flushed the data migration's rows
        bureau = make_unit("bureau", UnitKind.BUREAU, name="城区老干部局")
        centre = make_unit("centre-a", UnitKind.CENTRE, bureau, name="甲中心")
        group = make_unit("group-a1", UnitKind.GROUP, make_unit("branch-a", UnitKind.BRANCH, centre), name="第一党小组")
        self.liaison = make_user("liaison", centre, Role.STAFF, full_name="刘晓红")
        self.member = make_member(name="张建国", born=date(1928, 5, 3), unit=group)
        make_member(name="李秀英", born=date(1933, 2, 14), sex="F", unit=group)
        Partner.objects.create(centre=centre, name="北湖物业", kind="property")
        self.open_phone()

    def test_a_liaison_records_a_burst_pipe_and_dispatches_it(self):
        page = self.page
        page.goto(self.live_server_url + "/login/")
        page.fill("input[name=username]", "liaison")
        page.fill("input[name=password]", PASSWORD)
        page.click("form button")
        page.goto(self.live_server_url + "/services/new/")
        page.fill("input.member-search", "zjg")
        page.keyboard.press("Enter")  # looks up, never sends the half-filled form
        page.locator(".member-choice", has_text="张建国").click()
        self.assertEqual(page.locator(".member-choice").count(), 1)
        category = page.locator(".choice-buttons label", has_text="水（漏水、停水）")
        self.assertGreaterEqual(category.bounding_box()["height"], 44)
        category.click()
        page.fill("input[name=summary]", "卫生间水管爆裂")
        page.fill("input[name=location]", "家中卫生间")
        page.locator(".choice-buttons label", has_text=re.compile("Family|家属")).click()
        page.fill("input[name=caller_name]", "儿子")
        page.locator("input[name=handle_now]").check()
        self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), 360)
        page.click("button.primary.wide")

        page.wait_for_url(re.compile(r"/services/\d+/$"))
        r = ServiceRequest.objects.get()
        self.assertEqual((r.member, r.status, r.caller_name), (self.member, Status.IN_PROGRESS, "儿子"))
        due = timezone.localtime(r.resolve_by)
        self.assertIn(f"{due.month}月{due.day}日 {due:%H:%M:%S}", page.locator(".deadlines").inner_text())
        self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), 360)

        page.locator("#action-dispatch summary").click()
        page.select_option("select[name=dispatch-partner]", label="北湖物业")
        page.fill("input[name=dispatch-reference]", "WY-0412")
        page.locator("#action-dispatch button.primary").click()
        page.wait_for_load_state()
        self.assertIn("北湖物业（WY-0412）", page.locator("#history").inner_text())
        r.refresh_from_db()
        self.assertEqual(r.partner_ref, "WY-0412")
