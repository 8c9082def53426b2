"""The annual summary as an Excel workbook: "汇总" with every figure, one sheet per area with its months, and
(for people who may open records) one sheet per figure listing the records behind it — the same rows, in the same
order, as the figure's page on the web, so a number in the report can be checked line by line.

Numbers are stored as numbers (money as a two-decimal number), never as text, so the sheets can be summed.
"""

import io
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from laogan.lib.figures import resolve

from .common import is_number, period_text

HEADER_ROW = 4  # rows 1–2 say what the sheet is; the table starts here on every sheet
MONEY = "#,##0.00"
DECIMAL_1 = "0.0"
PERCENT = "0.0%"
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"

TITLE_FONT = Font(name="宋体", size=14, bold=True)
NOTE_FONT = Font(name="宋体", size=10, color="555555")
HEADER_FONT = Font(name="宋体", size=11, bold=True)
BODY_FONT = Font(name="宋体", size=11)
LINK_FONT = Font(name="宋体", size=11, color="1F5F8B", underline="single")
HEADER_FILL = PatternFill("solid", fgColor="E8E8E8")

# Characters Excel refuses in a sheet name.
BAD_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})


def render(summary, *, with_records=False):
    """Return the .xlsx bytes of `summary`; `with_records` adds the records sheets (personal data)."""
    # A Chinese document whoever downloads it: choice labels in the records ("男", "离休") come out in Chinese.
    with translation.override("zh-hans"):
        return _render(summary, with_records)


def _render(summary, with_records):
    book = Workbook()
    names = SheetNames()
    overview = book.active
    overview.title = names.take("汇总")
    area_sheets = [(area, book.create_sheet(names.take(area.area.label_zh))) for area in summary.areas]
    record_sheets = {}
    if with_records:
        for area in summary.areas:
            for row in area.rows:
                record_sheets[row.figure.key] = book.create_sheet(names.take(f"{row.figure.label_zh}明细"))

    _overview(overview, summary, record_sheets)
    for area, sheet in area_sheets:
        _area(sheet, summary, area)
    for area in summary.areas:
        for row in area.rows:
            if row.figure.key in record_sheets:
                _records(record_sheets[row.figure.key], summary, row)

    book.properties.title = summary.title
    book.properties.creator = "老干部之家"
    book.properties.language = "zh-CN"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class SheetNames:
    """Hand out sheet names Excel accepts: at most 31 characters, none of []:*?/\\, unique ignoring case."""

    def __init__(self):
        self.used = set()

    def take(self, wanted):
        base = (wanted.translate(BAD_SHEET_CHARS).strip("'") or "Sheet")[:31]
        name, n = base, 1
        while name.lower() in self.used:
            n += 1
            suffix = f"({n})"
            name = base[: 31 - len(suffix)] + suffix
        self.used.add(name.lower())
        return name


def _overview(sheet, summary, record_sheets):
    _heading(sheet, summary.title, f"统计单位：{summary.unit.name}　统计期间：{period_text(summary)}"
                                   f"　对比：{summary.year - 1}年全年")
    header = ["领域", "指标代码", "指标", "单位", f"{summary.year}年", f"{summary.year - 1}年", "增减", "增减幅度"]
    _header(sheet, header)
    r = HEADER_ROW
    for area in summary.areas:
        for row in area.rows:
            r += 1
            _put(sheet, r, 1, area.area.label_zh)
            _put(sheet, r, 2, row.figure.key)
            label = _put(sheet, r, 3, row.figure.label_zh)
            if row.figure.key in record_sheets:
                # The label opens the sheet of records behind the number.
                label.hyperlink = Hyperlink(ref=label.coordinate, location=f"'{record_sheets[row.figure.key].title}'!A1")
                label.font = LINK_FONT
            _put(sheet, r, 4, row.figure.unit)
            _figure_cells(sheet, r, 5, row)
    _finish(sheet, header, widths={1: 14, 2: 22, 3: 26, 4: 6})


def _area(sheet, summary, area):
    _heading(sheet, f"{area.area.label_zh}（{summary.title}）", f"统计期间：{period_text(summary)}，按月为{summary.year}年各月数值")
    months = [m for m in summary.period.months()] if any(row.monthly for row in area.rows) else []
    header = ["指标", "单位", f"{summary.year}年", f"{summary.year - 1}年", "增减", "增减幅度"] + [f"{m.month}月" for m in months]
    _header(sheet, header)
    for r, row in enumerate(area.rows, HEADER_ROW + 1):
        _put(sheet, r, 1, row.figure.label_zh)
        _put(sheet, r, 2, row.figure.unit)
        _figure_cells(sheet, r, 3, row)
        for c, month in enumerate(months, 7):
            _put(sheet, r, c, row.monthly.get(month))
    _finish(sheet, header, widths={1: 26, 2: 6})


def _figure_cells(sheet, r, c, row):
    """Write this year, last year, change and change rate from column c."""
    _put(sheet, r, c, row.value if is_number(row.value) else None)
    _put(sheet, r, c + 1, row.previous if is_number(row.previous) else None)
    _put(sheet, r, c + 2, row.change)
    rate = _put(sheet, r, c + 3, None if row.change_percent is None else row.change_percent / 100)
    rate.number_format = PERCENT


def _records(sheet, summary, row):
    figure = row.figure
    value = row.value if is_number(row.value) else "—"
    if isinstance(value, Decimal):
        value = f"{value:,.2f}"
    _heading(sheet, f"{figure.label_zh}：{value}{figure.unit}（{summary.unit.name}，{period_text(summary)}）",
             f"统计口径：{figure.rule_zh or figure.label_zh}")
    header = ["序号"] + [c.label for c in figure.columns]
    _header(sheet, header)
    rows = figure.records(summary.unit, summary.period)
    related = related_paths(figure.model, figure.columns)
    if related:
        rows = rows.select_related(*related)
    # The web drill-down's order (newest first), so the two lists can be compared side by side.
    order = [f"-{figure.date_field}", "pk"] if figure.date_field else ["pk"]
    for r, record in enumerate(rows.order_by(*order).iterator(chunk_size=2000), HEADER_ROW + 1):
        _put(sheet, r, 1, r - HEADER_ROW)
        for c, column in enumerate(figure.columns, 2):
            _put(sheet, r, c, cell_value(resolve(column.path, record)))
    _finish(sheet, header, widths={1: 6}, landscape=True)


def related_paths(model, columns):
    """Return the select_related paths the columns walk through ("member.unit.name" → "member__unit").

    Without them each row of a records sheet would cost a query per foreign key.
    """
    paths = set()
    for column in columns:
        current, chain = model, []
        for part in column.path.split(".")[:-1]:
            try:
                field = current._meta.get_field(part)
            except FieldDoesNotExist:
                break
            if not (field.many_to_one or field.one_to_one) or field.related_model is None:
                break
            chain.append(part)
            current = field.related_model
        if chain:
            paths.add("__".join(chain))
    return sorted(paths)


def cell_value(value):
    """Return a record's value as Excel should store it: dates as dates, numbers as numbers, the rest as text."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        # Excel has no time zones; show the local time people recorded.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, (date, int, float, Decimal)):
        return value
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def _put(sheet, r, c, value):
    cell = sheet.cell(r, c, value)
    cell.font = BODY_FONT
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # typed text such as "=急诊" must not run as a formula when the file is opened
    elif isinstance(value, Decimal):
        cell.number_format = MONEY
    elif isinstance(value, float):
        cell.number_format = DECIMAL_1
    elif isinstance(value, datetime):
        cell.number_format = DATETIME
    elif isinstance(value, date):
        cell.number_format = DATE
    return cell


def _heading(sheet, title, note):
    sheet.cell(1, 1, title).font = TITLE_FONT
    sheet.cell(2, 1, note).font = NOTE_FONT


def _header(sheet, header):
    for c, text in enumerate(header, 1):
        cell = sheet.cell(HEADER_ROW, c, text)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _finish(sheet, header, *, widths, landscape=False):
    """Size the columns to their contents, freeze the header and set up printing on A4."""
    for c in range(1, len(header) + 1):
        longest = max((_display_width(sheet.cell(r, c).value) for r in range(HEADER_ROW, sheet.max_row + 1)), default=8)
        sheet.column_dimensions[get_column_letter(c)].width = widths.get(c, min(max(longest + 2, 8), 40))
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
    if sheet.max_row > HEADER_ROW:
        sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(header))}{sheet.max_row}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def _display_width(value):
    if value is None:
        return 0
    if isinstance(value, Decimal):
        value = f"{value:,.2f}"
    text = str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
