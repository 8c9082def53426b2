"""Property-based tests (hypothesis) of the parsers that read what people type: ID numbers, dates and phones.

Whatever the input, each parser returns a value or raises its own error with a message; nothing else escapes.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase
from hypothesis import assume, given
from hypothesis import strategies as st

from laogan.lib import datetext, idcard
from laogan.members.models import normalize_phone, validate_phone
from laogan.members.roster import parse_date_cell

# Everything a cell may hold, including the awkward: control characters, full-width forms, huge numbers, NaN.
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=60)
DIGITISH = st.text(st.sampled_from("0123456789０１２３４５６７８９xX -.年月日/　\t"), max_size=25)
ANY_CELL = st.one_of(ANY_TEXT, DIGITISH, st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True),
                     st.booleans(), st.none(), st.dates(), st.datetimes())
BIRTH_DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2000, 12, 31))
REGIONS = st.sampled_from(["110105", "450107", "450103", "310101"])


def full_width(text):
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isascii() and ch.isalnum() else ch for ch in text)


class IdNumberPropertyTest(SimpleTestCase):
    @given(st.one_of(ANY_TEXT, DIGITISH))
    def test_any_text_is_a_number_or_a_reason(self, text):
        try:
            parsed = idcard.parse(text)
        except idcard.IdNumberError as e:
            self.assertTrue(str(e))
        else:
            self.assertRegex(parsed.number, r"^\d{17}[\dX]$")
            self.assertEqual(idcard.check_char(parsed.number[:17]), parsed.number[17])

    @given(REGIONS, BIRTH_DATES, st.integers(0, 999), st.sampled_from("MF"))
    def test_a_made_number_parses_back_however_it_is_typed(self, region, born, sequence, sex):
        number = idcard.make(region, born, sequence, sex)
        for typed in (number, number.lower(), full_width(number), f" {number[:6]} {number[6:14]} {number[14:]} "):
            parsed = idcard.parse(typed)
            self.assertEqual((parsed.number, parsed.birth_date, parsed.sex), (number, born, sex))

    @given(REGIONS, BIRTH_DATES, st.integers(0, 999), st.integers(0, 16), st.integers(1, 9))
    def test_any_single_mistyped_digit_is_caught(self, region, born, sequence, position, delta):
        number = idcard.make(region, born, sequence)
        wrong = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1:]
        with self.assertRaises(idcard.IdNumberError):
            idcard.parse(wrong)

    @given(REGIONS, st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)), st.integers(0, 999))
    def test_a_fifteen_digit_number_upgrades_to_the_eighteen_digit_one(self, region, born, sequence):
        old = f"{region}{born:%y%m%d}{sequence:03d}"
        parsed = idcard.parse(old)
        self.assertEqual((parsed.number[:17], parsed.birth_date, parsed.upgraded_from), (f"{region}{born:%Y%m%d}{sequence:03d}", born, old))


class DatePropertyTest(SimpleTestCase):
    @given(ANY_CELL)
    def test_any_cell_is_a_date_or_a_reason(self, cell):
        for parse in (datetext.parse, parse_date_cell):
            try:
                value, precision = parse(cell)
            except datetext.DateTextError as e:
                self.assertTrue(str(e))
            else:
                self.assertIsInstance(value, date)
                self.assertIn(precision, (datetext.DAY, datetext.MONTH))

    @given(st.dates(min_value=date(1880, 1, 1), max_value=date(2199, 12, 31)))
    def test_every_way_of_writing_a_day_reads_back(self, day):
        y, m, d = day.year, day.month, day.day
        for typed in (day.isoformat(), f"{y}.{m}.{d}", f"{y}/{m}/{d}", f"{y}年{m}月{d}日", f"{y}{m:02d}{d:02d}",
                      full_width(f"{y}-{m}-{d}"), f" {y} 年 {m} 月 {d} 日 ", datetime(y, m, d, 8, 30)):
            self.assertEqual(datetext.parse(typed), (day, datetext.DAY), typed)

    @given(st.integers(1880, 2199), st.integers(1, 12))
    def test_a_month_reads_as_its_first_day(self, year, month):
        for typed in (f"{year}年{month}月", f"{year}.{month:02d}", f"{year}{month:02d}"):
            self.assertEqual(datetext.parse(typed), (date(year, month, 1), datetext.MONTH), typed)

    @given(st.integers(61, 2958465))
    def test_excel_serial_numbers_count_from_1899_12_30(self, serial):
        assume(serial != 60)
        value, _ = datetext.parse(serial)
        self.assertEqual((value - date(1899, 12, 30)).days, serial)


class PhonePropertyTest(SimpleTestCase):
    @given(ANY_TEXT | DIGITISH)
    def test_any_text_is_a_number_or_a_reason(self, text):
        try:
            number = validate_phone(text)
        except ValidationError as e:
            self.assertTrue(e.messages)
        else:
            self.assertRegex(number, r"^(1[3-9]\d{9}|0\d{9,11}|\d{7,8})$")
            self.assertEqual(normalize_phone(number), number)

    @given(st.integers(3, 9), st.integers(0, 10**9 - 1), st.sampled_from(["{}", "+86{}", "+86 {}", "{0:.3} {1:.4} {2}", "full"]))
    def test_a_mobile_however_it_is_typed(self, second, rest, style):
        number = f"1{second}{rest:09d}"
        if style == "full":
            typed = full_width(number)
        elif style.startswith("{0"):
            typed = f"{number[:3]} {number[3:7]} {number[7:]}"
        else:
            typed = style.format(number)
        self.assertEqual(validate_phone(typed), number)

    @given(st.text(st.sampled_from("0123456789０１２３４５６７８９+86 -()（）　"), max_size=25))
    def test_normalising_twice_changes_nothing(self, text):
        self.assertEqual(normalize_phone(normalize_phone(text)), normalize_phone(text))
