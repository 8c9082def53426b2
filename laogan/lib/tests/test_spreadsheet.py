import io
import tempfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import xlwt
from django.test import SimpleTestCase

from laogan.lib import spreadsheet
from laogan.lib.spreadsheet import SpreadsheetError


def xlsx_bytes(cells, *, extra_sheets=()):
    """Return an .xlsx with {"B3": value} cells on the first sheet; extra_sheets are (title, state, cells)."""
    book = openpyxl.Workbook()
    for ref, value in cells.items():
        book.active[ref] = value
    for title, state, extra in extra_sheets:
        sheet = book.create_sheet(title)
        sheet.sheet_state = state
        for ref, value in extra.items():
            sheet[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xls_bytes(rows):
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名册")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class ReadXlsxTest(SimpleTestCase):
    def test_rows_keep_excel_numbering_with_leading_empty_rows_and_columns(self):
        rows = spreadsheet.read_rows(xlsx_bytes({"B3": "名册", "B5": "姓名", "C5": "身份证号", "B6": "张建国"}), "a.xlsx")
        self.assertEqual(rows[2][1], "名册")  # Excel row 3, column B
        self.assertEqual(rows[4][1:3], ["姓名", "身份证号"])
        self.assertEqual(rows[5][1], "张建国")
        self.assertEqual(rows[0], ["", "", ""])

    def test_cells_come_back_typed(self):
        rows = spreadsheet.read_rows(xlsx_bytes({"A1": date(1928, 5, 3), "B1": 1928.05, "C1": "0771", "D1": 13907710000}))
        self.assertEqual(rows[0][0], date(1928, 5, 3))
        self.assertEqual(rows[0][1], 1928.05)
        self.assertEqual(rows[0][2], "0771")
        self.assertEqual(int(rows[0][3]), 13907710000)

    def test_hidden_and_empty_sheets_are_skipped(self):
        data = xlsx_bytes({}, extra_sheets=[("secret", "hidden", {"A1": "隐藏"}), ("名册", "visible", {"A1": "姓名"})])
        self.assertEqual(spreadsheet.read_rows(data)[0][0], "姓名")

    def test_a_path_reads_like_bytes(self):
        path = self.tmp_file("roster.xlsx", xlsx_bytes({"A1": "姓名"}))
        self.assertEqual(spreadsheet.read_rows(path)[0][0], "姓名")

    def test_a_file_object_reads_like_bytes(self):
        self.assertEqual(spreadsheet.read_rows(io.BytesIO(xlsx_bytes({"A1": "姓名"})))[0][0], "姓名")

    def tmp_file(self, name, data):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        path = Path(folder.name) / name
        path.write_bytes(data)
        return path


class ReadXlsTest(SimpleTestCase):
    def test_an_old_excel_file_reads(self):
        rows = spreadsheet.read_rows(xls_bytes([["老干部名册"], [], ["姓 名", "身份证号"], ["张建国", "450107192805030011"]]), "a.xls")
        self.assertEqual(rows[0][0], "老干部名册")
        self.assertEqual(rows[2], ["姓 名", "身份证号"])
        self.assertEqual(rows[3][1], "450107192805030011")


class ReadCsvTest(SimpleTestCase):
    TEXT = "姓名,身份证号\n张建国,450107192805030011\n"

    def test_utf8_with_and_without_bom(self):
        for data in (self.TEXT.encode("utf-8"), self.TEXT.encode("utf-8-sig")):
            with self.subTest(bom=data[:3] == b"\xef\xbb\xbf"):
                self.assertEqual(spreadsheet.read_rows(data, "a.csv"), [["姓名", "身份证号"], ["张建国", "450107192805030011"]])

    def test_gbk_as_excel_on_chinese_windows_saves_it(self):
        self.assertEqual(spreadsheet.read_rows(self.TEXT.encode("gbk"), "a.csv")[1][0], "张建国")

    def test_gb18030_characters_beyond_gbk(self):
        self.assertEqual(spreadsheet.read_rows("姓名\n㐀㐁\n".encode("gb18030"), "a.csv")[1][0], "㐀㐁")

    def test_tab_separated_utf16_as_excel_unicode_text(self):
        data = "姓名\t身份证号\n张建国\t450107192805030011\n".encode("utf-16")
        self.assertEqual(spreadsheet.read_rows(data, "a.csv")[1], ["张建国", "450107192805030011"])

    def test_blank_lines_keep_their_row_numbers(self):
        rows = spreadsheet.read_rows("名册\n\n姓名\n张建国\n".encode(), "a.csv")
        self.assertEqual(rows[2], ["姓名"])
        self.assertEqual(rows[3], ["张建国"])

    def test_quoted_cells_with_commas_and_newlines(self):
        rows = spreadsheet.read_rows('姓名,现住址\n张建国,"北湖路12号,\n3栋"\n'.encode(), "a.csv")
        self.assertEqual(rows[1][1], "北湖路12号,\n3栋")


class UnreadableTest(SimpleTestCase):
    def assertUnreadable(self, data, name, words):
        with self.assertRaises(SpreadsheetError) as raised:
            spreadsheet.read_rows(data, name)
        self.assertIn(words, str(raised.exception))

    def test_an_empty_file(self):
        self.assertUnreadable(b"", "a.xlsx", "空")

    def test_a_truncated_xlsx(self):
        data = xlsx_bytes({"A1": "姓名", "A2": "张建国"})
        self.assertUnreadable(data[: len(data) // 2], "a.xlsx", "损坏")

    def test_a_truncated_xls(self):
        data = xls_bytes([["姓名"], ["张建国"]])
        self.assertUnreadable(data[:700], "a.xls", "Excel")

    def test_garbage_named_xlsx(self):
        self.assertUnreadable(b"PK\x03\x04" + bytes(range(256)) * 4, "a.xlsx", "损坏")

    def test_binary_named_csv(self):
        self.assertUnreadable(b"\x00\x01\x02\x03" * 100, "a.csv", "无法读取")

    def test_a_picture_named_xls(self):
        self.assertUnreadable(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64, "a.xls", "Excel")

    def test_a_web_page_named_xls(self):
        self.assertUnreadable("<html><body><table><tr><td>姓名</td></tr></table></body></html>".encode(), "a.xls", "网页")

    def test_text_in_no_known_encoding(self):
        self.assertUnreadable(b"\xff\xff\xff\xfe\x81", "a.csv", "编码")

    def test_a_sheet_with_nothing_in_it(self):
        self.assertUnreadable(xlsx_bytes({}), "a.xlsx", "没有数据")

    def test_a_missing_path(self):
        self.assertUnreadable("/nonexistent/roster.xlsx", "", "无法打开")

    def test_every_failure_is_a_value_error_for_callers_that_catch_broadly(self):
        self.assertTrue(issubclass(SpreadsheetError, ValueError))


class WriteTest(SimpleTestCase):
    HEADER = ["姓名", "身份证号", "备注"]
    ROWS = [["张建国", "450107192805030011", "=HYPERLINK(\"x\")"], ["李秀英", "45010719300101002X", "-无-"]]

    def test_xlsx_round_trips_as_text(self):
        out = io.BytesIO()
        spreadsheet.write_xlsx(out, self.HEADER, iter(self.ROWS), title="名册", column_widths=[10, 20, 20])
        self.assertEqual(spreadsheet.read_rows(out.getvalue()), [self.HEADER] + self.ROWS)

    def test_xlsx_never_stores_a_formula(self):
        out = io.BytesIO()
        spreadsheet.write_xlsx(out, self.HEADER, self.ROWS)
        sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
        self.assertEqual(sheet["C2"].data_type, "s")

    def test_csv_has_a_bom_and_guards_formulas(self):
        out = io.BytesIO()
        spreadsheet.write_csv(out, self.HEADER, self.ROWS)
        data = out.getvalue()
        self.assertTrue(data.startswith(b"\xef\xbb\xbf"))
        rows = spreadsheet.read_rows(data, "a.csv")
        self.assertEqual(rows[1][2], "'=HYPERLINK(\"x\")")
        self.assertEqual([spreadsheet.unquote_formula_guard(c) for c in rows[1]], self.ROWS[0])
        self.assertEqual(spreadsheet.unquote_formula_guard(rows[2][2]), "-无-")

    def test_values_other_than_text(self):
        out = io.BytesIO()
        spreadsheet.write_csv(out, ["a", "b"], [[None, 3]])
        self.assertEqual(spreadsheet.read_rows(out.getvalue(), "a.csv")[1], ["", "3"])

    def test_dates_written_to_xlsx_read_back_as_dates(self):
        out = io.BytesIO()
        spreadsheet.write_xlsx(out, ["日期"], [[datetime(1928, 5, 3)]])
        self.assertIn(spreadsheet.read_rows(out.getvalue())[1][0], (datetime(1928, 5, 3), date(1928, 5, 3)))

    def test_supported_names(self):
        self.assertTrue(spreadsheet.is_supported_name("名册.XLSX"))
        self.assertTrue(spreadsheet.is_supported_name("a.csv"))
        self.assertFalse(spreadsheet.is_supported_name("a.docx"))
        self.assertFalse(spreadsheet.is_supported_name(""))
