"""The case-work figures (counted from the records behind them, never a confidential case), the dashboard panels of
case steps and survivors, and the worker's overdue-step messages."""

from datetime import date
from decimal import Decimal

import time_machine
from django.urls import reverse

from laogan.jobs.models import Message
from laogan.lib import figures
from laogan.lib.figures import Period
from laogan.lib.worklist import panels_for
from laogan.members.actions import do_record_life_event
from laogan.members.models import EventKind

from ..actions import do_add_help, do_add_survivor, do_close_case, do_complete_step, do_record_survivor_visit
from ..jobs import notify_overdue_steps
from ..models import Case, Kind, Outcome, StepStatus
from .base import CaseTestCase, at, finish


def value(key, unit, period=Period.year(2026)):
    return figures.get(key).value(unit, period)


@time_machine.travel(at(2026, 5, 20, 9), tick=False)
class FiguresTest(CaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with time_machine.travel(at(2026, 4, 30, 9), tick=False):
            do_record_life_event(cls.other, kind=EventKind.DIED, date=date(2026, 3, 1), acting_user=cls.secretary)
            cls.after_death = Case.objects.get(member=cls.other)
            finish(cls.after_death, cls.secretary)  # each step on the day it is recorded: 30 April
            cls.resolved = cls.open_case(Kind.HARDSHIP, opened_on=date(2026, 4, 1))
            finish(cls.resolved, cls.liaison, day=date(2026, 4, 11))
            do_add_help(cls.resolved, kind="money", given_on=date(2026, 4, 5), amount=Decimal("500"), acting_user=cls.liaison)
            cls.running = cls.open_case(Kind.HARDSHIP, opened_on=date(2026, 4, 20))  # assess due 27 April
            cls.secret = cls.open_case(Kind.MEDIATION, opened_on=date(2026, 4, 2))
            do_add_help(cls.secret, kind="money", given_on=date(2026, 4, 5), amount=Decimal("100"), acting_user=cls.liaison)
            do_close_case(cls.secret, outcome=Outcome.RESOLVED, note="", acting_user=cls.liaison)
            cls.elsewhere = cls.open_case(Kind.HARDSHIP, member=cls.member_b, by=cls.outsider)

    def test_cases_are_counted_by_kind_when_opened_and_closed(self):
        self.assertEqual(value("cases_after_death", self.centre_a), 1)
        self.assertEqual(value("cases_after_death_closed", self.centre_a), 1)
        self.assertEqual(value("cases_hardship", self.centre_a), 2)
        self.assertEqual(value("cases_hardship_closed", self.centre_a), 1)
        self.assertEqual(value("cases_opened", self.centre_a), 3)  # the confidential mediation is not counted
        self.assertEqual(value("cases_closed", self.centre_a), 2)
        self.assertEqual(value("cases_after_death", self.centre_a, Period.year(2025)), 0)

    def test_other_centres_are_counted_only_above_them(self):
        self.assertEqual(value("cases_hardship", self.centre_b), 1)
        self.assertEqual(value("cases_hardship", self.bureau), 3)

    def test_median_days_to_close_is_over_closed_cases(self):
        # after-death: 1 March → 30 April (60 days); hardship: 1 → 11 April (10 days)
        self.assertEqual(value("cases_days_to_close", self.centre_a), 35)
        self.assertEqual(value("cases_days_to_close", self.centre_a, Period.year(2025)), 0)

    def test_overdue_steps_count_those_still_to_do_and_those_done_late(self):
        # after-death steps done on 30 April: all nine dated before it were late (the benefits payment counts from
        # its application, so it was not); the running hardship's
        # assessment (due 27 April) is still to do; the mediation's are confidential.
        late = list(figures.get("case_steps_overdue").records(self.centre_a, Period.year(2026)).values_list("case_id", "code"))
        self.assertIn((self.running.pk, "assess"), late)
        self.assertEqual(sum(1 for case_id, _ in late if case_id == self.after_death.pk), 9)
        self.assertFalse(any(case_id == self.secret.pk for case_id, _ in late))

    def test_money_given_in_cases_is_summed_in_yuan(self):
        # 500 of hardship help and the after-death condolence money (1 yuan, as finish() gives it)
        self.assertEqual(value("case_help_money", self.centre_a), Decimal("501.00"))

    def test_each_number_opens_its_cases(self):
        self.login(self.secretary)
        page = self.client.get(reverse("figure_records", args=["cases_hardship"]) + "?from=2026-01-01&to=2026-12-31")
        self.assertContains(page, self.resolved.get_absolute_url())
        self.assertContains(page, self.running.get_absolute_url())
        self.assertNotContains(page, self.secret.get_absolute_url())

    def test_the_case_figures_page_links_each_count_to_its_cases(self):
        self.login(self.secretary)
        page = self.client.get(reverse("case_figures") + "?year=2026")
        hardship = next(r for r in page.context["rows"] if r.case_type.code == Kind.HARDSHIP)
        self.assertEqual((hardship.opened, hardship.closed, hardship.open_now, hardship.median_days), (2, 1, 1, 10))
        listed = self.client.get(reverse("case_list") + "?kind=hardship&state=closed&year=2026&by=closed")
        self.assertEqual(list(listed.context["page"].object_list), [self.resolved])


@time_machine.travel(at(2026, 6, 20, 9), tick=False)
class PanelTest(CaseTestCase):
    def panel(self, user, key="case_steps", today=date(2026, 6, 20)):
        return next((p for p in panels_for(user, today) if p.key == key), None)

    def test_staff_see_their_own_steps_due_this_week_and_the_secretary_every_overdue_one(self):
        mine = self.open_case(Kind.HARDSHIP, opened_on=date(2026, 6, 18))  # the liaison's; assess due 25 June
        theirs = self.open_case(Kind.HOME_CARE, by=self.secretary, owner=self.staff2, opened_on=date(2026, 6, 1))
        liaison = self.panel(self.liaison)
        self.assertEqual([i.url for i in liaison.items], [mine.steps.get(code="assess").get_absolute_url()])
        self.assertFalse(liaison.items[0].urgent)
        secretary = self.panel(self.secretary)
        self.assertEqual([i.url for i in secretary.items], [theirs.steps.get(code="refer").get_absolute_url()])
        self.assertTrue(secretary.items[0].urgent)
        self.assertIsNone(self.panel(self.group_leader))

    def test_survivors_are_listed_in_the_weeks_before_a_festival_until_visited(self):
        do_record_life_event(self.other, kind=EventKind.DIED, date=date(2026, 6, 1), acting_user=self.secretary)
        self.other.refresh_from_db()
        survivor = do_add_survivor(self.other, name="王振华", relationship="配偶", phone="13977100002",
                                   acting_user=self.liaison)
        panel = self.panel(self.liaison, "survivors")
        self.assertIn("七一", str(panel.title))
        self.assertEqual([i.text for i in panel.items], ["王振华（李秀英之配偶）"])
        self.assertIsNone(self.panel(self.liaison, "survivors", today=date(2026, 5, 20)))  # five weeks before
        do_record_survivor_visit(survivor, visited_on=date(2026, 6, 19), acting_user=self.liaison)
        self.assertIsNone(self.panel(self.liaison, "survivors"))


@time_machine.travel(at(2026, 6, 20, 9), tick=False)
class OverdueMessageTest(CaseTestCase):
    def test_each_overdue_step_is_told_once_to_whoever_must_do_it(self):
        case = self.open_case(Kind.HARDSHIP, opened_on=date(2026, 6, 1))  # assess due 8 June, the owner's
        self.assertEqual(notify_overdue_steps(at(2026, 6, 20, 9)), 1)
        self.assertEqual(notify_overdue_steps(at(2026, 6, 20, 10)), 0)
        message = Message.objects.get(dedupe_key__startswith="case-step:")
        self.assertEqual(message.recipient, self.liaison)
        self.assertEqual(message.body, "张建国（家庭困难帮扶）：“评估困难和需求”应于6月8日前完成，已逾期。")
        do_complete_step(case.steps.get(code="assess"), acting_user=self.liaison)
        plan = case.steps.get(code="plan")  # the secretary's, due 27 June
        self.assertEqual(plan.status, StepStatus.OPEN)
        self.assertEqual(notify_overdue_steps(at(2026, 6, 28, 9)), 1)
        self.assertEqual(Message.objects.filter(dedupe_key__startswith="case-step:").order_by("id").last().recipient, self.secretary)
