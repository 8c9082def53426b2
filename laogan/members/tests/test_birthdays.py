"""birthday_q narrows the members whose birthday may fall on some days in SQL: it may keep a few too many (the caller
decides exactly), but it must never lose one, whatever the calendar, leap month or short month."""

from datetime import date, timedelta

from laogan.lib import lunar
from laogan.members.models import BirthdayCustom, Member, birthday_q
from laogan.test import BaseTestCase, make_member


class BirthdayFilterTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # Lunar birthdays on the first, middle and last days of ordinary months, of 1930's leap sixth month, and on
        # the 30th of months that some later years have only 29 days of; solar ones on 29 February and 31 December.
        lunar_days = [(m, d) for m in (1, 3, 6, -6, 11) for d in (1, 15, 29, 30) if d <= lunar.month_length(1930, m)]
        born = [lunar.to_solar(1930, m, d) for m, d in lunar_days]
        for i, day in enumerate(born):
            make_member(f"农历{i}", day, unit=cls.group_a1, birthday_custom=BirthdayCustom.LUNAR)
        for i, day in enumerate((date(1932, 2, 29), date(1931, 12, 31), date(1931, 6, 15))):
            make_member(f"公历{i}", day, unit=cls.group_a1)
        cls.members = list(Member.objects.all())
        assert {m.lunar_birth_month for m in cls.members if m.birthday_custom == BirthdayCustom.LUNAR} >= {-6, 6}
        assert 30 in {m.lunar_birth_day for m in cls.members}

    def test_every_birthday_of_three_years_is_kept(self):
        day = date(2026, 1, 1)
        while day <= date(2028, 12, 31):
            due = {m.pk for m in self.members if day in (m.birthday_in_year(day.year - 1), m.birthday_in_year(day.year))}
            kept = set(Member.objects.filter(birthday_q([day])).values_list("pk", flat=True))
            with self.subTest(day=day):
                self.assertLessEqual(due, kept)
            day += timedelta(days=1)

    def test_a_lunar_birthday_is_not_read_on_the_other_days_of_its_month(self):
        fifteenth = next(m for m in self.members if (m.lunar_birth_month, m.lunar_birth_day) == (3, 15))
        day = fifteenth.birthday_in_year(2027)
        self.assertIn(fifteenth, Member.objects.filter(birthday_q([day])))
        self.assertNotIn(fifteenth, Member.objects.filter(birthday_q([day + timedelta(days=3)])))
