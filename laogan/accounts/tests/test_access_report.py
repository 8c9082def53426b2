"""The personal-data access report of one member, from the audit log (reveals, exports, changes, imports)."""

import io

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from laogan.accounts.actions import record_audit
from laogan.accounts.models import AuditAction, AuditEntry, AuditSubject
from laogan.members.actions import do_export_roster, do_reveal
from laogan.members.models import Member
from laogan.test import BaseTestCase, make_member


@override_settings(LANGUAGE_CODE="en")
class AccessReportTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.member = make_member(name="李桂兰", unit=cls.group_a1, address="民族大道1号")
        cls.other = make_member(name="王德明", unit=cls.group_a1)
        cls.member_b = make_member(name="赵秀英", unit=cls.group_b1)

    def setUp(self):
        do_reveal(self.member, "id_number", acting_user=self.secretary, ip="10.0.0.7")
        do_reveal(self.other, "id_number", acting_user=self.secretary, ip="10.0.0.7")
        do_export_roster(Member.objects.filter(unit_path__startswith=self.group_a1.path).order_by("id"), io.BytesIO(),
                         fmt="xlsx", unit=self.group_a1, acting_user=self.liaison, reveal_ids=False, ip="10.0.0.8")

    def url(self, member=None, **query):
        base = reverse("member_access_report", args=[(member or self.member).pk])
        return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")

    def test_export_records_each_member_it_contained(self):
        export = AuditEntry.objects.get(action=AuditAction.EXPORT)
        self.assertEqual(set(AuditSubject.objects.filter(entry=export).values_list("object_id", flat=True)),
                         {self.member.pk, self.other.pk})

    def test_page_lists_who_revealed_and_exported_with_address(self):
        self.login(self.secretary)
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        rows = [(e.actor_name, e.action, e.ip) for e in response.context["page"]]
        self.assertIn(("secretary", AuditAction.REVEAL, "10.0.0.7"), rows)
        self.assertIn(("liaison", AuditAction.EXPORT, "10.0.0.8"), rows)
        # The other member's reveal is not in this member's report.
        self.assertEqual(sum(1 for r in rows if r[1] == AuditAction.REVEAL and r[0] == "secretary"), 1)
        self.assertContains(response, "10.0.0.8")

    def test_opening_the_report_is_audited_and_then_listed(self):
        self.login(self.admin)
        self.client.get(self.url())
        entry = AuditEntry.objects.filter(detail="personal-data access report").get()
        self.assertEqual((entry.actor, entry.object_id), (self.admin, str(self.member.pk)))

    def test_xlsx_export_reads_back_and_is_audited(self):
        self.login(self.secretary)
        response = self.client.get(self.url(format="xlsx"))
        self.assertEqual(response.status_code, 200)
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][:3], ("时间", "用户", "操作"))
        self.assertIn("liaison", [r[1] for r in rows[1:]])
        self.assertIn("10.0.0.7", [r[5] for r in rows[1:]])
        self.assertTrue(AuditEntry.objects.filter(actor=self.secretary, action=AuditAction.EXPORT,
                                                  detail="personal-data access report xlsx").exists())

    def test_only_admin_and_secretary_of_the_members_centre(self):
        for user in (self.liaison, self.group_leader, self.viewer):
            self.login(user)
            self.assertEqual(self.client.get(self.url()).status_code, 403, user)
        self.login(self.secretary)  # centre A's secretary: a centre B member does not exist for them
        self.assertEqual(self.client.get(self.url(self.member_b)).status_code, 404)
        self.assertEqual(self.client.get(self.url(self.member_b, format="xlsx")).status_code, 404)
        self.login(self.admin)
        self.assertEqual(self.client.get(self.url(self.member_b)).status_code, 200)

    def test_import_is_listed(self):
        record_audit(self.secretary, AuditAction.IMPORT, self.group_a1, detail="roster.xlsx", subjects=[self.member.pk])
        self.login(self.secretary)
        actions = [e.action for e in self.client.get(self.url()).context["page"]]
        self.assertIn(AuditAction.IMPORT, actions)

    def test_query_count_does_not_grow_with_entries(self):
        self.login(self.secretary)
        self.client.get(self.url())
        with CaptureQueriesContext(connection) as few:
            self.client.get(self.url())
        for _ in range(20):
            do_reveal(self.member, "address", acting_user=self.secretary)
        with CaptureQueriesContext(connection) as many:
            self.client.get(self.url())
        self.assertEqual(len(many), len(few))
