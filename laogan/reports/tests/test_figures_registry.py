"""Every registered figure, recomputed for the demo centre from raw rows, equals what the registry says."""

from datetime import date
from decimal import Decimal

import time_machine
from django.core.management import call_command
from django.test import TestCase

from laogan.accounts.models import Unit
from laogan.lib import figures
from laogan.lib.figures import Period
from laogan.reports import summary


def recompute(figure, unit, period):
    """Count the figure again in Python: scope and period checked row by row, only `where` asked of the database."""
    matching = set(figure.model._default_manager.filter(figure.where_q(period)).values_list("pk", flat=True))
    path_attr = figure.path_field.replace("__", ".")
    date_attr = figure.date_field.replace("__", ".") if figure.date_field else None
    rows = []
    for row in figure.model._default_manager.all():
        if row.pk not in matching:
            continue
        if not figures.resolve(path_attr, row).startswith(unit.path):
            continue
        if date_attr and not period.contains(figures.resolve(date_attr, row)):
            continue
        rows.append(row)
    if figure.measure == "count":
        return len(rows)
    if figure.measure == "members":
        return len({r.member_id for r in rows})
    field = figure.measure[4:]
    return sum((getattr(r, field) for r in rows), Decimal("0.00"))


@time_machine.travel(date(2026, 11, 26), tick=False)
class RegistryRecomputationTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=open("/dev/null", "w"))
        cls.centre = Unit.objects.get(code="demo-c1")

    def test_every_figure_equals_its_recount_for_this_and_last_year(self):
        computed = [f for f in figures.all_figures() if f.compute is None]
        self.assertGreater(len(computed), 0)
        for period in (Period.year(2026), Period.year(2025), Period.month(2026, 11)):
            for figure in computed:
                with self.subTest(figure=figure.key, period=period.label):
                    self.assertEqual(figure.value(self.centre, period), recompute(figure, self.centre, period))

    def test_the_summary_gives_each_figure_its_own_values(self):
        # The summary counts the figures of one table together (one scan, a FILTER per figure and period); each row
        # must still be the figure's own value, last year's and months, on the page (no months) and in the Excel file.
        for unit in (self.centre, Unit.objects.get(code="demo")):
            period, previous = Period(date(2026, 1, 1), date(2026, 11, 26)), Period.year(2025)
            for with_monthly in (False, True):
                built = summary.build(unit, 2026, with_monthly=with_monthly, until=date(2026, 11, 26))
                for row in (r for a in built.areas for r in a.rows):
                    with self.subTest(unit=unit.code, figure=row.figure.key, with_monthly=with_monthly):
                        expected = (row.figure.value(unit, period), row.figure.value(unit, previous),
                                    row.figure.monthly(unit, period) if with_monthly else {})
                        self.assertEqual((row.value, row.previous, row.monthly), expected)

    def test_drill_down_lists_exactly_the_counted_records(self):
        period = Period.year(2026)
        for figure in figures.all_figures():
            if figure.measure != "count" or figure.compute is not None:
                continue
            with self.subTest(figure=figure.key):
                self.assertEqual(figure.records(self.centre, period).count(), figure.value(self.centre, period))

    def test_the_demo_has_something_to_count(self):
        period = Period.year(2026)
        self.assertEqual(figures.get("deaths").value(self.centre, period) > 0, True)
        self.assertEqual(figures.get("hospital_admissions").value(self.centre, period), 6)

    def test_other_centre_rows_are_not_counted(self):
        other = Unit.objects.get(code="demo-c2")
        living_a = figures.get("members_living").value(self.centre, Period.year(2026))
        living_b = figures.get("members_living").value(other, Period.year(2026))
        bureau = Unit.objects.get(code="demo")
        self.assertEqual(figures.get("members_living").value(bureau, Period.year(2026)), living_a + living_b)
        self.assertEqual(living_b, 6)

    def test_every_figure_has_labels_rule_and_columns(self):
        for figure in figures.all_figures():
            with self.subTest(figure=figure.key):
                self.assertTrue(figure.label_zh and figure.label_en and figure.rule_zh)
                self.assertTrue(figure.columns)
