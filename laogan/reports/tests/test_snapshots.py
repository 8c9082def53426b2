"""A bureau's annual page reads the worker's snapshot while it is fresh; centres and the files are always counted."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse

from laogan.accounts.models import Unit
from laogan.jobs.registry import all_jobs
from laogan.members.actions import do_record_life_event
from laogan.members.models import EventKind
from laogan.reports import snapshots, summary
from laogan.reports.models import SummarySnapshot
from laogan.test import BaseTestCase, make_member

SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)


@override_settings(LAOGAN_SNAPSHOT_MIN_MEMBERS=1)
class SnapshotPageTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.zhang = make_member("张建国", date(1928, 5, 3), unit=cls.group_a1)
        do_record_life_event(cls.zhang, kind=EventKind.ADMITTED, date=date(2026, 3, 1), hospital="第一人民医院",
                             acting_user=None)

    def admissions(self, user, unit):
        self.login(user)
        response = self.client.get(reverse("annual"), {"unit": unit.code, "year": 2026})
        self.assertEqual(response.status_code, 200)
        return response, response.context["summary"].row("hospital_admissions").value

    def test_a_bureaus_page_shows_the_snapshot_while_fresh_then_counts_again(self):
        with time_machine.travel(MORNING, tick=False):
            self.assertEqual(snapshots.refresh(), 2)  # the bureau's this year and last year
            self.assertEqual(SummarySnapshot.objects.get(unit=self.bureau, year=2026).until, date(2026, 11, 26))
            do_record_life_event(self.zhang, kind=EventKind.ADMITTED, date=date(2026, 11, 20), hospital="第二人民医院",
                                 acting_user=None)
        with time_machine.travel(MORNING + timedelta(minutes=10), tick=False):
            response, value = self.admissions(self.admin, self.bureau)
            self.assertEqual(value, 1)  # as counted at 9:00
            self.assertContains(response, "09:00")
            self.assertEqual(self.admissions(self.secretary, self.centre_a)[1], 2)  # a centre is counted now
        with time_machine.travel(MORNING + timedelta(minutes=16), tick=False):  # the worker missed a run
            response, value = self.admissions(self.admin, self.bureau)
            self.assertEqual(value, 2)
            self.assertIsNone(response.context["summary"].as_of)

    def test_a_snapshot_of_another_day_is_not_used(self):
        with time_machine.travel(datetime(2026, 11, 26, 23, 55, tzinfo=SHANGHAI), tick=False):
            snapshots.refresh()
        with time_machine.travel(datetime(2026, 11, 27, 0, 5, tzinfo=SHANGHAI), tick=False):
            self.assertIsNone(snapshots.fresh(self.bureau, 2026, date(2026, 11, 27)))
            self.assertIsNotNone(snapshots.fresh(self.bureau, 2025))  # last year's is the same whole year

    def test_a_small_bureau_is_always_counted_when_asked(self):
        with time_machine.travel(MORNING, tick=False), self.settings(LAOGAN_SNAPSHOT_MIN_MEMBERS=2):
            self.assertEqual(snapshots.refresh(), 0)  # one member
            self.assertFalse(SummarySnapshot.objects.exists())
            response, value = self.admissions(self.admin, self.bureau)
            self.assertIsNone(response.context["summary"].as_of)

    def test_the_worker_runs_it_every_ten_minutes(self):
        job = next(j for j in all_jobs() if j.name == "snapshot_summaries")
        self.assertEqual(job.every, timedelta(minutes=10))


@override_settings(LAOGAN_SNAPSHOT_MIN_MEMBERS=1)
@time_machine.travel(MORNING, tick=False)
class SnapshotValuesTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=open("/dev/null", "w"))
        cls.bureau = Unit.objects.get(code="demo")

    def test_every_figure_reads_back_as_counted(self):
        # Money as Decimal, medians as floats, counts as ints: the JSON round trip must give each back unchanged.
        snapshots.refresh()
        for year, until in ((2026, date(2026, 11, 26)), (2025, None)):
            counted = summary.build(self.bureau, year, with_monthly=False, until=until)
            stored = snapshots.fresh(self.bureau, year, until)
            self.assertEqual(stored.period, counted.period)
            self.assertEqual(stored.paragraphs, counted.paragraphs)
            for row in (r for a in counted.areas for r in a.rows):
                with self.subTest(year=year, figure=row.figure.key):
                    got = stored.row(row.figure.key)
                    self.assertEqual((got.value, got.previous), (row.value, row.previous))
                    self.assertIs(type(got.value), type(row.value))
