from datetime import date
from decimal import Decimal

from django.urls import reverse

from laogan.lib import figures
from laogan.lib.figures import Period
from laogan.members.models import EventKind
from laogan.test import BaseTestCase, make_member
from laogan.visits.actions import GiftLine, do_record_visit, do_reverse_money_entry
from laogan.visits.models import Festival, MoneyEntry, MoneyKind, Occasion, PlannedVisit, VisitForm
from laogan.visits.planning import plan

from .builders import at, event, frozen

YEAR = Period.year(2026)


@frozen(2026, 11, 26, hour=18)
class VisitFiguresTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.zhang = make_member("张建国", date(1928, 5, 3), unit=cls.group_a1)
        cls.li = make_member("李秀英", date(1930, 11, 20), unit=cls.group_a1, sex="F")
        cls.wang = make_member("王振华", date(1931, 2, 1), unit=cls.group_a2)
        cls.chen = make_member("陈桂兰", date(1932, 3, 8), unit=cls.group_a2, sex="F")
        cls.other = make_member("周明", date(1933, 1, 1), unit=cls.group_b1)
        with frozen(2026, 1, 1):
            plan(date(2026, 1, 1), date(2026, 12, 31))
        festival = Festival.objects.get(centre=cls.centre_a, name="春节")
        chongyang = Festival.objects.get(centre=cls.centre_a, name="重阳")
        record = cls.visit([cls.zhang], at(2026, 2, 10), occasion=Occasion.FESTIVAL, festival=festival,
                           gifts=[GiftLine("大米", 1, Decimal("200.00"))], condolence_amount=Decimal("500.00"))
        cls.visit([cls.zhang, cls.wang], at(2026, 10, 16), form=VisitForm.GATHERING, occasion=Occasion.FESTIVAL,
                  festival=chongyang)
        cls.visit([cls.li], at(2026, 11, 19), occasion=Occasion.BIRTHDAY, cake_delivered=True,
                  gifts=[GiftLine("蛋糕", 1, Decimal("168.00"))])
        with frozen(2026, 6, 1):
            event(cls.li, EventKind.ADMITTED, date(2026, 6, 1))
        cls.visit([cls.li], at(2026, 6, 2), form=VisitForm.HOSPITAL, occasion=Occasion.HOSPITAL,
                  condolence_amount=Decimal("300.00"))
        with frozen(2026, 8, 1):
            event(cls.wang, EventKind.HARDSHIP_REPORTED, date(2026, 8, 1))
        cls.visit([cls.wang], at(2026, 8, 2), occasion=Occasion.HARDSHIP)
        cls.visit([cls.chen], at(2026, 8, 3), form=VisitForm.PHONE, occasion=Occasion.OTHER)
        cls.visit([cls.other], at(2026, 8, 3))
        do_reverse_money_entry(MoneyEntry.objects.get(record=record, kind=MoneyKind.GIFT), reason="合作单位赠送",
                               acting_user=cls.secretary)

    @classmethod
    def visit(cls, members, when, form=VisitForm.HOME, occasion=Occasion.OTHER, **kw):
        return do_record_visit(members, visited_at=when, form=form, occasion=occasion, acting_user=cls.secretary, **kw)[0]

    def value(self, key, unit=None):
        return figures.get(key).value(unit or self.centre_a, YEAR)

    def test_visits_are_counted_per_member_visit(self):
        self.assertEqual({k: self.value(k) for k in ("visits_home", "visits_hospital", "visits_birthday", "visits_cakes",
                                                     "visits_festival", "visits_hardship")},
                         {"visits_home": 3, "visits_hospital": 1, "visits_birthday": 1, "visits_cakes": 1,
                          "visits_festival": 3, "visits_hardship": 1})

    def test_a_group_counts_its_own_members_only(self):
        self.assertEqual(self.value("visits_festival", self.group_a1), 2)
        self.assertEqual(self.value("visits_festival", self.group_a2), 1)
        self.assertEqual(self.value("visits_home", self.centre_b), 1)

    def test_a_member_only_telephoned_was_never_visited(self):
        self.assertEqual([m.name for m in figures.get("visits_never_visited").records(self.centre_a, YEAR)], ["陈桂兰"])

    def test_overdue_counts_missed_and_late_visits_due_in_the_period(self):
        late = PlannedVisit.objects.get(member=self.chen, festival__name="重阳")
        self.visit([self.chen], at(2026, 10, 25), occasion=Occasion.FESTIVAL, festival=late.festival, planned=late)
        overdue = figures.get("visits_overdue").records(self.centre_a, YEAR)
        self.assertIn(late, overdue)
        self.assertEqual(overdue.count(), PlannedVisit.objects.filter(
            member__centre=self.centre_a, status="open", window_end__lt=date(2026, 11, 26)).count() + 1)

    def test_money_figures_include_reversals_and_keep_cents(self):
        self.assertEqual(self.value("money_condolence"), Decimal("800.00"))
        self.assertEqual(self.value("money_gifts"), Decimal("168.00"))
        self.assertEqual(self.value("money_spent"), Decimal("968.00"))

    def test_each_figure_opens_the_records_behind_it(self):
        self.login(self.secretary)
        response = self.client.get(reverse("figure_records", args=["visits_hospital"]), {"unit": "centre-a", "year": 2026})
        self.assertEqual(response.context["value"], 1)
        self.assertContains(response, "李秀英")
        self.assertContains(response, reverse("visit_record_detail", args=[response.context["page"][0].record_id]))
