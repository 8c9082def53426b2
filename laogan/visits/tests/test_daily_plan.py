"""The worker's daily plan reads what can have changed, not every member; the Sunday run reconciles everything."""

from datetime import date, timedelta

import time_machine

from laogan.members.actions import do_record_life_event
from laogan.members.models import EventKind, Member
from laogan.test import BaseTestCase, make_member
from laogan.visits import planning
from laogan.visits.jobs import plan_visits_daily
from laogan.visits.models import DailyPlanMark, Occasion, PlannedVisit

from .builders import at


def birthdays(member):
    return list(PlannedVisit.objects.filter(member=member, kind=Occasion.BIRTHDAY).values_list("due_date", flat=True))


def festivals(member):
    return list(PlannedVisit.objects.filter(member=member, kind=Occasion.FESTIVAL).values_list("due_date", flat=True))


class DailyPlanTest(BaseTestCase):
    def setUp(self):
        self.zhang = make_member("张建国", date(1928, 5, 3), unit=self.group_a1)  # enters the horizon on 4 March
        self.li = make_member("李秀英", date(1930, 4, 10), unit=self.group_a1, sex="F")  # inside it, not at its end
        self.wang = make_member("王德明", date(1931, 4, 1), unit=self.group_a2)
        # Nobody was changed lately and nothing is planned yet (as if a visit had been lost).
        Member.objects.update(updated_at=at(2025, 1, 1))
        PlannedVisit.objects.all().delete()

    def test_a_weekday_plans_the_days_entering_the_horizon_and_the_members_changed_lately(self):
        Member.objects.filter(pk=self.wang.pk).update(updated_at=at(2026, 3, 2))  # corrected two days ago
        with time_machine.travel(at(2026, 3, 4, 2), tick=False):  # a Wednesday: horizon 4 March – 3 May
            plan_visits_daily()
        self.assertEqual(birthdays(self.zhang), [date(2026, 5, 3)])  # the day that entered the horizon
        self.assertEqual(birthdays(self.wang), [date(2026, 4, 1)])  # changed: its whole horizon
        self.assertEqual(birthdays(self.li), [])  # unchanged, not at the horizon's end: not read

        with time_machine.travel(at(2026, 3, 8, 2), tick=False):  # the Sunday run reconciles everyone
            plan_visits_daily()
        self.assertEqual(birthdays(self.li), [date(2026, 4, 10)])

    def test_a_festival_entering_the_horizon_is_planned_for_every_member_of_the_centre(self):
        with time_machine.travel(at(2026, 5, 2, 2), tick=False):  # a Saturday: 七一 is the horizon's last day
            plan_visits_daily()
        for member in (self.zhang, self.li, self.wang):
            with self.subTest(member=member.name):
                self.assertEqual(festivals(member), [date(2026, 7, 1)])
        self.assertEqual(birthdays(self.li), [])

    def test_a_lunar_birthday_at_the_horizons_end_is_found(self):
        self.li.birthday_custom = "lunar"
        self.li.save()  # a change: its whole horizon is planned anyway, so make it old again
        Member.objects.filter(pk=self.li.pk).update(updated_at=at(2025, 1, 1))
        PlannedVisit.objects.all().delete()
        li = Member.objects.get(pk=self.li.pk)
        due = li.next_birthday(date(2026, 3, 10))
        self.assertNotEqual(due, date(2026, 4, 10))  # the lunar birthday, not the solar one
        today = due - timedelta(days=60)
        if today.weekday() == 6:
            today -= timedelta(days=1)
        with time_machine.travel(at(today.year, today.month, today.day, 2), tick=False):
            plan_visits_daily()
        self.assertEqual(birthdays(li), [due])


class DailyPlanMarkTest(BaseTestCase):
    """A run plans the days after the last run's and the members changed since it began; nothing more, nothing less."""

    def setUp(self):
        self.zhang = make_member("张建国", date(1928, 5, 3), unit=self.group_a1)  # enters the horizon on 4 March
        self.zhao = make_member("赵文华", date(1929, 5, 2), unit=self.group_a1)  # entered it on 3 March
        self.sun = make_member("孙玉兰", date(1930, 4, 24), unit=self.group_a1, sex="F")  # entered it on 23 February
        Member.objects.update(updated_at=at(2025, 1, 1))

    def run_on(self, *when):
        with time_machine.travel(at(*when), tick=False):
            return plan_visits_daily()

    def test_the_next_day_plans_only_the_day_that_entered_the_horizon(self):
        self.run_on(2026, 3, 3, 2)  # Tuesday: no earlier run, so the last week of the horizon
        self.assertEqual(DailyPlanMark.objects.get().planned_through, date(2026, 5, 2))
        PlannedVisit.objects.all().delete()  # lost, to see what Wednesday reads
        self.run_on(2026, 3, 4, 2)
        self.assertEqual(birthdays(self.zhang), [date(2026, 5, 3)])
        self.assertEqual(birthdays(self.zhao), [])  # planned by Tuesday's run: not read again
        self.assertEqual(DailyPlanMark.objects.get().planned_through, date(2026, 5, 3))

    def test_a_worker_down_longer_than_a_week_catches_up_every_day_it_missed(self):
        self.run_on(2026, 2, 21, 2)  # a Saturday; then nothing until Wednesday 4 March
        PlannedVisit.objects.all().delete()
        self.run_on(2026, 3, 4, 2)
        self.assertEqual(birthdays(self.sun), [date(2026, 4, 24)])  # entered 11 days ago, more than a week
        self.assertEqual(birthdays(self.zhang), [date(2026, 5, 3)])

    def test_members_changed_since_the_last_run_began_are_planned_whole(self):
        self.run_on(2026, 3, 3, 2)
        PlannedVisit.objects.all().delete()
        Member.objects.filter(pk=self.sun.pk).update(updated_at=at(2026, 3, 3, 1, 55))  # just before it, uncommitted
        self.run_on(2026, 3, 4, 2)
        self.assertEqual(birthdays(self.sun), [date(2026, 4, 24)])
        PlannedVisit.objects.all().delete()
        self.run_on(2026, 3, 5, 2)
        self.assertEqual(birthdays(self.sun), [])  # read by Wednesday's run, unchanged since


class LongStayTest(BaseTestCase):
    """The daily run reads those in hospital whose next long-stay visit may enter the horizon, not all of them."""

    def setUp(self):
        self.zhang = make_member("张建国", date(1928, 5, 3), unit=self.group_a1)
        self.li = make_member("李秀英", date(1930, 4, 10), unit=self.group_a1, sex="F")
        do_record_life_event(self.zhang, kind=EventKind.ADMITTED, date=date(2026, 1, 3), hospital="第一人民医院",
                             acting_user=None)  # visits due 5 Jan, then every 30 days: 2 Feb, …, 3 May (day 120)
        do_record_life_event(self.li, kind=EventKind.ADMITTED, date=date(2020, 6, 1), hospital="康复医院",
                             acting_user=None)  # in hospital for six years, longer than the dates listed
        Member.objects.update(updated_at=at(2025, 1, 1))

    def in_hospital_read_on(self, day):
        return set(Member.objects.filter(planning._hospital_visit_due([day])).values_list("name", flat=True))

    def test_only_those_whose_visit_may_fall_on_the_day_are_read(self):
        self.assertEqual(self.in_hospital_read_on(date(2026, 5, 3)), {"张建国", "李秀英"})
        self.assertEqual(self.in_hospital_read_on(date(2026, 5, 4)), {"李秀英"})  # a long stay is always read

    def test_the_visit_entering_the_horizon_is_planned(self):
        with time_machine.travel(at(2026, 3, 3, 2), tick=False):
            plan_visits_daily()
        PlannedVisit.objects.all().delete()
        with time_machine.travel(at(2026, 3, 4, 2), tick=False):  # horizon to 3 May
            plan_visits_daily()
        due = PlannedVisit.objects.filter(member=self.zhang, kind=Occasion.HOSPITAL).values_list("due_date", flat=True)
        self.assertEqual(list(due), [date(2026, 5, 3)])
