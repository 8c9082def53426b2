from datetime import date

from django.test import SimpleTestCase

from laogan.lib import lunar


class LunarDateTest(SimpleTestCase):
    def test_spring_festival_2027_is_the_first_of_the_first_month(self):
        self.assertEqual(lunar.lunar_month_day(date(2027, 2, 6)), (1, 1))
        self.assertEqual(lunar.lunar_year_of(date(2027, 2, 6)), 2027)
        self.assertEqual(lunar.to_solar(2027, 1, 1), date(2027, 2, 6))

    def test_the_day_before_spring_festival_belongs_to_the_old_year(self):
        self.assertEqual(lunar.lunar_year_of(date(2027, 2, 5)), 2026)

    def test_mid_autumn_2027_is_15_september(self):
        self.assertEqual(lunar.to_solar(2027, 8, 15), date(2027, 9, 15))
        self.assertEqual(lunar.lunar_month_day(date(2027, 9, 15)), (8, 15))

    def test_double_ninth_2027_is_8_october(self):
        self.assertEqual(lunar.to_solar(2027, 9, 9), date(2027, 10, 8))

    def test_2028_has_a_leap_fifth_month(self):
        self.assertEqual(lunar.leap_month(2028), 5)
        self.assertEqual(lunar.leap_month(2027), 0)
        self.assertGreater(lunar.to_solar(2028, -5, 1), lunar.to_solar(2028, 5, 1))

    def test_a_leap_month_the_year_lacks_falls_back_to_the_ordinary_month(self):
        self.assertEqual(lunar.to_solar(2027, -5, 3), lunar.to_solar(2027, 5, 3))

    def test_lunar_11_20_falls_twice_in_gregorian_2026(self):
        # The eleventh lunar month straddles the Gregorian new year, so one lunar birthday can come twice in 2026.
        self.assertEqual(lunar.to_solar(2025, 11, 20), date(2026, 1, 8))
        self.assertEqual(lunar.to_solar(2026, 11, 20), date(2026, 12, 28))

    def test_day_30_clamps_to_29_in_a_short_month(self):
        # The second month of 2026 has 29 days.
        self.assertEqual(lunar.to_solar(2026, 2, 30), lunar.to_solar(2026, 2, 29))
        # The first month of 2026 has 30, so day 30 is its own day.
        self.assertEqual(lunar.to_solar(2026, 1, 30) - lunar.to_solar(2026, 1, 29), date(2000, 1, 2) - date(2000, 1, 1))

    def test_month_day_text_names_leap_and_winter_months(self):
        self.assertEqual(lunar.month_day_text(5, 3), "五月初三")
        self.assertEqual(lunar.month_day_text(-5, 3), "闰五月初三")
        self.assertEqual(lunar.month_day_text(11, 20), "冬月二十")
        self.assertEqual(lunar.month_day_text(12, 30), "腊月三十")


class LunarMonthLengthTest(SimpleTestCase):
    def test_the_twelfth_month_has_a_30th_day_only_in_2029_among_2024_to_2031(self):
        with_day_30 = [year for year in range(2024, 2032) if lunar.month_length(year, 12) == 30]
        self.assertEqual(with_day_30, [2029])

    def test_12_30_is_new_years_eve_in_2029_and_clamps_to_12_29_otherwise(self):
        self.assertEqual(lunar.to_solar(2029, 12, 30), date(2030, 2, 2))
        self.assertEqual(lunar.to_solar(2029, 12, 30) + (date(2000, 1, 2) - date(2000, 1, 1)), lunar.to_solar(2030, 1, 1))
        self.assertEqual(lunar.to_solar(2026, 12, 30), lunar.to_solar(2026, 12, 29))
        self.assertEqual(lunar.to_solar(2026, 12, 30), date(2027, 2, 5))

    def test_2028_leap_fifth_month_has_its_own_length(self):
        self.assertIn(lunar.month_length(2028, -5), (29, 30))
        self.assertEqual(lunar.to_solar(2028, -5, 1), date(2028, 6, 23))

    def test_lunar_year_of_a_january_birthday_in_the_twelfth_month_is_the_year_before(self):
        self.assertEqual(lunar.lunar_year_of(date(1930, 1, 20)), 1929)
        self.assertEqual(lunar.lunar_year_of(date(1930, 3, 20)), 1930)

    def test_lunar_year_from_the_lunar_month_agrees_with_the_calendar_every_day_of_four_years(self):
        day, wrong = date(1928, 1, 1), []
        while day < date(1932, 1, 1):
            if lunar.lunar_year_from(day, lunar.lunar_month_day(day)[0]) != lunar.lunar_year_of(day):
                wrong.append(day)
            day += date(2000, 1, 2) - date(2000, 1, 1)
        self.assertEqual(wrong, [])
