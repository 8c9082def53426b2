"""Reading and writing the spreadsheets people keep rosters in: .xlsx, .xls and .csv (UTF-8 or GBK).

Reading returns the first visible worksheet that has data as a list of rows, one list of cell values per row,
with row i of the list being row i + 1 as Excel numbers it: leading empty rows are kept so that every message can
name the row the user sees. Cell values are what python-calamine gives (str, int, float, bool, date, datetime) with
empty cells as ""; a CSV gives strings only.
"""

import csv
import io
import zipfile
import zlib
from pathlib import Path

import python_calamine
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and also a password-protected .xlsx
EXTENSIONS = (".xlsx", ".xls", ".csv")
# An .xlsx is a zip: a few hundred kilobytes can inflate to gigabytes (a "zip bomb"). What it may hold unpacked,
# checked before the parser inflates anything: 100,000 roster rows are well under 200 MB.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 10000
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF")  # Windows and Linux programs, whatever they are named


class SpreadsheetError(ValueError):
    """A file that cannot be read as a spreadsheet; the message says why, in Chinese, for the person who sent it."""


def read_rows(source, name=""):
    """Return the rows of the first visible worksheet with data in `source` (a path, bytes or a binary file).

    The format is recognised from the content, so a .csv saved under an .xls name still reads; `name` only
    decides when the content is ambiguous and appears in messages.
    """
    data = _read_bytes(source)
    name = name or (str(source) if isinstance(source, (str, Path)) else "")
    if not data:
        raise SpreadsheetError("文件是空的")
    if data.startswith(XLSX_MAGIC):
        _check_zip(data)
        return _read_workbook(data)
    if data.startswith(OLE_MAGIC):
        return _read_workbook(data)
    if data.startswith(EXECUTABLE_MAGIC) and b"\x00" in data[:64]:
        raise SpreadsheetError("该文件是程序（可执行文件），不是表格文件，不能上传")
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<") and (b"<html" in head or b"<table" in head or b"<?xml" in head):
        # Many web systems "export to Excel" as an HTML or XML page named .xls.
        raise SpreadsheetError("该文件其实是网页（HTML/XML）格式，不是真正的Excel文件，请在Excel中打开后另存为.xlsx再上传")
    if Path(name).suffix.lower() in (".xlsx", ".xls") and b"\x00" in data[:4096]:
        raise SpreadsheetError("文件已损坏或不是Excel文件，请在Excel中打开后另存为.xlsx再上传")
    return _read_csv(data)


def _read_bytes(source):
    if isinstance(source, bytes):
        return source
    if isinstance(source, (str, Path)):
        try:
            return Path(source).read_bytes()
        except OSError as e:
            raise SpreadsheetError(f"无法打开文件：{e.strerror or e}") from None
    if hasattr(source, "seek"):
        source.seek(0)
    return source.read()


def _check_zip(data):
    """Refuse a zip whose entries declare too much, or inflate to more than they declare (a lying zip bomb).

    The declared sizes are read from the directory first; then every entry is inflated in 1 MB pieces and thrown
    away, which Python's zipfile stops at the declared size, so memory stays small whatever the file claims.
    """
    damaged = "文件已损坏或不完整，无法作为Excel表格读取，请在Excel中打开后另存为.xlsx再上传"
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        entries = book.infolist()
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError):
        raise SpreadsheetError(damaged) from None
    if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNZIPPED_BYTES:
        raise SpreadsheetError(f"文件解压后超过{MAX_UNZIPPED_BYTES // (1024 * 1024)}MB，不像是正常的名册（可能是恶意构造的压缩文件），已拒绝")
    try:
        for entry in entries:
            with book.open(entry) as f:
                while f.read(1024 * 1024):
                    pass
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, NotImplementedError, RuntimeError):
        raise SpreadsheetError(damaged) from None


def _read_workbook(data):
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        for index, meta in enumerate(book.sheets_metadata):
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet or meta.visible != python_calamine.SheetVisibleEnum.Visible:
                continue
            # skip_empty_area=False keeps leading empty rows and columns, so list index + 1 is Excel's row number.
            rows = book.get_sheet_by_index(index).to_python(skip_empty_area=False)
            if any(_filled(cell) for row in rows for cell in row):
                return rows
    except python_calamine.PasswordError:
        raise SpreadsheetError("文件设有打开密码，请在Excel中取消密码后再上传") from None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # noqa: BLE001 — a Rust panic in the parser arrives as pyo3's PanicException, a BaseException
        if data.startswith(OLE_MAGIC) and "detect" in str(e).lower():
            # An encrypted .xlsx is an OLE container that calamine does not recognise as a workbook.
            raise SpreadsheetError("无法读取该文件：可能设有打开密码，或不是Excel文件") from None
        raise SpreadsheetError("文件已损坏或不完整，无法作为Excel表格读取，请在Excel中打开后另存为.xlsx再上传") from None
    raise SpreadsheetError("表格中没有数据")


def _filled(cell):
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def _read_csv(data):
    text = _decode(data)
    if "\x00" in text:
        raise SpreadsheetError("文件不是文本表格（.csv），也不是Excel文件，无法读取")
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    sample = "\n".join(lines)
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as e:
        raise SpreadsheetError(f"CSV文件格式有误：{e}") from None
    if not any(_filled(cell) for row in rows for cell in row):
        raise SpreadsheetError("表格中没有数据")
    return rows


def _decode(data):
    """Return the text of a CSV file in UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312, which is what Excel on Chinese Windows saves "CSV" as.
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise SpreadsheetError("无法识别文件的文字编码，请另存为“CSV UTF-8”或.xlsx后再上传") from None


# -- writing ------------------------------------------------------------------------------------------------------

# A cell starting with one of these is run as a formula when the file is opened (CSV injection, OWASP).
FORMULA_START = ("=", "+", "-", "@")


def write_xlsx(out, header, rows, *, title="Sheet1", column_widths=None):
    """Write one worksheet: the header row, then the rows; a string stays text even when it starts with "="."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    for i, width in enumerate(column_widths or []):
        sheet.column_dimensions[get_column_letter(i + 1)].width = width
    sheet.append([_xlsx_cell(sheet, v) for v in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    book.save(out)


def _xlsx_cell(sheet, value):
    if isinstance(value, str) and value.startswith("="):
        # openpyxl would store this as a formula; force a plain string.
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell
    return value


def write_csv(out, header, rows):
    """Write UTF-8 CSV with a BOM (so Excel opens Chinese text correctly) to a binary file."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow([_csv_cell(v) for v in header])
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    text.detach()


def _csv_cell(value):
    if value is None:
        return ""
    value = str(value)
    if value.startswith(FORMULA_START):
        return "'" + value
    return value


def unquote_formula_guard(text):
    """Return text without the apostrophe that write_csv puts before a leading = + - or @."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_START:
        return text[1:]
    return text


def is_supported_name(name):
    return Path(name or "").suffix.lower() in EXTENSIONS
