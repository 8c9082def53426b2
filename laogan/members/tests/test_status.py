from datetime import date

from django.core.exceptions import ValidationError
from django.test import override_settings

from laogan.members.actions import do_record_life_event
from laogan.members.models import EventKind, LifeEvent, Status
from laogan.test import BaseTestCase, make_member


@override_settings(LANGUAGE_CODE="en")  # messages are asserted by their English msgids
class StatusFromEventsTest(BaseTestCase):
    def setUp(self):
        self.member = make_member(name="张建国", unit=self.group_a1)

    def record(self, kind, day, **kw):
        if kind == EventKind.ADMITTED:
            kw.setdefault("hospital", "广西医科大学第一附属医院")
        return do_record_life_event(self.member, kind=kind, date=day, acting_user=self.liaison, **kw)

    def test_a_new_member_is_active(self):
        self.assertEqual(self.member.status, Status.ACTIVE)
        self.assertFalse(self.member.has_hardship)

    def test_admission_puts_the_member_in_hospital(self):
        self.record(EventKind.ADMITTED, date(2026, 3, 2), ward="心内科")
        self.member.refresh_from_db()
        self.assertEqual(self.member.status, Status.IN_HOSPITAL)

    def test_discharge_makes_the_member_active_again(self):
        self.record(EventKind.ADMITTED, date(2026, 3, 2))
        self.record(EventKind.DISCHARGED, date(2026, 3, 12))
        self.member.refresh_from_db()
        self.assertEqual(self.member.status, Status.ACTIVE)

    def test_admitted_and_discharged_the_same_day_is_active(self):
        self.record(EventKind.ADMITTED, date(2026, 3, 2))
        self.record(EventKind.DISCHARGED, date(2026, 3, 2))
        self.member.refresh_from_db()
        self.assertEqual(self.member.status, Status.ACTIVE)

    def test_death_makes_the_member_deceased_with_the_date(self):
        self.record(EventKind.ADMITTED, date(2026, 3, 2))
        self.record(EventKind.DIED, date(2026, 3, 20), cause="心力衰竭")
        self.member.refresh_from_db()
        self.assertEqual(self.member.status, Status.DECEASED)
        self.assertEqual(self.member.died_on, date(2026, 3, 20))

    def test_nothing_more_can_be_recorded_after_death(self):
        self.record(EventKind.DIED, date(2026, 3, 20))
        for kind in (EventKind.ADMITTED, EventKind.DISCHARGED, EventKind.HARDSHIP_REPORTED, EventKind.DIED):
            with self.subTest(kind=kind), self.assertRaises(ValidationError):
                self.record(kind, date(2026, 3, 21))
        self.assertEqual(self.member.events.count(), 1)
        self.member.refresh_from_db()
        self.assertEqual(self.member.status, Status.DECEASED)

    def test_hardship_flag_is_raised_and_lowered(self):
        self.record(EventKind.HARDSHIP_REPORTED, date(2026, 1, 10), notes="老伴重病")
        self.member.refresh_from_db()
        self.assertTrue(self.member.has_hardship)
        self.assertEqual(self.member.status, Status.ACTIVE)
        self.record(EventKind.HARDSHIP_RESOLVED, date(2026, 4, 1))
        self.member.refresh_from_db()
        self.assertFalse(self.member.has_hardship)

    def test_hardship_and_hospital_are_independent(self):
        self.record(EventKind.HARDSHIP_REPORTED, date(2026, 1, 10))
        self.record(EventKind.ADMITTED, date(2026, 2, 1))
        self.member.refresh_from_db()
        self.assertEqual((self.member.status, self.member.has_hardship), (Status.IN_HOSPITAL, True))

    def test_discharge_without_admission_is_refused(self):
        with self.assertRaisesMessage(ValidationError, "not recorded as in hospital"):
            self.record(EventKind.DISCHARGED, date(2026, 3, 2))
        self.assertFalse(self.member.events.exists())

    def test_resolving_a_hardship_nobody_reported_is_refused(self):
        with self.assertRaises(ValidationError):
            self.record(EventKind.HARDSHIP_RESOLVED, date(2026, 3, 2))

    def test_admission_needs_a_hospital(self):
        with self.assertRaises(ValidationError) as caught:
            do_record_life_event(self.member, kind=EventKind.ADMITTED, date=date(2026, 3, 2), acting_user=self.liaison)
        self.assertIn("hospital", caught.exception.message_dict)

    def test_event_before_birth_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self.record(EventKind.ADMITTED, date(1920, 1, 1))
        self.assertIn("date", caught.exception.message_dict)

    def test_an_event_typed_late_with_an_earlier_date_takes_its_place_in_history(self):
        self.record(EventKind.ADMITTED, date(2026, 3, 2))
        self.record(EventKind.HARDSHIP_REPORTED, date(2026, 1, 10))  # reported after the admission, happened before
        self.member.refresh_from_db()
        self.assertEqual((self.member.status, self.member.has_hardship), (Status.IN_HOSPITAL, True))
        self.assertEqual([e.kind for e in self.member.events.all()], [EventKind.ADMITTED, EventKind.HARDSHIP_REPORTED])

    def test_an_earlier_stay_typed_in_afterwards_does_not_change_the_current_status(self):
        self.record(EventKind.ADMITTED, date(2026, 3, 2))
        self.record(EventKind.DISCHARGED, date(2026, 3, 12))
        self.record(EventKind.ADMITTED, date(2026, 5, 1))
        self.member.refresh_from_db()
        self.assertEqual(self.member.status, Status.IN_HOSPITAL)

    def test_discharge_dated_before_the_admission_is_refused(self):
        self.record(EventKind.ADMITTED, date(2026, 3, 12))
        with self.assertRaises(ValidationError) as caught:
            self.record(EventKind.DISCHARGED, date(2026, 3, 2))
        self.assertIn("date", caught.exception.message_dict)
        self.member.refresh_from_db()
        self.assertEqual(self.member.status, Status.IN_HOSPITAL)
        self.assertEqual(self.member.events.count(), 1)

    def test_hardship_resolved_before_it_was_reported_is_refused(self):
        self.record(EventKind.HARDSHIP_REPORTED, date(2026, 3, 12))
        with self.assertRaises(ValidationError):
            self.record(EventKind.HARDSHIP_RESOLVED, date(2026, 3, 2))
        self.member.refresh_from_db()
        self.assertTrue(self.member.has_hardship)

    def test_death_dated_before_the_last_recorded_event_is_refused(self):
        self.record(EventKind.ADMITTED, date(2026, 3, 12))
        with self.assertRaises(ValidationError) as caught:
            self.record(EventKind.DIED, date(2026, 3, 2))
        self.assertIn("date", caught.exception.message_dict)
        self.member.refresh_from_db()
        self.assertEqual(self.member.status, Status.IN_HOSPITAL)

    def test_each_event_is_audited(self):
        from laogan.accounts.models import AuditAction, AuditEntry

        self.record(EventKind.ADMITTED, date(2026, 3, 2))
        entry = AuditEntry.objects.filter(object_type="members.lifeevent").get()
        self.assertEqual((entry.action, entry.actor, entry.changes["event"]), (AuditAction.CREATE, self.liaison, "admitted"))


class StatusFromUnsavedEventsTest(BaseTestCase):
    """The rule itself, on events in the order they were typed rather than the order they happened."""

    def test_status_follows_dates_not_the_order_of_the_list(self):
        member = make_member(unit=self.group_a1)
        events = [
            LifeEvent(kind=EventKind.DISCHARGED, date=date(2026, 3, 12)),
            LifeEvent(kind=EventKind.HARDSHIP_RESOLVED, date=date(2026, 2, 1)),
            LifeEvent(kind=EventKind.ADMITTED, date=date(2026, 3, 2)),
            LifeEvent(kind=EventKind.HARDSHIP_REPORTED, date=date(2026, 1, 5)),
            LifeEvent(kind=EventKind.ADMITTED, date=date(2026, 6, 1)),
        ]
        self.assertEqual(member.status_from_events(events), (Status.IN_HOSPITAL, None, False))

    def test_death_wins_and_clears_the_hardship_flag(self):
        member = make_member(unit=self.group_a1)
        events = [
            LifeEvent(kind=EventKind.HARDSHIP_REPORTED, date=date(2026, 1, 5)),
            LifeEvent(kind=EventKind.DIED, date=date(2026, 2, 1)),
        ]
        self.assertEqual(member.status_from_events(events), (Status.DECEASED, date(2026, 2, 1), False))
