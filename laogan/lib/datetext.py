"""Dates as people type them in rosters: 1928-05-03, 1928.5.3, 1928/5/3, 1928年5月3日, 19280503, 1928.05,
1928年5月 (month precision) and Excel serial numbers."""

import re
import unicodedata
from datetime import date, datetime, timedelta

DAY = "day"
MONTH = "month"

EXCEL_EPOCH = date(1899, 12, 30)


class DateTextError(ValueError):
    pass


def parse(value):
    """Return (date, precision) for a typed date, or raise DateTextError with a Chinese message.

    A month-precision date is returned as the first of that month.
    """
    if isinstance(value, datetime):
        return value.date(), DAY
    if isinstance(value, date):
        return value, DAY
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _from_serial(value), DAY
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    text = re.sub(r"\s+", "", text)
    if not text:
        raise DateTextError("日期为空")
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return _from_serial(float(text)), DAY
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if m:
        return _make(text, *m.groups()), DAY
    m = re.fullmatch(r"(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?(?:[T]?\d{1,2}:\d{2}(:\d{2})?)?", text)
    if m:
        return _make(text, m.group(1), m.group(2), m.group(3)), DAY
    m = re.fullmatch(r"(\d{4})[-./年](\d{1,2})月?", text)
    if m:
        return _make(text, m.group(1), m.group(2), 1), MONTH
    m = re.fullmatch(r"(\d{4})(\d{2})", text)
    if m:
        return _make(text, m.group(1), m.group(2), 1), MONTH
    raise DateTextError(f"无法识别的日期“{value}”（可写作1928-05-03、1928.5.3、1928年5月3日或1928年5月）")


def _make(text, year, month, day):
    try:
        result = date(int(year), int(month), int(day))
    except ValueError:
        raise DateTextError(f"日期“{text}”不存在") from None
    if result.year < 1880 or result.year > 2200:
        raise DateTextError(f"日期“{text}”的年份不合理")
    return result


def _from_serial(number):
    if not (1 <= number < 2958466):
        raise DateTextError(f"Excel日期序号{number}超出范围")
    # Excel counts 1900-02-29, which never existed: serial 60 is that phantom day, and serials from 61 on are one
    # day ahead, which the 1899-12-30 epoch absorbs. Serials below 60 need the day back.
    days = int(number)
    if days == 60:
        raise DateTextError("Excel日期序号60是不存在的1900年2月29日")
    return EXCEL_EPOCH + timedelta(days=days if days > 60 else days + 1)
