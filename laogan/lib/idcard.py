"""Resident identity card numbers (GB 11643-1999).

An 18-character number is 6 digits of region, 8 of birth date, 3 of sequence (odd for men, even for women) and a
check character computed with ISO 7064 MOD 11-2. Numbers issued before 1999 have 15 digits (two-digit year, no
check character); they are upgraded to 18 by inserting "19" and computing the check character.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


class IdNumberError(ValueError):
    """A number that is not a valid resident identity card number; the message says why, in Chinese."""


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: date
    sex: str  # "M" or "F"
    upgraded_from: str = ""

    @property
    def suffix(self):
        return self.number[-4:]


def normalize(text):
    """Return text with full-width characters folded, spaces removed and a lower-case x raised."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"[\s\-]", "", text).upper()


def check_char(first17):
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS))
    return CHECK_CHARS[total % 11]


def parse(text):
    """Return the IdNumber for text, or raise IdNumberError saying what is wrong with it."""
    raw = normalize(text)
    upgraded_from = ""
    if re.fullmatch(r"\d{15}", raw):
        upgraded_from = raw
        first17 = raw[:6] + "19" + raw[6:]
        raw = first17 + check_char(first17)
    if not re.fullmatch(r"\d{17}[\dX]", raw):
        raise IdNumberError(f"身份证号应为18位（或旧式15位），“{text}”有{len(raw)}位或含非法字符")
    try:
        born = date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14]))
    except ValueError:
        raise IdNumberError(f"身份证号中的出生日期{raw[6:14]}不是有效日期") from None
    # A birth before 2000 is never in the future: the date lookup (a tenth of reading an ID) is left for the rest.
    if born.year < 1880 or (born.year >= 2000 and born > _today()):
        raise IdNumberError(f"身份证号中的出生日期{born.isoformat()}不合理")
    expected = check_char(raw[:17])
    if raw[17] != expected:
        raise IdNumberError(f"身份证号校验位错误：末位应为{expected}，实为{raw[17]}")
    sex = "M" if int(raw[16]) % 2 else "F"
    return IdNumber(number=raw, birth_date=born, sex=sex, upgraded_from=upgraded_from)


def _today():
    from django.utils.timezone import localdate

    return localdate()


def mask(number):
    """Return the number with all but the first four and last four characters hidden."""
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def make(region, born, sequence, sex=None):
    """Return a valid 18-character number; used by the demo and the synthetic data builder."""
    seq = int(sequence) % 1000
    if sex is not None and (seq % 2 == 1) != (sex == "M"):
        seq = (seq + 1) % 1000
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)
