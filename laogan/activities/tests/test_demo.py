"""The activities part of the demo centre: every kind group held this year with attendance and 送学上门, the
half-yearly briefing as a series, the five advisory groups with members and work, about thirty suggestions in
every state with some replies overdue — and a second run changes nothing."""

from datetime import date

import time_machine
from django.core.management import call_command
from django.test import TestCase

from laogan.accounts.models import Unit
from laogan.activities import demo
from laogan.activities.models import (
    Activity, ActivitySeries, Adviser, AdvisoryGroup, KindGroup, Participation, Presence, Suggestion, SuggestionStatus,
    WorkRecord,
)


@time_machine.travel(date(2026, 11, 26), tick=False)
class DemoTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=open("/dev/null", "w"))
        cls.centre = Unit.objects.get(code="demo-c1")

    def counts(self):
        return (Activity.objects.count(), Participation.objects.count(), Suggestion.objects.count(),
                Adviser.objects.count(), WorkRecord.objects.count(), ActivitySeries.objects.count())

    def test_every_kind_group_was_held_this_year_with_attendance(self):
        held = Activity.objects.filter(centre=self.centre, date__year=2026, date__lt=date(2026, 11, 26))
        self.assertEqual(set(held.values_list("kind_group", flat=True)), set(KindGroup.values))
        self.assertEqual(held.filter(kind_group=KindGroup.SIX_TOGETHER).count(), 8)  # 开展“六共同”活动8次
        study = held.get(title="与城区组织部共同举办学习会")
        self.assertEqual(list(study.partners.values_list("name", flat=True)), ["城区组织部"])
        self.assertGreater(study.participations.filter(presence=Presence.ATTENDED).count(), 30)
        self.assertTrue(Participation.objects.filter(presence=Presence.HOME).exists())

    def test_the_half_yearly_briefing_is_a_series(self):
        series = ActivitySeries.objects.get(centre=self.centre)
        self.assertEqual(list(series.activities.values_list("date", flat=True).order_by("date")),
                         [date(2026, 1, 15), date(2026, 7, 15), date(2027, 1, 15)])
        self.assertTrue(series.activities.get(date=date(2026, 7, 15)).participations.exists())

    def test_five_advisory_groups_and_thirty_suggestions_in_every_state(self):
        self.assertEqual(AdvisoryGroup.objects.filter(centre=self.centre).count(), 5)
        self.assertTrue(Adviser.objects.filter(group__centre=self.centre).count() >= 10)
        self.assertEqual(Suggestion.objects.filter(centre=self.centre).count(), 30)
        self.assertEqual(set(Suggestion.objects.values_list("status", flat=True)), set(SuggestionStatus.values))
        self.assertEqual(Suggestion.objects.overdue(date(2026, 11, 26)).count(), 4)

    def test_a_second_build_changes_nothing(self):
        before = self.counts()
        demo.build()
        self.assertEqual(self.counts(), before)
