"""The case engine: checklists copied with stored due dates, steps that wait for their predecessor, what completing
or skipping a step needs, steps added to a running case."""

from datetime import date
from decimal import Decimal

import time_machine
from django.core.exceptions import ValidationError

from laogan.members.actions import do_record_life_event
from laogan.members.models import EventKind

from ..actions import do_add_step, do_complete_step, do_skip_step
from ..models import Case, CaseHelp, Kind, StepStatus
from .base import CaseTestCase, at


class ChecklistTest(CaseTestCase):
    def record_death(self, day):
        do_record_life_event(self.member, kind=EventKind.DIED, date=day, acting_user=self.secretary)
        return Case.objects.get(member=self.member, case_type__code=Kind.AFTER_DEATH)

    @time_machine.travel(at(2026, 3, 2, 10), tick=False)
    def test_after_death_steps_are_due_counted_from_the_day_of_death(self):
        case = self.record_death(date(2026, 3, 1))
        due = {s.code: s.due_date for s in case.steps.all()}
        self.assertEqual(due, {
            "condolence": date(2026, 3, 2), "funeral": date(2026, 3, 4), "condolence_money": date(2026, 3, 4),
            "pension_office": date(2026, 3, 4), "memorial": date(2026, 3, 4), "benefits_apply": date(2026, 3, 16),
            "benefits_paid": None, "party_dues": date(2026, 3, 16), "party_record": date(2026, 3, 31),
            "family_followup": date(2026, 3, 31),
        })

    @time_machine.travel(at(2026, 3, 2, 10), tick=False)
    def test_a_step_waits_for_its_predecessor_and_counts_from_its_completion(self):
        case = self.record_death(date(2026, 3, 1))
        steps = self.steps(case)
        self.assertEqual(steps["benefits_paid"].status, StepStatus.WAITING)
        with self.assertRaises(ValidationError):
            do_complete_step(steps["benefits_paid"], acting_user=self.liaison, result="儿子张伟")
        with time_machine.travel(at(2026, 3, 12, 9), tick=False):
            do_complete_step(steps["benefits_apply"], acting_user=self.liaison, done_on=date(2026, 3, 10))
        paid = case.steps.get(code="benefits_paid")
        self.assertEqual(paid.status, StepStatus.OPEN)
        self.assertEqual(paid.due_date, date(2026, 4, 9))

    @time_machine.travel(at(2026, 3, 20, 9), tick=False)
    def test_a_step_cannot_be_done_before_its_predecessor_was(self):
        case = self.record_death(date(2026, 3, 1))
        do_complete_step(self.steps(case)["benefits_apply"], acting_user=self.liaison, done_on=date(2026, 3, 10))
        with self.assertRaises(ValidationError) as caught:
            do_complete_step(case.steps.get(code="benefits_paid"), acting_user=self.liaison, done_on=date(2026, 3, 9),
                             result="儿子张伟")
        self.assertIn("done_on", caught.exception.error_dict)

    @time_machine.travel(at(2026, 3, 2, 10), tick=False)
    def test_a_step_cannot_be_dated_in_the_future_or_before_the_case(self):
        case = self.record_death(date(2026, 3, 1))
        condolence = self.steps(case)["condolence"]
        for day in (date(2026, 3, 3), date(2026, 2, 28)):
            with self.subTest(day=day), self.assertRaises(ValidationError):
                do_complete_step(condolence, acting_user=self.liaison, done_on=day)

    @time_machine.travel(at(2026, 3, 2, 10), tick=False)
    def test_steps_go_to_the_owner_liaison_or_secretary_by_their_role(self):
        case = self.record_death(date(2026, 3, 1))
        steps = self.steps(case)
        self.assertEqual(case.owner, self.liaison)  # the member's liaison (一联多) owns the case
        self.assertIsNone(steps["condolence"].assignee)  # the owner's, whoever that is when it is done
        self.assertEqual(steps["party_dues"].assignee, self.secretary)
        self.assertEqual(steps["family_followup"].assignee, self.liaison)

    @time_machine.travel(at(2026, 3, 2, 10), tick=False)
    def test_condolence_money_needs_an_amount_and_a_recipient_and_is_kept_as_help_given(self):
        case = self.record_death(date(2026, 3, 1))
        money = self.steps(case)["condolence_money"]
        with self.assertRaises(ValidationError) as caught:
            do_complete_step(money, acting_user=self.liaison)
        self.assertIn("amount", caught.exception.error_dict)
        with self.assertRaises(ValidationError) as caught:
            do_complete_step(money, acting_user=self.liaison, amount=Decimal("2000"))
        self.assertIn("recipient", caught.exception.error_dict)
        do_complete_step(money, acting_user=self.liaison, amount=Decimal("2000.005"), recipient="儿子张伟")
        given = CaseHelp.objects.get(case=case)
        self.assertEqual((given.amount, given.recipient, given.given_on), (Decimal("2000.01"), "儿子张伟", date(2026, 3, 2)))
        money.refresh_from_db()
        self.assertEqual(money.result, "2000.01元，儿子张伟")

    @time_machine.travel(at(2026, 3, 2, 10), tick=False)
    def test_a_step_that_asks_for_a_result_or_satisfaction_refuses_without_it(self):
        case = self.open_case(Kind.HARDSHIP, opened_on=date(2026, 3, 1))
        do_complete_step(self.steps(case)["assess"], acting_user=self.liaison)
        plan = case.steps.get(code="plan")
        with self.assertRaises(ValidationError) as caught:
            do_complete_step(plan, acting_user=self.secretary, result="  ")
        self.assertIn("result", caught.exception.error_dict)
        do_complete_step(plan, acting_user=self.secretary, result="临时补助500元")
        deliver = case.steps.get(code="deliver")
        do_complete_step(deliver, acting_user=self.liaison)
        with self.assertRaises(ValidationError) as caught:
            do_complete_step(case.steps.get(code="confirm"), acting_user=self.liaison)
        self.assertIn("satisfaction", caught.exception.error_dict)

    @time_machine.travel(at(2026, 3, 2, 10), tick=False)
    def test_a_done_step_cannot_be_done_twice(self):
        case = self.open_case(Kind.HARDSHIP)
        assess = self.steps(case)["assess"]
        do_complete_step(assess, acting_user=self.liaison)
        with self.assertRaises(ValidationError):
            do_complete_step(assess, acting_user=self.liaison)

    @time_machine.travel(at(2026, 3, 2, 10), tick=False)
    def test_skipping_a_step_opens_the_steps_waiting_for_it_counted_from_the_skip(self):
        case = self.open_case(Kind.HARDSHIP, opened_on=date(2026, 2, 20))
        assess = self.steps(case)["assess"]
        with self.assertRaises(ValidationError):
            do_skip_step(assess, reason=" ", acting_user=self.secretary)
        do_skip_step(assess, reason="走访时已了解清楚", acting_user=self.secretary)
        plan = case.steps.get(code="plan")
        self.assertEqual((plan.status, plan.due_date), (StepStatus.OPEN, date(2026, 3, 9)))

    @time_machine.travel(at(2026, 3, 2, 10), tick=False)
    def test_a_step_can_be_added_to_a_running_case(self):
        case = self.open_case(Kind.HARDSHIP)
        step = do_add_step(case, title="联系社区申请临时救助", due_date=date(2026, 3, 9), acting_user=self.liaison,
                           assignee=self.staff2)
        self.assertEqual((step.status, step.assignee, step.required), (StepStatus.OPEN, self.staff2, True))
        self.assertGreater(step.order, max(s.order for s in case.steps.exclude(pk=step.pk)))
        with self.assertRaises(ValidationError):
            do_add_step(case, title="早于建立日期", due_date=date(2026, 3, 1), acting_user=self.liaison)
        with self.assertRaises(ValidationError):
            do_add_step(case, title="派给外中心的人", due_date=None, acting_user=self.liaison, assignee=self.outsider)

    @time_machine.travel(at(2026, 3, 2, 10), tick=False)
    def test_a_home_care_service_is_checked_periodically_until_it_ends(self):
        case = self.open_case(Kind.HOME_CARE, opened_on=date(2026, 1, 5))
        for code, day in (("refer", date(2026, 1, 6)), ("accept", date(2026, 1, 10)), ("start", date(2026, 1, 15)),
                          ("first_check", date(2026, 1, 29))):
            do_complete_step(case.steps.get(code=code, status=StepStatus.OPEN), acting_user=self.liaison, done_on=day,
                             result="服务正常")
        check = case.steps.get(code="check", status=StepStatus.OPEN)
        self.assertEqual((check.due_date, check.required), (date(2026, 2, 28), False))
        do_complete_step(check, acting_user=self.liaison, done_on=date(2026, 3, 1), result="服务正常")
        self.assertEqual(case.steps.get(code="check", status=StepStatus.OPEN).due_date, date(2026, 3, 31))
        do_complete_step(case.steps.get(code="end"), acting_user=self.liaison, satisfaction="satisfied")
        case.refresh_from_db()
        self.assertFalse(case.steps.filter(code="check", status=StepStatus.OPEN).exists())
        self.assertEqual((case.status, case.outcome, case.satisfaction), ("closed", "completed", "satisfied"))
