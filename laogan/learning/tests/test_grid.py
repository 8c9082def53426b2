"""The yearly 三个一 grid: built from the records, in a fixed number of queries, with no score and no ranking."""

from datetime import date

import time_machine

from laogan.members.actions import do_record_life_event
from laogan.members.models import EventKind
from laogan.test import make_member

from .. import grid
from .base import NOW, LearningTestCase


@time_machine.travel(NOW, tick=False)
class GridTest(LearningTestCase):
    def test_each_member_gets_marks_for_what_they_did_in_the_year(self):
        self.reading(self.zhang)
        self.reflection(self.zhang)
        self.deed(self.zhang)
        self.reading(self.li)
        self.deed(self.wang, day=date(2025, 6, 1))  # another year
        result = grid.build(self.secretary, self.centre_a, 2026)
        marks = {r.member.name: (bool(r.readings), bool(r.reflections), bool(r.deeds)) for r in result.rows}
        self.assertEqual(marks, {"张建国": (True, True, True), "李秀英": (True, False, False), "王德明": (False, False, False)})
        self.assertEqual(result.totals, {"members": 3, "read": 2, "wrote": 1, "deed": 1, "all_three": 1})
        self.assertEqual(grid.build(self.secretary, self.centre_a, 2025).totals["deed"], 1)

    def test_a_member_who_died_before_the_year_has_no_row_one_who_died_in_it_has(self):
        gone = make_member(name="陈光荣", born=date(1925, 1, 1), unit=self.group_a2)
        do_record_life_event(gone, kind=EventKind.DIED, date=date(2026, 2, 1), acting_user=None)
        names = [r.member.name for r in grid.build(self.secretary, self.centre_a, 2026).rows]
        self.assertIn("陈光荣", names)
        self.assertNotIn("陈光荣", [r.member.name for r in grid.build(self.secretary, self.centre_a, 2027).rows])

    def test_the_page_costs_the_same_queries_for_few_and_many_records(self):
        self.login(self.secretary)
        self.reading(self.zhang)
        # session, user, user's unit, unit, members, three kinds of record, worker heartbeat, unit list
        with self.assertNumQueries(10):
            first = self.client.get("/learning/", {"unit": "centre-a", "year": 2026})
        for i in range(6):
            m = make_member(name=f"新成员{i}", born=date(1930, 1, 1 + i), unit=self.group_a2)
            self.reading(m)
            self.reflection(m)
            self.deed(m)
        with self.assertNumQueries(10):
            second = self.client.get("/learning/", {"unit": "centre-a", "year": 2026})
        self.assertEqual(first.status_code, 200)
        self.assertContains(second, "新成员5")

    def test_the_page_shows_marks_links_and_counts(self):
        self.login(self.liaison)
        r = self.reading(self.zhang)
        f = self.reflection(self.zhang)
        response = self.client.get("/learning/", {"unit": "group-a1", "year": 2026})
        self.assertContains(response, f"/learning/members/{self.zhang.pk}/?year=2026#bookreading-{r.pk}")
        self.assertContains(response, f"/learning/reflections/{f.pk}/")
        self.assertContains(response, f"/learning/members/{self.li.pk}/reflection/")  # a dash that records one
        self.assertNotContains(response, "王德明")  # group A2
        totals = response.context["totals"]
        self.assertEqual((totals["members"], totals["read"], totals["wrote"], totals["all_three"]), (2, 1, 1, 0))

    def test_there_is_no_score_no_ranking_and_no_sort_by_achievement(self):
        self.login(self.secretary)
        for m in (self.wang, self.li):
            self.reading(m)
            self.reflection(m)
            self.deed(m)
        plain = self.client.get("/learning/", {"unit": "centre-a", "year": 2026})
        asked = self.client.get("/learning/", {"unit": "centre-a", "year": 2026, "sort": "score", "order": "-done"})
        order = [r.member.name for r in plain.context["grid"].rows]
        # Party group, then name: A1 (李, 张) before A2 (王), however much each did.
        self.assertEqual(order, ["李秀英", "张建国", "王德明"])
        self.assertEqual([r.member.name for r in asked.context["grid"].rows], order)
        text = plain.content.decode().lower()
        for word in ("score", "rank", "points", "leaderboard", "排名", "积分", "得分", "排行"):
            self.assertNotIn(word, text)
        self.assertFalse(hasattr(plain.context["grid"].rows[0], "score"))
