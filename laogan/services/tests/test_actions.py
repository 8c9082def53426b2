"""What each action writes: status, history with who and when, contact date, audit; and what it refuses."""

from datetime import date

from django.core.exceptions import ValidationError

from laogan.accounts.models import AuditAction, AuditEntry
from laogan.members.models import Member
from laogan.services import actions
from laogan.services.models import EventKind, Partner, RequestEvent, ServiceRequest, Status
from laogan.test import BaseTestCase, make_member

from .helpers import at, category, make_request, step

OPENED = at(2026, 5, 6, 9, 0)


class IntakeActionTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.member = make_member(name="张建国", born=date(1928, 5, 3), unit=cls.group_a1)

    def test_taking_a_request_notes_the_contact_and_writes_history_and_audit(self):
        r = make_request(self.member, self.liaison, "medicine", opened=OPENED, caller="family", caller_name="女儿李红")
        self.member.refresh_from_db()
        self.assertEqual(self.member.last_contact_at, OPENED)
        self.assertEqual((r.centre, r.unit_path, r.created_by), (self.centre_a, self.group_a1.path, self.liaison))
        event = r.events.get()
        self.assertEqual((event.kind, event.actor, event.at, event.to_status), (EventKind.CREATED, self.liaison, OPENED, Status.NEW))
        self.assertTrue(AuditEntry.objects.filter(action=AuditAction.CREATE, object_type="services.servicerequest",
                                                  object_id=str(r.pk), unit_path=self.group_a1.path).exists())

    def test_handling_it_now_assigns_and_starts_it(self):
        r = make_request(self.member, self.liaison, "water", opened=OPENED, handle_now=True)
        self.assertEqual((r.status, r.assignee, r.responded_at), (Status.IN_PROGRESS, self.liaison, OPENED))

    def test_without_a_choice_the_members_liaison_gets_it(self):
        Member.objects.filter(pk=self.member.pk).update(liaison=self.liaison)
        self.member.refresh_from_db()
        r = make_request(self.member, self.secretary, "bills", opened=OPENED)
        self.assertEqual((r.status, r.assignee, r.responded_at), (Status.ASSIGNED, self.liaison, None))

    def test_a_dispatch_to_a_partner_is_a_response_with_their_reference(self):
        partner = Partner.objects.create(centre=self.centre_a, name="北湖物业")
        r = make_request(self.member, self.liaison, "repairs", opened=OPENED)
        step(actions.do_dispatch, r, self.liaison, at(2026, 5, 6, 9, 20), partner=partner, reference="WY-001")
        self.assertEqual((r.status, r.partner, r.partner_ref, r.assignee), (Status.IN_PROGRESS, partner, "WY-001", self.liaison))
        self.assertEqual(r.responded_at, at(2026, 5, 6, 9, 20))
        self.assertEqual(r.partner_text, "北湖物业（WY-001）")
        self.assertEqual(r.events.last().detail, "北湖物业（WY-001）")

    def test_a_note_never_conflicts_and_does_not_change_the_version(self):
        r = make_request(self.member, self.liaison, "bulb", opened=OPENED)
        actions.do_add_note(r, note="老人说下午在家", acting_user=self.secretary, at=at(2026, 5, 6, 10, 0))
        r.refresh_from_db()
        self.assertEqual(r.version, 1)
        self.assertEqual(r.events.last().note, "老人说下午在家")

    def test_an_action_the_status_does_not_allow_is_refused(self):
        r = make_request(self.member, self.liaison, "bulb", opened=OPENED)
        with self.assertRaises(ValidationError):
            step(actions.do_callback, r, self.liaison, at(2026, 5, 6, 10, 0), satisfied=True, comment="")
        with self.assertRaises(ValidationError):
            step(actions.do_resume, r, self.liaison, at(2026, 5, 6, 10, 0))


class LifeEventTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.member = make_member(name="王德明", born=date(1926, 9, 9), unit=cls.group_a1)

    def test_a_death_closes_the_members_open_requests_without_counting_a_miss(self):
        from laogan.members.actions import do_record_life_event
        from laogan.members.models import EventKind as LifeEventKind

        open_one = make_request(self.member, self.liaison, "medicine", opened=OPENED, handle_now=True)
        done = make_request(self.member, self.liaison, "bulb", opened=OPENED, handle_now=True)
        step(actions.do_resolve, done, self.liaison, at(2026, 5, 6, 10, 0), resolution="换好")
        do_record_life_event(self.member, kind=LifeEventKind.DIED, date=date(2026, 5, 20), acting_user=self.secretary)
        open_one.refresh_from_db()
        done.refresh_from_db()
        self.assertEqual((open_one.status, open_one.due_at, open_one.missed_resolution), (Status.CLOSED, None, False))
        self.assertIn("去世", open_one.events.last().note)
        self.assertEqual(done.status, Status.RESOLVED)

    def test_a_callback_is_a_contact_with_the_member(self):
        r = make_request(self.member, self.liaison, "bulb", opened=OPENED, handle_now=True)
        step(actions.do_resolve, r, self.liaison, at(2026, 5, 6, 10, 0), resolution="换好")
        step(actions.do_callback, r, self.liaison, at(2026, 5, 8, 10, 0), satisfied=True, comment="")
        self.member.refresh_from_db()
        self.assertEqual(self.member.last_contact_at, at(2026, 5, 8, 10, 0))


class ConcurrentChangeTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.member = make_member(name="李秀英", born=date(1933, 2, 14), sex="F", unit=cls.group_a2)

    def test_of_two_people_acting_on_the_same_version_one_wins_and_the_other_is_told(self):
        r = make_request(self.member, self.liaison, "bulb", opened=OPENED)
        mine = ServiceRequest.objects.get(pk=r.pk)
        theirs = ServiceRequest.objects.get(pk=r.pk)
        actions.do_start(theirs, expected_version=1, acting_user=self.secretary, at=at(2026, 5, 6, 9, 5))
        with self.assertRaises(actions.StaleRequest) as raised:
            actions.do_resolve(mine, resolution="换好了", expected_version=1, acting_user=self.liaison, at=at(2026, 5, 6, 9, 6))
        self.assertIn("secretary", str(raised.exception))
        r.refresh_from_db()
        self.assertEqual((r.status, r.version, r.assignee), (Status.IN_PROGRESS, 2, self.secretary))
        self.assertEqual(list(r.events.values_list("kind", flat=True)), [EventKind.CREATED, EventKind.STARTED])

    def test_the_conditional_update_catches_a_change_made_after_the_copy_was_checked(self):
        r = make_request(self.member, self.liaison, "bulb", opened=OPENED)
        # Both copies say version 1; the other one commits between our check and our update.
        ServiceRequest.objects.filter(pk=r.pk).update(version=2)
        with self.assertRaises(actions.StaleRequest):
            actions.do_start(r, expected_version=1, acting_user=self.liaison, at=at(2026, 5, 6, 9, 5))
        self.assertFalse(RequestEvent.objects.filter(kind=EventKind.STARTED).exists())


class SetupActionTest(BaseTestCase):
    def test_a_centre_can_add_its_own_category_but_not_reuse_a_shipped_code(self):
        garden = actions.do_create_category(self.centre_a, code="garden", name="修剪花木", order=200, acting_user=self.secretary)
        self.assertEqual(garden.unit, self.centre_a)
        with self.assertRaises(ValidationError):
            actions.do_create_category(self.centre_a, code="water", name="水", order=1, acting_user=self.secretary)
        self.assertEqual(category("water").name, "水（漏水、停水）")
