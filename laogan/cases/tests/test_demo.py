"""The demo centre's case work: built from the deaths, the hardship and the members already there; a second run
changes nothing."""

from datetime import date

import time_machine
from django.core.management import call_command
from django.test import TestCase

from laogan.accounts.models import AuditEntry, User
from laogan.members.models import Member

from ..models import Case, CaseNote, CaseStep, Kind, NoteKind, PartyRole, Status, Survivor
from .base import at


def counts():
    return [m.objects.count() for m in (Case, CaseStep, CaseNote, Survivor, AuditEntry)]


@time_machine.travel(at(2026, 11, 26, 9), tick=False)
class DemoTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=open("/dev/null", "w"))

    def test_every_deceased_member_has_one_after_death_case_most_of_it_done(self):
        deceased = Member.objects.filter(centre__code="demo-c1", died_on__isnull=False)
        cases = Case.objects.filter(case_type__code=Kind.AFTER_DEATH)
        self.assertEqual(sorted(cases.values_list("member_id", flat=True)), sorted(deceased.values_list("pk", flat=True)))
        self.assertGreaterEqual(cases.filter(status=Status.CLOSED).count(), 2)
        running = cases.get(status=Status.OPEN)
        self.assertTrue(running.steps.filter(status="open", due_date__lt=date(2026, 11, 26)).exists())
        self.assertGreater(running.steps.filter(status="done").count(), running.steps.filter(status="open").count())
        self.assertEqual(Survivor.objects.count(), 1)

    def test_the_hardship_the_home_care_referral_and_the_mediation_are_there(self):
        hardship = Case.objects.get(case_type__code=Kind.HARDSHIP)
        self.assertTrue(hardship.member.has_hardship)
        self.assertTrue(hardship.help.exists())
        home_care = Case.objects.get(case_type__code=Kind.HOME_CARE)
        self.assertEqual(home_care.referral.service, "housekeeping")
        self.assertTrue(home_care.steps.filter(code="check", status="open").exists())
        mediation = Case.objects.get(case_type__code=Kind.MEDIATION)
        self.assertTrue(mediation.confidential)
        self.assertTrue(mediation.parties.filter(role=PartyRole.MEDIATOR, member__isnull=False).exists())
        self.assertEqual(mediation.notes.filter(kind=NoteKind.CONVERSATION).count(), 2)

    def test_only_the_owner_and_the_secretary_see_the_mediation(self):
        mediation = Case.objects.get(case_type__code=Kind.MEDIATION)
        seeing = {u.username for u in User.objects.filter(unit__code="demo-c1")
                  if Case.objects.visible_to(u).filter(pk=mediation.pk).exists()}
        self.assertEqual(seeing, {"secretary", mediation.owner.username})

    def test_a_second_run_changes_nothing(self):
        before = counts()
        call_command("seed_demo", stdout=open("/dev/null", "w"))
        self.assertEqual(counts(), before)
