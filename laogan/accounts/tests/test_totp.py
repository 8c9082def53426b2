"""Two-step log-in (TOTP, RFC 6238): enrolment, the code after the password, drift, replay, recovery, admin reset."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.test import override_settings
from django.urls import reverse

from laogan.accounts import totp
from laogan.accounts.models import AuditAction, AuditEntry, RecoveryCode, TotpDevice
from laogan.test import PASSWORD, BaseTestCase

START = datetime(2026, 6, 1, 9, 0, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # "12345678901234567890", the RFC 6238 test key


class RfcVectorsTest(BaseTestCase):
    def test_codes_match_rfc_6238_sha1_vectors(self):
        # RFC 6238 appendix B gives 8 digits; the 6-digit code is the last six of them.
        for unix, eight in [(59, "94287082"), (1111111109, "07081804"), (1234567890, "89005924"), (2000000000, "69279037")]:
            self.assertEqual(totp.code_at(RFC_SECRET, unix // 30), eight[-6:])

    def test_provisioning_uri_names_issuer_and_account(self):
        uri = totp.provisioning_uri(RFC_SECRET, "secretary")
        self.assertTrue(uri.startswith("otpauth://totp/"))
        self.assertIn("secret=" + RFC_SECRET, uri)
        self.assertIn("secretary", uri)


@override_settings(LANGUAGE_CODE="en")
class TotpLoginTest(BaseTestCase):
    def setUp(self):
        self.clock = time_machine.travel(START, tick=False)
        self.clock.start()
        self.addCleanup(self.clock.stop)

    def enrol(self, user):
        device = TotpDevice.objects.create(user=user, secret=totp.new_secret(), confirmed_at=START)
        return device

    def code(self, device, offset=0):
        return totp.code_at(device.secret, totp.current_step() + offset)

    def password_step(self, user, **extra):
        return self.client.post(reverse("login"), {"username": user.username, "password": PASSWORD, **extra})

    def test_enrolled_user_is_asked_for_the_code_after_the_password(self):
        device = self.enrol(self.secretary)
        response = self.password_step(self.secretary)
        self.assertRedirects(response, reverse("login_code"), fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)
        page = self.client.get(reverse("login_code"))
        self.assertContains(page, 'inputmode="numeric"')
        self.assertContains(page, 'autocomplete="one-time-code"')
        self.assertNotContains(page, "<img")  # no picture captcha
        response = self.client.post(reverse("login_code"), {"code": self.code(device)})
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.secretary.pk)
        entry = AuditEntry.objects.get(action=AuditAction.LOGIN)
        self.assertEqual(entry.detail, "password and one-time code")

    def test_next_survives_the_code_step(self):
        device = self.enrol(self.secretary)
        self.password_step(self.secretary, next="/members/")
        response = self.client.post(reverse("login_code"), {"code": self.code(device)})
        self.assertRedirects(response, "/members/", fetch_redirect_response=False)

    def test_user_without_two_step_logs_in_with_the_password_only(self):
        response = self.password_step(self.liaison)
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)

    def test_codes_one_step_either_side_are_accepted_two_are_not(self):
        device = self.enrol(self.secretary)
        for offset, ok in [(-2, False), (2, False), (-1, True)]:
            self.client.logout()
            self.password_step(self.secretary)
            response = self.client.post(reverse("login_code"), {"code": self.code(device, offset)})
            self.assertEqual(response.status_code == 302, ok, offset)
        self.client.logout()
        with time_machine.travel(START.timestamp() + 30, tick=False):  # a later step: +1 from there
            self.password_step(self.secretary)
            response = self.client.post(reverse("login_code"), {"code": self.code(device, 1)})
        self.assertEqual(response.status_code, 302)

    def test_a_used_code_cannot_be_replayed(self):
        device = self.enrol(self.secretary)
        code = self.code(device)
        self.password_step(self.secretary)
        self.assertEqual(self.client.post(reverse("login_code"), {"code": code}).status_code, 302)
        self.client.logout()
        self.password_step(self.secretary)
        response = self.client.post(reverse("login_code"), {"code": code})
        self.assertContains(response, "already used")
        self.assertNotIn("_auth_user_id", self.client.session)
        # An older code (the previous step) is a replay too once a newer one was accepted.
        response = self.client.post(reverse("login_code"), {"code": self.code(device, -1)})
        self.assertContains(response, "already used")
        self.assertTrue(AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, detail="wrong one-time code").exists())

    def test_wrong_codes_lock_the_account(self):
        device = self.enrol(self.secretary)
        self.password_step(self.secretary)
        for _ in range(5):
            self.client.post(reverse("login_code"), {"code": "000000" if self.code(device) != "000000" else "111111"})
        response = self.client.post(reverse("login_code"), {"code": self.code(device)})
        self.assertContains(response, "Too many wrong codes")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_code_page_expires_after_five_minutes(self):
        device = self.enrol(self.secretary)
        self.password_step(self.secretary)
        with time_machine.travel(START.timestamp() + 301, tick=False):
            response = self.client.post(reverse("login_code"), {"code": self.code(device)})
        self.assertRedirects(response, reverse("login"), fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_code_page_without_a_password_first_goes_to_login(self):
        self.assertRedirects(self.client.get(reverse("login_code")), reverse("login"), fetch_redirect_response=False)

    def test_recovery_code_works_once(self):
        self.enrol(self.secretary)
        codes = totp.new_recovery_codes(self.secretary)
        self.assertFalse(RecoveryCode.objects.filter(code_hash__contains=codes[0].replace("-", "")).exists())
        self.password_step(self.secretary)
        response = self.client.post(reverse("login_code"), {"code": codes[0].upper()})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(AuditEntry.objects.get(action=AuditAction.LOGIN).detail, "password and recovery code")
        self.client.logout()
        self.password_step(self.secretary)
        self.assertEqual(self.client.post(reverse("login_code"), {"code": codes[0]}).status_code, 200)
        self.assertEqual(totp.recovery_codes_left(self.secretary), 9)


@override_settings(LANGUAGE_CODE="en")
class TotpEnrolmentTest(BaseTestCase):
    def setUp(self):
        self.clock = time_machine.travel(START, tick=False)
        self.clock.start()
        self.addCleanup(self.clock.stop)

    def test_enrol_scan_confirm_and_get_recovery_codes_once(self):
        self.login(self.liaison)
        page = self.client.get(reverse("totp_setup"))
        self.assertContains(page, 'src="data:image/svg+xml')
        device = TotpDevice.objects.get(user=self.liaison)
        self.assertIsNone(device.confirmed_at)
        # The secret is encrypted at rest.
        raw = TotpDevice.objects.filter(pk=device.pk).values_list("secret", flat=True).query
        from django.db import connection

        with connection.cursor() as c:
            c.execute("SELECT secret FROM accounts_totpdevice WHERE id = %s", [device.pk])
            self.assertNotIn(device.secret, c.fetchone()[0])
        self.assertIsNotNone(raw)
        response = self.client.post(reverse("totp_setup"), {"action": "enrol", "code": "123456" if totp.code_at(device.secret, totp.current_step()) != "123456" else "654321"})
        self.assertContains(response, "That code is wrong")
        response = self.client.post(reverse("totp_setup"), {"action": "enrol", "code": totp.code_at(device.secret, totp.current_step())})
        self.assertContains(response, "Recovery codes")
        self.assertEqual(len(response.context["codes"]), 10)
        device.refresh_from_db()
        self.assertIsNotNone(device.confirmed_at)
        self.assertEqual(RecoveryCode.objects.filter(user=self.liaison).count(), 10)
        self.assertTrue(AuditEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(self.liaison.pk),
                                                  detail="two-step log-in switched on").exists())
        status = self.client.get(reverse("totp_setup"))
        self.assertContains(status, "10 recovery codes left")
        for code in response.context["codes"]:
            self.assertNotContains(status, code)

    @override_settings(LAOGAN_TOTP_REQUIRED_ROLES=["admin", "secretary"])
    def test_required_role_must_enrol_before_anything_else(self):
        self.login(self.secretary)
        self.assertRedirects(self.client.get("/members/"), reverse("totp_setup"), fetch_redirect_response=False)
        self.assertEqual(self.client.get(reverse("totp_setup")).status_code, 200)
        self.login(self.liaison)  # staff are not required
        self.assertNotEqual(self.client.get("/members/").status_code, 302)

    @override_settings(LAOGAN_TOTP_REQUIRED_ROLES=["secretary"])
    def test_required_and_enrolled_but_session_without_code_must_log_in_again(self):
        TotpDevice.objects.create(user=self.secretary, secret=totp.new_secret(), confirmed_at=START)
        self.login(self.secretary)
        self.assertRedirects(self.client.get("/members/"), reverse("login"), fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_per_user_flag_requires_it(self):
        self.liaison.totp_required = True
        self.liaison.save(update_fields=["totp_required"])
        self.login(self.liaison)
        self.assertRedirects(self.client.get("/members/"), reverse("totp_setup"), fetch_redirect_response=False)

    def test_admin_can_require_it_in_the_user_form(self):
        self.login(self.admin)
        self.client.post(reverse("user_edit", args=[self.liaison.pk]), {
            "full_name": self.liaison.full_name, "unit": self.centre_a.pk, "role": "staff", "mobile": "", "work_phone": "",
            "totp_required": "on"})
        self.liaison.refresh_from_db()
        self.assertTrue(self.liaison.totp_required)

    def test_admin_reset_is_audited_and_scoped(self):
        TotpDevice.objects.create(user=self.liaison, secret=totp.new_secret(), confirmed_at=START)
        totp.new_recovery_codes(self.liaison)
        self.login(self.admin)
        self.assertContains(self.client.get(reverse("user_edit", args=[self.liaison.pk])), "Reset two-step log-in")
        self.assertEqual(self.client.get(reverse("user_reset_totp", args=[self.liaison.pk])).status_code, 405)
        response = self.client.post(reverse("user_reset_totp", args=[self.liaison.pk]))
        self.assertRedirects(response, reverse("user_edit", args=[self.liaison.pk]), fetch_redirect_response=False)
        self.assertFalse(TotpDevice.objects.filter(user=self.liaison).exists())
        self.assertFalse(RecoveryCode.objects.filter(user=self.liaison).exists())
        entry = AuditEntry.objects.get(detail="two-step log-in reset by administrator")
        self.assertEqual((entry.actor, entry.object_id), (self.admin, str(self.liaison.pk)))
        # Not an admin: refused.
        self.login(self.secretary)
        self.assertEqual(self.client.post(reverse("user_reset_totp", args=[self.liaison.pk])).status_code, 403)

    def test_user_can_switch_it_off_with_a_code_unless_required(self):
        device = TotpDevice.objects.create(user=self.liaison, secret=totp.new_secret(), confirmed_at=START)
        self.login(self.liaison)
        response = self.client.post(reverse("totp_setup"), {"action": "off", "code": totp.code_at(device.secret, totp.current_step())})
        self.assertRedirects(response, reverse("totp_setup"), fetch_redirect_response=False)
        self.assertFalse(TotpDevice.objects.filter(user=self.liaison, confirmed_at__isnull=False).exists())
