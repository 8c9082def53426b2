"""A death opens exactly one after-death case, ends the member's other cases, and takes the member off every
forward-looking list (visits due, the liaison's caseload), while the archive and the case stay."""

from datetime import date

import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from laogan.jobs.models import Message
from laogan.liaison import roster
from laogan.liaison.models import LiaisonPolicy
from laogan.members.actions import do_record_life_event
from laogan.members.models import EventKind, LifeEvent, Member
from laogan.visits import planning
from laogan.visits.models import PlannedVisit, PlanStatus

from .. import handlers
from ..models import Case, Kind, Outcome, Status
from .base import CaseTestCase, at


@time_machine.travel(at(2026, 6, 20, 9), tick=False)
class AfterDeathTest(CaseTestCase):
    def record_death(self, day=date(2026, 6, 19)):
        with self.captureOnCommitCallbacks(execute=True):
            return do_record_life_event(self.member, kind=EventKind.DIED, date=day, acting_user=self.secretary)

    def test_recording_a_death_opens_one_after_death_case_with_the_checklist(self):
        self.record_death()
        case = Case.objects.get(member=self.member)
        self.assertEqual((case.case_type.code, case.opened_on, case.owner, case.status),
                         (Kind.AFTER_DEATH, date(2026, 6, 19), self.liaison, Status.OPEN))
        self.assertEqual(case.summary, "张建国同志于2026年6月19日去世")
        self.assertEqual(
            list(case.steps.values_list("title", flat=True)),
            ["上门慰问家属", "协助办理丧事", "送慰问金", "通知养老金发放机构停发", "发布讣告或悼念信息", "协助申请抚恤金、丧葬费",
             "抚恤金、丧葬费发放到位", "结清党费", "办理党籍和党员档案手续", "家属回访（约30天）"],
        )

    def test_the_handler_run_again_for_the_same_death_opens_nothing_more(self):
        event = self.record_death()
        handlers.open_after_death_case(event, acting_user=self.secretary)
        handlers.open_after_death_case(event, acting_user=self.liaison)
        self.assertEqual(Case.objects.filter(member=self.member).count(), 1)

    def test_the_database_refuses_a_second_after_death_case_for_one_member(self):
        self.record_death()
        case = Case.objects.get(member=self.member)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Case.objects.create(centre=case.centre, unit_path=case.unit_path, member=self.member,
                                case_type=case.case_type, summary="重复", opened_on=case.opened_on, once=True)

    def test_a_second_death_is_refused_and_opens_nothing(self):
        self.record_death()
        from django.core.exceptions import ValidationError

        with self.assertRaises(ValidationError):
            do_record_life_event(self.member, kind=EventKind.DIED, date=date(2026, 6, 20), acting_user=self.secretary)
        self.assertEqual(Case.objects.filter(member=self.member).count(), 1)

    def test_the_owner_is_told_once_with_the_first_step(self):
        self.record_death()
        message = Message.objects.get(dedupe_key__startswith="case:")
        self.assertEqual(message.recipient, self.liaison)
        self.assertIn("张建国：善后工作已建立", message.body)
        self.assertIn("上门慰问家属，请于6月20日前完成", message.body)

    def test_the_members_other_open_cases_end_with_the_death(self):
        home_care = self.open_case(Kind.HOME_CARE, opened_on=date(2026, 5, 1))
        self.record_death()
        home_care.refresh_from_db()
        self.assertEqual((home_care.status, home_care.outcome, home_care.closed_on),
                         (Status.CLOSED, Outcome.MEMBER_DIED, date(2026, 6, 19)))
        self.assertFalse(home_care.steps.filter(status__in=["open", "waiting"]).exists())

    def test_the_member_leaves_this_weeks_visits(self):
        planning.plan_member(self.member, start=date(2026, 6, 20), today=date(2026, 6, 20))
        self.assertTrue(PlannedVisit.objects.filter(member=self.member, status=PlanStatus.OPEN).exists())
        self.record_death()
        self.assertFalse(PlannedVisit.objects.filter(member=self.member, status=PlanStatus.OPEN).exists())
        self.login(self.liaison)
        self.assertNotContains(self.client.get(reverse("visit_worklist")), "张建国")

    def test_the_member_leaves_the_liaisons_caseload_but_keeps_the_archive(self):
        policy = LiaisonPolicy.for_centre(self.centre_a)

        def caseload():
            rows = roster.caseloads(self.centre_a, Member.objects.filter(centre=self.centre_a), policy, at(2026, 6, 20, 9))
            return next(r.members for r in rows if r.liaison == self.liaison)

        self.assertEqual(caseload(), 1)
        self.record_death()
        self.assertEqual(caseload(), 0)
        self.assertFalse(Member.objects.living().filter(pk=self.member.pk).exists())
        self.login(self.liaison)
        page = self.client.get(reverse("member_detail", args=[self.member.pk]))
        self.assertContains(page, "善后工作")  # the archive keeps the member, with the case
        self.assertEqual(LifeEvent.objects.filter(member=self.member).count(), 1)

    def test_the_case_page_shows_the_checklist_with_due_dates(self):
        self.record_death()
        case = Case.objects.get(member=self.member)
        self.login(self.secretary)
        page = self.client.get(reverse("case_detail", args=[case.pk]))
        self.assertContains(page, "上门慰问家属")
        self.assertContains(page, "6月20日")
        self.assertContains(page, "7月19日")  # the family visit, day 30
