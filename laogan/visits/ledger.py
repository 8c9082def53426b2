"""The money and gifts ledger of a centre for a year: totals by occasion, spent against budget, and its Excel file."""

import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from laogan.lib.spreadsheet import FORMULA_START

from .models import Budget, MoneyEntry, MoneyKind, occasion_label

ZERO = Decimal("0.00")


@dataclass
class OccasionRow:
    occasion: str
    label: str
    condolence: Decimal = ZERO
    gifts: Decimal = ZERO

    @property
    def total(self):
        return self.condolence + self.gifts


@dataclass
class LedgerSummary:
    centre: object
    year: int
    rows: list = field(default_factory=list)
    budget: Decimal | None = None

    @property
    def condolence(self):
        return sum((r.condolence for r in self.rows), ZERO)

    @property
    def gifts(self):
        return sum((r.gifts for r in self.rows), ZERO)

    @property
    def spent(self):
        return self.condolence + self.gifts

    @property
    def remaining(self):
        return None if self.budget is None else self.budget - self.spent

    @property
    def percent_used(self):
        if not self.budget:
            return None
        return (self.spent * 100 / self.budget).quantize(Decimal("0.1"))


def summary(centre, year):
    """Return the LedgerSummary of a centre's year: sums by occasion (reversals included) and the budget."""
    rows = {}
    totals = (MoneyEntry.objects.filter(centre=centre).in_year(year).order_by()
              .values("occasion", "kind").annotate(total=Sum("amount")))
    for t in totals:
        row = rows.setdefault(t["occasion"], OccasionRow(t["occasion"], occasion_label(t["occasion"])))
        if t["kind"] == MoneyKind.CONDOLENCE:
            row.condolence += t["total"] or ZERO
        else:
            row.gifts += t["total"] or ZERO
    budget = Budget.objects.filter(centre=centre, year=year).values_list("amount", flat=True).first()
    ordered = sorted(rows.values(), key=lambda r: (-r.total, r.label))
    return LedgerSummary(centre=centre, year=year, rows=ordered, budget=budget)


def entries(centre, year):
    return (MoneyEntry.objects.filter(centre=centre).in_year(year)
            .select_related("member", "reverses", "reversal", "created_by").order_by("date", "id"))


DETAIL_HEADER = ["日期", "类别", "场合", "老干部", "物品", "数量", "金额（元）", "经手人", "冲销原因", "冲销的记录号", "记录号", "录入人"]


def workbook(centre, year):
    """Return the ledger as .xlsx bytes: a summary sheet (by occasion, budget, spent) and every entry."""
    s = summary(centre, year)
    book = Workbook()
    sheet = book.active
    sheet.title = "汇总"
    sheet.append([f"{centre.name} {year}年走访慰问经费台账"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(["场合", "慰问金（元）", "慰问品（元）", "合计（元）"])
    for row in s.rows:
        sheet.append([_text(row.label), row.condolence, row.gifts, row.total])
    sheet.append(["合计", s.condolence, s.gifts, s.spent])
    sheet.append([])
    sheet.append(["年度预算（元）", s.budget])
    sheet.append(["已支出（元）", s.spent])
    sheet.append(["结余（元）", s.remaining])
    _money_format(sheet, columns="BCD")
    _widths(sheet, [18, 16, 16, 16])

    detail = book.create_sheet("明细")
    detail.append(DETAIL_HEADER)
    for e in entries(centre, year):
        detail.append([
            e.date, e.get_kind_display(), _text(e.occasion_label), _text(e.member.name if e.member else ""),
            _text(e.item), e.quantity, e.amount, _text(e.handed_over_by), _text(e.reason),
            e.reverses_id, e.pk, _text(e.created_by.display_name if e.created_by else ""),
        ])
    for cell in detail["A"][1:]:
        cell.number_format = "yyyy-mm-dd"
    _money_format(detail, columns="G")
    _widths(detail, [12, 16, 14, 10, 16, 6, 12, 10, 20, 12, 8, 10])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(value):
    # A name typed as "=1+1" must stay text when the file is opened (CSV/formula injection).
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _money_format(sheet, columns):
    for letter in columns:
        for cell in sheet[letter]:
            if isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"


def _widths(sheet, widths):
    for i, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(i)].width = width
