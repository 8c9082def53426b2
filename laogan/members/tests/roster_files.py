"""Builders of roster files for the import, export and view tests: rows in, file bytes out, as people make them."""

import csv
import io
from datetime import date

import openpyxl
import xlwt

from laogan.lib import idcard


def ident(born=date(1928, 5, 3), seq=11, sex="M"):
    """Return a valid 18-character ID number for a birth date (region 南宁市西乡塘区)."""
    return idcard.make("450107", born, seq, sex)


def xlsx(rows):
    """Return an .xlsx whose first sheet holds rows (lists of values; None leaves a cell empty)."""
    book = openpyxl.Workbook()
    sheet = book.active
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row, 1):
            if value is not None:
                sheet.cell(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xls(rows):
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("花名册")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, encoding="utf-8"):
    text = io.StringIO()
    csv.writer(text).writerows([["" if v is None else v for v in row] for row in rows])
    return text.getvalue().encode(encoding)
