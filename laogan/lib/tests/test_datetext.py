from datetime import date, datetime

from django.test import SimpleTestCase

from laogan.lib import datetext
from laogan.lib.datetext import DAY, MONTH, DateTextError


class DayPrecisionTest(SimpleTestCase):
    def test_the_ways_people_type_a_date(self):
        for text in ("1928-05-03", "1928-5-3", "1928.5.3", "1928.05.03", "1928/5/3", "1928年5月3日", "1928年05月03日", "19280503"):
            with self.subTest(text=text):
                self.assertEqual(datetext.parse(text), (date(1928, 5, 3), DAY))

    def test_full_width_digits_and_stray_spaces(self):
        self.assertEqual(datetext.parse(" １９２８年５月３日 "), (date(1928, 5, 3), DAY))
        self.assertEqual(datetext.parse("1928 - 05 - 03"), (date(1928, 5, 3), DAY))

    def test_a_time_after_the_date_is_dropped(self):
        self.assertEqual(datetext.parse("1928-05-03 00:00:00"), (date(1928, 5, 3), DAY))

    def test_date_and_datetime_objects_pass_through(self):
        self.assertEqual(datetext.parse(date(1928, 5, 3)), (date(1928, 5, 3), DAY))
        self.assertEqual(datetext.parse(datetime(1928, 5, 3, 8, 30)), (date(1928, 5, 3), DAY))


class MonthPrecisionTest(SimpleTestCase):
    def test_year_and_month_give_the_first_of_the_month(self):
        for text in ("1928.05", "1928.5", "1928年5月", "1928-05", "1928/5", "192805"):
            with self.subTest(text=text):
                self.assertEqual(datetext.parse(text), (date(1928, 5, 1), MONTH))


class ExcelSerialTest(SimpleTestCase):
    def test_serial_number_as_read_from_a_cell(self):
        self.assertEqual(datetext.parse(10351), (date(1928, 5, 3), DAY))
        self.assertEqual(datetext.parse(10351.0), (date(1928, 5, 3), DAY))

    def test_serial_number_typed_as_text(self):
        self.assertEqual(datetext.parse("10351"), (date(1928, 5, 3), DAY))
        self.assertEqual(datetext.parse("10351.0"), (date(1928, 5, 3), DAY))

    def test_excels_phantom_29_february_1900(self):
        # Excel counts 1900 as a leap year: serial 1 is 1900-01-01, 59 is 1900-02-28, 60 is a day that never was.
        self.assertEqual(datetext.parse(1), (date(1900, 1, 1), DAY))
        self.assertEqual(datetext.parse(59), (date(1900, 2, 28), DAY))
        self.assertEqual(datetext.parse(61), (date(1900, 3, 1), DAY))
        with self.assertRaises(DateTextError):
            datetext.parse(60)

    def test_serial_out_of_range_is_an_error(self):
        for value in (0, -5, 3_000_000):
            with self.subTest(value=value), self.assertRaises(DateTextError):
                datetext.parse(value)

    def test_true_is_not_a_serial(self):
        with self.assertRaises(DateTextError):
            datetext.parse(True)


class GarbageTest(SimpleTestCase):
    def test_unreadable_text_is_an_error(self):
        for text in ("garbage", "五月三日", "1928-05-03-04", "28.5.3", "12345678901"):
            with self.subTest(text=text), self.assertRaises(DateTextError):
                datetext.parse(text)

    def test_an_empty_cell_is_an_error(self):
        for value in ("", "   ", None):
            with self.subTest(value=value), self.assertRaisesMessage(DateTextError, "日期为空"):
                datetext.parse(value)

    def test_a_day_that_does_not_exist(self):
        with self.assertRaisesMessage(DateTextError, "不存在"):
            datetext.parse("1928-02-30")
        with self.assertRaises(DateTextError):
            datetext.parse("1928年13月")

    def test_unreasonable_year(self):
        with self.assertRaisesMessage(DateTextError, "年份不合理"):
            datetext.parse("1066-10-14")

    def test_error_is_a_value_error(self):
        self.assertTrue(issubclass(DateTextError, ValueError))
