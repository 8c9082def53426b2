"""The worker's deadline sweep: one message at risk (to the assignee), one when overdue (to the secretaries), never
two, however many workers run."""

import threading
import time
from datetime import date

from django.db import OperationalError, connection

from laogan.accounts.models import Role, UnitKind
from laogan.jobs.models import Message
from laogan.jobs.runner import run_due_jobs
from laogan.services import actions, escalation
from laogan.services.defaults import ensure_shipped
from laogan.services.models import EventKind, ServiceRequest
from laogan.test import BaseTestCase, ReferenceRowsTestCase, make_member, make_unit, make_user

from .helpers import at, make_request, step

OPENED = at(2026, 3, 10, 8, 0)  # an electricity fault: resolve by 11 March 08:00, at risk from 03:12


class EscalationTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.member = make_member(name="张建国", born=date(1928, 5, 3), unit=cls.group_a1)
        cls.deputy = make_user("deputy", cls.centre_a, Role.SECRETARY)

    def setUp(self):
        self.request = make_request(self.member, self.liaison, "electricity", opened=OPENED, handle_now=True)

    def messages(self):
        return list(Message.objects.order_by("id").values_list("recipient__username", "subject"))

    def test_nothing_is_sent_while_on_track(self):
        self.assertEqual(escalation.check_deadlines(at(2026, 3, 11, 3, 0)), (0, 0))
        self.assertEqual(self.messages(), [])

    def test_at_risk_tells_the_assignee_once(self):
        self.assertEqual(escalation.check_deadlines(at(2026, 3, 11, 3, 12)), (1, 0))
        self.assertEqual(escalation.check_deadlines(at(2026, 3, 11, 3, 30)), (0, 0))
        self.assertEqual(self.messages(), [("liaison", "服务事项临近时限")])
        message = Message.objects.get()
        self.assertEqual(message.dedupe_key, f"request:{self.request.pk}:at_risk:20260311T080000:{self.liaison.pk}")
        self.assertIn("张建国", message.body)
        self.assertIn("应于3月11日08:00前办结", message.body)

    def test_overdue_tells_every_secretary_of_the_centre_once_and_marks_the_miss(self):
        escalation.check_deadlines(at(2026, 3, 11, 3, 12))
        self.assertEqual(escalation.check_deadlines(at(2026, 3, 11, 8, 0)), (0, 1))
        self.assertEqual(escalation.check_deadlines(at(2026, 3, 11, 9, 0)), (0, 0))
        self.assertEqual(self.messages(), [("liaison", "服务事项临近时限"), ("secretary", "服务事项已超时"),
                                           ("deputy", "服务事项已超时")])
        self.request.refresh_from_db()
        self.assertTrue(self.request.missed_resolution)
        self.assertEqual(self.request.events.filter(kind__in=[EventKind.AT_RISK, EventKind.BREACHED]).count(), 2)

    def test_a_worker_that_was_down_sends_only_the_overdue_message(self):
        escalation.check_deadlines(at(2026, 3, 12))
        self.assertEqual([s for _, s in self.messages()], ["服务事项已超时", "服务事项已超时"])

    def test_two_workers_that_both_saw_the_request_notify_once(self):
        now = at(2026, 3, 11, 8, 30)
        seen_by_first, seen_by_second = escalation.overdue_candidates(now), escalation.overdue_candidates(now)
        self.assertEqual(seen_by_first, seen_by_second)
        first = [escalation.flag_overdue(pk, due, now) for pk, due in seen_by_first]
        second = [escalation.flag_overdue(pk, due, now) for pk, due in seen_by_second]
        self.assertEqual((first, second), ([True], [False]))
        self.assertEqual(Message.objects.count(), 2)  # one per secretary

    def test_the_job_runs_from_the_worker_schedule(self):
        run_due_jobs(now=at(2026, 3, 11, 3, 20))
        self.assertEqual(self.messages(), [("liaison", "服务事项临近时限")])

    def test_a_paused_request_is_not_flagged(self):
        step(actions.do_wait, self.request, self.liaison, at(2026, 3, 10, 9, 0), reason="老人外出")
        self.assertEqual(escalation.check_deadlines(at(2026, 3, 20)), (0, 0))

    def test_a_request_paused_after_its_risk_point_is_not_flagged_while_paused(self):
        step(actions.do_wait, self.request, self.liaison, at(2026, 3, 11, 4, 0), reason="老人外出")
        self.assertEqual((self.request.due_at, self.request.risk_at), (None, None))
        self.assertEqual(escalation.check_deadlines(at(2026, 3, 12)), (0, 0))

    def test_a_moved_deadline_gets_its_own_messages(self):
        escalation.check_deadlines(at(2026, 3, 11, 3, 12))
        step(actions.do_wait, self.request, self.liaison, at(2026, 3, 11, 3, 30), reason="老人外出")
        step(actions.do_resume, self.request, self.liaison, at(2026, 3, 11, 5, 30))
        self.request.refresh_from_db()
        self.assertEqual((self.request.due_at, self.request.at_risk_notified_at), (at(2026, 3, 11, 10, 0), None))
        escalation.check_deadlines(at(2026, 3, 11, 5, 31))
        self.assertEqual(Message.objects.filter(subject="服务事项临近时限").count(), 2)

    def test_an_unassigned_request_at_risk_goes_to_the_secretaries(self):
        lone = make_request(self.member, self.liaison, "bulb", opened=OPENED)
        self.assertIsNone(lone.assignee)
        escalation.check_deadlines(at(2026, 3, 10, 9, 40))  # response at risk after 96 of 120 minutes
        self.assertEqual(sorted(u for u, _ in self.messages()), ["deputy", "secretary"])

    def test_the_response_deadline_is_escalated_before_anyone_responds(self):
        lone = make_request(self.member, self.liaison, "bulb", opened=OPENED, assignee=self.liaison)
        escalation.check_deadlines(at(2026, 3, 10, 10, 0))
        lone.refresh_from_db()
        self.assertTrue(lone.missed_response)
        self.assertFalse(lone.missed_resolution)


class TwoWorkersTest(ReferenceRowsTestCase):
    """Two workers on their own database connections, both past the selection before either claims a row."""

    def setUp(self):
        ensure_shipped()  # a transactional test before this one may have flushed the data migration's rows
        bureau = make_unit("bureau", UnitKind.BUREAU)
        centre = make_unit("centre-a", UnitKind.CENTRE, bureau)
        group = make_unit("group-a1", UnitKind.GROUP, make_unit("branch-a", UnitKind.BRANCH, centre))
        liaison = make_user("liaison", centre)
        make_user("secretary", centre, Role.SECRETARY)
        member = make_member(name="张建国", unit=group)
        for _ in range(5):
            make_request(member, liaison, "electricity", opened=OPENED, handle_now=True)

    def test_two_workers_never_double_notify(self):
        for now in (at(2026, 3, 11, 3, 30), at(2026, 3, 11, 8, 30)):
            claims = self.race(now)
            self.assertEqual(sorted(claims), [False] * 5 + [True] * 5)
        self.assertEqual(Message.objects.filter(subject="服务事项临近时限").count(), 5)
        self.assertEqual(Message.objects.filter(subject="服务事项已超时").count(), 5)
        self.assertEqual(ServiceRequest.objects.filter(missed_resolution=True).count(), 5)

    def race(self, now):
        """Run two workers in threads; each selects, waits for the other to select, then claims; return the claims."""
        barrier = threading.Barrier(2)
        claims, errors = [], []

        def worker():
            try:
                rows = [(escalation.flag_at_risk, pk, due) for pk, due in escalation.at_risk_candidates(now)]
                rows += [(escalation.flag_overdue, pk, due) for pk, due in escalation.overdue_candidates(now)]
                barrier.wait(timeout=10)
                for flag, pk, due in rows:
                    claims.append(_retrying(flag, pk, due, now))
            except Exception as e:  # reported by the assertion below
                errors.append(e)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        self.assertEqual(errors, [])
        return claims


def _retrying(flag, pk, due, now):
    # SQLite lets one writer in at a time and may refuse the other instead of making it wait; the worker would
    # simply try again on its next pass. PostgreSQL makes the second UPDATE wait for the first and then match 0 rows.
    for _ in range(100):
        try:
            return flag(pk, due, now)
        except OperationalError:
            time.sleep(0.02)
    raise AssertionError("the database stayed locked")
