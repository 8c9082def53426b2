"""Every deadline rule of the issue, on stored requests with frozen time."""

from datetime import date, time, timedelta

import time_machine
from django.core.exceptions import ValidationError

from laogan.services import actions
from laogan.services.models import Anchor, Clock, EventKind, Policy, SlaState, Status
from laogan.test import BaseTestCase, make_member

from .helpers import at, category, make_request, step

WORKING_HOURS = {"respond_minutes": 120, "respond_anchor": Anchor.DURATION, "resolve_minutes": 16 * 60,
                 "resolve_anchor": Anchor.DURATION, "clock": Clock.WORKING_HOURS, "morning_start": time(8, 30),
                 "morning_end": time(12, 0), "afternoon_start": time(14, 30), "afternoon_end": time(17, 30)}


class DeadlineTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.member = make_member(name="张建国", born=date(1928, 5, 3), unit=cls.group_a1)

    def test_water_fault_at_2230_is_due_by_0130(self):
        with time_machine.travel(at(2026, 3, 10, 22, 30), tick=False):
            r = make_request(self.member, self.liaison, "water", summary="水管爆裂")
        self.assertEqual(r.resolve_by, at(2026, 3, 11, 1, 30))
        self.assertEqual(r.respond_by, at(2026, 3, 10, 23, 0))
        self.assertEqual(r.reported_on, date(2026, 3, 10))

    def test_water_fault_at_0900_is_due_by_235959(self):
        with time_machine.travel(at(2026, 3, 10, 9, 0), tick=False):
            r = make_request(self.member, self.liaison, "water")
        self.assertEqual(r.resolve_by, at(2026, 3, 10, 23, 59, 59))

    def test_electricity_fault_is_due_within_24_hours(self):
        with time_machine.travel(at(2026, 3, 10, 19, 5), tick=False):
            r = make_request(self.member, self.liaison, "electricity")
        self.assertEqual((r.respond_by, r.resolve_by), (at(2026, 3, 10, 19, 35), at(2026, 3, 11, 19, 5)))

    def test_everything_else_is_respond_in_2_hours_resolve_in_72(self):
        r = make_request(self.member, self.liaison, "medicine", opened=at(2026, 3, 10, 9, 0))
        self.assertEqual((r.respond_by, r.resolve_by), (at(2026, 3, 10, 11, 0), at(2026, 3, 13, 9, 0)))

    def test_a_two_hour_pause_moves_the_due_time_by_two_hours(self):
        r = make_request(self.member, self.liaison, "water", opened=at(2026, 3, 10, 9, 0), handle_now=True)
        step(actions.do_wait, r, self.liaison, at(2026, 3, 10, 10, 0), reason="老人外出")
        self.assertIsNone(r.resolve_by)
        self.assertEqual(r.sla_state(at(2026, 3, 11, 9, 0)), SlaState.PAUSED)
        self.assertEqual(r.time_left_when_paused, timedelta(hours=13, minutes=59, seconds=59))
        step(actions.do_resume, r, self.liaison, at(2026, 3, 10, 12, 0))
        r.refresh_from_db()
        self.assertEqual(r.resolve_by, at(2026, 3, 11, 1, 59, 59))
        self.assertEqual(r.due_at, r.resolve_by)

    def test_the_response_deadline_is_current_until_someone_responds(self):
        r = make_request(self.member, self.liaison, "water", opened=at(2026, 3, 10, 9, 0))
        self.assertEqual((r.status, r.due_at), (Status.NEW, at(2026, 3, 10, 9, 30)))
        step(actions.do_start, r, self.liaison, at(2026, 3, 10, 9, 10))
        self.assertEqual((r.responded_at, r.due_at), (at(2026, 3, 10, 9, 10), at(2026, 3, 10, 23, 59, 59)))

    def test_states_on_track_at_risk_in_the_last_fifth_and_breached(self):
        r = make_request(self.member, self.liaison, "electricity", opened=at(2026, 3, 10, 8, 0), handle_now=True)
        self.assertEqual(r.sla_state(at(2026, 3, 11, 3, 11)), SlaState.ON_TRACK)
        self.assertEqual(r.risk_at, at(2026, 3, 11, 3, 12))  # 80 % of 24 h
        self.assertEqual(r.sla_state(at(2026, 3, 11, 3, 12)), SlaState.AT_RISK)
        self.assertEqual(r.sla_state(at(2026, 3, 11, 8, 0)), SlaState.BREACHED)

    def test_a_late_resolution_needs_a_reason_and_counts_as_missed(self):
        r = make_request(self.member, self.liaison, "water", opened=at(2026, 3, 10, 22, 30), handle_now=True)
        with self.assertRaises(ValidationError):
            step(actions.do_resolve, r, self.liaison, at(2026, 3, 11, 2, 0), resolution="修好了")
        r.refresh_from_db()
        self.assertEqual(r.status, Status.IN_PROGRESS)
        step(actions.do_resolve, r, self.liaison, at(2026, 3, 11, 2, 0), resolution="修好了", delay_reason="师傅堵在路上")
        self.assertTrue(r.missed_resolution)
        self.assertEqual(r.sla_state(at(2026, 3, 12)), SlaState.MISSED)

    def test_a_resolution_in_time_keeps_its_deadline_after_the_clock_stops(self):
        r = make_request(self.member, self.liaison, "water", opened=at(2026, 3, 10, 22, 30), handle_now=True)
        step(actions.do_resolve, r, self.liaison, at(2026, 3, 11, 0, 45), resolution="关阀换管")
        self.assertEqual((r.resolve_by, r.due_at, r.missed_resolution), (at(2026, 3, 11, 1, 30), None, False))
        self.assertEqual(r.sla_state(at(2026, 3, 20)), SlaState.MET)

    def test_a_wait_running_into_the_resolution_still_counts(self):
        r = make_request(self.member, self.liaison, "electricity", opened=at(2026, 3, 10, 8, 0), handle_now=True)
        step(actions.do_wait, r, self.liaison, at(2026, 3, 10, 9, 0), reason="老人外出")
        step(actions.do_resolve, r, self.liaison, at(2026, 3, 11, 12, 0), resolution="老人回来后修好")
        # One hour of work, then 27 h waiting straight into the resolution: the 24 h deadline moves by 27 h.
        self.assertEqual(r.resolve_by, at(2026, 3, 12, 11, 0))
        self.assertFalse(r.missed_resolution)


class WorkingHoursPolicyTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.member = make_member(name="李秀英", born=date(1933, 2, 14), sex="F", unit=cls.group_a1)
        actions.do_save_policy(cls.centre_a, category("card"), WORKING_HOURS, acting_user=cls.secretary,
                               at=at(2026, 9, 1))

    def test_across_the_2026_national_day_holiday_the_deadline_falls_on_the_make_up_saturday(self):
        # 1–7 October are off; 8 and 9 October are working days and Saturday 10 October is worked in lieu.
        r = make_request(self.member, self.liaison, "card", opened=at(2026, 9, 30, 16, 0))
        self.assertEqual(r.respond_by, at(2026, 10, 8, 9, 0))
        self.assertEqual(r.resolve_by, at(2026, 10, 10, 10, 0))

    def test_a_request_made_during_the_holiday_starts_on_8_october(self):
        r = make_request(self.member, self.liaison, "card", opened=at(2026, 10, 3, 21, 0))
        self.assertEqual(r.respond_by, at(2026, 10, 8, 10, 30))

    def test_other_centres_keep_the_24_7_default(self):
        other = make_member(name="陈乙", unit=self.group_b1)
        r = make_request(other, self.outsider, "card", opened=at(2026, 9, 30, 16, 0))
        self.assertEqual(r.resolve_by, at(2026, 10, 3, 16, 0))

    def test_a_year_the_calendar_does_not_know_falls_back_to_weekends(self):
        # 1 October 2031 is a Wednesday; without holiday data it counts as a working day.
        r = make_request(self.member, self.liaison, "card", opened=at(2031, 9, 30, 17, 0))
        self.assertEqual(r.respond_by, at(2031, 10, 1, 10, 0))


class PolicyChangeTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.member = make_member(name="王德明", born=date(1926, 9, 9), unit=cls.group_a2)

    def test_a_policy_change_keeps_paused_time(self):
        r = make_request(self.member, self.liaison, "medicine", opened=at(2026, 3, 10, 9, 0), handle_now=True)
        step(actions.do_wait, r, self.liaison, at(2026, 3, 10, 10, 0), reason="老人在考虑")
        step(actions.do_resume, r, self.liaison, at(2026, 3, 10, 15, 0))
        r.refresh_from_db()
        self.assertEqual(r.resolve_by, at(2026, 3, 13, 14, 0))  # 72 h + the 5 h pause
        new = {**WORKING_HOURS, "clock": Clock.ALWAYS, "resolve_minutes": 48 * 60}
        actions.do_save_policy(self.centre_a, category("medicine"), new, acting_user=self.secretary, at=at(2026, 3, 10, 16, 0))
        r.refresh_from_db()
        self.assertEqual(r.resolve_by, at(2026, 3, 12, 14, 0))  # 48 h + the same 5 h pause
        self.assertTrue(r.events.filter(kind=EventKind.POLICY).exists())

    def test_a_policy_change_leaves_finished_requests_alone(self):
        r = make_request(self.member, self.liaison, "medicine", opened=at(2026, 3, 10, 9, 0), handle_now=True)
        step(actions.do_resolve, r, self.liaison, at(2026, 3, 11, 9, 0), resolution="药已送到")
        new = {**WORKING_HOURS, "clock": Clock.ALWAYS, "resolve_minutes": 60}
        actions.do_save_policy(self.centre_a, category("medicine"), new, acting_user=self.secretary, at=at(2026, 3, 12))
        r.refresh_from_db()
        self.assertEqual((r.resolve_by, r.missed_resolution), (at(2026, 3, 13, 9, 0), False))

    def test_the_centre_policy_replaces_the_shipped_one_in_that_centre_only(self):
        new = {**WORKING_HOURS, "clock": Clock.ALWAYS, "resolve_minutes": 60}
        own = actions.do_save_policy(self.centre_a, category("bulb"), new, acting_user=self.secretary)
        self.assertEqual(Policy.effective(self.centre_a.pk, category("bulb")), own)
        self.assertIsNone(Policy.effective(self.centre_b.pk, category("bulb")).unit_id)


class ReopenTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.member = make_member(name="赵志刚", born=date(1930, 1, 1), unit=cls.group_a2)

    def test_an_unhappy_callback_reopens_the_request_and_the_time_it_sat_resolved_does_not_count(self):
        r = make_request(self.member, self.liaison, "repairs", opened=at(2026, 3, 10, 9, 0), handle_now=True)
        step(actions.do_resolve, r, self.liaison, at(2026, 3, 11, 9, 0), resolution="外墙打胶")
        step(actions.do_callback, r, self.liaison, at(2026, 3, 12, 9, 0), satisfied=False, comment="下雨又漏了")
        r.refresh_from_db()
        self.assertEqual((r.status, r.satisfied), (Status.REOPENED, False))
        self.assertEqual(r.resolve_by, at(2026, 3, 14, 9, 0))  # 72 h + the 24 h it sat resolved
        self.assertEqual(r.due_at, r.resolve_by)
        self.assertEqual(list(r.events.values_list("kind", flat=True)),
                         [EventKind.CREATED, EventKind.STARTED, EventKind.RESOLVED, EventKind.CALLBACK])

    def test_a_happy_callback_confirms_and_the_request_can_be_closed(self):
        r = make_request(self.member, self.liaison, "bulb", opened=at(2026, 3, 10, 9, 0), handle_now=True)
        step(actions.do_resolve, r, self.liaison, at(2026, 3, 10, 11, 0), resolution="换了LED灯")
        step(actions.do_callback, r, self.liaison, at(2026, 3, 11, 9, 0), satisfied=True, comment="很亮")
        step(actions.do_close, r, self.secretary, at(2026, 3, 11, 10, 0))
        self.assertEqual((r.status, r.closed_at), (Status.CLOSED, at(2026, 3, 11, 10, 0)))
        step(actions.do_reopen, r, self.secretary, at(2026, 3, 12, 10, 0), reason="灯又坏了")
        self.assertEqual((r.status, r.closed_at), (Status.REOPENED, None))
