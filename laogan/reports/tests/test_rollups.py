"""Monthly roll-ups: a summary read through them gives exactly the live numbers, however the records change."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from laogan.accounts.models import Unit, UnitKind, User
from laogan.activities.actions import do_answer, do_forward, do_record_suggestion
from laogan.jobs.registry import all_jobs
from laogan.lib import figures
from laogan.lib.figures import Period
from laogan.activities.models import FIELD_CHOICES
from laogan.members.models import Member, Status
from laogan.reports import rollups, summary
from laogan.reports.models import MonthlyFigure, RolledMonth
from laogan.scale import builder
from laogan.visits.actions import do_record_visit
from laogan.visits.models import VisitAttendance, VisitForm

TODAY = date(2026, 11, 26)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def live(unit, year, until=None):
    """Every figure's (value, previous, months) computed straight from the records."""
    period = Period.year(year)
    if until:
        period = Period(period.start, until, period.label)
    return {f.key: (f.value(unit, period), f.value(unit, Period.year(year - 1)), f.monthly(unit, period))
            for f in figures.all_figures()}


def through_rollups(unit, year, until=None):
    built = summary.build(unit, year, until=until)
    return {r.figure.key: (r.value, r.previous, r.monthly) for a in built.areas for r in a.rows}


@time_machine.travel(datetime(2026, 11, 26, 10, tzinfo=SHANGHAI), tick=False)
class RollupTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        builder.build(members=240, centres=2, years=2, seed=3, today=TODAY, staff_password="rollup-test-pass")
        cls.bureau = Unit.objects.get(kind=UnitKind.BUREAU)
        cls.centres = list(Unit.objects.filter(kind=UnitKind.CENTRE).order_by("id"))
        cls.admin = User.objects.filter(role="secretary", unit=cls.centres[0]).first()

    def assertSameAsLive(self, units=None):
        for unit in units or [self.bureau, *self.centres]:
            for year, until in ((2026, TODAY), (2025, None)):
                expected, got = live(unit, year, until), through_rollups(unit, year, until)
                for key in expected:
                    with self.subTest(unit=unit.code, year=year, figure=key):
                        self.assertEqual(got[key], expected[key])

    def closed_month_of_a_visit(self):
        return VisitAttendance.objects.filter(visited_on__lt=date(2026, 11, 1)).order_by("id").first()

    def test_the_summary_through_the_rollups_is_the_live_summary(self):
        self.assertSameAsLive()  # nothing rolled up yet: all live
        computed = rollups.refresh()
        additive = [f for f in figures.all_figures() if f.additive]
        self.assertEqual(computed, len(additive) * len(rollups.closed_months(TODAY)))
        self.assertTrue(MonthlyFigure.objects.filter(figure="visits_home").exists())
        self.assertSameAsLive()
        self.assertEqual(rollups.refresh(), 0)  # nothing changed: nothing to compute

    def test_the_worker_refreshes_them_every_ten_minutes(self):
        job = next(j for j in all_jobs() if j.name == "refresh_rollups")
        self.assertEqual(job.every, timedelta(minutes=10))
        self.assertFalse(job.atomic)  # each figure commits on its own
        job.func(now=timezone.now())
        self.assertTrue(RolledMonth.objects.filter(figure="requests", computed_at__isnull=False).exists())

    def test_a_closed_year_is_read_without_a_query_per_figure(self):
        rollups.refresh()
        reader = rollups.Reader(self.bureau, date(2025, 1, 1), TODAY)
        visits_home = figures.get("visits_home")
        with self.assertNumQueries(0):
            value = reader.value(visits_home, Period.year(2025))
        self.assertEqual(value, visits_home.value(self.bureau, Period.year(2025)))
        self.assertGreater(value, 0)
        # This month is open: read live, one query.
        with self.assertNumQueries(1):
            reader.value(visits_home, Period.year(2026))

    def test_readers_for_many_units_give_each_unit_its_own_numbers(self):
        rollups.refresh()
        period = Period(date(2026, 1, 1), TODAY)
        readers = rollups.Reader.for_units([self.bureau, *self.centres], period.start, period.end)
        self.assertTrue(readers[self.centres[0]].rolled)
        for unit in (self.bureau, *self.centres):
            for figure in figures.all_figures():
                with self.subTest(unit=unit.code, figure=figure.key):
                    self.assertEqual(readers[unit].value(figure, period), figure.value(unit, period))

    def test_centres_side_by_side_are_each_centres_own_numbers(self):
        rollups.refresh()
        period = Period(date(2026, 1, 1), TODAY)
        for row in rollups.side_by_side(self.bureau, self.centres, period):
            figure = row["figure"]
            with self.subTest(figure=figure.key):
                self.assertEqual(row["total"], figure.value(self.bureau, period))
                self.assertEqual(row["per_centre"], [figure.value(c, period) for c in self.centres])
        with CaptureQueriesContext(connection) as queries:
            rollups.side_by_side(self.bureau, self.centres, period)
        third = Unit.objects.create(name="第三服务中心", code="scale-3-c3", kind=UnitKind.CENTRE, parent=self.bureau)
        with CaptureQueriesContext(connection) as with_one_more:
            rollups.side_by_side(self.bureau, [*self.centres, third], period)
        # Another centre costs its open month (one query a table) and the computed figures (medians, shares), not a
        # query for each of the 70 figures.
        self.assertLess(len(with_one_more) - len(queries), 30)

    def test_a_saved_or_deleted_record_makes_its_month_live_until_recomputed(self):
        rollups.refresh()
        attendance = self.closed_month_of_a_visit()
        month = attendance.visited_on.replace(day=1)
        other = date(2025, 3, 14)
        attendance.visited_on = other  # moved between two closed months: both are stale
        attendance.save()
        stale = set(RolledMonth.objects.filter(changed_at__isnull=False).values_list("figure", "month"))
        self.assertIn(("visits_cakes", month), stale)
        self.assertIn(("visits_cakes", date(2025, 3, 1)), stale)
        self.assertSameAsLive([self.bureau])
        VisitAttendance.objects.filter(record__form=VisitForm.HOME, visited_on__lt=date(2026, 6, 1)).first().delete()
        self.assertSameAsLive([self.bureau])
        # Marked computed ten minutes before it started, so the worker's next run after that recomputes them.
        with time_machine.travel(datetime(2026, 11, 26, 10, 11, tzinfo=SHANGHAI), tick=False):
            self.assertGreater(rollups.refresh(), 0)
            self.assertEqual(rollups.refresh(), 0)
        self.assertSameAsLive([self.bureau])

    def test_a_visit_recorded_late_counts_in_its_closed_month(self):
        rollups.refresh()
        member = Member.objects.filter(centre=self.centres[0], status=Status.ACTIVE).first()
        before = figures.get("visits_home").value(self.bureau, Period.year(2026))
        do_record_visit([member], visited_at=datetime.combine(date(2026, 10, 30), time(15), SHANGHAI),
                        form=VisitForm.HOME, acting_user=self.admin, condolence_amount=Decimal("200"), condolence_by="王")
        self.assertSameAsLive([self.bureau, self.centres[0]])
        self.assertEqual(through_rollups(self.bureau, 2026, TODAY)["visits_home"][0], before + 1)

    def test_a_member_moving_to_another_centre_takes_their_visits_along(self):
        rollups.refresh()
        mover = VisitAttendance.objects.filter(visited_on__lt=date(2026, 11, 1), member__centre=self.centres[0]).first().member
        group = Unit.objects.filter(centre=self.centres[1], kind=UnitKind.GROUP).first()
        mover.unit = group
        mover.refresh_derived()
        mover.save()
        self.assertNotEqual(mover.centre_id, self.centres[0].pk)
        self.assertSameAsLive(self.centres)

    def test_members_moved_by_a_bulk_update_are_marked_by_rows_moved(self):
        rollups.refresh()
        movers = list(Member.objects.filter(centre=self.centres[0], visit_attendances__visited_on__lt=date(2026, 11, 1))
                      .values_list("pk", flat=True).distinct()[:5])
        group = Unit.objects.filter(centre=self.centres[1], kind=UnitKind.GROUP).first()
        Member.objects.filter(pk__in=movers).update(unit=group, unit_path=group.path, centre=self.centres[1])
        rollups.rows_moved(Member, movers)
        self.assertSameAsLive(self.centres)

    def test_an_answer_recorded_by_a_conditional_update_marks_its_month(self):
        member = Member.objects.filter(centre=self.centres[0], status=Status.ACTIVE).first()
        suggestion = do_record_suggestion(centre=self.centres[0], text="活动室加装扶手", field=FIELD_CHOICES[0][0],
                                          received_on=date(2026, 9, 2), member=member, acting_user=self.admin)
        do_forward(suggestion, to="城区党政办", on=date(2026, 9, 3), acting_user=self.admin)
        rollups.refresh()
        do_answer(suggestion, reply="已安装", on=TODAY, acting_user=self.admin)
        self.assertSameAsLive([self.centres[0]])

    def test_a_party_group_is_read_live(self):
        rollups.refresh()
        group = Unit.objects.filter(kind=UnitKind.GROUP, members__isnull=False).first()
        reader = rollups.Reader(group, date(2025, 1, 1), TODAY)
        self.assertEqual(reader.rolled, set())
        self.assertSameAsLive([group])

    def test_every_figures_months_are_its_value_for_each_month(self):
        period = Period(date(2026, 1, 1), TODAY)
        for figure in figures.all_figures():
            with self.subTest(figure=figure.key):
                expected = {m: figure.value(self.bureau, p) for m, p in figures.month_periods(period).items()}
                self.assertEqual(figure.monthly(self.bureau, period), expected)
        self.assertTrue(any(figures.get("requests_median_response").monthly(self.bureau, period).values()))

    def test_state_figures_count_every_month_in_one_or_two_queries(self):
        period = Period(date(2026, 1, 1), TODAY)
        for figure in figures.all_figures():
            if figure.date_field or figure.compute is not None or figure.measure != "count":
                continue
            with self.subTest(figure=figure.key):
                with CaptureQueriesContext(connection) as queries:
                    months = figure.monthly(self.bureau, period)
                expected = {m: figure.value(self.bureau, Period(max(m, period.start), min(_month_end(m), period.end)))
                            for m in period.months()}
                self.assertEqual(months, expected)
                self.assertLessEqual(len(queries), 2)
        self.assertTrue(any(figures.get("members_living").monthly(self.bureau, period).values()))


def _month_end(first):
    return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
