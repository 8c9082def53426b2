from datetime import date, timedelta

import time_machine
from django.test import override_settings
from django.urls import reverse

from laogan.members.actions import do_record_life_event
from laogan.members.models import EventKind
from laogan.reports.models import Narrative
from laogan.test import BaseTestCase, make_member


@time_machine.travel(date(2026, 11, 26), tick=False)
class ReportViewsTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.zhang = make_member("张建国", date(1928, 5, 3), unit=cls.group_a1)
        cls.li = make_member("李秀英", date(1930, 11, 27), unit=cls.group_a2, sex="F")
        cls.wang = make_member("王德明", date(1931, 2, 1), unit=cls.group_b1)
        for m in (cls.zhang, cls.li, cls.wang):
            do_record_life_event(m, kind=EventKind.ADMITTED, date=date(2026, 3, 1), hospital="第一人民医院", acting_user=None)

    @override_settings(LAOGAN_DASHBOARD_CACHE_SECONDS=0)  # every view computes the figures
    def test_dashboard_query_count_does_not_grow_with_members(self):
        self.login(self.secretary)
        with self.assertNumQueries(self._dashboard_queries()):
            self.client.get(reverse("home"))
        for i in range(5):
            make_member(f"赵{i}", date(1930, 1, 1 + i), unit=self.group_a1)
        with self.assertNumQueries(self._dashboard_queries()):
            self.client.get(reverse("home"))

    def _dashboard_queries(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(reverse("home"))
        self.assertEqual(response.status_code, 200)
        return len(ctx.captured_queries)

    def test_key_figures_are_computed_once_a_minute_per_unit_and_panels_stay_live(self):
        self.login(self.secretary)
        uncached = self._dashboard_queries()
        admissions = lambda response: {r["figure"].key: r["value"] for r in response.context["key_rows"]}["hospital_admissions"]
        self.assertEqual(admissions(self.client.get(reverse("home"))), 2)
        self.login(self.liaison)  # another user of the same centre gets the same figures without computing them
        cached = self._dashboard_queries()
        self.assertLess(cached, uncached - 10)

        newcomer = make_member("赵文华", date(1932, 6, 1), unit=self.group_a1)
        do_record_life_event(newcomer, kind=EventKind.ADMITTED, date=date(2026, 11, 25), hospital="第一人民医院", acting_user=None)
        response = self.client.get(reverse("home"))
        self.assertEqual(admissions(response), 2)  # still the figure of a moment ago …
        self.assertContains(response, "As of")
        self.assertContains(response, "赵文华")  # … while the in-hospital panel shows the admission at once
        with time_machine.travel(timedelta(seconds=61), tick=False):  # a minute later
            self.assertEqual(admissions(self.client.get(reverse("home"))), 3)

    def test_dashboard_shows_birthday_tomorrow_and_key_figures(self):
        self.login(self.liaison)
        response = self.client.get(reverse("home"))
        self.assertContains(response, "李秀英")  # born 27 November: tomorrow
        self.assertContains(response, reverse("figure_records", args=["hospital_admissions"]))

    def test_drill_down_lists_the_admissions_of_the_centre_only(self):
        self.login(self.secretary)
        response = self.client.get(reverse("figure_records", args=["hospital_admissions"]),
                                   {"unit": "centre-a", "from": "2026-01-01", "to": "2026-12-31"})
        self.assertContains(response, "张建国")
        self.assertContains(response, "李秀英")
        self.assertNotContains(response, "王德明")
        self.assertEqual(response.context["value"], 2)
        self.assertEqual(len(response.context["table"]), 2)

    def test_outsider_gets_404_for_figures_of_another_centre(self):
        self.login(self.outsider)
        for name, kwargs in (("figure_records", {"key": "hospital_admissions"}), ("annual", {}), ("rollup", {})):
            with self.subTest(view=name):
                response = self.client.get(reverse(name, kwargs=kwargs), {"unit": "centre-a"})
                self.assertEqual(response.status_code, 404)

    def test_viewer_sees_rollup_numbers_but_no_names(self):
        self.login(self.viewer)
        response = self.client.get(reverse("rollup"), {"unit": "bureau"})
        self.assertEqual(response.status_code, 200)
        for name in ("张建国", "李秀英", "王德明"):
            self.assertNotContains(response, name)
        rows = {r["figure"].key: r for r in response.context["rows"]}
        self.assertEqual(rows["hospital_admissions"]["total"], 3)
        self.assertEqual(rows["hospital_admissions"]["per_centre"], [2, 1])
        self.assertNotContains(response, reverse("figure_records", args=["hospital_admissions"]))

    def test_viewer_cannot_open_records(self):
        self.login(self.viewer)
        response = self.client.get(reverse("figure_records", args=["hospital_admissions"]), {"unit": "centre-a"})
        self.assertEqual(response.status_code, 403)

    def test_viewer_home_is_the_rollup(self):
        self.login(self.viewer)
        self.assertRedirects(self.client.get(reverse("home")), reverse("rollup"))

    def test_annual_narrative_numbers_follow_the_records(self):
        self.login(self.secretary)
        response = self.client.post(reverse("annual_edit") + "?unit=centre-a&year=2026",
                                    {"title": "2026年工作总结", "body": "全年老干部住院{hospital_admissions}人次。", "version": 0})
        self.assertEqual(response.status_code, 302)
        response = self.client.get(reverse("annual"), {"unit": "centre-a", "year": 2026})
        self.assertContains(response, "全年老干部住院2人次。")
        do_record_life_event(self.zhang, kind=EventKind.DISCHARGED, date=date(2026, 3, 9), acting_user=None)
        do_record_life_event(self.zhang, kind=EventKind.ADMITTED, date=date(2026, 6, 1), hospital="第二人民医院", acting_user=None)
        response = self.client.get(reverse("annual"), {"unit": "centre-a", "year": 2026})
        self.assertContains(response, "全年老干部住院3人次。")

    def test_unknown_placeholder_is_refused_and_nothing_saved(self):
        self.login(self.secretary)
        response = self.client.post(reverse("annual_edit") + "?unit=centre-a&year=2026",
                                    {"title": "t", "body": "看望{home_vists}人次", "version": 0})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "{home_vists}")
        self.assertFalse(Narrative.objects.exists())

    def test_stale_narrative_edit_is_refused(self):
        self.login(self.secretary)
        url = reverse("annual_edit") + "?unit=centre-a&year=2026"
        self.client.post(url, {"title": "一", "body": "甲", "version": 0})
        self.client.post(url, {"title": "二", "body": "乙", "version": 1})
        response = self.client.post(url, {"title": "三", "body": "丙", "version": 1}, follow=True)
        self.assertEqual(Narrative.objects.get().body, "乙")
        self.assertEqual([m.level_tag for m in response.context["messages"]][-1], "error")

    def test_liaison_cannot_edit_the_narrative(self):
        self.login(self.liaison)
        response = self.client.get(reverse("annual_edit"), {"unit": "centre-a", "year": 2026})
        self.assertEqual(response.status_code, 403)

    def test_compare_by_quarter_and_against_siblings(self):
        self.login(self.admin)
        response = self.client.get(reverse("figure_compare", args=["hospital_admissions"]),
                                   {"unit": "centre-a", "year": 2026, "by": "quarter"})
        self.assertEqual([s["value"] for s in response.context["series"]], [2, 0, 0, 0])
        self.assertEqual([s["value"] for s in response.context["siblings"]], [2, 1])

    def test_secretary_compares_only_against_units_they_may_see(self):
        self.login(self.secretary)
        response = self.client.get(reverse("figure_compare", args=["hospital_admissions"]), {"unit": "centre-a", "year": 2026})
        self.assertEqual([s["unit"] for s in response.context["siblings"]], [self.centre_a])


@time_machine.travel(date(2026, 11, 26), tick=False)
class LiaisonShareTest(BaseTestCase):
    def test_a_liaison_sees_their_own_members_share_of_a_key_figure(self):
        mine = make_member("张建国", date(1928, 5, 3), unit=self.group_a1)
        other = make_member("李秀英", date(1930, 1, 2), unit=self.group_a2, sex="F")
        Member = type(mine)
        Member.objects.filter(pk=mine.pk).update(liaison=self.liaison)
        for m in (mine, other):
            do_record_life_event(m, kind=EventKind.ADMITTED, date=date(2026, 3, 1), hospital="第一人民医院", acting_user=None)
        self.login(self.liaison)
        rows = {r["figure"].key: r for r in self.client.get(reverse("home")).context["key_rows"]}
        self.assertEqual((rows["hospital_admissions"]["value"], rows["hospital_admissions"]["mine"]), (2, 1))
        self.assertEqual((rows["members_living"]["value"], rows["members_living"]["mine"]), (2, 1))
