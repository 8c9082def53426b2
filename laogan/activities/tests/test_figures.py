"""The activities figures, each recomputed here by hand from the raw rows, and each drill-down list the same rows."""

from datetime import date

from django.urls import reverse

from laogan.lib import figures
from laogan.lib.figures import Period
from laogan.lib.worklist import panels_for

from ..actions import do_answer, do_decide, do_forward, do_record_attendance, do_record_suggestion
from ..models import Activity, Kind, KindGroup, Participation, Presence, Suggestion, SuggestionStatus
from .base import ActivityTestCase, at, frozen

YEAR = Period.year(2026)


@frozen(2026, 11, 26)
class FiguresTest(ActivityTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with frozen(2026, 11, 26):
            study = cls.make_activity(Kind.STUDY, at(2026, 4, 18))
            forum = cls.make_activity(Kind.FORUM, at(2026, 6, 28), title="七一座谈会")
            briefing = cls.make_activity(Kind.BRIEFING, at(2026, 7, 15), title="形势通报会")
            cls.make_activity(Kind.THEME, at(2026, 3, 12), title="认养树木")
            cls.make_activity(Kind.THEME, at(2026, 12, 10), title="我想对你说")  # coming: not held yet
            cancelled = cls.make_activity(Kind.STUDY, at(2026, 5, 1), title="取消的学习会")
            cancelled.cancelled = True
            cancelled.save(update_fields=["cancelled"])
            cls.make_activity(Kind.STUDY, at(2025, 10, 1), title="去年的学习会")
            b = Activity(unit=cls.centre_b, kind=Kind.STUDY, title="乙中心学习会", starts_at=at(2026, 4, 1))
            from ..actions import do_save_activity

            do_save_activity(b, acting_user=cls.outsider)
            do_record_attendance(b, {cls.zhou: Presence.ATTENDED}, acting_user=cls.outsider)
            do_record_attendance(study, {cls.zhang: Presence.ATTENDED, cls.li: Presence.ATTENDED, cls.wang: Presence.HOME},
                                 acting_user=cls.liaison)
            do_record_attendance(forum, {cls.zhang: Presence.ATTENDED}, acting_user=cls.liaison)
            do_record_attendance(briefing, {cls.zhang: Presence.ATTENDED, cls.wang: Presence.HOME}, acting_user=cls.liaison)
            for n in range(4):
                s = do_record_suggestion(centre=cls.centre_a, member=cls.zhang, text=f"建议{n}", field="建设",
                                         received_on=date(2026, 3, 1 + n), acting_user=cls.liaison)
                if n >= 1:
                    do_forward(s, to="城区住建局", on=date(2026, 3, 10), acting_user=cls.liaison)
                if n >= 2:
                    do_answer(s, reply="已答复", on=date(2026, 3, 20), acting_user=cls.liaison)
                if n >= 3:
                    do_decide(s, adopted=True, on=date(2026, 3, 25), acting_user=cls.liaison)

    def value(self, key, unit=None):
        return figures.get(key).value(unit or self.centre_a, YEAR)

    def test_activities_by_kind_group_count_held_ones_only(self):
        today = date(2026, 11, 26)
        for key, group in (("activities_six", KindGroup.SIX_TOGETHER), ("activities_in", KindGroup.INVITE_IN),
                           ("activities_out", KindGroup.GO_OUT), ("activities_active", KindGroup.ACTIVE),
                           ("activities_joint", KindGroup.JOINT)):
            by_hand = sum(1 for a in Activity.objects.filter(centre=self.centre_a)
                          if a.kind_group == group and not a.cancelled and YEAR.contains(a.date) and a.date <= today)
            with self.subTest(key=key):
                self.assertEqual(self.value(key), by_hand)
        self.assertEqual((self.value("activities_six"), self.value("activities_in"), self.value("activities_active")), (2, 1, 1))

    def test_attendance_and_home_are_person_times_of_the_units_members(self):
        rows = Participation.objects.filter(member__centre=self.centre_a, day__year=2026)
        self.assertEqual(self.value("activities_attendance"), sum(1 for p in rows if p.presence == Presence.ATTENDED))
        self.assertEqual((self.value("activities_attendance"), self.value("activities_home")), (4, 2))
        self.assertEqual(self.value("activities_attendance", self.bureau), 5)  # with centre B's member
        self.assertEqual(self.value("activities_attendance", self.group_a2), 0)

    def test_suggestions_by_outcome(self):
        rows = list(Suggestion.objects.filter(centre=self.centre_a))
        self.assertEqual(self.value("suggestions_received"), len(rows))
        self.assertEqual(self.value("suggestions_answered"),
                         sum(1 for s in rows if s.status in (SuggestionStatus.ANSWERED, SuggestionStatus.ADOPTED, SuggestionStatus.NOT_ADOPTED)))
        self.assertEqual((self.value("suggestions_received"), self.value("suggestions_answered"), self.value("suggestions_adopted")), (4, 2, 1))

    def test_each_figure_links_to_the_same_rows(self):
        self.login(self.secretary)
        for key in ("activities_six", "activities_attendance", "activities_home", "suggestions_adopted"):
            with self.subTest(key=key):
                page = self.client.get(reverse("figure_records", args=[key]) + "?unit=centre-a&year=2026")
                self.assertEqual(page.status_code, 200)
                self.assertEqual(page.context["count"], page.context["value"])

    def test_the_dashboard_lists_the_coming_activities(self):
        panel = next(p for p in panels_for(self.secretary, date(2026, 11, 30)) if p.key == "activities_upcoming")
        self.assertEqual([i.text for i in panel.items], ["我想对你说"])
        self.assertIsNone(next((p for p in panels_for(self.viewer, date(2026, 11, 30)) if p.key == "activities_upcoming"), None))
