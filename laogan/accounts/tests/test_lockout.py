from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.test import override_settings
from django.urls import reverse

from laogan.accounts.models import AuditAction, AuditEntry
from laogan.test import PASSWORD, BaseTestCase

START = datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@override_settings(LANGUAGE_CODE="en")
class LockoutTest(BaseTestCase):
    def fail(self, username="liaison", ip="10.0.0.1"):
        return self.client.post(reverse("login"), {"username": username, "password": "wrong-password-1"}, REMOTE_ADDR=ip)

    def right(self, username="liaison", ip="10.0.0.1"):
        return self.client.post(reverse("login"), {"username": username, "password": PASSWORD}, REMOTE_ADDR=ip)

    @time_machine.travel(START, tick=False)
    def test_five_wrong_passwords_lock_the_account_even_for_the_right_password(self):
        for _ in range(5):
            self.fail()
        response = self.right()
        self.assertContains(response, "locked after 5 wrong passwords")
        self.assertNotIn("_auth_user_id", self.client.session)

    @time_machine.travel(START, tick=False)
    def test_four_wrong_passwords_then_the_right_one_logs_in_and_clears_the_count(self):
        for _ in range(4):
            self.fail()
        self.assertEqual(self.right().status_code, 302)
        self.client.logout()
        for _ in range(4):
            self.fail()
        self.assertEqual(self.right().status_code, 302)

    def test_the_lock_ends_after_fifteen_minutes(self):
        with time_machine.travel(START, tick=False):
            for _ in range(5):
                self.fail()
        with time_machine.travel(START + timedelta(minutes=16), tick=False):
            self.assertEqual(self.right().status_code, 302)

    @time_machine.travel(START, tick=False)
    def test_another_account_is_not_locked(self):
        for _ in range(5):
            self.fail()
        self.assertEqual(self.right(username="secretary").status_code, 302)

    @time_machine.travel(START, tick=False)
    def test_twenty_failures_from_one_address_lock_that_address(self):
        for i in range(20):
            self.fail(username=f"nobody{i}")
        response = self.right(username="secretary")
        self.assertContains(response, "Too many wrong passwords from this computer")
        self.assertEqual(self.right(username="secretary", ip="10.0.0.2").status_code, 302)

    @time_machine.travel(START, tick=False)
    def test_an_admin_unlocks_the_account(self):
        for _ in range(5):
            self.fail()
        admin_client = self.client_class()
        admin_client.force_login(self.admin)
        response = admin_client.post(reverse("user_unlock", args=[self.liaison.pk]))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.right().status_code, 302)
        self.assertTrue(AuditEntry.objects.filter(action=AuditAction.UPDATE, detail="log-in unlocked").exists())

    def test_unlock_is_post_only_and_admin_only(self):
        self.login(self.admin)
        self.assertEqual(self.client.get(reverse("user_unlock", args=[self.liaison.pk])).status_code, 405)
        self.login(self.secretary)
        self.assertEqual(self.client.post(reverse("user_unlock", args=[self.liaison.pk])).status_code, 403)
        self.login(self.admin)
        self.assertEqual(self.client.post(reverse("user_unlock", args=[99999999])).status_code, 404)
