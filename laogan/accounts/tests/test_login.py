from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.test import override_settings
from django.urls import reverse

from laogan.test import PASSWORD, BaseTestCase

START = datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@override_settings(LANGUAGE_CODE="en")
class LoginTest(BaseTestCase):
    def test_login_page_is_open_to_anonymous(self):
        response = self.client.get(reverse("login"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'name="password"')

    def test_right_password_logs_in_and_goes_home(self):
        response = self.client.post(reverse("login"), {"username": "liaison", "password": PASSWORD})
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.liaison.pk)
        self.liaison.refresh_from_db()
        self.assertIsNotNone(self.liaison.last_login)

    def test_wrong_password_says_so_and_does_not_log_in(self):
        response = self.client.post(reverse("login"), {"username": "liaison", "password": "Correct-horse-battery"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Passwords are case-sensitive")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_disabled_account_cannot_log_in(self):
        self.liaison.is_active = False
        self.liaison.save(update_fields=["is_active"])
        response = self.client.post(reverse("login"), {"username": "liaison", "password": PASSWORD})
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_next_is_followed_within_the_site(self):
        response = self.client.post(reverse("login") + "?next=/members/", {"username": "liaison", "password": PASSWORD, "next": "/members/"})
        self.assertRedirects(response, "/members/", fetch_redirect_response=False)

    def test_next_to_another_site_is_ignored(self):
        response = self.client.post(reverse("login"), {"username": "liaison", "password": PASSWORD, "next": "https://evil.example/"})
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)

    def test_a_logged_in_user_is_sent_on_from_the_login_page(self):
        self.login(self.liaison)
        self.assertRedirects(self.client.get(reverse("login")), reverse("home"), fetch_redirect_response=False)

    def test_logout_is_post_only_and_ends_the_session(self):
        self.login(self.liaison)
        self.assertEqual(self.client.get(reverse("logout")).status_code, 405)
        self.assertIn("_auth_user_id", self.client.session)
        response = self.client.post(reverse("logout"))
        self.assertRedirects(response, reverse("login"), fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_every_page_but_login_needs_a_login(self):
        for url in (reverse("home"), reverse("member_list"), reverse("user_list"), reverse("audit_log"), reverse("password_change")):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertRedirects(response, f"{reverse('login')}?next={url}", fetch_redirect_response=False)


class IdleSessionTest(BaseTestCase):
    def test_session_ends_after_thirty_idle_minutes_but_not_while_in_use(self):
        with time_machine.travel(START, tick=False) as clock:
            self.client.post(reverse("login"), {"username": "liaison", "password": PASSWORD})
            for _ in range(3):  # 29 minutes between requests, 87 minutes in all: still logged in
                clock.shift(timedelta(minutes=29))
                self.assertEqual(self.client.get(reverse("member_list")).status_code, 200)
            clock.shift(timedelta(minutes=31))
            response = self.client.get(reverse("member_list"))
            self.assertRedirects(response, f"{reverse('login')}?next=/members/", fetch_redirect_response=False)

    def test_a_page_view_writes_the_session_at_most_once_a_minute(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def session_writes():
            with CaptureQueriesContext(connection) as ctx:
                self.assertEqual(self.client.get(reverse("member_list")).status_code, 200)
            return sum(1 for q in ctx.captured_queries if q["sql"].startswith(("UPDATE", "INSERT")) and "django_session" in q["sql"])

        with time_machine.travel(START, tick=False) as clock:
            self.client.post(reverse("login"), {"username": "liaison", "password": PASSWORD})
            clock.shift(timedelta(seconds=61))
            self.assertEqual(session_writes(), 1)  # renewed: the 30 minutes count from now
            clock.shift(timedelta(seconds=20))
            self.assertEqual(session_writes(), 0)  # a moment later: read only
            clock.shift(timedelta(seconds=41))
            self.assertEqual(session_writes(), 1)
