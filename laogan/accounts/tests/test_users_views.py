import re

from django.contrib.messages import get_messages
from django.test import override_settings
from django.urls import reverse

from laogan.accounts.models import AuditAction, AuditEntry, Role, UnitKind, User
from laogan.test import PASSWORD, BaseTestCase, make_unit, make_user

NEW_PASSWORD = "a-new-long-passphrase-2026"


@override_settings(LANGUAGE_CODE="en")  # the temporary password is read from the English message
class UserAdminTest(BaseTestCase):
    def create_user(self, **overrides):
        data = {"username": "wangfang", "full_name": "王芳", "unit": self.centre_a.pk, "role": Role.STAFF,
                "mobile": "13877009999", "work_phone": "", **overrides}
        return self.client.post(reverse("user_create"), data)

    def temporary_password(self, response):
        text = " ".join(str(m) for m in get_messages(response.wsgi_request))
        return re.search(r"password(?: for \w+)?: (\S+) ", text).group(1)

    def test_admin_creates_a_user_who_must_change_the_password(self):
        self.login(self.admin)
        response = self.create_user()
        self.assertRedirects(response, reverse("user_list"))
        user = User.objects.get(username="wangfang")
        self.assertEqual((user.unit, user.role, user.must_change_password), (self.centre_a, Role.STAFF, True))
        self.assertTrue(user.check_password(self.temporary_password(response)))
        entry = AuditEntry.objects.get(action=AuditAction.CREATE, object_type="accounts.user")
        self.assertEqual((entry.actor, entry.unit_path), (self.admin, self.centre_a.path))

    def test_first_log_in_forces_the_password_change_page(self):
        self.login(self.admin)
        temporary = self.temporary_password(self.create_user())
        self.client.logout()

        response = self.client.post(reverse("login"), {"username": "wangfang", "password": temporary})
        self.assertEqual(response.status_code, 302)
        for url in (reverse("home"), reverse("member_list"), reverse("user_list")):
            with self.subTest(url=url):
                self.assertRedirects(self.client.get(url), reverse("password_change"), fetch_redirect_response=False)

        response = self.client.post(reverse("password_change"),
                                    {"old_password": temporary, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        self.assertEqual(response.status_code, 302)
        user = User.objects.get(username="wangfang")
        self.assertFalse(user.must_change_password)
        self.assertTrue(user.check_password(NEW_PASSWORD))
        self.assertEqual(self.client.get(reverse("member_list")).status_code, 200)  # still logged in
        self.assertTrue(AuditEntry.objects.filter(action=AuditAction.PASSWORD, actor=user).exists())

    def test_a_weak_new_password_is_refused_and_the_change_is_still_required(self):
        self.login(self.admin)
        temporary = self.temporary_password(self.create_user())
        self.client.logout()
        self.client.post(reverse("login"), {"username": "wangfang", "password": temporary})
        response = self.client.post(reverse("password_change"),
                                    {"old_password": temporary, "new_password1": "12345678", "new_password2": "12345678"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(User.objects.get(username="wangfang").must_change_password)

    def test_admin_resets_a_password(self):
        self.login(self.admin)
        response = self.client.post(reverse("user_reset_password", args=[self.liaison.pk]))
        self.assertRedirects(response, reverse("user_list"))
        self.liaison.refresh_from_db()
        self.assertTrue(self.liaison.must_change_password)
        self.assertFalse(self.liaison.check_password(PASSWORD))
        self.assertTrue(self.liaison.check_password(self.temporary_password(response)))
        self.assertTrue(AuditEntry.objects.filter(action=AuditAction.PASSWORD, object_id=str(self.liaison.pk), actor=self.admin).exists())

    def test_admin_disables_a_user_who_then_cannot_log_in(self):
        self.client.force_login(self.liaison)
        liaison_session = self.client.cookies["sessionid"].value
        self.login(self.admin)
        self.client.post(reverse("user_set_active", args=[self.liaison.pk]), {"active": "0"})
        self.liaison.refresh_from_db()
        self.assertFalse(self.liaison.is_active)

        self.client.logout()
        response = self.client.post(reverse("login"), {"username": "liaison", "password": PASSWORD})
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("_auth_user_id", self.client.session)
        # A session opened before the account was disabled no longer works either.
        self.client.cookies["sessionid"] = liaison_session
        self.assertEqual(self.client.get(reverse("member_list")).status_code, 302)

    def test_admin_enables_a_user_again(self):
        self.liaison.is_active = False
        self.liaison.save(update_fields=["is_active"])
        self.login(self.admin)
        self.client.post(reverse("user_set_active", args=[self.liaison.pk]), {"active": "1"})
        self.liaison.refresh_from_db()
        self.assertTrue(self.liaison.is_active)

    def test_admin_cannot_disable_themselves(self):
        self.login(self.admin)
        self.client.post(reverse("user_set_active", args=[self.admin.pk]), {"active": "0"})
        self.admin.refresh_from_db()
        self.assertTrue(self.admin.is_active)

    def test_admin_edits_a_role_and_the_change_is_audited(self):
        self.login(self.admin)
        response = self.client.post(reverse("user_edit", args=[self.liaison.pk]), {
            "username": "liaison", "full_name": "liaison", "unit": self.centre_a.pk, "role": Role.SECRETARY,
            "mobile": "", "work_phone": "", "may_reveal_id": "on",
        })
        self.assertRedirects(response, reverse("user_list"))
        self.liaison.refresh_from_db()
        self.assertEqual((self.liaison.role, self.liaison.may_reveal_id), (Role.SECRETARY, True))
        entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_type="accounts.user")
        self.assertEqual(entry.changes["role"], [Role.STAFF, Role.SECRETARY])

    def test_username_cannot_be_changed(self):
        self.login(self.admin)
        self.client.post(reverse("user_edit", args=[self.liaison.pk]), {
            "username": "renamed", "full_name": "liaison", "unit": self.centre_a.pk, "role": Role.STAFF,
        })
        self.liaison.refresh_from_db()
        self.assertEqual(self.liaison.username, "liaison")

    def test_duplicate_username_is_refused(self):
        self.login(self.admin)
        response = self.create_user(username="liaison")
        self.assertIn("username", response.context["form"].errors)

    def test_it_rejects_get_on_disable_and_reset(self):
        self.login(self.admin)
        for url in (reverse("user_set_active", args=[self.liaison.pk]), reverse("user_reset_password", args=[self.liaison.pk])):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url, {"active": "0"}).status_code, 405)
        self.liaison.refresh_from_db()
        self.assertTrue(self.liaison.is_active)
        self.assertFalse(self.liaison.must_change_password)

    def test_non_admins_get_403(self):
        urls = [
            ("get", reverse("user_list")), ("get", reverse("user_create")), ("get", reverse("user_edit", args=[self.liaison.pk])),
            ("post", reverse("user_set_active", args=[self.liaison.pk])), ("post", reverse("user_reset_password", args=[self.liaison.pk])),
        ]
        for user in (self.secretary, self.liaison, self.group_leader, self.viewer):
            self.login(user)
            for method, url in urls:
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(getattr(self.client, method)(url, {"active": "0"}).status_code, 403)
        self.liaison.refresh_from_db()
        self.assertTrue(self.liaison.is_active)
        self.assertTrue(self.liaison.check_password(PASSWORD))


@override_settings(LANGUAGE_CODE="en")
class BureauAdminScopeTest(BaseTestCase):
    """An admin of a district bureau manages the users of that district only."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.district = make_unit("district", UnitKind.BUREAU, cls.bureau, name="江南区老干部局")
        cls.centre_c = make_unit("centre-c", UnitKind.CENTRE, cls.district, name="丙中心")
        cls.district_admin = make_user("district-admin", cls.district, Role.ADMIN)
        cls.staff_c = make_user("staff-c", cls.centre_c, Role.STAFF)

    def test_user_list_shows_the_district_only(self):
        self.login(self.district_admin)
        response = self.client.get(reverse("user_list"))
        self.assertEqual({u.username for u in response.context["page"]}, {"district-admin", "staff-c"})

    def test_users_outside_the_district_are_404(self):
        self.login(self.district_admin)
        for url in (reverse("user_edit", args=[self.liaison.pk]), reverse("user_set_active", args=[self.liaison.pk]),
                    reverse("user_reset_password", args=[self.liaison.pk])):
            with self.subTest(url=url):
                method = self.client.get if url.endswith(f"/{self.liaison.pk}/") else self.client.post
                self.assertEqual(method(url, {"active": "0"}).status_code, 404)
        self.liaison.refresh_from_db()
        self.assertTrue(self.liaison.is_active)
        self.assertFalse(self.liaison.must_change_password)

    def test_users_inside_the_district_are_managed(self):
        self.login(self.district_admin)
        self.client.post(reverse("user_reset_password", args=[self.staff_c.pk]))
        self.staff_c.refresh_from_db()
        self.assertTrue(self.staff_c.must_change_password)

    def test_cannot_create_a_user_outside_the_district(self):
        self.login(self.district_admin)
        response = self.client.post(reverse("user_create"), {"username": "intruder", "full_name": "外人", "unit": self.centre_a.pk, "role": Role.ADMIN})
        self.assertIn("unit", response.context["form"].errors)
        self.assertFalse(User.objects.filter(username="intruder").exists())

    def test_cannot_move_a_user_outside_the_district(self):
        self.login(self.district_admin)
        response = self.client.post(reverse("user_edit", args=[self.staff_c.pk]),
                                    {"full_name": "staff-c", "unit": self.bureau.pk, "role": Role.ADMIN})
        self.assertIn("unit", response.context["form"].errors)
        self.staff_c.refresh_from_db()
        self.assertEqual((self.staff_c.unit, self.staff_c.role), (self.centre_c, Role.STAFF))

    def test_top_admin_manages_the_district_too(self):
        self.login(self.admin)
        self.assertEqual(self.client.get(reverse("user_edit", args=[self.staff_c.pk])).status_code, 200)
