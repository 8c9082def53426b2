from datetime import date

import time_machine

from laogan.jobs.models import Message
from laogan.members.models import EventKind, Member
from laogan.test import BaseTestCase, make_member
from laogan.visits.jobs import plan_visits_daily
from laogan.visits.models import CancelCause, Occasion, PlannedVisit, PlanStatus
from laogan.visits.planning import plan

from .builders import at, event, frozen


def hospital_visits(member):
    return list(PlannedVisit.objects.filter(member=member, kind=Occasion.HOSPITAL).order_by("due_date"))


@frozen(2026, 3, 2)
class HospitalTest(BaseTestCase):
    def setUp(self):
        self.zhang = make_member("张建国", date(1928, 5, 3), unit=self.group_a1)
        Member.objects.filter(pk=self.zhang.pk).update(liaison=self.liaison)

    def test_an_admission_creates_a_visit_due_within_two_days_and_tells_the_liaison(self):
        admitted = event(self.zhang, EventKind.ADMITTED, date(2026, 3, 2), ward="心内科3床")
        first = hospital_visits(self.zhang)[0]
        self.assertEqual((first.key, first.window_start, first.due_date), (f"hospital:{admitted.pk}:0", date(2026, 3, 2), date(2026, 3, 4)))
        self.assertEqual(first.occasion, "hospital")
        message = Message.objects.get(dedupe_key=f"visit-due:{first.pk}:{self.liaison.pk}")
        self.assertIn("张建国住院", message.body)
        self.assertIn("3月4日", message.body)

    def test_a_long_stay_gets_a_further_visit_every_30_days(self):
        admitted = event(self.zhang, EventKind.ADMITTED, date(2026, 3, 2))
        visits = hospital_visits(self.zhang)
        self.assertEqual([(v.key, v.window_start, v.due_date) for v in visits], [
            (f"hospital:{admitted.pk}:0", date(2026, 3, 2), date(2026, 3, 4)),
            (f"hospital:{admitted.pk}:1", date(2026, 3, 26), date(2026, 4, 1)),
            (f"hospital:{admitted.pk}:2", date(2026, 4, 25), date(2026, 5, 1)),
        ])
        with time_machine.travel(at(2026, 4, 1), tick=False):  # the day the next one enters the 60-day horizon
            plan_visits_daily()
        self.assertEqual(hospital_visits(self.zhang)[-1].due_date, date(2026, 5, 31))

    def test_planning_a_year_ahead_plans_an_ongoing_stay_only_to_the_horizon(self):
        event(self.zhang, EventKind.ADMITTED, date(2026, 3, 2))
        plan(date(2026, 1, 1), date(2026, 12, 31), org=self.centre_a)
        self.assertEqual(hospital_visits(self.zhang)[-1].due_date, date(2026, 5, 1))  # 2 March + 60 days

    def test_without_a_liaison_the_secretaries_are_told(self):
        Member.objects.filter(pk=self.zhang.pk).update(liaison=None)
        event(self.zhang, EventKind.ADMITTED, date(2026, 3, 2))
        self.assertEqual(list(Message.objects.values_list("recipient__username", flat=True)), ["secretary"])

    def test_discharge_asks_for_a_follow_up_and_drops_the_stays_later_visits_but_keeps_a_missed_one(self):
        event(self.zhang, EventKind.ADMITTED, date(2026, 3, 2))
        with time_machine.travel(at(2026, 3, 10), tick=False):
            discharged = event(self.zhang, EventKind.DISCHARGED, date(2026, 3, 10))
        first, monthly, second_month = hospital_visits(self.zhang)
        self.assertEqual(first.status, PlanStatus.OPEN)  # its window closed on 4 March: missed, stays overdue
        for v in (monthly, second_month):
            self.assertEqual((v.status, v.cancelled_because), (PlanStatus.CANCELLED, CancelCause.DISCHARGED))
            self.assertIn("3月10日出院", v.cancel_reason)
        follow_up = PlannedVisit.objects.get(member=self.zhang, kind=Occasion.HOSPITAL_FOLLOWUP)
        self.assertEqual((follow_up.key, follow_up.window_start, follow_up.due_date),
                         (f"hospital_followup:{discharged.pk}", date(2026, 3, 10), date(2026, 3, 17)))

    def test_discharge_before_the_first_visit_cancels_it(self):
        event(self.zhang, EventKind.ADMITTED, date(2026, 3, 2))
        event(self.zhang, EventKind.DISCHARGED, date(2026, 3, 3))
        self.assertTrue(all(v.status == PlanStatus.CANCELLED for v in hospital_visits(self.zhang)))

    def test_planning_again_after_events_changes_nothing(self):
        event(self.zhang, EventKind.ADMITTED, date(2026, 3, 2))
        event(self.zhang, EventKind.DISCHARGED, date(2026, 3, 2))
        event(self.zhang, EventKind.HARDSHIP_REPORTED, date(2026, 3, 2))
        result = plan(date(2026, 1, 1), date(2026, 12, 31), org=self.centre_a)
        again = plan(date(2026, 1, 1), date(2026, 12, 31), org=self.centre_a)
        self.assertEqual(result.cancelled, 0)
        self.assertEqual((again.created, again.updated, again.cancelled), (0, 0, 0))


@frozen(2026, 3, 2)
class HardshipAndDeathTest(BaseTestCase):
    def setUp(self):
        self.li = make_member("李秀英", date(1930, 3, 20), unit=self.group_a1, sex="F")

    def test_a_hardship_report_creates_a_visit_due_within_three_days(self):
        reported = event(self.li, EventKind.HARDSHIP_REPORTED, date(2026, 3, 2), notes="老伴住院")
        visit = PlannedVisit.objects.get(member=self.li, kind=Occasion.HARDSHIP)
        self.assertEqual((visit.key, visit.window_start, visit.due_date), (f"hardship:{reported.pk}", date(2026, 3, 2), date(2026, 3, 5)))

    def test_a_hardship_resolved_before_the_visit_cancels_it_with_the_reason(self):
        event(self.li, EventKind.HARDSHIP_REPORTED, date(2026, 3, 2))
        event(self.li, EventKind.HARDSHIP_RESOLVED, date(2026, 3, 3))
        visit = PlannedVisit.objects.get(member=self.li, kind=Occasion.HARDSHIP)
        self.assertEqual(visit.status, PlanStatus.CANCELLED)
        self.assertIn("困难已于2026年3月3日解决", visit.cancel_reason)

    def test_death_cancels_every_open_visit_with_the_reason_and_keeps_done_ones(self):
        plan(date(2026, 1, 1), date(2026, 12, 31), org=self.centre_a)
        spring = PlannedVisit.objects.get(member=self.li, festival__name="春节")
        PlannedVisit.objects.filter(pk=spring.pk).update(status=PlanStatus.DONE, done_on=date(2026, 2, 10))
        event(self.li, EventKind.ADMITTED, date(2026, 3, 2))
        event(self.li, EventKind.DIED, date(2026, 3, 2), cause="心力衰竭")
        rows = PlannedVisit.objects.filter(member=self.li).exclude(pk=spring.pk)
        self.assertGreaterEqual(rows.count(), 4)  # birthday, 七一, 中秋, 重阳, the hospital visit …
        for row in rows:
            self.assertEqual((row.status, row.cancelled_because), (PlanStatus.CANCELLED, CancelCause.DECEASED))
            self.assertEqual(row.cancel_reason, "老干部已于2026年3月2日去世")
        spring.refresh_from_db()
        self.assertEqual(spring.status, PlanStatus.DONE)

    def test_the_deceased_get_no_further_visits_when_planning_again(self):
        event(self.li, EventKind.DIED, date(2026, 3, 2))
        plan(date(2026, 1, 1), date(2027, 12, 31), org=self.centre_a)
        self.assertFalse(PlannedVisit.objects.filter(member=self.li, due_date__gte=date(2026, 3, 2)).exists())
        self.assertFalse(PlannedVisit.objects.filter(member=self.li, status=PlanStatus.OPEN).exists())
