import csv
import io
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

from django.core.management import CommandError, call_command
from lunar_python import LunarMonth, LunarYear, Solar

from laogan.accounts.models import AuditAction, AuditEntry
from laogan.lib import lunar
from laogan.members.models import BirthdayCustom
from laogan.test import BaseTestCase, make_member
from laogan.visits.models import PlannedVisit

from .builders import frozen


@frozen(2025, 12, 20)
class PlanVisitsCommandTest(BaseTestCase):
    def setUp(self):
        self.zhang = make_member("张建国", date(1936, 5, 3), unit=self.group_a1)
        self.li = make_member("李秀英", lunar.to_solar(1930, 11, 20), unit=self.group_a2, sex="F",
                              birthday_custom=BirthdayCustom.LUNAR)
        self.wang = make_member("王德明", date(1931, 2, 1), unit=self.group_b1)

    def run_command(self, *args):
        err = io.StringIO()
        call_command("plan_visits", *args, stderr=err, stdout=io.StringIO())
        return err.getvalue()

    def read_csv(self, path):
        with open(path, encoding="utf-8", newline="") as f:
            return list(csv.reader(f))

    def test_the_csv_has_exactly_the_documented_columns_and_one_row_per_planned_visit(self):
        out = self.tmp("plan.csv")
        self.run_command("--from", "2026-01-01", "--to", "2026-12-31", "--org", "centre-a", "--csv", out)
        rows = self.read_csv(out)
        self.assertEqual(rows[0], ["member_name", "id_number_suffix", "occasion", "due_date", "window_start", "window_end"])
        body = rows[1:]
        self.assertEqual(len(body), PlannedVisit.objects.filter(member__centre=self.centre_a).count())
        zhang = [r for r in body if r[0] == "张建国"]
        self.assertEqual(zhang, [
            ["张建国", self.zhang.id_number[-4:], "festival:春节", "2026-02-17", "2026-02-04", "2026-02-17"],
            ["张建国", self.zhang.id_number[-4:], "birthday_milestone:90", "2026-05-03", "2026-04-27", "2026-05-03"],
            ["张建国", self.zhang.id_number[-4:], "festival:七一", "2026-07-01", "2026-06-18", "2026-07-01"],
            ["张建国", self.zhang.id_number[-4:], "festival:中秋", "2026-09-25", "2026-09-12", "2026-09-25"],
            ["张建国", self.zhang.id_number[-4:], "festival:重阳", "2026-10-18", "2026-10-05", "2026-10-18"],
        ])
        li_birthdays = [(r[2], r[3]) for r in body if r[0] == "李秀英" and r[2].startswith("birthday")]
        # Lunar 2025 (95th, a milestone) and lunar 2026 (96th), both in Gregorian 2026.
        self.assertEqual(li_birthdays, [("birthday_milestone:95", "2026-01-08"), ("birthday", "2026-12-28")])
        self.assertNotIn("王德明", {r[0] for r in body})
        self.assertTrue(AuditEntry.objects.filter(action=AuditAction.EXPORT, detail__startswith="plan_visits").exists())

    def test_running_twice_creates_nothing_new(self):
        first = self.run_command("--from", "2026-01-01", "--to", "2026-12-31")
        count = PlannedVisit.objects.count()
        second = self.run_command("--from", "2026-01-01", "--to", "2026-12-31")
        self.assertIn("new", first)
        self.assertIn(": 0 new, 0 changed, 0 cancelled", second)
        self.assertEqual(PlannedVisit.objects.count(), count)
        self.assertTrue(PlannedVisit.objects.filter(member=self.wang).exists())

    def test_a_group_plans_only_its_members(self):
        self.run_command("--from", "2026-01-01", "--to", "2026-12-31", "--org", "group-a2")
        self.assertEqual(set(PlannedVisit.objects.values_list("member__name", flat=True)), {"李秀英"})

    def test_bad_arguments_are_refused(self):
        for args in (["--from", "2026-02-01", "--to", "2026-01-01"], ["--from", "2026-01-01", "--to", "2026-12-31", "--org", "nowhere"],
                     ["--from", "2026-13-01", "--to", "2026-12-31"], ["--from", "2020-01-01", "--to", "2030-12-31"]):
            with self.subTest(args=args), self.assertRaises(CommandError):
                self.run_command(*args)

    def tmp(self, name):
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        return str(Path(directory) / name)


def oracle_days(start, end):
    """Return {day: (lunar year, month, day, days in that lunar month)} by converting every day: no planning code."""
    found, day = {}, start
    while day <= end:
        lunar_day = Solar.fromYmd(day.year, day.month, day.day).getLunar()
        month = lunar_day.getMonth()
        length = LunarMonth.fromYm(lunar_day.getYear(), month).getDayCount()
        found[day] = (lunar_day.getYear(), month, lunar_day.getDay(), length)
        day += timedelta(days=1)
    return found


@frozen(2025, 12, 20)
class PlanVisitsAgainstAnOracleTest(BaseTestCase):
    """Every member's birthday and every festival in the CSV, checked against a day-by-day lunar conversion."""

    def test_every_member_and_occasion_has_the_right_date_over_four_years(self):
        members = []
        born = date(1925, 1, 3)
        for i in range(60):
            custom = BirthdayCustom.LUNAR if i % 2 else BirthdayCustom.SOLAR
            members.append(make_member(f"成员{i:02d}", born, unit=self.group_a1, birthday_custom=custom))
            born += timedelta(days=53)
        members.append(make_member("闰月生", date(1933, 7, 1), unit=self.group_a1, birthday_custom=BirthdayCustom.LUNAR))
        members.append(make_member("闰日生", date(1932, 2, 29), unit=self.group_a1))
        start, end = date(2026, 1, 1), date(2029, 12, 31)
        out = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, out)
        path = str(Path(out) / "plan.csv")
        call_command("plan_visits", "--from", str(start), "--to", str(end), "--org", "centre-a", "--csv", path,
                     stderr=io.StringIO())
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))

        days = oracle_days(start, end)
        festivals = {"festival:春节": lambda d: days[d][1:3] == (1, 1), "festival:七一": lambda d: (d.month, d.day) == (7, 1),
                     "festival:中秋": lambda d: days[d][1:3] == (8, 15), "festival:重阳": lambda d: days[d][1:3] == (9, 9)}
        for m in members:
            with self.subTest(member=m.name, born=m.birth_date, custom=m.birthday_custom):
                mine = [r for r in rows if r["member_name"] == m.name]
                for occasion, is_day in festivals.items():
                    self.assertEqual([r["due_date"] for r in mine if r["occasion"] == occasion],
                                     [d.isoformat() for d in sorted(days) if is_day(d)])
                self.assertEqual([r["due_date"] for r in mine if r["occasion"].startswith("birthday")],
                                 [d.isoformat() for d in sorted(days) if self.is_birthday(m, d, days)])

    def is_birthday(self, member, day, days):
        if member.birthday_custom == BirthdayCustom.SOLAR:
            if (member.birth_date.month, member.birth_date.day) == (2, 29) and day.year % 4:
                return (day.month, day.day) == (2, 28)
            return (day.month, day.day) == (member.birth_date.month, member.birth_date.day)
        month, dom = member.lunar_birth_month, member.lunar_birth_day
        year, m, d, length = days[day]
        if month < 0 and LunarYear.fromYear(year).getLeapMonth() != -month:
            month = -month  # a leap month the year lacks: the ordinary month
        return m == month and (d == dom or (dom == 30 and length == 29 and d == 29))
