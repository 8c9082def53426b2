import io
import tempfile
from datetime import date
from io import StringIO
from pathlib import Path

import openpyxl
from django.core.management import CommandError, call_command

from laogan.accounts.models import AuditAction, AuditEntry
from laogan.lib import spreadsheet
from laogan.members import roster
from laogan.members.actions import do_export_roster, do_import_roster, do_record_life_event
from laogan.members.models import BirthdayCustom, Category, EventKind, Member, PhoneLabel
from laogan.test import BaseTestCase, make_member

from .roster_files import ident

ZHANG = ident(date(1928, 5, 3), 931, "M")
LI = ident(date(1930, 1, 15), 932, "F")
WANG = ident(date(1931, 2, 20), 933, "M")
ZHAO = ident(date(1929, 9, 9), 935, "M")


class ExportTestCase(BaseTestCase):
    def setUp(self):
        self.zhang = make_member(
            name="张建国", born=date(1928, 5, 3), unit=self.group_a1, id_number=ZHANG,
            phones=[(PhoneLabel.WORK, "13907710001"), (PhoneLabel.HOME, "0771-3125001")],
            address="南宁市北湖路12号3栋101室", notes="=1+1 不是公式", health_notes="高血压", lives_alone=True,
            birthday_custom=BirthdayCustom.LUNAR, party_join_date=date(1945, 7, 1), work_start_date=date(1944, 3, 15),
            retirement_date=date(1988, 6, 1), former_unit="南宁市人民政府", former_post="副市长", treatment_level="副厅级",
        )
        self.li = make_member(
            name="李秀英", born=date(1930, 1, 1), birth_date_precision="month", sex="F", unit=self.group_a2,
            id_number=LI, category=Category.TUIXIU, is_party_member=False, ethnicity="壮族", notes="-无-",
        )
        self.wang = make_member(name="王德明", born=date(1931, 2, 20), unit=self.branch_a, id_number=WANG)
        do_record_life_event(self.wang, kind=EventKind.DIED, date=date(2024, 3, 1), acting_user=None)
        self.zhao = make_member(name="赵大", born=date(1929, 9, 9), unit=self.group_b1, id_number=ZHAO)

    def export(self, fmt, org="centre-a"):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        path = Path(folder.name) / f"out.{fmt}"
        out = StringIO()
        call_command("export_members", str(path), "--org", org, "--format", fmt, stdout=out)
        return path, out.getvalue()


class ExportCommandTest(ExportTestCase):
    def test_xlsx_holds_the_whole_subtree_with_full_data(self):
        path, out = self.export("xlsx")
        self.assertIn("exported 3 members of centre-a", out)
        rows = spreadsheet.read_rows(path)
        self.assertEqual(rows[0], roster.export_header())
        by_name = {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}
        self.assertEqual(set(by_name), {"张建国", "李秀英", "王德明"})
        zhang = by_name["张建国"]
        self.assertEqual(zhang["身份证号"], ZHANG)
        self.assertEqual(zhang["联系电话"], "13907710001、07713125001")
        self.assertEqual((zhang["出生日期"], zhang["生日类型"], zhang["党小组"], zhang["独居"]), ("1928-05-03", "农历", "第一党小组", "是"))
        self.assertEqual(zhang["备注"], "=1+1 不是公式")
        self.assertEqual((by_name["李秀英"]["出生日期"], by_name["李秀英"]["政治面貌"], by_name["李秀英"]["类别"]), ("1930-01", "群众", "退休"))
        self.assertEqual((by_name["王德明"]["状态"], by_name["王德明"]["去世日期"]), ("已故", "2024-03-01"))

    def test_a_note_that_looks_like_a_formula_stays_text(self):
        path, _ = self.export("xlsx")
        sheet = openpyxl.load_workbook(path).active
        notes = [c for c in sheet[2] + sheet[3] + sheet[4] if c.value == "=1+1 不是公式"]
        self.assertEqual([c.data_type for c in notes], ["s"])

    def test_csv_is_utf8_with_a_bom(self):
        path, _ = self.export("csv")
        data = path.read_bytes()
        self.assertTrue(data.startswith("\ufeff姓名,性别".encode()))
        self.assertIn("'-无-", data.decode("utf-8-sig"))

    def test_a_group_exports_its_own_members_only(self):
        path, out = self.export("csv", org="group-a2")
        self.assertEqual([row[0] for row in spreadsheet.read_rows(path, "x.csv")[1:]], ["李秀英"])

    def test_every_export_is_audited(self):
        self.export("xlsx")
        entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
        self.assertEqual(entry.changes, {"rows": 3, "format": "xlsx", "id_numbers": "full"})
        self.assertEqual(entry.unit_path, self.centre_a.path)

    def test_an_unknown_unit(self):
        with self.assertRaisesMessage(CommandError, "no unit has the code 'nowhere'"):
            self.export("xlsx", org="nowhere")
        self.assertFalse(AuditEntry.objects.filter(action=AuditAction.EXPORT).exists())


class RoundTripTest(ExportTestCase):
    def test_an_export_imports_back_unchanged(self):
        for fmt in ("xlsx", "csv"):
            with self.subTest(fmt=fmt):
                before = {m.pk: (m.version, m.updated_at) for m in Member.objects.all()}
                path, _ = self.export(fmt)
                report = do_import_roster(path, org=self.centre_a, acting_user=self.secretary, name=path.name)
                self.assertEqual(report.summary_line(), "imported 0, updated 0, unchanged 3, rejected 0",
                                 [(r.row, r.name, r.changed, r.reasons) for r in report.rows])
                self.assertEqual(report.ignored, [])
                self.assertEqual({m.pk: (m.version, m.updated_at) for m in Member.objects.all()}, before)

    def test_an_export_builds_the_same_archive_elsewhere(self):
        path, _ = self.export("xlsx")
        # The deceased member stays: other apps keep records of a death (the after-death case) that protect it.
        Member.objects.filter(pk__in=[self.zhang.pk, self.li.pk]).delete()
        report = do_import_roster(path, org=self.centre_a, acting_user=self.secretary, name=path.name)
        self.assertEqual(report.summary_line(), "imported 2, updated 0, unchanged 1, rejected 0")
        zhang = Member.objects.get(name="张建国")
        self.assertEqual((zhang.unit, zhang.notes, zhang.address, zhang.health_notes), (self.group_a1, "=1+1 不是公式", self.zhang.address, "高血压"))
        self.assertEqual([p.number for p in zhang.phones.all()], ["13907710001", "07713125001"])
        li = Member.objects.get(name="李秀英")
        self.assertEqual((li.birth_date_precision, li.is_party_member, li.notes, li.category), ("month", False, "-无-", Category.TUIXIU))


class MaskedExportTest(ExportTestCase):
    def test_id_numbers_can_be_masked(self):
        out = io.BytesIO()
        members = Member.objects.in_unit(self.group_a1).select_related("unit")
        count = do_export_roster(members, out, fmt="xlsx", unit=self.group_a1, acting_user=self.liaison, reveal_ids=False)
        rows = spreadsheet.read_rows(out.getvalue())
        self.assertEqual(count, 1)
        self.assertEqual(rows[1][rows[0].index("身份证号")], ZHANG[:4] + "**********" + ZHANG[-4:])
        entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
        self.assertEqual((entry.actor, entry.changes["id_numbers"]), (self.liaison, "masked"))
