"""The flow a secretary does by hand on a phone: record a death on the member page, open the after-death checklist
that appeared, tick off the condolence visit, and see the case close when its steps are done.

Driven with Playwright on Debian's chromium (never `playwright install`), against a live server.
"""

from datetime import date, timedelta

from django.utils.timezone import localdate

from laogan.accounts.models import Role, UnitKind
from laogan.members.models import Member
from laogan.test import BrowserTestCase, PASSWORD, make_member, make_unit, make_user

from ..models import Case, Status, StepStatus
from .base import finish


class AfterDeathOnAPhoneTest(BrowserTestCase):
    def setUp(self):
        bureau = make_unit("bureau", UnitKind.BUREAU, name="城区老干部局")
        centre = make_unit("centre-a", UnitKind.CENTRE, bureau, name="甲中心")
        branch = make_unit("branch-a", UnitKind.BRANCH, centre, name="甲支部")
        group = make_unit("group-a1", UnitKind.GROUP, branch, name="第一党小组")
        self.secretary = make_user("secretary", centre, Role.SECRETARY, full_name="覃丽华")
        self.liaison = make_user("liaison", centre, Role.STAFF, full_name="黄海燕")
        self.member = make_member(name="张建国", born=date(1928, 5, 3), unit=group)
        Member.objects.filter(pk=self.member.pk).update(liaison=self.liaison)
        self.open_phone()

    def test_secretary_records_a_death_and_works_the_checklist(self):
        from playwright.sync_api import expect

        page, base = self.page, self.live_server_url
        died = localdate() - timedelta(days=1)
        page.goto(base + "/login/")
        page.fill("input[name=username]", "secretary")
        page.fill("input[name=password]", PASSWORD)
        page.click("form button.primary")
        page.wait_for_url(base + "/")

        page.goto(f"{base}/members/{self.member.pk}/")
        page.click("details.record-event summary")
        page.select_option("select[name=kind]", "died")
        page.fill("input[name=date]", died.isoformat())
        page.click("details.record-event button.primary")
        page.wait_for_url(f"{base}/members/{self.member.pk}/")

        page.click(".member-cases a:has-text('善后工作')")
        case = Case.objects.get(member=self.member)
        page.wait_for_url(f"{base}/cases/{case.pk}/")
        steps = page.locator("ol.steps li.step")
        expect(steps).to_have_count(10)
        condolence = case.steps.get(code="condolence")
        row = page.locator(f"#step-{condolence.pk}")
        expect(row).to_contain_text("上门慰问家属")
        expect(row).to_contain_text(f"{localdate().month}月{localdate().day}日")  # day 0–1 after the death
        self.assert_no_horizontal_scroll()

        row.locator("summary.done-toggle").click()
        row.locator("button.primary").click()
        page.wait_for_url(f"{base}/cases/{case.pk}/#step-{condolence.pk}")
        condolence.refresh_from_db()
        self.assertEqual((condolence.status, condolence.done_by), (StepStatus.DONE, self.secretary))
        expect(page.locator(f"#step-{condolence.pk}")).to_have_class("step status-done")

        finish(case, self.secretary)
        page.reload()
        case.refresh_from_db()
        self.assertEqual(case.status, Status.CLOSED)
        expect(page.locator(".headline .case-status")).to_have_class("tag case-status closed")
        self.assert_no_horizontal_scroll()
