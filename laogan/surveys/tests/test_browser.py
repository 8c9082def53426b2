"""A member answers on a 360 px phone with JavaScript switched off: large print, big buttons, one question a screen.

Driven with Playwright on Debian's chromium (never `playwright install`), against a live server.
"""

from datetime import date, timedelta

from django.utils.timezone import localdate

from laogan.accounts.models import Role, UnitKind
from laogan.surveys.models import Response, TextAnswer
from laogan.test import BrowserTestCase, make_member, make_unit, make_user

from .helpers import issue_slips, make_survey


class AnswerWithoutJavaScriptTest(BrowserTestCase):
    def setUp(self):
        bureau = make_unit("bureau", UnitKind.BUREAU)
        centre = make_unit("centre-a", UnitKind.CENTRE, bureau, name="甲中心")
        group = make_unit("group-a1", UnitKind.GROUP, make_unit("branch-a", UnitKind.BRANCH, centre), name="第一党小组")
        secretary = make_user("secretary", centre, Role.SECRETARY)
        make_member(name="张建国", born=date(1928, 5, 3), unit=group)
        today = localdate()  # the live server runs in real time
        self.survey = make_survey(centre, blueprint="visit_follow_up", opens_on=today - timedelta(days=1),
                                  closes_on=today + timedelta(days=10))
        self.code = issue_slips(self.survey, group, secretary, on=today)["张建国"]
        self.open_phone(java_script_enabled=False)

    def assert_large(self, selector):
        size = self.page.locator(selector).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        self.assertGreaterEqual(size, 24, selector)  # 24 px = 18 pt

    def test_a_member_answers_with_javascript_off(self):
        page = self.page
        page.goto(self.live_server_url + "/surveys/a/")
        self.assert_large("main p")
        page.fill("#id_code", self.code.lower())
        page.click("button.primary")
        self.assertEqual(page.locator("legend").count(), 1)  # one question on the screen
        options = page.locator("label.option")
        self.assertEqual(options.count(), 5)
        for i in range(5):
            self.assertGreaterEqual(options.nth(i).bounding_box()["height"], 60)
        self.assertGreaterEqual(page.locator("button[value=next]").bounding_box()["height"], 60)
        self.assert_large("legend")
        options.nth(1).click()
        page.click("button[value=next]")
        page.locator("label.option").nth(0).click()
        page.click("button[value=next]")
        page.fill("textarea", "谢谢大家常来看我")
        page.click("button[value=next]")
        self.assertEqual(page.locator("ol.review li").count(), 3)
        self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), 360)
        page.locator("button[value=submit]").first.click()
        self.assertEqual(page.locator("main h1").count(), 1)
        self.assertEqual(page.locator("form").count(), 0)  # the thank-you page: nothing more to send
        self.assertEqual(Response.objects.filter(survey=self.survey).count(), 1)
        self.assertEqual(TextAnswer.objects.get().text, "谢谢大家常来看我")
