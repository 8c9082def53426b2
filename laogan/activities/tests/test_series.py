"""The half-yearly 形势通报会 as a recurring series: its dates, put on the calendar ahead and never twice."""

from datetime import date, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from laogan.accounts.models import AuditEntry

from .. import jobs
from ..actions import LEAD_DAYS, do_save_series, generate, generate_due
from ..models import Activity, ActivitySeries, Kind, add_months
from .base import ActivityTestCase, frozen


class SeriesTest(ActivityTestCase):
    def make_series(self, starts_on=date(2026, 1, 15), today=None, **kw):
        series = ActivitySeries(unit=self.centre_a, kind=Kind.BRIEFING, title="城区老干部形势通报会", starts_on=starts_on,
                                every_months=kw.pop("every_months", 6), time=time(9, 30), **kw)
        return do_save_series(series, acting_user=self.secretary, today=today)

    def dates(self, series):
        return list(series.activities.order_by("date").values_list("date", flat=True))

    def test_a_half_yearly_briefing_is_on_the_calendar_every_six_months_up_to_the_lead(self):
        series = self.make_series(today=date(2026, 3, 1))
        self.assertEqual(self.dates(series), [date(2026, 1, 15)])  # 15 July is beyond 120 days from 1 March
        series.refresh_from_db()
        self.assertEqual((series.next_occurrence, series.next_due), (1, date(2026, 7, 15)))
        generate(series, today=date(2026, 3, 17))  # 15 July is now 120 days ahead
        self.assertEqual(self.dates(series), [date(2026, 1, 15), date(2026, 7, 15)])
        first = series.activities.order_by("date").first()
        self.assertEqual((first.kind, first.kind_group, first.title, first.centre_id), (Kind.BRIEFING, "in", "城区老干部形势通报会", self.centre_a.pk))
        self.assertEqual(timezone.localtime(first.starts_at).time(), time(9, 30))

    def test_generating_again_or_from_the_worker_creates_nothing_twice(self):
        series = self.make_series(today=date(2026, 11, 26))
        before = self.dates(series)
        self.assertEqual(before, [date(2026, 1, 15), date(2026, 7, 15), date(2027, 1, 15)])
        self.assertEqual(generate(series, today=date(2026, 11, 26)), [])
        self.assertEqual(generate_due(date(2026, 11, 26)), 0)
        with frozen(2026, 11, 26):
            self.assertEqual(jobs.schedule_series(), 0)
        self.assertEqual(self.dates(series), before)

    def test_a_stale_copy_of_the_series_cannot_create_an_occurrence_again(self):
        series = self.make_series(today=date(2026, 1, 1))
        stale = ActivitySeries.objects.get(pk=series.pk)
        generate(series, today=date(2026, 11, 26))
        # A second worker read the row before the first moved it on: its claim on occurrence 1 fails and it re-reads.
        stale.next_occurrence = 1
        self.assertEqual(generate(stale, today=date(2026, 11, 26)), [])
        self.assertEqual(Activity.objects.filter(series=series).count(), 3)

    def test_the_worker_reaches_only_series_that_are_due(self):
        series = self.make_series(today=date(2026, 1, 1))
        self.assertEqual(self.dates(series), [date(2026, 1, 15)])
        self.assertEqual(generate_due(date(2026, 3, 16)), 0)
        self.assertEqual(generate_due(date(2026, 7, 15) - timedelta(days=LEAD_DAYS)), 1)
        self.assertEqual(self.dates(series)[-1], date(2026, 7, 15))

    def test_a_series_ends_on_its_last_date(self):
        series = self.make_series(starts_on=date(2025, 1, 15), ends_on=date(2026, 1, 31), today=date(2026, 11, 26))
        self.assertEqual(self.dates(series), [date(2025, 1, 15), date(2025, 7, 15), date(2026, 1, 15)])
        series.refresh_from_db()
        self.assertIsNone(series.next_due)

    def test_dates_are_counted_from_the_start_and_never_drift_at_the_end_of_a_month(self):
        self.assertEqual([add_months(date(2026, 8, 31), n) for n in (0, 6, 12, 18)],
                         [date(2026, 8, 31), date(2027, 2, 28), date(2027, 8, 31), date(2028, 2, 29)])

    def test_saving_the_series_is_audited_and_a_bad_interval_is_refused(self):
        self.make_series(today=date(2026, 3, 1))
        self.assertTrue(AuditEntry.objects.filter(object_type="activities.activityseries").exists())
        with self.assertRaises(ValidationError):
            self.make_series(every_months=0, today=date(2026, 3, 1))
        self.assertEqual(ActivitySeries.objects.count(), 1)
