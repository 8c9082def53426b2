"""When a case closes (by itself when its required steps are settled, or by its owner or the secretary with an
outcome), and how it is reopened."""

from datetime import date

import time_machine
from django.core.exceptions import ValidationError

from laogan.members.actions import do_record_life_event
from laogan.members.models import EventKind, LifeEvent

from ..actions import do_add_step, do_close_case, do_complete_step, do_reopen_case, do_skip_step
from ..models import Case, CaseNote, Kind, NoteKind, Outcome, Status, StepStatus
from .base import CaseTestCase, at, finish


@time_machine.travel(at(2026, 4, 10, 10), tick=False)
class CloseReopenTest(CaseTestCase):
    def test_a_case_closes_by_itself_on_the_day_its_last_required_step_is_done(self):
        case = self.open_case(Kind.HARDSHIP, opened_on=date(2026, 4, 1))
        finish(case, self.liaison, day=date(2026, 4, 8), leave=["confirm"])
        optional = do_add_step(case, title="可选的联系", due_date=None, acting_user=self.liaison, required=False)
        self.assertTrue(Case.objects.get(pk=case.pk).is_open)
        do_complete_step(case.steps.get(code="confirm"), acting_user=self.liaison, done_on=date(2026, 4, 9),
                         satisfaction="satisfied")
        case.refresh_from_db()
        self.assertEqual((case.status, case.outcome, case.closed_on), (Status.CLOSED, Outcome.RESOLVED, date(2026, 4, 9)))
        optional.refresh_from_db()
        self.assertEqual(optional.status, StepStatus.CANCELLED)

    def test_a_skipped_required_step_does_not_keep_the_case_open(self):
        case = self.open_case(Kind.HOME_CARE, opened_on=date(2026, 4, 1))
        finish(case, self.liaison, leave=["end", "check"])
        do_skip_step(case.steps.get(code="end"), reason="服务长期进行，转入常规联系", acting_user=self.liaison)
        self.assertEqual(Case.objects.get(pk=case.pk).status, Status.CLOSED)

    def test_a_mediation_case_waits_for_someone_to_choose_its_outcome(self):
        case = self.open_case(Kind.MEDIATION, opened_on=date(2026, 4, 1))
        finish(case, self.liaison)
        case.refresh_from_db()
        self.assertTrue(case.is_open)
        self.assertFalse(case.steps.exclude(status=StepStatus.DONE).exists())
        do_close_case(case, outcome=Outcome.EASED, note="思想疙瘩基本解开", acting_user=self.liaison)
        case.refresh_from_db()
        self.assertEqual((case.status, case.outcome, case.outcome_note), (Status.CLOSED, Outcome.EASED, "思想疙瘩基本解开"))

    def test_only_the_owner_or_the_secretary_closes_a_case_and_open_steps_are_cancelled(self):
        case = self.open_case(Kind.HARDSHIP)
        with self.assertRaises(ValidationError):
            do_close_case(case, outcome=Outcome.WITHDRAWN, note="", acting_user=self.staff2)
        do_close_case(case, outcome=Outcome.WITHDRAWN, note="家属已自行解决", acting_user=self.secretary)
        self.assertEqual(set(case.steps.values_list("status", flat=True)), {StepStatus.CANCELLED})
        with self.assertRaises(ValidationError):
            do_complete_step(case.steps.first(), acting_user=self.liaison)

    def test_reopening_needs_a_reason_restores_the_cancelled_steps_and_records_why(self):
        case = self.open_case(Kind.HARDSHIP, opened_on=date(2026, 4, 1))
        do_complete_step(case.steps.get(code="assess"), acting_user=self.liaison)
        do_close_case(case, outcome=Outcome.UNRESOLVED, note="", acting_user=self.liaison)
        with self.assertRaises(ValidationError):
            do_reopen_case(case, reason="", acting_user=self.liaison)
        with self.assertRaises(ValidationError):
            do_reopen_case(case, reason="困难又出现", acting_user=self.staff2)
        do_reopen_case(case, reason="老伴再次住院", acting_user=self.secretary)
        case.refresh_from_db()
        self.assertEqual((case.status, case.outcome, case.closed_on), (Status.OPEN, "", None))
        statuses = dict(case.steps.values_list("code", "status"))
        self.assertEqual(statuses, {"assess": StepStatus.DONE, "plan": StepStatus.OPEN, "deliver": StepStatus.WAITING,
                                    "confirm": StepStatus.WAITING})
        note = CaseNote.objects.filter(case=case, kind=NoteKind.REOPENED).get()
        self.assertIn("老伴再次住院", note.text)
        self.assertIn("未解决", note.text)
        with self.assertRaises(ValidationError):
            do_reopen_case(case, reason="again", acting_user=self.secretary)

    def test_resolving_a_hardship_case_resolves_the_members_hardship(self):
        do_record_life_event(self.member, kind=EventKind.HARDSHIP_REPORTED, date=date(2026, 4, 2), notes="老伴住院",
                             acting_user=self.liaison)
        case = Case.objects.get(member=self.member, case_type__code=Kind.HARDSHIP)
        self.assertEqual((case.summary, case.opened_on), ("老伴住院", date(2026, 4, 2)))
        finish(case, self.secretary, day=date(2026, 4, 9))
        self.member.refresh_from_db()
        self.assertFalse(self.member.has_hardship)
        resolved = LifeEvent.objects.get(member=self.member, kind=EventKind.HARDSHIP_RESOLVED)
        self.assertEqual(resolved.date, date(2026, 4, 9))

    def test_recording_the_hardship_resolved_in_the_archive_closes_the_case(self):
        do_record_life_event(self.member, kind=EventKind.HARDSHIP_REPORTED, date=date(2026, 4, 2), acting_user=self.liaison)
        do_record_life_event(self.member, kind=EventKind.HARDSHIP_RESOLVED, date=date(2026, 4, 5), acting_user=self.liaison)
        case = Case.objects.get(member=self.member, case_type__code=Kind.HARDSHIP)
        self.assertEqual((case.status, case.outcome, case.closed_on), (Status.CLOSED, Outcome.RESOLVED, date(2026, 4, 5)))
        self.assertEqual(LifeEvent.objects.filter(member=self.member, kind=EventKind.HARDSHIP_RESOLVED).count(), 1)

    def test_a_second_hardship_report_goes_to_the_open_case(self):
        do_record_life_event(self.member, kind=EventKind.HARDSHIP_REPORTED, date=date(2026, 4, 2), acting_user=self.liaison)
        do_record_life_event(self.member, kind=EventKind.HARDSHIP_REPORTED, date=date(2026, 4, 6), notes="又摔伤",
                             acting_user=self.liaison)
        case = Case.objects.get(member=self.member, case_type__code=Kind.HARDSHIP)
        self.assertEqual(Case.objects.filter(member=self.member).count(), 1)
        self.assertTrue(any("又摔伤" in n.text for n in case.notes.all()))  # encrypted: read, not filtered
