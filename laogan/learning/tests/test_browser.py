"""A liaison on a phone (360 px wide) records a member's reflection from the year's grid, then a good deed from the
member's learning page, and sees both marks on the grid. Playwright on Debian's chromium, against a live server."""

from datetime import date

from django.utils.timezone import localdate

from laogan.accounts.models import Role, UnitKind
from laogan.test import PASSWORD, BrowserTestCase, make_member, make_unit, make_user

from ..models import GoodDeed, Reflection


class RecordOnAPhoneTest(BrowserTestCase):
    def setUp(self):
        bureau = make_unit("bureau", UnitKind.BUREAU, name="城区老干部局")
        centre = make_unit("centre-a", UnitKind.CENTRE, bureau, name="甲中心")
        branch = make_unit("branch-a", UnitKind.BRANCH, centre, name="甲支部")
        group = make_unit("group-a1", UnitKind.GROUP, branch, name="第一党小组")
        make_user("liaison", centre, Role.STAFF, full_name="黄海燕")
        self.member = make_member(name="张建国", born=date(1928, 5, 3), unit=group)
        make_member(name="李秀英", born=date(1930, 2, 1), unit=group, sex="F")
        self.open_phone()

    def test_liaison_records_a_dictated_reflection_and_a_good_deed(self):
        from playwright.sync_api import expect

        page, base, pk = self.page, self.live_server_url, self.member.pk
        page.goto(base + "/login/")
        page.fill("input[name=username]", "liaison")
        page.fill("input[name=password]", PASSWORD)
        page.click("form button.primary")
        page.wait_for_url(base + "/")

        page.goto(base + "/learning/")
        self.assert_no_horizontal_scroll()
        page.click(f"a.todo[href='/learning/members/{pk}/reflection/']")
        page.wait_for_url(f"{base}/learning/members/{pk}/reflection/")
        self.assert_no_horizontal_scroll()
        page.fill("input[name=title]", "重温入党誓词")
        page.fill("textarea[name=text]", "我一九四八年入党，今天重温誓词。")
        page.check("input[name=dictated]")
        page.fill("input[name=scribe]", "黄海燕")
        page.check("input[name=consent_to_publish]")
        page.fill("input[name=consent_on]", localdate().isoformat())
        page.click("form.learning-form button.primary")
        page.wait_for_url(f"{base}/learning/members/{pk}/?year={localdate().year}")
        expect(page.locator("#reflections")).to_contain_text("重温入党誓词")
        self.assert_no_horizontal_scroll()

        page.click(f"a[href='/learning/members/{pk}/deed/']")
        page.fill("input[name=what]", "为社区青少年讲党史")
        page.fill("input[name=for_whom]", "北湖社区青少年")
        page.click("form.learning-form button.primary")
        page.wait_for_url(f"{base}/learning/members/{pk}/?year={localdate().year}")
        expect(page.locator("#deeds")).to_contain_text("为社区青少年讲党史")

        reflection = Reflection.objects.get()
        self.assertEqual((reflection.dictated, reflection.scribe, reflection.consent_to_publish), (True, "黄海燕", True))
        self.assertEqual(GoodDeed.objects.get().for_whom, "北湖社区青少年")
        page.goto(base + "/learning/")
        row = page.locator("table.learning-grid tbody tr", has_text="张建国")
        expect(row.locator("a.done")).to_have_count(2)
        self.assert_no_horizontal_scroll()
