"""python manage.py annual_report --org CODE --year YEAR --format docx|xlsx|pdf|json OUT"""

import io
import json
import tempfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import openpyxl
import pypdf
import time_machine
from django.core.management import CommandError, call_command

from laogan.accounts.models import AuditAction, AuditEntry
from laogan.members.models import EventKind
from laogan.reports import summary
from laogan.reports.exports.xlsx import HEADER_ROW
from laogan.test import BaseTestCase, make_member

from .test_exports import build_year, record, table_rows

AFTER_2026 = datetime(2027, 1, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@time_machine.travel(AFTER_2026, tick=False)
class AnnualReportCommandTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_year(cls)

    def setUp(self):
        self.folder = Path(self.enterContext(tempfile.TemporaryDirectory()))

    def run_command(self, fmt, org="centre-a", year="2026", name=None):
        out = self.folder / (name or f"report.{fmt}")
        stdout, stderr = io.StringIO(), io.StringIO()
        call_command("annual_report", "--org", org, "--year", year, "--format", fmt, str(out), stdout=stdout, stderr=stderr)
        return out, stdout.getvalue()

    def test_json_maps_each_figure_key_to_its_value(self):
        out, stdout = self.run_command("json")
        data = json.loads(out.read_text(encoding="utf-8"))
        self.assertEqual(data, summary.as_json(summary.build(self.centre_a, 2026)))
        self.assertEqual(data["hospital_admissions"], 3)
        self.assertIn("甲中心2026年度工作总结", stdout)

    def test_docx_is_a_word_document_with_the_figures(self):
        out, _ = self.run_command("docx")
        document = docx.Document(str(out))
        self.assertEqual(document.paragraphs[0].text, "甲中心2026年度工作总结")
        cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
        self.assertIn("住院", cells)

    def test_xlsx_includes_the_records_behind_each_figure(self):
        out, _ = self.run_command("xlsx")
        book = openpyxl.load_workbook(out)
        self.assertIn("汇总", book.sheetnames)
        self.assertEqual([r[2] for r in table_rows(book["住院明细"])], ["张建国", "李秀英", "张建国"])
        self.assertEqual(book["去世老干部明细"].cell(HEADER_ROW + 1, 3).value, "王德明")

    def test_pdf_is_readable(self):
        out, _ = self.run_command("pdf")
        reader = pypdf.PdfReader(str(out))
        self.assertGreaterEqual(len(reader.pages), 1)
        self.assertIn("甲中心2026年度工作总结", reader.pages[0].extract_text())

    def test_the_export_is_audited(self):
        self.run_command("json")
        entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
        self.assertIsNone(entry.actor)
        self.assertEqual(entry.object_id, str(self.centre_a.pk))
        self.assertEqual(entry.unit_path, self.centre_a.path)
        self.assertIn("annual report 2026 json", entry.detail)

    def test_an_unknown_org_is_a_clear_error(self):
        with self.assertRaisesRegex(CommandError, r"No unit with code 'nowhere'\..*centre-a"):
            self.run_command("json", org="nowhere")
        self.assertFalse(AuditEntry.objects.filter(action=AuditAction.EXPORT).exists())

    def test_an_unknown_format_is_refused(self):
        with self.assertRaisesRegex(CommandError, "invalid choice: 'csv'"):
            self.run_command("csv")

    def test_a_year_not_begun_is_refused(self):
        with self.assertRaisesRegex(CommandError, "2028 has not begun"):
            self.run_command("json", year="2028")

    def test_a_missing_folder_is_a_clear_error_and_writes_nothing(self):
        with self.assertRaisesRegex(CommandError, "does not exist"):
            self.run_command("json", name="missing/report.json")
        self.assertFalse(AuditEntry.objects.filter(action=AuditAction.EXPORT).exists())

    def test_flags_are_required(self):
        with self.assertRaisesRegex(CommandError, "--org"):
            call_command("annual_report", "--year", "2026", "--format", "json", str(self.folder / "x.json"))


@time_machine.travel(datetime(2026, 6, 30, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
class CurrentYearCommandTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        zhang = make_member(name="张建国", unit=cls.group_a1)
        record(zhang, EventKind.ADMITTED, date(2026, 2, 1))

    def test_the_current_year_runs_to_today(self):
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "r.json"
            stdout = io.StringIO()
            call_command("annual_report", "--org", "centre-a", "--year", "2026", "--format", "json", str(out), stdout=stdout)
            data = json.loads(out.read_text(encoding="utf-8"))
        self.assertEqual(data, summary.as_json(summary.build(self.centre_a, 2026, until=date(2026, 6, 30))))
        self.assertEqual(data["hospital_admissions"], 1)
        self.assertIn("2026-01-01 to 2026-06-30", stdout.getvalue())
