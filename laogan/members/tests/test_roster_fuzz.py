"""The roster importer under hostile input (hypothesis): random bytes, truncated and zip-bomb workbooks, huge cells,
formulas, GBK against UTF-8, through the import function and through the web pages.

Whatever arrives: never an exception other than a SpreadsheetError with a message, never a 500, never a partial
write (the counts move by exactly the rows reported new, or not at all), and every rejected row has its Excel row
number and at least one reason.
"""

import io
import json
import tempfile
import zipfile
from datetime import date
from pathlib import Path
from unittest import mock

from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from laogan.accounts.models import AuditEntry
from laogan.lib import spreadsheet
from laogan.lib.spreadsheet import SpreadsheetError
from laogan.members.actions import do_import_roster
from laogan.members.models import Member, MemberPhone
from laogan.members.roster import REJECTED
from laogan.test import BaseTestCase

from .roster_files import ident, xlsx

HEADER = ["姓名", "身份证号", "性别", "出生日期", "联系电话", "党小组", "入党时间", "独居", "备注"]
GOOD = [["张建国", ident(date(1928, 5, 3), 971, "M"), "男", "1928.5.3", "13907710001", "第一党小组", "1945年7月", "否", ""],
        ["李秀英", ident(date(1930, 1, 15), 972, "F"), "女", "1930-01-15", "0771-3125001", "二组", None, "是", "老伴同住"]]
GOOD_XLSX = xlsx([HEADER, *GOOD])
FORMULAS = st.sampled_from(["=1+1", "=SUM(A1:A9)", "+1-1", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0",
                            '=HYPERLINK("http://x.example","点")', "'=1+1"])
# What openpyxl can write into a cell (no control characters), long strings included.
CELL_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=300)
CELLS = st.one_of(st.none(), CELL_TEXT, FORMULAS, st.integers(-10**15, 10**15), st.floats(allow_nan=False, allow_infinity=False),
                  st.booleans(), st.dates(min_value=date(1800, 1, 1)), st.sampled_from([g for row in GOOD for g in row if g]))
ROWS = st.lists(st.lists(CELLS, max_size=len(HEADER) + 2), max_size=12)
SLOW = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def declare_size(data, member, size):
    """Return the zip `data` with the uncompressed size of `member` rewritten to `size` in both of its headers."""
    data, name = bytearray(data), member.encode()
    for signature, name_len_at, name_at, size_at in ((b"PK\x03\x04", 26, 30, 22), (b"PK\x01\x02", 28, 46, 24)):
        at = data.find(signature)
        while at != -1:
            length = int.from_bytes(data[at + name_len_at:at + name_len_at + 2], "little")
            if bytes(data[at + name_at:at + name_at + length]) == name:
                data[at + size_at:at + size_at + 4] = size.to_bytes(4, "little")
            at = data.find(signature, at + 4)
    return bytes(data)


def bomb(inflated, declared=None):
    """An .xlsx whose sheet inflates to `inflated` bytes of blanks (a few kilobytes compressed), declaring `declared`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(GOOD_XLSX)) as good, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in good.infolist():
            content = good.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                head, tail = content.split(b"<sheetData>", 1)
                content = head + b"<sheetData>" + b" " * inflated + tail
            z.writestr(item.filename, content, compresslevel=9)
    data = out.getvalue()
    return declare_size(data, "xl/worksheets/sheet1.xml", declared) if declared is not None else data


class ImporterFuzzTest(HypothesisTestCase, BaseTestCase):
    """Each example runs in its own transaction, rolled back after it."""

    def counts(self):
        return Member.objects.count(), MemberPhone.objects.count(), AuditEntry.objects.count()

    def import_checked(self, data, name):
        before = self.counts()
        try:
            report = do_import_roster(data, org=self.centre_a, acting_user=self.secretary, name=name)
        except SpreadsheetError as e:
            self.assertTrue(str(e).strip())
            self.assertEqual(self.counts(), before)
            return None
        new = report.counts()["new"]
        self.assertEqual(Member.objects.count(), before[0] + new)
        self.assertEqual(AuditEntry.objects.count(), before[2] + 1)
        for row in report.of(REJECTED):
            self.assertGreater(row.row, report.header_row)
            self.assertTrue(row.reasons and all(r.strip() for r in row.reasons), row)
        return report

    @given(st.binary(max_size=3000), st.sampled_from([b"", spreadsheet.XLSX_MAGIC, spreadsheet.OLE_MAGIC, b"\xef\xbb\xbf"]),
           st.sampled_from(["名册.xlsx", "名册.xls", "名册.csv"]))
    def test_random_bytes(self, data, prefix, name):
        self.import_checked(prefix + data, name)

    @given(st.integers(0, len(GOOD_XLSX) - 1))
    def test_a_truncated_workbook(self, size):
        self.assertIsNone(self.import_checked(GOOD_XLSX[:size], "名册.xlsx"))

    @SLOW
    @given(ROWS, st.booleans())
    def test_random_cells_in_a_workbook(self, rows, with_good_rows):
        report = self.import_checked(xlsx([HEADER, *(GOOD if with_good_rows else []), *rows]), "名册.xlsx")
        self.assertIsNotNone(report)

    @SLOW
    @given(ROWS, st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]), st.sampled_from(["utf-8", "gb18030"]))
    def test_random_cells_in_a_csv_in_any_encoding(self, rows, encoding, other):
        lines = [HEADER, *GOOD, *rows]
        text = "\n".join(",".join('"' + str("" if c is None else c).replace('"', '""') + '"' for c in row) for row in lines)
        self.import_checked(text.encode(encoding, errors="replace"), "名册.csv")
        # Half of the file in one encoding, half in another: read or refused, never a crash.
        half = len(text) // 2
        self.import_checked(text[:half].encode(encoding, errors="replace") + text[half:].encode(other, errors="replace"), "名册.csv")

    def test_a_gbk_csv_reads_like_the_utf8_one(self):
        text = "\n".join(",".join(c or "" for c in row) for row in [HEADER, *GOOD])
        reports = [self.import_checked(text.encode(encoding), "名册.csv").counts() for encoding in ("gbk", "utf-8")]
        self.assertEqual(reports, [{"new": 2, "update": 0, "unchanged": 0, "rejected": 0},
                                   {"new": 0, "update": 0, "unchanged": 2, "rejected": 0}])

    def test_huge_cells(self):
        big = "长" * 200_000
        report = self.import_checked(xlsx([HEADER, [big, *GOOD[0][1:]], [GOOD[1][0], GOOD[1][1], "女", big]]), "名册.xlsx")
        reasons = {r.row: r.reasons for r in report.of(REJECTED)}
        self.assertEqual(reasons[2], ["姓名超过50个字"])
        self.assertEqual([r[:14] for r in reasons[3]], ["出生日期：无法识别的日期“长"])
        # A CSV field beyond the csv module's limit is a file-level refusal, not a crash.
        self.assertIsNone(self.import_checked(("姓名,身份证号\n" + "x" * 300_000 + ",1\n").encode(), "名册.csv"))

    def test_formulas_are_read_as_text_or_refused_never_run(self):
        # In a workbook a formula cell holds no value until Excel computes it: the row is empty and skipped.
        report = self.import_checked(xlsx([HEADER, *GOOD, ["=1+1", "=A2", "=\"男\"", "=TODAY()", "=1/0"]]), "名册.xlsx")
        self.assertEqual((report.counts()["new"], report.counts()["rejected"]), (2, 0))
        # In a CSV it is text: stored as typed, never evaluated (exports put an apostrophe before it again).
        text = "\n".join(",".join(row) for row in [HEADER[:3], ["=1+1", ident(date(1935, 3, 3), 981, "M"), "男"],
                                                         ["@SUM(A1)", ident(date(1936, 4, 4), 982, "F"), "女"]])
        self.assertEqual(self.import_checked(text.encode(), "名册.csv").counts()["new"], 2)
        self.assertEqual(sorted(Member.objects.filter(name__regex=r"^[=@]").values_list("name", flat=True)), ["=1+1", "@SUM(A1)"])

    def test_a_zip_bomb_is_refused_without_inflating_it(self):
        honest = bomb(1024 * 1024, declared=3 * 1024**3)  # declares 3 GB
        lying = bomb(50 * 1024 * 1024, declared=1000)  # declares 1 KB, holds 50 MB
        self.assertLess(max(len(honest), len(lying)), 200_000)
        with mock.patch("python_calamine.CalamineWorkbook.from_filelike") as parser:
            with self.assertRaisesMessage(SpreadsheetError, "文件解压后超过200MB"):
                spreadsheet.read_rows(honest, "名册.xlsx")
            with self.assertRaisesMessage(SpreadsheetError, "文件已损坏或不完整"):
                spreadsheet.read_rows(lying, "名册.xlsx")
        parser.assert_not_called()  # refused before the parser could inflate anything
        self.assertIsNone(self.import_checked(honest, "名册.xlsx"))
        self.assertEqual(self.import_checked(bomb(10_000), "名册.xlsx").counts()["new"], 2)  # blanks are fine when small


class AllOrNothingTest(BaseTestCase):
    def test_a_failure_after_the_rows_are_written_undoes_every_row(self):
        with mock.patch("laogan.members.actions.record_audit", side_effect=RuntimeError("disk full")):
            with self.assertRaisesMessage(RuntimeError, "disk full"):
                do_import_roster(GOOD_XLSX, org=self.centre_a, acting_user=self.secretary, name="名册.xlsx")
        self.assertEqual((Member.objects.count(), MemberPhone.objects.count(), AuditEntry.objects.count()), (0, 0, 0))


class ImportPageFuzzTest(HypothesisTestCase, BaseTestCase):
    """The real upload → preview → confirm pages: a form error or a preview, never a 500, never a partial write."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        folder = tempfile.TemporaryDirectory(prefix="laogan-fuzz-")
        cls.addClassCleanup(folder.cleanup)
        cls.enterClassContext(override_settings(DATA_DIR=Path(folder.name)))

    @settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.one_of(st.binary(max_size=2000).map(lambda b: spreadsheet.XLSX_MAGIC + b),
                     st.binary(max_size=2000),
                     st.integers(1, len(GOOD_XLSX) - 1).map(lambda n: GOOD_XLSX[:n]),
                     ROWS.map(lambda rows: xlsx([HEADER, *GOOD, *rows]))),
           st.sampled_from(["名册.xlsx", "名册.xls", "名册.csv"]))
    def test_any_upload(self, data, name):
        self.client.force_login(self.secretary)
        before = (Member.objects.count(), MemberPhone.objects.count())
        response = self.client.post(reverse("member_import"), {"unit": self.centre_a.pk, "file": SimpleUploadedFile(name, data)})
        if response.status_code == 200:
            self.assertTrue(response.context["form"].errors["file"])
            self.assertEqual((Member.objects.count(), MemberPhone.objects.count()), before)
            return
        self.assertEqual(response.status_code, 302)
        token = response.url.rstrip("/").split("/")[-1]
        self.assertEqual(self.client.get(response.url).status_code, 200)
        preview = json.loads((Path(django_settings.DATA_DIR) / "imports" / str(self.secretary.pk) / token / "preview.json").read_text())
        for row in preview["rejected"]:
            self.assertGreater(row["row"], preview["header_row"])
            self.assertTrue(row["reasons"])
        confirmed = self.client.post(reverse("member_import_confirm", args=[token]))
        self.assertEqual(confirmed.status_code, 302)
        self.assertEqual(self.client.get(confirmed.url).status_code, 200)
        self.assertEqual(Member.objects.count(), before[0] + preview["counts"]["new"])
