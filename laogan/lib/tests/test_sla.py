from datetime import date, datetime, time, timedelta

from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from laogan.lib import sla
from laogan.lib.sla import AlwaysOpen, Target, WorkingHours

TZ = sla.SHANGHAI
WATER = Target(minutes=180, end_of_day=True)
DAY = Target(minutes=24 * 60)


def at(y, mo, d, h=0, mi=0, s=0):
    return datetime(y, mo, d, h, mi, s, tzinfo=TZ)


class AnchoredTargetTest(SimpleTestCase):
    def test_water_fault_at_2230_is_due_by_0130(self):
        self.assertEqual(sla.deadline(at(2026, 3, 10, 22, 30), WATER, AlwaysOpen()).due, at(2026, 3, 11, 1, 30))

    def test_water_fault_at_0900_is_due_by_235959_the_same_day(self):
        self.assertEqual(sla.deadline(at(2026, 3, 10, 9, 0), WATER, AlwaysOpen()).due, at(2026, 3, 10, 23, 59, 59))

    def test_the_least_time_wins_exactly_when_the_day_has_less_left(self):
        # At 21:00 the day has 2 h 59 min 59 s left: less than 3 h, so 3 h it is.
        self.assertEqual(sla.deadline(at(2026, 3, 10, 21, 0), WATER, AlwaysOpen()).due, at(2026, 3, 11, 0, 0))
        self.assertEqual(sla.deadline(at(2026, 3, 10, 20, 59), WATER, AlwaysOpen()).due, at(2026, 3, 10, 23, 59, 59))

    def test_a_utc_start_is_anchored_to_the_shanghai_day(self):
        start = datetime(2026, 3, 10, 14, 30, tzinfo=sla.ZoneInfo("UTC"))  # 22:30 in Shanghai
        self.assertEqual(sla.deadline(start, WATER, AlwaysOpen()).due, at(2026, 3, 11, 1, 30))


class DurationTargetTest(SimpleTestCase):
    def test_electricity_fault_is_due_24_hours_later_day_or_night(self):
        self.assertEqual(sla.deadline(at(2026, 10, 1, 3, 15), DAY, AlwaysOpen()).due, at(2026, 10, 2, 3, 15))

    def test_the_risk_point_is_at_four_fifths_of_the_time(self):
        d = sla.deadline(at(2026, 3, 10, 8, 0), Target(minutes=600), AlwaysOpen())
        self.assertEqual((d.risk, d.due), (at(2026, 3, 10, 16, 0), at(2026, 3, 10, 18, 0)))

    def test_description_in_chinese(self):
        self.assertEqual(WATER.describe_zh(), "当日内，至少3小时")
        self.assertEqual(Target(minutes=30).describe_zh(), "30分钟内")
        self.assertEqual(Target(minutes=72 * 60).describe_zh(), "72小时内")


class PauseTest(SimpleTestCase):
    def test_a_two_hour_pause_moves_the_due_time_by_two_hours(self):
        start = at(2026, 3, 10, 9, 0)
        pauses = [(at(2026, 3, 10, 10, 0), at(2026, 3, 10, 12, 0))]
        self.assertEqual(sla.deadline(start, WATER, AlwaysOpen(), pauses).due, at(2026, 3, 11, 1, 59, 59))
        self.assertEqual(sla.deadline(start, DAY, AlwaysOpen(), pauses).due, at(2026, 3, 11, 11, 0))

    def test_a_pause_after_the_due_time_changes_nothing(self):
        start = at(2026, 3, 10, 9, 0)
        pauses = [(at(2026, 3, 12, 10, 0), at(2026, 3, 12, 12, 0))]
        self.assertEqual(sla.deadline(start, DAY, AlwaysOpen(), pauses).due, at(2026, 3, 11, 9, 0))

    def test_an_open_pause_holds_the_clock_and_keeps_the_time_left(self):
        start = at(2026, 3, 10, 9, 0)
        d = sla.deadline(start, DAY, AlwaysOpen(), [(at(2026, 3, 10, 15, 0), None)])
        self.assertIsNone(d.due)
        self.assertEqual(d.remaining, timedelta(hours=18))

    def test_two_pauses_add_up(self):
        start = at(2026, 3, 10, 9, 0)
        pauses = [(at(2026, 3, 10, 10, 0), at(2026, 3, 10, 11, 0)), (at(2026, 3, 10, 20, 0), at(2026, 3, 10, 21, 30))]
        self.assertEqual(sla.deadline(start, DAY, AlwaysOpen(), pauses).due, at(2026, 3, 11, 11, 30))

    def test_pauses_are_rebuilt_from_a_status_history(self):
        history = [(at(2026, 3, 10, 9), "new"), (at(2026, 3, 10, 10), "waiting"), (at(2026, 3, 10, 11), "waiting"),
                   (at(2026, 3, 10, 12), "in_progress"), (at(2026, 3, 10, 13), "resolved")]
        self.assertEqual(sla.pauses_from(history, {"waiting", "resolved"}),
                         [(at(2026, 3, 10, 10), at(2026, 3, 10, 12)), (at(2026, 3, 10, 13), None)])


class WorkingHoursTest(SimpleTestCase):
    hours = WorkingHours()  # 08:30–12:00 and 14:30–17:30 on statutory working days

    def test_2026_national_day_is_off_from_1_to_7_october_with_make_up_days(self):
        self.assertTrue(all(not sla.is_working_day(date(2026, 10, d)) for d in range(1, 8)))
        self.assertTrue(sla.is_working_day(date(2026, 10, 8)))
        self.assertTrue(sla.is_working_day(date(2026, 10, 10)))  # a Saturday worked in lieu
        self.assertTrue(sla.is_working_day(date(2026, 9, 20)))  # a Sunday worked in lieu
        self.assertFalse(sla.is_working_day(date(2026, 10, 11)))

    def test_years_the_calendar_does_not_know_have_weekends_off_only(self):
        self.assertTrue(sla.calendar_knows(2026))
        self.assertFalse(sla.calendar_knows(2031))
        self.assertTrue(sla.is_working_day(date(2031, 10, 1)))  # a Wednesday: the holiday is unknown
        self.assertFalse(sla.is_working_day(date(2031, 10, 4)))  # a Saturday

    def test_a_request_before_national_day_is_due_on_the_make_up_saturday(self):
        # 16 working hours from Tuesday 30 Sept 16:00: 1.5 h that day, then 8 Oct (6.5 h), 9 Oct (6.5 h) and the
        # last 1.5 h on Saturday 10 Oct, a make-up working day.
        d = sla.deadline(at(2026, 9, 30, 16, 0), Target(minutes=16 * 60), self.hours)
        self.assertEqual(d.due, at(2026, 10, 10, 10, 0))

    def test_response_over_the_holiday_comes_on_the_first_working_morning(self):
        d = sla.deadline(at(2026, 9, 30, 17, 0), Target(minutes=120), self.hours)
        self.assertEqual(d.due, at(2026, 10, 8, 10, 0))

    def test_a_report_during_the_holiday_starts_the_clock_on_8_october(self):
        d = sla.deadline(at(2026, 10, 3, 10, 0), Target(minutes=60), self.hours)
        self.assertEqual(d.due, at(2026, 10, 8, 9, 30))

    def test_end_of_day_on_working_hours_is_the_end_of_the_working_day(self):
        self.assertEqual(sla.deadline(at(2026, 9, 29, 9, 0), WATER, self.hours).due, at(2026, 9, 29, 17, 30))
        # Reported at 16:00: 1.5 h left that day, at least 3 h, so 1.5 h the next morning.
        self.assertEqual(sla.deadline(at(2026, 9, 29, 16, 0), WATER, self.hours).due, at(2026, 9, 30, 10, 0))
        # Reported on a holiday: the working day is the next one.
        self.assertEqual(sla.deadline(at(2026, 10, 5, 9, 0), WATER, self.hours).due, at(2026, 10, 8, 17, 30))

    def test_lunch_break_does_not_count(self):
        self.assertEqual(self.hours.add(at(2026, 9, 29, 11, 0), timedelta(hours=2)), at(2026, 9, 29, 15, 30))
        self.assertEqual(self.hours.between(at(2026, 9, 29, 11, 0), at(2026, 9, 29, 15, 30)), timedelta(hours=2))

    def test_a_pause_counts_only_its_working_time(self):
        # Paused from 17:00 Tuesday to 09:00 Wednesday: only 30 min + 30 min of working time are lost.
        pauses = [(at(2026, 9, 29, 17, 0), at(2026, 9, 30, 9, 0))]
        d = sla.deadline(at(2026, 9, 29, 15, 0), Target(minutes=180), self.hours, pauses)
        self.assertEqual(d.due, at(2026, 9, 30, 10, 0))

    def test_fallback_years_skip_weekends(self):
        d = sla.deadline(at(2031, 1, 10, 17, 0), Target(minutes=120), self.hours)  # a Friday
        self.assertEqual(d.due, at(2031, 1, 13, 10, 0))

    def test_a_calendar_without_working_days_fails_loudly(self):
        never = WorkingHours(working_day=lambda day: False)
        with self.assertRaises(ValueError):
            never.add(at(2026, 1, 1), timedelta(hours=1))

    def test_windows_must_be_sensible(self):
        with self.assertRaises(ValueError):
            WorkingHours(windows=((time(12), time(8)),))


moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(TZ))


class PropertiesTest(SimpleTestCase):
    @settings(max_examples=150, deadline=None)
    @given(start=moments, minutes=st.integers(min_value=1, max_value=5000), pause_at=st.integers(0, 6000),
           pause_len=st.integers(0, 3000), working=st.booleans())
    def test_a_pause_moves_the_due_time_by_exactly_its_clock_time_before_it(self, start, minutes, pause_at, pause_len, working):
        calendar = WorkingHours() if working else AlwaysOpen()
        target = Target(minutes=minutes)
        plain = sla.deadline(start, target, calendar).due
        pause = (start + timedelta(minutes=pause_at), start + timedelta(minutes=pause_at + pause_len))
        paused = sla.deadline(start, target, calendar, [pause]).due
        self.assertGreaterEqual(paused, plain)
        self.assertEqual(sla.active_between(calendar, start, paused, [pause]), timedelta(minutes=minutes))
        self.assertEqual(calendar.between(start, plain), timedelta(minutes=minutes))
