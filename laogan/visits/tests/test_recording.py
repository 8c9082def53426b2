from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.test import override_settings

from laogan.accounts.models import AuditEntry
from laogan.members.models import EventKind
from laogan.test import BaseTestCase, make_member
from laogan.visits.actions import GiftLine, do_record_visit
from laogan.visits.models import (
    CancelCause, Festival, MoneyEntry, MoneyKind, Occasion, PlannedVisit, PlanStatus, VisitAttendance, VisitForm,
    VisitRecord,
)
from laogan.visits.planning import plan

from .builders import at, event, frozen


@override_settings(LANGUAGE_CODE="en")
@frozen(2026, 10, 15, hour=18)
class RecordingTest(BaseTestCase):
    def setUp(self):
        self.zhang = make_member("张建国", date(1928, 5, 3), unit=self.group_a1)
        self.li = make_member("李秀英", date(1930, 11, 27), unit=self.group_a1, sex="F")
        self.wang = make_member("王振华", date(1931, 2, 1), unit=self.group_a2)
        plan(date(2026, 1, 1), date(2026, 12, 31), org=self.centre_a)
        self.chongyang = Festival.objects.get(centre=self.centre_a, name="重阳")  # 18 October 2026, gatherings count
        self.zhongqiu = Festival.objects.get(centre=self.centre_a, name="中秋")  # 25 September 2026, they do not

    def planned(self, member, festival):
        return PlannedVisit.objects.get(member=member, festival=festival)

    def record(self, members, when, **kw):
        kw.setdefault("form", VisitForm.HOME)
        return do_record_visit(members, visited_at=when, acting_user=self.liaison, **kw)

    def test_a_home_visit_fulfils_the_members_festival_visit(self):
        record, fulfilled = self.record([self.zhang], at(2026, 10, 15, 9), occasion=Occasion.FESTIVAL,
                                        festival=self.chongyang, visitors=[self.liaison])
        visit = self.planned(self.zhang, self.chongyang)
        self.assertEqual(fulfilled, [visit])
        self.assertEqual((visit.status, visit.done_on), (PlanStatus.DONE, date(2026, 10, 15)))
        self.assertEqual(visit.attendance.record, record)
        self.assertEqual(self.planned(self.li, self.chongyang).status, PlanStatus.OPEN)
        self.zhang.refresh_from_db()
        self.assertEqual(self.zhang.last_contact_at, at(2026, 10, 15, 9))
        self.assertTrue(AuditEntry.objects.filter(object_type="visits.visitrecord", object_id=str(record.pk), actor=self.liaison).exists())

    def test_one_gathering_fulfils_the_festival_visit_of_everyone_who_came(self):
        record, fulfilled = self.record([self.zhang, self.li, self.wang], at(2026, 10, 14, 9), form=VisitForm.GATHERING,
                                        occasion=Occasion.FESTIVAL, festival=self.chongyang, title="重阳节敬老茶话会")
        self.assertEqual(len(fulfilled), 3)
        self.assertEqual(VisitRecord.objects.count(), 1)
        self.assertEqual(record.attendances.count(), 3)
        self.assertEqual(record.unit_path, self.branch_a.path)
        self.assertEqual(set(PlannedVisit.objects.filter(festival=self.chongyang).values_list("status", flat=True)), {PlanStatus.DONE})

    def test_a_gathering_does_not_count_for_a_festival_that_wants_home_visits(self):
        _record, fulfilled = self.record([self.zhang, self.li], at(2026, 9, 20), form=VisitForm.GATHERING,
                                         occasion=Occasion.FESTIVAL, festival=self.zhongqiu)
        self.assertEqual(fulfilled, [])
        self.assertEqual(self.planned(self.zhang, self.zhongqiu).status, PlanStatus.OPEN)

    def test_an_unplanned_visit_is_recorded_just_the_same(self):
        record, fulfilled = self.record([self.wang], at(2026, 10, 15, 9), occasion=Occasion.OTHER, notes="日常看望")
        self.assertEqual(fulfilled, [])
        self.assertEqual(VisitAttendance.objects.get(record=record).member, self.wang)

    def test_a_visit_outside_the_window_fulfils_nothing_unless_the_planned_visit_is_chosen(self):
        visit = self.planned(self.zhang, self.zhongqiu)
        _r, fulfilled = self.record([self.zhang], at(2026, 10, 1), occasion=Occasion.FESTIVAL, festival=self.zhongqiu)
        self.assertEqual(fulfilled, [])
        _r, fulfilled = self.record([self.zhang], at(2026, 10, 2), occasion=Occasion.FESTIVAL, festival=self.zhongqiu,
                                    planned=visit)
        visit.refresh_from_db()
        self.assertEqual((fulfilled, visit.done_on), ([visit], date(2026, 10, 2)))

    def test_a_phone_call_cannot_stand_for_a_hospital_visit(self):
        event(self.zhang, EventKind.ADMITTED, date(2026, 10, 14))
        hospital = PlannedVisit.objects.get(member=self.zhang, kind=Occasion.HOSPITAL, due_date=date(2026, 10, 16))
        _r, fulfilled = self.record([self.zhang], at(2026, 10, 15, 9), form=VisitForm.PHONE, occasion=Occasion.HOSPITAL)
        self.assertEqual(fulfilled, [])
        with self.assertRaisesMessage(ValidationError, "cannot stand for"):
            self.record([self.zhang], at(2026, 10, 15, 10), form=VisitForm.PHONE, occasion=Occasion.HOSPITAL, planned=hospital)
        _r, fulfilled = self.record([self.zhang], at(2026, 10, 15, 11), form=VisitForm.HOSPITAL, occasion=Occasion.HOSPITAL)
        self.assertEqual(fulfilled, [hospital])

    def test_a_planned_visit_is_fulfilled_once(self):
        visit = self.planned(self.zhang, self.chongyang)
        self.record([self.zhang], at(2026, 10, 15, 9), occasion=Occasion.FESTIVAL, festival=self.chongyang)
        _r, fulfilled = self.record([self.zhang], at(2026, 10, 15, 10), occasion=Occasion.FESTIVAL, festival=self.chongyang)
        self.assertEqual(fulfilled, [])
        with self.assertRaisesMessage(ValidationError, "already done"):
            self.record([self.zhang], at(2026, 10, 15, 11), occasion=Occasion.FESTIVAL, festival=self.chongyang, planned=visit)

    def test_several_members_can_only_be_recorded_as_a_gathering(self):
        with self.assertRaisesMessage(ValidationError, "Only a gathering"):
            self.record([self.zhang, self.li], at(2026, 10, 15, 9))
        self.assertFalse(VisitRecord.objects.exists())

    def test_a_visit_cannot_be_in_the_future(self):
        with self.assertRaisesMessage(ValidationError, "future"):
            self.record([self.zhang], at(2026, 10, 16, 9))

    def test_a_visit_after_the_death_is_refused_and_one_before_it_still_fulfils(self):
        visit = self.planned(self.li, self.chongyang)
        event(self.li, EventKind.DIED, date(2026, 10, 12))
        visit.refresh_from_db()
        self.assertEqual(visit.cancelled_because, CancelCause.DECEASED)
        with self.assertRaisesMessage(ValidationError, "died on 2026-10-12"):
            self.record([self.li], at(2026, 10, 13), occasion=Occasion.FESTIVAL, festival=self.chongyang)
        _r, fulfilled = self.record([self.li], at(2026, 10, 11), occasion=Occasion.FESTIVAL, festival=self.chongyang)
        visit.refresh_from_db()
        self.assertEqual((fulfilled, visit.status), ([visit], PlanStatus.DONE))

    def test_gifts_are_booked_once_per_visit_and_condolence_money_once_per_member(self):
        record, _f = self.record(
            [self.zhang, self.li], at(2026, 10, 14, 9), form=VisitForm.GATHERING, occasion=Occasion.FESTIVAL,
            festival=self.chongyang, gifts=[GiftLine("重阳糕", 2, Decimal("60.10")), GiftLine("水果", 2, Decimal("40.20"))],
            condolence_amount=Decimal("200.05"), condolence_by="覃丽华",
        )
        entries = MoneyEntry.objects.filter(record=record).order_by("id")
        self.assertEqual([(e.kind, e.member_id, e.amount) for e in entries], [
            (MoneyKind.GIFT, None, Decimal("60.10")), (MoneyKind.GIFT, None, Decimal("40.20")),
            (MoneyKind.CONDOLENCE, self.zhang.pk, Decimal("200.05")), (MoneyKind.CONDOLENCE, self.li.pk, Decimal("200.05")),
        ])
        self.assertEqual(sum(e.amount for e in entries), Decimal("500.40"))
        self.assertEqual({e.occasion for e in entries}, {"festival:重阳"})
        self.assertEqual({e.handed_over_by for e in entries}, {"覃丽华"})

    def test_a_birthday_visit_with_a_cake_is_recorded_per_member(self):
        birthday = PlannedVisit.objects.get(member=self.li, kind=Occasion.BIRTHDAY)  # 27 November
        with frozen(2026, 11, 26, hour=18):
            _r, fulfilled = self.record([self.li], at(2026, 11, 26, 15), occasion=Occasion.BIRTHDAY,
                                        cake_ordered=True, cake_delivered=True)
        self.assertEqual(fulfilled, [birthday])
        self.assertTrue(VisitAttendance.objects.get(member=self.li).cake_delivered)
