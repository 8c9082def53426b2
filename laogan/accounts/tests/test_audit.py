from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from django.test import override_settings
from django.urls import reverse

from laogan.accounts.actions import record_audit
from laogan.accounts.models import AuditAction, AuditEntry
from laogan.test import PASSWORD, BaseTestCase, make_member

SHANGHAI = ZoneInfo("Asia/Shanghai")


class NeverEditedTest(BaseTestCase):
    def setUp(self):
        self.entry = record_audit(self.liaison, AuditAction.REVEAL, detail="id_number")

    def test_an_entry_cannot_be_saved_again(self):
        self.entry.detail = "nothing happened"
        with self.assertRaises(TypeError):
            self.entry.save()
        self.entry.refresh_from_db()
        self.assertEqual(self.entry.detail, "id_number")

    def test_an_entry_cannot_be_deleted(self):
        with self.assertRaises(TypeError):
            self.entry.delete()
        self.assertTrue(AuditEntry.objects.filter(pk=self.entry.pk).exists())

    def test_a_queryset_cannot_update_entries(self):
        with self.assertRaises(TypeError):
            AuditEntry.objects.filter(pk=self.entry.pk).update(detail="nothing happened")
        with self.assertRaises(TypeError):
            AuditEntry.objects.all().update(actor=None)
        self.entry.refresh_from_db()
        self.assertEqual(self.entry.detail, "id_number")

    def test_a_queryset_cannot_delete_entries(self):
        with self.assertRaises(TypeError):
            AuditEntry.objects.filter(pk=self.entry.pk).delete()
        with self.assertRaises(TypeError):
            AuditEntry.objects.all().delete()
        self.assertEqual(AuditEntry.objects.count(), 1)

    def test_bulk_update_cannot_change_entries(self):
        self.entry.detail = "nothing happened"
        with self.assertRaises(TypeError):
            AuditEntry.objects.bulk_update([self.entry], ["detail"])

    def test_an_entry_keeps_the_actors_name_after_the_user_is_gone(self):
        self.liaison.delete()
        self.entry.refresh_from_db()
        self.assertEqual((self.entry.actor, self.entry.actor_name, self.entry.detail), (None, "liaison", "id_number"))


@override_settings(LANGUAGE_CODE="en")
class AuditLogViewTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.member_a = make_member(name="张建国", unit=cls.group_a1)
        cls.member_b = make_member(name="陈乙", unit=cls.group_b1)

    def reprs(self, response):
        return {e.object_repr for e in response.context["page"]}

    def test_secretary_sees_only_the_audit_of_their_subtree(self):
        self.login(self.secretary)
        response = self.client.get(reverse("audit_log"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("张建国", self.reprs(response))
        self.assertNotIn("陈乙", self.reprs(response))
        self.assertNotContains(response, "陈乙")

    def test_bureau_admin_sees_both_centres(self):
        self.login(self.admin)
        self.assertLessEqual({"张建国", "陈乙"}, self.reprs(self.client.get(reverse("audit_log"))))

    def test_staff_group_leader_and_viewer_cannot_read_the_audit(self):
        for user in (self.liaison, self.group_leader, self.viewer, self.outsider):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(reverse("audit_log")).status_code, 403)

    def test_filter_by_action_and_text(self):
        record_audit(self.liaison, AuditAction.REVEAL, self.member_a, detail="phones")
        self.login(self.secretary)
        response = self.client.get(reverse("audit_log"), {"action": AuditAction.REVEAL})
        self.assertEqual([(e.action, e.detail) for e in response.context["page"]], [(AuditAction.REVEAL, "phones")])
        response = self.client.get(reverse("audit_log"), {"q": "liaison"})
        self.assertEqual([e.actor_name for e in response.context["page"]], ["liaison"])

    def test_filter_by_day_uses_shanghai_days(self):
        # 00:30 on 2 March in Shanghai is still 1 March in UTC: it must count as 2 March.
        with time_machine.travel(datetime(2026, 3, 2, 0, 30, tzinfo=SHANGHAI), tick=False):
            record_audit(self.secretary, AuditAction.EXPORT, self.member_a, detail="just after midnight")
        with time_machine.travel(datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI), tick=False):
            record_audit(self.secretary, AuditAction.EXPORT, self.member_a, detail="just before midnight")
        self.login(self.secretary)
        response = self.client.get(reverse("audit_log"), {"since": date(2026, 3, 2), "until": date(2026, 3, 2), "action": "export"})
        self.assertEqual([e.detail for e in response.context["page"]], ["just after midnight"])


class LoginAuditTest(BaseTestCase):
    def test_login_is_audited(self):
        self.client.post(reverse("login"), {"username": "liaison", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
        entry = AuditEntry.objects.get(action=AuditAction.LOGIN)
        self.assertEqual((entry.actor, entry.ip, entry.unit_path), (self.liaison, "10.1.2.3", self.centre_a.path))

    def test_failed_login_is_audited_with_the_name_tried(self):
        self.client.post(reverse("login"), {"username": "liaison", "password": "wrong-password"}, REMOTE_ADDR="10.1.2.3")
        entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
        self.assertEqual((entry.actor, entry.object_repr, entry.ip), (None, "liaison", "10.1.2.3"))
        self.assertEqual(entry.unit_path, self.centre_a.path)
        self.assertFalse(AuditEntry.objects.filter(action=AuditAction.LOGIN).exists())

    def test_failed_login_is_seen_by_the_secretary_of_that_user_only(self):
        self.client.post(reverse("login"), {"username": "liaison", "password": "wrong-password"})
        self.client.post(reverse("login"), {"username": "outsider", "password": "wrong-password"})
        failed = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED)
        self.assertEqual([e.object_repr for e in failed.visible_to(self.secretary)], ["liaison"])
        self.assertEqual({e.object_repr for e in failed.visible_to(self.admin)}, {"liaison", "outsider"})

    def test_failed_login_for_an_unknown_name_is_seen_by_the_top_admin(self):
        # Guessing at names is exactly what the log is for; such an entry belongs to no unit.
        self.client.post(reverse("login"), {"username": "root", "password": "123456"})
        failed = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED)
        self.assertEqual([e.object_repr for e in failed.visible_to(self.admin)], ["root"])
        self.assertFalse(failed.visible_to(self.secretary).exists())

    def test_logout_is_audited(self):
        self.login(self.liaison)
        self.client.post(reverse("logout"))
        self.assertEqual(AuditEntry.objects.get(action=AuditAction.LOGOUT).actor, self.liaison)
