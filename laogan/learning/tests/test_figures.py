"""The figures recompute from the raw rows, and each number's list is the same rows."""

from datetime import date

import time_machine
from django.db.models import Sum

from laogan.lib.figures import Period, get

from .. import actions
from ..models import BookReading, GoodDeed, MaterialHandout, Reflection
from .base import NOW, LearningTestCase


@time_machine.travel(NOW, tick=False)
class FiguresTest(LearningTestCase):
    def setUp(self):
        material = actions.do_receive_material(unit=self.centre_a, title="学习纲要", copies_received=50,
                                               received_on=date(2026, 1, 2), acting_user=self.secretary)
        actions.do_hand_out(material, [self.zhang, self.li], handed_on=date(2026, 1, 3), copies=2, acting_user=self.liaison)
        actions.do_hand_out(material, [self.wang], handed_on=date(2026, 2, 3), delivered_home=True, acting_user=self.liaison)
        for m in (self.zhang, self.li):
            self.reading(m)
            self.reading(m, title="红岩", day=date(2026, 6, 1))  # a second book: still one reader
            self.reflection(m)
        self.deed(self.zhang)
        self.deed(self.zhang, what="调解邻里纠纷")
        self.deed(self.wang)
        self.reading(self.wang, day=date(2025, 12, 31))  # last year
        self.deed(self.zhao)  # centre B

    def test_each_figure_equals_a_count_of_the_raw_rows(self):
        year = Period.year(2026)
        a = self.centre_a.path
        raw = {
            "learning_books_handed_out": MaterialHandout.objects.filter(unit_path__startswith=a, handed_on__year=2026)
            .aggregate(n=Sum("copies"))["n"],
            "learning_readers": BookReading.objects.filter(unit_path__startswith=a, read_on__year=2026).values("member").distinct().count(),
            "learning_reflections": Reflection.objects.filter(unit_path__startswith=a, written_on__year=2026).count(),
            "learning_good_deeds": GoodDeed.objects.filter(unit_path__startswith=a, done_on__year=2026).count(),
            "learning_all_three": len({r.member_id for r in BookReading.objects.filter(read_on__year=2026, unit_path__startswith=a)}
                                      & {r.member_id for r in Reflection.objects.filter(written_on__year=2026)}
                                      & {r.member_id for r in GoodDeed.objects.filter(done_on__year=2026)}),
        }
        self.assertEqual(raw, {"learning_books_handed_out": 5, "learning_readers": 2, "learning_reflections": 2,
                               "learning_good_deeds": 3, "learning_all_three": 1})
        for key, value in raw.items():
            with self.subTest(key=key):
                self.assertEqual(get(key).value(self.centre_a, year), value)
        self.assertEqual(get("learning_good_deeds").value(self.bureau, year), 4)
        self.assertEqual(get("learning_readers").value(self.centre_a, Period.year(2025)), 1)
        self.assertEqual(list(get("learning_all_three").records(self.centre_a, year)), [self.zhang])

    def test_the_drill_down_lists_the_rows_behind_the_number(self):
        self.login(self.secretary)
        response = self.client.get("/figures/learning_good_deeds/", {"unit": "centre-a", "year": 2026})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["count"], 3)
        self.assertContains(response, "调解邻里纠纷")
        books = self.client.get("/figures/learning_books_handed_out/", {"unit": "centre-a", "year": 2026})
        self.assertEqual(books.context["value"], 5)
        self.assertContains(books, "是")  # 送学上门

    def test_the_dashboard_asks_for_consent_on_this_years_reflections(self):
        from laogan.lib.worklist import panels_for

        panel = next(p for p in panels_for(self.liaison, date(2026, 11, 26)) if p.key == "learning_consent")
        self.assertEqual(panel.count, 2)
        self.assertIsNone(next((p for p in panels_for(self.outsider, date(2026, 11, 26)) if p.key == "learning_consent"), None))
