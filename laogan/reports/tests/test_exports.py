"""The annual summary's Word, Excel and PDF files, checked by reading them back."""

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import docx
import openpyxl
import pypdf
import time_machine
from django.db import connection
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn

from laogan.lib import figures
from laogan.lib.figures import Period
from laogan.members.actions import do_record_life_event
from laogan.members.models import EventKind, LifeEvent
from laogan.reports import summary
from laogan.reports.exports import docx as docx_export
from laogan.reports.exports.common import title_lines, value_text
from laogan.reports.exports import pdf as pdf_export
from laogan.reports.exports import xlsx as xlsx_export
from laogan.reports.exports.xlsx import HEADER_ROW, SheetNames
from laogan.test import BaseTestCase, make_member

# 2026 is over: the summary covers the whole year and compares it with the whole of 2025.
AFTER_2026 = datetime(2027, 1, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def record(member, kind, day, **kw):
    if kind == EventKind.ADMITTED:
        kw.setdefault("hospital", "广西医科大学第一附属医院")
    return do_record_life_event(member, kind=kind, date=day, acting_user=None, **kw)


def build_year(test_class):
    """Give centre A three members and a year of events; centre B one member whose events must never count."""
    zhang = make_member(name="张建国", born=date(1928, 5, 3), unit=test_class.group_a1)
    li = make_member(name="李秀英", born=date(1935, 2, 1), sex="F", unit=test_class.group_a2)
    wang = make_member(name="王德明", born=date(1938, 7, 7), unit=test_class.group_a1)
    chen = make_member(name="陈振华", born=date(1930, 1, 1), unit=test_class.group_b1)
    record(zhang, EventKind.ADMITTED, date(2025, 3, 2))
    record(zhang, EventKind.DISCHARGED, date(2025, 3, 10))
    record(zhang, EventKind.ADMITTED, date(2026, 2, 1))
    record(zhang, EventKind.DISCHARGED, date(2026, 2, 10))
    record(zhang, EventKind.ADMITTED, date(2026, 9, 1))
    record(li, EventKind.ADMITTED, date(2026, 5, 5))
    # Typed by a person; must stay text in Excel rather than become a formula.
    record(li, EventKind.HARDSHIP_REPORTED, date(2026, 6, 1), notes="=老伴住院，家中无人照料")
    record(wang, EventKind.DIED, date(2026, 11, 11))
    record(chen, EventKind.ADMITTED, date(2026, 3, 3))
    return zhang, li, wang


def docx_text(document):
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def all_runs(document):
    runs = [r for p in document.paragraphs for r in p.runs]
    runs += [r for t in document.tables for row in t.rows for cell in row.cells for p in cell.paragraphs for r in p.runs]
    runs += [r for p in document.sections[0].footer.paragraphs for r in p.runs]
    return runs


def table_rows(sheet):
    """Return the data rows under the header row, up to the first empty one."""
    rows = []
    for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True):
        if row[0] is None:
            break
        rows.append(row)
    return rows


@time_machine.travel(AFTER_2026, tick=False)
class ExportTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_year(cls)
        cls.summary = summary.build(cls.centre_a, 2026)


class TheDataTest(ExportTestCase):
    """The figures the other tests read back, so a wrong file cannot hide behind zeros."""

    def test_the_year_has_the_figures_of_centre_a_only(self):
        values = self.summary.values()
        self.assertEqual(values["hospital_admissions"], 3)
        self.assertEqual(values["hardship_reports"], 1)
        self.assertEqual(values["deaths"], 1)
        self.assertEqual(values["members_living"], 2)
        self.assertEqual(self.summary.row("hospital_admissions").previous, 1)


class DocxExportTest(ExportTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.docx = docx_export.render(cls.summary)  # once for the class: the charts take a moment to draw

    def setUp(self):
        self.document = docx.Document(io.BytesIO(self.docx))
        self.text = docx_text(self.document)

    def test_the_title_is_the_summary_title_centred(self):
        title = self.document.paragraphs[0]
        self.assertEqual(title.text, "甲中心2026年度工作总结")
        self.assertEqual(title.alignment or title.style.paragraph_format.alignment, docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER)

    def test_the_unit_and_date_line_follows_the_title(self):
        self.assertEqual(self.document.paragraphs[1].text, "甲中心　2027年1月20日")

    def test_the_narrative_is_there_with_its_numbers_filled_in(self):
        self.assertIn("住院3人次", self.text)
        self.assertIn("去世老干部1人", self.text)
        self.assertNotIn("{hospital_admissions}", self.text)

    def test_narrative_paragraphs_are_indented_two_characters(self):
        prose = next(p for p in self.document.paragraphs if p.text.startswith("2026年，"))
        ind = prose._p.pPr.find(qn("w:ind"))
        self.assertEqual(ind.get(qn("w:firstLineChars")), "200")

    def test_every_figure_has_a_table_row_with_this_year_last_year_and_change(self):
        rows = {tuple(c.text for c in row.cells) for t in self.document.tables for row in t.rows}
        self.assertIn(("住院", "人次", "3", "1", "+2", "+200.0%"), rows)
        self.assertIn(("在册老干部", "人", "2", "3", "-1", "-33.3%"), rows)
        for area in self.summary.areas:
            for row in area.rows:
                with self.subTest(figure=row.figure.key):
                    self.assertTrue(any(r[0] == row.figure.label_zh and r[2] == value_text(row.value)
                                        and r[3] == value_text(row.previous) for r in rows))

    def test_each_area_has_a_heading_and_a_chart(self):
        headings = [p.text for p in self.document.paragraphs if p.style.name == "Heading 1"]
        self.assertEqual(headings[0], f"一、{self.summary.areas[0].area.label_zh}")
        self.assertEqual(len(headings), len(self.summary.areas))
        self.assertEqual(len(self.document.inline_shapes), len(self.summary.areas))

    def test_the_charts_are_not_cropped_to_the_body_line_height(self):
        for paragraph in self.document.paragraphs:
            if paragraph._p.xpath(".//pic:pic"):
                self.assertNotEqual(paragraph.paragraph_format.line_spacing_rule, WD_LINE_SPACING.EXACTLY)

    def test_every_run_and_the_normal_style_name_an_east_asian_font(self):
        normal = self.document.styles["Normal"].element.rPr.rFonts
        self.assertEqual(normal.get(qn("w:eastAsia")), "宋体")
        runs = all_runs(self.document)
        self.assertGreater(len(runs), 20)
        for run in runs:
            fonts = run._r.rPr.rFonts
            self.assertTrue(fonts.get(qn("w:eastAsia")), run.text)
            # A theme reference would win over the named font in Word.
            self.assertIsNone(fonts.get(qn("w:eastAsiaTheme")), run.text)

    def test_the_footer_numbers_the_pages(self):
        footer = self.document.sections[0].footer.paragraphs[0]._p.xml
        self.assertIn("PAGE", footer)

    def test_the_page_is_a4(self):
        section = self.document.sections[0]
        self.assertEqual((round(section.page_width.mm), round(section.page_height.mm)), (210, 297))


class XlsxExportTest(ExportTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.xlsx = xlsx_export.render(cls.summary, with_records=True)

    def setUp(self):
        self.book = openpyxl.load_workbook(io.BytesIO(self.xlsx))

    def test_the_overview_sheet_has_every_figure_with_the_summary_values(self):
        sheet = self.book["汇总"]
        header = next(sheet.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW, values_only=True))
        self.assertEqual(header, ("领域", "指标代码", "指标", "单位", "2026年", "2025年", "增减", "增减幅度"))
        found = {row[1]: row for row in table_rows(sheet)}
        self.assertEqual(set(found), {f.key for f in figures.all_figures()})
        for key, value in self.summary.values().items():
            row = self.summary.row(key)
            with self.subTest(figure=key):
                self.assertEqual(found[key][2:7], (row.figure.label_zh, row.figure.unit, value, row.previous, row.change))
        self.assertAlmostEqual(found["hospital_admissions"][7], 2.0)

    def test_each_area_has_its_own_sheet_with_the_months(self):
        for area in self.summary.areas:
            sheet = self.book[area.area.label_zh]
            rows = table_rows(sheet)
            self.assertEqual([r[0] for r in rows], [row.figure.label_zh for row in area.rows])
        admissions = next(r for r in table_rows(self.book["老干部队伍"]) if r[0] == "住院")
        self.assertEqual(admissions[2], 3)
        self.assertEqual(admissions[6:18], (0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0))  # February, May, September

    def test_a_records_sheet_lists_as_many_rows_as_a_count_figure_counts(self):
        for area in self.summary.areas:
            for row in area.rows:
                if row.figure.measure != "count" or row.figure.compute is not None:
                    continue
                with self.subTest(figure=row.figure.key):
                    sheet = self.book[f"{row.figure.label_zh}明细"]
                    self.assertEqual(len(table_rows(sheet)), row.value)

    def test_the_records_are_the_web_drill_down_rows(self):
        rows = table_rows(self.book["住院明细"])
        self.assertEqual([(r[1].date(), r[2], r[3]) for r in rows], [
            (date(2026, 9, 1), "张建国", "第一党小组"),
            (date(2026, 5, 5), "李秀英", "第二党小组"),
            (date(2026, 2, 1), "张建国", "第一党小组"),
        ])
        self.assertEqual(self.book["住院明细"].cell(HEADER_ROW + 1, 2).number_format, "yyyy-mm-dd")

    def test_text_that_looks_like_a_formula_stays_text(self):
        cell = self.book["家庭困难报告明细"].cell(HEADER_ROW + 1, 6)
        self.assertEqual(cell.value, "=老伴住院，家中无人照料")
        self.assertEqual(cell.data_type, "s")

    def test_the_overview_label_links_to_its_records(self):
        label = next(c for c in self.book["汇总"]["C"] if c.value == "住院")
        self.assertEqual(label.hyperlink.location, "'住院明细'!A1")

    def test_without_records_there_are_no_records_sheets(self):
        book = openpyxl.load_workbook(io.BytesIO(xlsx_export.render(self.summary)))
        self.assertEqual(book.sheetnames, ["汇总"] + [a.area.label_zh for a in self.summary.areas])

    def test_records_sheets_cost_no_query_per_record(self):
        with CaptureQueriesContext(connection) as before:
            xlsx_export.render(self.summary, with_records=True)
        for day in (3, 4, 5):
            member = make_member(name=f"黄{day}", unit=self.group_a2)
            record(member, EventKind.ADMITTED, date(2026, 4, day))
        with CaptureQueriesContext(connection) as after:
            xlsx_export.render(self.summary, with_records=True)
        self.assertEqual(len(after), len(before))


class XlsxMoneyTest(ExportTestCase):
    def test_money_is_a_number_with_two_decimals(self):
        # No app declares a money figure yet; a hand-made one stands in for the 慰问金 figures to come.
        money = figures.Figure(key="test_money", area="members", label_zh="慰问金", label_en="Gifts", unit="元",
                               model=LifeEvent, path_field="member__unit_path", measure="sum:pk")
        area = summary.AreaRows(area=figures.Area("money", "慰问", "Gifts"),
                                rows=[summary.FigureRow(money, Decimal("12345.50"), Decimal("10000.00"))])
        result = summary.Summary(unit=self.centre_a, year=2026, period=Period.year(2026), areas=[area], title="测试",
                                 paragraphs=[], unknown_placeholders=[])
        cells = list(openpyxl.load_workbook(io.BytesIO(xlsx_export.render(result)))["汇总"].iter_rows(min_row=HEADER_ROW + 1))[0]
        self.assertEqual([c.value for c in cells[4:7]], [12345.5, 10000, 2345.5])
        self.assertEqual(cells[4].number_format, "#,##0.00")
        self.assertIsInstance(cells[4].value, float)


class TitleLinesTest(SimpleTestCase):
    def test_a_long_title_breaks_before_the_year(self):
        self.assertEqual(title_lines("西乡塘区离休干部管理服务中心2026年度工作总结", 20),
                         ["西乡塘区离休干部管理服务中心", "2026年度工作总结"])

    def test_a_short_title_or_one_without_a_year_stays_whole(self):
        self.assertEqual(title_lines("甲中心2026年度工作总结", 20), ["甲中心2026年度工作总结"])
        self.assertEqual(title_lines("西乡塘区离休干部管理服务中心年度工作总结（征求意见稿）", 20),
                         ["西乡塘区离休干部管理服务中心年度工作总结（征求意见稿）"])


class SheetNamesTest(SimpleTestCase):
    def test_names_are_short_clean_and_unique(self):
        names = SheetNames()
        long = "期内去世的老干部人数（按去世日期统计，含外地去世者）明细表"
        taken = [names.take("汇总"), names.take(long), names.take(long), names.take("住院/出院:明细"), names.take("汇总")]
        self.assertTrue(all(len(n) <= 31 for n in taken))
        self.assertEqual(len({n.lower() for n in taken}), len(taken))
        self.assertEqual(taken[3], "住院_出院_明细")
        self.assertEqual(taken[4], "汇总(2)")


class PdfExportTest(ExportTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # WeasyPrint takes a second or two; print once for the class.
        cls.pdf = pdf_export.render(cls.summary)

    def setUp(self):
        self.reader = pypdf.PdfReader(io.BytesIO(self.pdf))
        self.text = "\n".join(page.extract_text() for page in self.reader.pages)
        # A long label wraps inside its table cell; the words run on without the line break.
        self.flat = self.text.replace("\n", "")

    def test_it_has_pages_numbered_at_the_foot(self):
        self.assertGreaterEqual(len(self.reader.pages), 1)
        self.assertIn("— 1 —", self.reader.pages[0].extract_text())
        self.assertEqual(round(self.reader.pages[0].mediabox.width), 595)  # A4 in points

    def test_the_title_narrative_and_figures_can_be_read_back(self):
        self.assertIn("甲中心2026年度工作总结", self.text)
        self.assertIn("住院3人次", self.flat)
        self.assertIn("住院 人次 3 1 +2 +200.0%", self.text)
        for key, value in self.summary.values().items():
            row = self.summary.row(key)
            with self.subTest(figure=key):
                expected = f"{row.figure.label_zh} {row.figure.unit} {value_text(value)} {value_text(row.previous)}"
                self.assertIn(expected, self.flat)

    def test_the_chart_is_there_and_its_words_are_text(self):
        self.assertIn("老干部队伍：2025年与2026年对比", self.text)

    def test_the_chinese_fonts_are_embedded(self):
        embedded = set()
        for page in self.reader.pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                for descendant in font.get("/DescendantFonts", []):
                    descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                    if any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                        embedded.add(str(font["/BaseFont"]).split("+")[-1])
        self.assertIn("Noto-Serif-CJK-SC", embedded)
        self.assertIn("Noto-Sans-CJK-SC", embedded)


@time_machine.travel(datetime(2026, 6, 30, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
class YearInProgressTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        zhang = make_member(name="张建国", unit=cls.group_a1)
        record(zhang, EventKind.ADMITTED, date(2026, 2, 1))
        cls.summary = summary.build(cls.centre_a, 2026, until=date(2026, 6, 30))

    def test_the_files_say_the_figures_run_to_today(self):
        book = openpyxl.load_workbook(io.BytesIO(xlsx_export.render(self.summary)))
        self.assertIn("2026年1月1日至6月30日", book["汇总"]["A2"].value)
        document = docx.Document(io.BytesIO(docx_export.render(self.summary)))
        self.assertIn("统计期间为2026年1月1日至6月30日", docx_text(document))
        self.assertIn("2026年\n截至6月30日", docx_text(document))  # the table's column
        self.assertIn("（截至6月30日）", pdf_export.render_html(self.summary))
