"""The Chinese lunisolar calendar (农历), via lunar-python, which writes a leap month as a negative month."""

from bisect import bisect_right
from datetime import date
from functools import lru_cache

from lunar_python import LunarYear, Solar

MONTH_NAMES = ["正", "二", "三", "四", "五", "六", "七", "八", "九", "十", "冬", "腊"]
DAY_NAMES = [
    "初一", "初二", "初三", "初四", "初五", "初六", "初七", "初八", "初九", "初十",
    "十一", "十二", "十三", "十四", "十五", "十六", "十七", "十八", "十九", "二十",
    "廿一", "廿二", "廿三", "廿四", "廿五", "廿六", "廿七", "廿八", "廿九", "三十",
]


# lunar-python takes milliseconds per date (it recomputes the whole lunar year each time), which made birthdays 85 %
# of a roster import; the month starts of two lunar years answer every day of a Gregorian year.
@lru_cache(maxsize=65536)
def lunar_month_day(day):
    """Return (month, day) of the lunar date of a Gregorian day; a leap month is negative."""
    starts, months = _month_starts(day.year)
    i = bisect_right(starts, day) - 1
    return months[i], (day - starts[i]).days + 1


@lru_cache(maxsize=512)
def _month_starts(year):
    """Return (first days, month numbers) of the lunar months that cover Gregorian `year`, in order."""
    found = {}
    for lunar_year in (year - 1, year):
        for month in _year(lunar_year).getMonths():
            solar = Solar.fromJulianDay(month.getFirstJulianDay())
            found[date(solar.getYear(), solar.getMonth(), solar.getDay())] = month.getMonth()
    starts = sorted(d for d in found if d <= date(year, 12, 31))
    return starts, [found[d] for d in starts]


@lru_cache(maxsize=65536)
def lunar_year_of(day):
    """Return the lunar year a Gregorian day belongs to (a day before Spring Festival belongs to the year before)."""
    return Solar.fromYmd(day.year, day.month, day.day).getLunar().getYear()


def lunar_year_from(day, lunar_month):
    """Return the lunar year of a Gregorian day whose lunar month is known, without the calendar computation.

    Spring Festival falls between 21 January and 20 February, so only a day of January or February in the
    eleventh or twelfth lunar month belongs to the lunar year before; planning a million birthdays relies on it.
    """
    if day.month <= 2 and abs(lunar_month) >= 11:
        return day.year - 1
    return day.year


def month_day_text(month, day):
    """Return e.g. 五月初三, 闰五月初三."""
    prefix = "闰" if month < 0 else ""
    return f"{prefix}{MONTH_NAMES[abs(month) - 1]}月{DAY_NAMES[day - 1]}"


@lru_cache(maxsize=512)
def _year(lunar_year):
    # lunar-python remembers only the last year it computed (tens of milliseconds each), and planning jumps between
    # years member by member; the year objects are only read, so keeping a few hundred is safe.
    return LunarYear(lunar_year)


# Planning asks the same few hundred (year, month, day) triples for every member and festival of a centre.
@lru_cache(maxsize=8192)
def to_solar(lunar_year, month, day):
    """Return the Gregorian date of a lunar date, taking the last day of the month when `day` does not exist.

    A leap month that the year does not have falls back to the ordinary month of the same number.
    """
    year = _year(lunar_year)
    if month < 0 and year.getLeapMonth() != -month:
        month = -month
    lunar_month = year.getMonth(month)
    day = min(day, lunar_month.getDayCount())
    solar = Solar.fromJulianDay(lunar_month.getFirstJulianDay() + day - 1)
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def leap_month(lunar_year):
    """Return the number of the leap month of a lunar year, or 0."""
    return _year(lunar_year).getLeapMonth()


def month_length(lunar_year, month):
    """Return the number of days (29 or 30) of a month of a lunar year; a leap month is negative."""
    return _year(lunar_year).getMonth(month).getDayCount()
