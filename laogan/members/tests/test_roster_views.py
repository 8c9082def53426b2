import os
import tempfile
import time
from datetime import date
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from laogan.accounts.models import AuditAction, AuditEntry, Role
from laogan.lib import spreadsheet
from laogan.members.actions import do_record_life_event
from laogan.members.models import EventKind, Member
from laogan.test import BaseTestCase, make_member, make_user

from .roster_files import csv_bytes, ident, xlsx

ZHANG = ident(date(1928, 5, 3), 941, "M")
LI = ident(date(1930, 1, 15), 942, "F")
ROWS = [["甲中心离休干部花名册"], ["姓 名", "公民身份号码", "所在党小组", "联系电话"],
        ["张建国", ZHANG, "第一党小组", "13907710001"], ["李秀英", "450107193001150000", "二组", None]]


class RosterViewTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.secretary_b = make_user("secretary-b", cls.centre_b, Role.SECRETARY)

    def setUp(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.data_dir = Path(folder.name)
        self.enterContext(override_settings(DATA_DIR=self.data_dir))

    def upload(self, data=None, name="花名册.xlsx", unit=None):
        file = SimpleUploadedFile(name, xlsx(ROWS) if data is None else data)
        return self.client.post(reverse("member_import"), {"unit": (unit or self.centre_a).pk, "file": file})

    def token_of(self, response):
        self.assertEqual(response.status_code, 302, getattr(response, "context", None) and response.context["form"].errors)
        return response.url.rstrip("/").split("/")[-1]


class ImportFlowTest(RosterViewTestCase):
    def test_upload_preview_confirm_result(self):
        self.login(self.secretary)
        token = self.token_of(self.upload())
        preview = self.client.get(reverse("member_import_preview", args=[token]))
        self.assertContains(preview, "张建国")
        self.assertContains(preview, "身份证号校验位错误")
        self.assertEqual(preview.context["report"]["counts"], {"new": 1, "update": 0, "unchanged": 0, "rejected": 1})
        self.assertEqual(preview.context["report"]["rejected"][0]["row"], 4)
        self.assertContains(preview, reverse("member_import_confirm", args=[token]))
        self.assertFalse(Member.objects.exists())

        errors = self.client.get(reverse("member_import_errors", args=[token]))
        self.assertEqual(errors.status_code, 200)
        self.assertIn("attachment", errors["Content-Disposition"])
        rows = spreadsheet.read_rows(b"".join(errors.streaming_content))
        self.assertEqual(rows[0][:3], ["行号", "错误原因", "姓 名"])
        self.assertEqual(rows[1][0], 4)
        self.assertIn("校验位", rows[1][1])
        self.assertEqual(rows[1][2:4], ["李秀英", "450107193001150000"])

        done = self.client.post(reverse("member_import_confirm", args=[token]))
        self.assertRedirects(done, reverse("member_import_result", args=[token]))
        member = Member.objects.get()
        self.assertEqual((member.name, member.unit, member.phones.get().number), ("张建国", self.group_a1, "13907710001"))
        entry = AuditEntry.objects.get(action=AuditAction.IMPORT)
        self.assertEqual((entry.actor, entry.changes["imported"], entry.changes["rejected"]), (self.secretary, 1, 1))
        self.assertEqual([p.name for p in (self.data_dir / "imports" / str(self.secretary.pk) / token).iterdir() if p.name.startswith("upload")], [])

        result = self.client.get(done.url)
        self.assertEqual(result.context["report"]["counts"]["new"], 1)
        self.assertContains(result, reverse("member_import_errors", args=[token]))

    def test_a_second_click_on_import_imports_nothing_more(self):
        self.login(self.secretary)
        token = self.token_of(self.upload())
        url = reverse("member_import_confirm", args=[token])
        self.client.post(url)
        again = self.client.post(url)
        self.assertRedirects(again, reverse("member_import_result", args=[token]))
        self.assertEqual(AuditEntry.objects.filter(action=AuditAction.IMPORT).count(), 1)
        self.assertRedirects(self.client.get(reverse("member_import_preview", args=[token])), reverse("member_import_result", args=[token]))

    def test_cancelling_deletes_the_upload(self):
        self.login(self.secretary)
        token = self.token_of(self.upload())
        self.assertEqual(self.client.get(reverse("member_import_cancel", args=[token])).status_code, 405)
        self.assertRedirects(self.client.post(reverse("member_import_cancel", args=[token])), reverse("member_import"))
        self.assertFalse((self.data_dir / "imports" / str(self.secretary.pk) / token).exists())
        self.assertEqual(self.client.post(reverse("member_import_confirm", args=[token])).status_code, 404)
        self.assertFalse(Member.objects.exists())

    def test_confirming_is_post_only(self):
        self.login(self.secretary)
        token = self.token_of(self.upload())
        self.assertEqual(self.client.get(reverse("member_import_confirm", args=[token])).status_code, 405)
        self.assertFalse(Member.objects.exists())

    def test_a_gbk_csv_into_a_branch(self):
        self.login(self.secretary)
        token = self.token_of(self.upload(csv_bytes(ROWS, "gbk"), "名册.csv", unit=self.branch_a))
        self.client.post(reverse("member_import_confirm", args=[token]))
        self.assertEqual(Member.objects.get().unit, self.group_a1)

    def test_nothing_to_import_offers_no_button(self):
        make_member(name="张建国", born=date(1928, 5, 3), unit=self.group_a1, id_number=ZHANG, phones=[("mobile", "13907710001")])
        self.login(self.secretary)
        token = self.token_of(self.upload(xlsx(ROWS[:3])))
        preview = self.client.get(reverse("member_import_preview", args=[token]))
        self.assertEqual(preview.context["report"]["counts"]["unchanged"], 1)
        self.assertNotContains(preview, reverse("member_import_confirm", args=[token]))


class UploadCheckTest(RosterViewTestCase):
    def test_an_unreadable_file_is_a_form_error_and_leaves_nothing_behind(self):
        self.login(self.secretary)
        data = xlsx(ROWS)
        response = self.upload(data[: len(data) // 2])
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "文件已损坏或不完整")
        self.assertEqual(list((self.data_dir / "imports" / str(self.secretary.pk)).iterdir()), [])
        self.assertFalse(Member.objects.exists())
        self.assertFalse(AuditEntry.objects.exists())

    def test_a_file_that_is_not_a_roster(self):
        self.login(self.secretary)
        self.assertContains(self.upload(xlsx([["一"], ["二"]])), "找不到表头行")

    def test_only_spreadsheets(self):
        self.login(self.secretary)
        response = self.upload(b"hello", "notes.docx")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["file"])

    @override_settings(LAOGAN_MAX_ROSTER_BYTES=1000)
    def test_the_size_limit(self):
        self.login(self.secretary)
        response = self.upload()
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["file"])
        self.assertFalse((self.data_dir / "imports").exists() and any((self.data_dir / "imports").rglob("upload*")))

    def test_uploads_older_than_a_day_are_removed(self):
        old = self.data_dir / "imports" / "999" / ("x" * 24)
        old.mkdir(parents=True)
        (old / "upload.xlsx").write_bytes(b"old")
        stale = time.time() - 2 * 24 * 3600
        os.utime(old, (stale, stale))
        self.login(self.secretary)
        self.token_of(self.upload())
        self.assertFalse(old.exists())


class ImportScopeTest(RosterViewTestCase):
    def test_who_may_import(self):
        for user, status in ((self.secretary, 200), (self.admin, 200), (self.liaison, 403), (self.group_leader, 403),
                             (self.viewer, 403), (self.outsider, 403)):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(reverse("member_import")).status_code, status)

    def test_the_form_offers_the_users_centres_and_branches_only(self):
        self.login(self.secretary)
        units = list(self.client.get(reverse("member_import")).context["form"].fields["unit"].queryset)
        self.assertEqual(units, [self.centre_a, self.branch_a])

    def test_importing_into_another_centre_is_a_404(self):
        self.login(self.secretary_b)
        for unit in (self.centre_a, self.branch_a):
            with self.subTest(unit=unit.code):
                self.assertEqual(self.upload(unit=unit).status_code, 404)
        self.assertEqual(self.client.post(reverse("member_import"), {"unit": "x' or 1=1"}).status_code, 404)
        self.assertFalse(Member.objects.exists())

    def test_another_users_upload_is_a_404(self):
        self.login(self.secretary)
        token = self.token_of(self.upload())
        for user in (self.secretary_b, self.admin):
            self.login(user)
            for name, method in (("member_import_preview", "get"), ("member_import_errors", "get"), ("member_import_confirm", "post"),
                                 ("member_import_cancel", "post"), ("member_import_result", "get")):
                with self.subTest(user=user.username, view=name):
                    self.assertEqual(getattr(self.client, method)(reverse(name, args=[token])).status_code, 404)
        self.assertFalse(Member.objects.exists())

    def test_a_made_up_token_is_a_404(self):
        self.login(self.secretary)
        for token in ("nothing", "." * 24, "a" * 24):
            with self.subTest(token=token):
                self.assertEqual(self.client.get(reverse("member_import_preview", args=[token])).status_code, 404)

    def test_an_upload_whose_unit_is_no_longer_in_reach(self):
        self.login(self.secretary)
        token = self.token_of(self.upload(unit=self.branch_a))
        self.secretary.unit = self.group_a1
        self.secretary.save(update_fields=["unit"])
        self.assertEqual(self.client.post(reverse("member_import_confirm", args=[token])).status_code, 404)


class ExportViewTest(RosterViewTestCase):
    def setUp(self):
        super().setUp()
        self.zhang = make_member(name="张建国", born=date(1928, 5, 3), unit=self.group_a1, id_number=ZHANG)
        self.li = make_member(name="李秀英", born=date(1930, 1, 15), sex="F", unit=self.group_a2, id_number=LI)
        self.wang = make_member(name="王德明", born=date(1931, 2, 20), unit=self.group_a1, id_number=ident(date(1931, 2, 20), 943))
        do_record_life_event(self.wang, kind=EventKind.DIED, date=date(2024, 3, 1), acting_user=None)
        self.zhao = make_member(name="赵大", born=date(1929, 9, 9), unit=self.group_b1, id_number=ident(date(1929, 9, 9), 945))

    def download(self, query=""):
        response = self.client.get(reverse("member_export") + query)
        if response.status_code != 200:
            return response.status_code, None
        self.assertIn("attachment", response["Content-Disposition"])
        rows = spreadsheet.read_rows(b"".join(response.streaming_content))
        return 200, [dict(zip(rows[0], row)) for row in rows[1:]]

    def test_the_list_filters_apply(self):
        self.login(self.secretary)
        status, rows = self.download()
        self.assertEqual({r["姓名"] for r in rows}, {"张建国", "李秀英"})  # the living members in the user's scope
        status, rows = self.download(f"?group={self.group_a2.pk}")
        self.assertEqual([r["姓名"] for r in rows], ["李秀英"])
        status, rows = self.download("?status=all&q=wdm")
        self.assertEqual([r["姓名"] for r in rows], ["王德明"])

    def test_id_numbers_are_masked_unless_the_user_may_reveal_them(self):
        self.login(self.liaison)
        rows = self.download(f"?group={self.group_a2.pk}")[1]
        self.assertEqual(rows[0]["身份证号"], LI[:4] + "*" * 10 + LI[-4:])
        self.login(self.secretary)
        self.assertEqual(self.download(f"?group={self.group_a2.pk}")[1][0]["身份证号"], LI)

    def test_every_download_is_audited(self):
        self.login(self.liaison)
        self.download(f"?group={self.group_a2.pk}")
        entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
        self.assertEqual((entry.actor, entry.unit_path), (self.liaison, self.group_a2.path))
        self.assertEqual(entry.changes, {"rows": 1, "format": "xlsx", "id_numbers": "masked"})
        self.assertIn(f"group={self.group_a2.pk}", entry.detail)

    def test_another_centre_cannot_export_centre_a(self):
        self.login(self.outsider)
        self.assertEqual(self.download(f"?group={self.group_a1.pk}")[0], 404)
        status, rows = self.download()
        self.assertEqual([r["姓名"] for r in rows], ["赵大"])

    def test_a_viewer_has_no_personal_data_to_export(self):
        self.login(self.viewer)
        self.assertEqual(self.download()[0], 403)
        self.assertFalse(AuditEntry.objects.filter(action=AuditAction.EXPORT).exists())

    def test_queries_do_not_grow_with_the_members(self):
        self.login(self.secretary)
        self.download()  # the first view after log-in renews the session; those within the minute only read it

        def count():
            with CaptureQueriesContext(connection) as ctx:
                self.download()
            return len(ctx)

        few = count()
        for i in range(8):
            born = date(1932, 1, 1 + i)
            make_member(name=f"测试{i}", born=born, unit=self.group_a2, id_number=ident(born, 951), phones=[("mobile", f"1390771{i:04d}")])
        self.assertEqual(count(), few)

    def test_the_member_list_links_to_the_download(self):
        self.login(self.liaison)
        response = self.client.get(reverse("member_list") + f"?group={self.group_a2.pk}")
        self.assertContains(response, reverse("member_export") + f"?group={self.group_a2.pk}")
