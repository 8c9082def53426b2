"""Two-step log-in in a real browser on a 360 px phone: enrol from the QR page, then log in with the code."""

from laogan.accounts import totp
from laogan.accounts.models import Role, TotpDevice, UnitKind
from laogan.test import PASSWORD, BrowserTestCase, make_unit, make_user


class TotpBrowserTest(BrowserTestCase):
    def setUp(self):
        bureau = make_unit("bureau", UnitKind.BUREAU, name="城区老干部局")
        centre = make_unit("centre-a", UnitKind.CENTRE, bureau, name="甲中心")
        self.user = make_user("secretary", centre, Role.SECRETARY, full_name="黄秀梅", totp_required=True)
        self.open_phone()
        self.csp_errors = []
        self.page.on("console", lambda m: self.csp_errors.append(m.text) if "Content Security Policy" in m.text else None)

    def code(self, offset=0):
        return totp.code_at(TotpDevice.objects.get(user=self.user).secret, totp.current_step() + offset)

    def log_in_with_password(self):
        page = self.page
        page.goto(self.live_server_url + "/login/")
        page.fill("input[name=username]", "secretary")
        page.fill("input[name=password]", PASSWORD)
        page.click("form button.primary")

    def test_enrol_then_log_in_with_the_code(self):
        from playwright.sync_api import expect

        page = self.page
        self.log_in_with_password()
        # Required but not enrolled: any page leads to the set-up page with the QR code.
        page.goto(self.live_server_url + "/members/")
        page.wait_for_url(self.live_server_url + "/two-step/")
        expect(page.locator("img.otp-qr")).to_be_visible()
        self.assertGreater(page.evaluate("document.querySelector('img.otp-qr').naturalWidth"), 0)
        self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), 360)
        page.fill("input[name=code]", self.code())
        page.click("form button.primary")
        expect(page.locator("ol.recovery-codes li")).to_have_count(10)

        page.context.clear_cookies()
        self.log_in_with_password()
        page.wait_for_url(self.live_server_url + "/login/code/")
        box = page.locator("input[name=code]")
        self.assertGreaterEqual(box.bounding_box()["height"], 60)  # big digits, a big target
        self.assertEqual(box.get_attribute("inputmode"), "numeric")
        self.assertEqual(page.locator("main img").count(), 0)  # no picture captcha
        box.fill(self.code(1))  # the enrolment code's step is spent; the phone is a step ahead
        page.click("form button.primary")
        page.wait_for_url(self.live_server_url + "/")
        self.assertEqual(self.csp_errors, [])
