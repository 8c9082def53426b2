from datetime import date

from django.urls import reverse

from laogan.lib import figures
from laogan.lib.figures import Period
from laogan.services import actions
from laogan.test import BaseTestCase, make_member

from .helpers import at, make_request, step

MARCH = Period.month(2026, 3)


class ServiceFiguresTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.zhang = make_member(name="张建国", born=date(1928, 5, 3), unit=cls.group_a1)
        cls.other = make_member(name="陈乙", unit=cls.group_b1)
        # A night-time leak fixed in time: responded after 10 min, resolved after 2 h 15 min.
        cls.leak = make_request(cls.zhang, cls.liaison, "water", opened=at(2026, 3, 10, 22, 30))
        step(actions.do_start, cls.leak, cls.liaison, at(2026, 3, 10, 22, 40))
        step(actions.do_resolve, cls.leak, cls.liaison, at(2026, 3, 11, 0, 45), resolution="换角阀")
        step(actions.do_callback, cls.leak, cls.liaison, at(2026, 3, 11, 10, 0), satisfied=True, comment="满意")
        # A bulb changed late: responded after 30 min, resolved after 80 h.
        cls.bulb = make_request(cls.zhang, cls.liaison, "bulb", opened=at(2026, 3, 12, 9, 0))
        step(actions.do_start, cls.bulb, cls.liaison, at(2026, 3, 12, 9, 30))
        step(actions.do_resolve, cls.bulb, cls.liaison, at(2026, 3, 15, 17, 0), resolution="换灯", delay_reason="灯具缺货")
        # Still open; responded after 50 min.
        cls.medicine = make_request(cls.zhang, cls.liaison, "medicine", opened=at(2026, 3, 31, 23, 50))
        step(actions.do_start, cls.medicine, cls.liaison, at(2026, 4, 1, 0, 40))
        # Reported just after midnight on 1 April: an April request.
        make_request(cls.zhang, cls.liaison, "card", opened=at(2026, 4, 1, 0, 10))
        make_request(cls.other, cls.outsider, "water", opened=at(2026, 3, 10, 9, 0))

    def value(self, key, unit=None, period=MARCH):
        return figures.get(key).value(unit or self.centre_a, period)

    def test_requests_are_counted_by_the_local_day_they_were_reported(self):
        self.assertEqual(self.value("requests"), 3)
        self.assertEqual(self.value("requests", period=Period.month(2026, 4)), 1)
        self.assertEqual(self.value("requests", self.bureau), 4)

    def test_requests_by_category(self):
        self.assertEqual([self.value(f"requests_{c}") for c in ("water", "bulb", "medicine", "card")], [1, 1, 1, 0])

    def test_share_resolved_within_the_deadline_lists_the_resolved_rows(self):
        self.assertEqual(self.value("requests_on_time_share"), 50.0)
        self.assertEqual(figures.get("requests_on_time_share").records(self.centre_a, MARCH).count(), 2)

    def test_median_times_to_respond_and_resolve(self):
        self.assertEqual(self.value("requests_median_response"), 30.0)  # 10, 30 and 50 minutes
        self.assertEqual(self.value("requests_median_resolution"), 41.1)  # 2.25 h and 80 h

    def test_median_times_keep_the_seconds(self):
        # 12 min 3 s is 12.05 minutes, shown as 12.1: the database's subtraction must not drift below it.
        quick = make_request(self.zhang, self.liaison, "water", opened=at(2026, 5, 6, 8, 0))
        step(actions.do_start, quick, self.liaison, at(2026, 5, 6, 8, 12, 3))
        may = Period.month(2026, 5)
        self.assertEqual(self.value("requests_median_response", period=may), 12.1)
        value, months = figures.get("requests_median_response").value_and_monthly(self.centre_a, may)
        self.assertEqual((value, months), (12.1, {date(2026, 5, 1): 12.1}))

    def test_missed_deadlines_with_their_reasons(self):
        self.assertEqual(self.value("requests_missed"), 1)
        rows = figures.get("requests_missed").records(self.centre_a, MARCH)
        self.assertEqual([figures.resolve("delay_reason", r) for r in rows], ["灯具缺货"])
        self.assertEqual(self.value("requests_satisfied"), 1)

    def test_an_empty_period_gives_zero_not_nothing(self):
        empty = Period.month(2025, 1)
        for key in ("requests_on_time_share", "requests_median_response", "requests_median_resolution"):
            self.assertEqual(self.value(key, period=empty), 0.0)

    def test_each_figure_links_to_its_requests(self):
        self.login(self.secretary)
        response = self.client.get(reverse("figure_records", args=["requests_missed"]),
                                   {"unit": "centre-a", "from": "2026-03-01", "to": "2026-03-31"})
        self.assertContains(response, reverse("request_detail", args=[self.bulb.pk]))
        self.assertContains(response, "灯具缺货")
