"""Exports mask personal data unless the exporter may reveal it, and every export is audited with its members."""

import io
from datetime import date

from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from laogan.accounts.models import AuditAction, AuditEntry, AuditSubject
from laogan.members import roster
from laogan.test import BaseTestCase, make_member

ID_NUMBER = "450107192805030024"


@override_settings(LANGUAGE_CODE="en")
class MemberExportMaskingTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.member = make_member(name="李桂兰", unit=cls.group_a1, born=date(1928, 5, 3), sex="F", id_number=ID_NUMBER,
                                 address="民族大道1号3栋502", health_notes="高血压", phones=[("mobile", "13807710001")])

    def export(self, user):
        self.login(user)
        response = self.client.get(reverse("member_export"))
        self.assertEqual(response.status_code, 200)
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        rows = list(sheet.iter_rows(values_only=True))
        header = list(rows[0])
        return {h: v for h, v in zip(header, rows[1])}

    def col(self, key):
        return next(c.header for c in roster.COLUMNS if c.key == key)

    def test_staff_without_reveal_permission_get_masked_data(self):
        self.assertFalse(self.liaison.can_reveal_id)
        row = self.export(self.liaison)
        text = " ".join(str(v) for v in row.values() if v)
        for secret in (ID_NUMBER, "13807710001", "民族大道", "高血压"):
            self.assertNotIn(secret, text)
        self.assertEqual(row[self.col("id_number")], self.member.masked_id_number)
        self.assertEqual(row[self.col("phone")], "138****0001")
        self.assertEqual(row[self.col("address")], "（已隐藏）")
        entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
        self.assertEqual((entry.actor, entry.changes["id_numbers"]), (self.liaison, "masked"))
        self.assertEqual(list(AuditSubject.objects.filter(entry=entry).values_list("object_id", flat=True)), [self.member.pk])

    def test_secretary_and_granted_staff_get_full_data(self):
        for user in (self.secretary, self.liaison):
            if user is self.liaison:
                user.may_reveal_id = True
                user.save(update_fields=["may_reveal_id"])
            row = self.export(user)
            self.assertEqual(row[self.col("id_number")], ID_NUMBER)
            self.assertEqual(row[self.col("phone")], "13807710001")
            self.assertEqual(row[self.col("address")], "民族大道1号3栋502")
        self.assertEqual(AuditEntry.objects.filter(action=AuditAction.EXPORT, changes__id_numbers="full").count(), 2)

    def test_bureau_viewer_cannot_export(self):
        self.login(self.viewer)
        self.assertEqual(self.client.get(reverse("member_export")).status_code, 403)
        self.assertFalse(AuditEntry.objects.filter(action=AuditAction.EXPORT).exists())
