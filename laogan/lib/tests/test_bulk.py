from datetime import date
from unittest import mock

from django.db import transaction
from django.test import TestCase

from laogan.accounts.models import Unit, UnitKind
from laogan.lib import bulk, crypto
from laogan.test import make_member, make_unit
from laogan.visits.models import PlannedVisit


class BulkTest(TestCase):
    def setUp(self):
        centre = make_unit("c", UnitKind.CENTRE, make_unit("b", UnitKind.BUREAU))
        self.centre = centre
        self.member = make_member(unit=make_unit("g", UnitKind.BRANCH, centre))

    def visit(self, key, due):
        return PlannedVisit(centre=self.centre, member=self.member, key=key, kind="birthday", occasion_year=due.year,
                            due_date=due, window_start=due, window_end=due)

    def test_insert_instances_writes_every_column_and_stamps_the_times(self):
        count = bulk.insert_instances(PlannedVisit, [self.visit("birthday:solar:2027", date(2027, 5, 3))])
        self.assertEqual(count, 1)
        row = PlannedVisit.objects.get()
        self.assertEqual((row.key, row.due_date, row.status, row.milestone_age), ("birthday:solar:2027", date(2027, 5, 3), "open", None))
        self.assertIsNotNone(row.created_at)
        self.assertIsNotNone(row.updated_at)

    def test_a_conflicting_row_is_skipped_when_asked_and_refused_otherwise(self):
        from django.db import IntegrityError

        bulk.insert_instances(PlannedVisit, [self.visit("k", date(2027, 1, 1))])
        bulk.insert_instances(PlannedVisit, [self.visit("k", date(2027, 2, 2)), self.visit("k2", date(2027, 2, 2))],
                              ignore_conflicts=True)
        self.assertEqual(sorted(PlannedVisit.objects.values_list("key", "due_date")),
                         [("k", date(2027, 1, 1)), ("k2", date(2027, 2, 2))])
        with self.assertRaises(IntegrityError), transaction.atomic():
            bulk.insert_instances(PlannedVisit, [self.visit("k", date(2027, 3, 3))])

    def test_conflicts_are_skipped_within_a_batch_and_across_batches(self):
        # On PostgreSQL each batch is copied into a temporary table and moved over: several batches in one
        # transaction each make and drop their own.
        keys = ["a", "b", "a", "c", "b", "d", "e"]
        with mock.patch.object(bulk, "BATCH", 3), transaction.atomic():
            sent = bulk.insert_instances(PlannedVisit, [self.visit(k, date(2027, 4, i + 1)) for i, k in enumerate(keys)],
                                         ignore_conflicts=True)
        self.assertEqual(sent, 7)
        self.assertEqual(sorted(PlannedVisit.objects.values_list("key", "due_date")),
                         [("a", date(2027, 4, 1)), ("b", date(2027, 4, 2)), ("c", date(2027, 4, 4)), ("d", date(2027, 4, 6)),
                          ("e", date(2027, 4, 7))])

    def test_writer_fills_what_is_not_given_with_defaults(self):
        writer = bulk.Writer(Unit, ["code", "name", "kind", "path"])
        writer.add("x", "X", UnitKind.BUREAU, "000000999")
        writer.flush()
        unit = Unit.objects.get(code="x")
        self.assertEqual((unit.hotline, unit.sort_order, unit.parent_id), ("", 0, None))

    def test_custom_fields_are_prepared_as_save_prepares_them(self):
        from laogan.members.models import MemberPhone

        phone = MemberPhone(member=self.member, number="139 0000 1234")
        phone.refresh_derived()  # bulk inserts skip save(), which would do this
        bulk.insert_instances(MemberPhone, [phone])
        phone = MemberPhone.objects.get(last4="1234")
        self.assertEqual(phone.number, "13900001234")  # read back through decryption
        self.assertEqual(phone.suffix_hash, crypto.suffix_hash("001234"))
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT number FROM members_memberphone WHERE id = %s", [phone.pk])
            self.assertTrue(cursor.fetchone()[0].startswith("f1:"))
