from datetime import date
from io import StringIO

from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import TestCase

from laogan.accounts.models import Role, Unit, UnitKind, User
from laogan.lib import crypto, idcard, lunar
from laogan.members.models import BirthdayCustom, Contact, DatePrecision, Member, MemberPhone, Status
from laogan.scale import builder

TODAY = date(2026, 11, 26)


class Rollback(Exception):
    pass


def people():
    """Return (name, ID number, phone numbers) of every member, in id order."""
    phones = {}
    for p in MemberPhone.objects.order_by("id"):
        phones.setdefault(p.member_id, []).append(p.number)
    return [(m.name, m.id_number, phones.get(m.pk, [])) for m in Member.objects.order_by("id")]


def build(seed=7, members=120, centres=2, years=1):
    return builder.build(members=members, centres=centres, years=years, seed=seed, today=TODAY, staff_password="scale-test-pass")


class SeedScaleTest(TestCase):
    def test_the_same_seed_builds_the_same_people_and_another_seed_others(self):
        try:
            with transaction.atomic():
                build(seed=7)
                first = people()
                raise Rollback
        except Rollback:
            pass
        self.assertEqual(Member.objects.count(), 0)
        build(seed=7)
        self.assertEqual(people(), first)
        build(seed=8)
        others = people()[len(first):]
        self.assertEqual(len(others), 120)
        self.assertNotEqual([p[:2] for p in others], [p[:2] for p in first])

    def test_id_numbers_are_valid_and_agree_with_birth_date_and_sex(self):
        build()
        members = list(Member.objects.all())
        self.assertEqual(len({m.id_number for m in members}), len(members))
        for m in members:
            parsed = idcard.parse(m.id_number)
            self.assertEqual(parsed.sex, m.sex)
            self.assertEqual((parsed.birth_date.year, parsed.birth_date.month), (m.birth_date.year, m.birth_date.month))
            if m.birth_date_precision == DatePrecision.DAY:
                self.assertEqual(parsed.birth_date, m.birth_date)
        for m in members[:20]:
            m.full_clean()  # the model's own validation accepts what the builder wrote

    def test_derived_fields_are_what_the_model_computes(self):
        build()
        for m in Member.objects.select_related("unit")[:40]:
            stored = (m.name_pinyin, m.name_initials, m.unit_path, m.centre_id, m.lunar_birth_month, m.lunar_birth_day,
                      m.id_number_hash, m.id_number_last4, m.id_number_suffix_hash)
            m.refresh_derived()
            self.assertEqual(stored, (m.name_pinyin, m.name_initials, m.unit_path, m.centre_id, m.lunar_birth_month,
                                      m.lunar_birth_day, m.id_number_hash, m.id_number_last4, m.id_number_suffix_hash))
        for p in MemberPhone.objects.all()[:40]:
            stored = (p.last4, p.suffix_hash)
            p.refresh_derived()
            self.assertEqual(stored, (p.last4, p.suffix_hash))
        contacts = list(Contact.objects.all()[:20])
        self.assertTrue(contacts)
        for c in contacts:
            self.assertEqual((c.phone_last4, c.phone_suffix_hash), (c.phone[-4:], crypto.suffix_hash(c.phone)))
        day_members = Member.objects.filter(birth_date_precision=DatePrecision.DAY)
        m = day_members.first()
        self.assertEqual((m.lunar_birth_month, m.lunar_birth_day), lunar.lunar_month_day(m.birth_date))
        lunar_share = Member.objects.filter(birthday_custom=BirthdayCustom.LUNAR).count() / Member.objects.count()
        self.assertTrue(0.15 < lunar_share < 0.55, lunar_share)

    def test_members_are_found_by_name_pinyin_initials_phone_and_id_suffix(self):
        build()
        m = Member.objects.order_by("id")[17]
        phone = MemberPhone.objects.filter(member__isnull=False).order_by("id").first()
        self.assertIn(m, Member.objects.search(m.name))
        self.assertIn(m, Member.objects.search(m.name_pinyin))
        self.assertIn(m, Member.objects.search(m.name_initials))
        self.assertIn(m, Member.objects.search(m.id_number[-6:]))
        self.assertEqual(list(Member.objects.search(m.id_number)), [m])
        self.assertIn(phone.member, Member.objects.search(phone.number[-8:]))
        contact = Contact.objects.order_by("id").first()
        self.assertIn(contact.member, Member.objects.search(contact.phone[-8:]))

    def test_each_centre_sees_its_own_members_and_has_a_liaison_per_25(self):
        built = build()
        centres = list(Unit.objects.subtree(built.bureau).filter(kind=UnitKind.CENTRE).order_by("path"))
        self.assertEqual(len(centres), 2)
        first, second = centres
        secretary = User.objects.get(unit=first, role=Role.SECRETARY)
        self.assertTrue(secretary.check_password("scale-test-pass"))
        own = Member.objects.visible_to(secretary)
        self.assertEqual(own.count(), Member.objects.filter(centre=first).count())
        self.assertFalse(own.filter(centre=second).exists())
        staff = User.objects.filter(unit=first, role=Role.STAFF).count()
        self.assertEqual(staff, -(-own.count() // 25))
        self.assertFalse(Member.objects.filter(centre=first, status=Status.ACTIVE, liaison=None).exists())
        self.assertTrue(Member.objects.filter(unit__kind=UnitKind.GROUP).count() == Member.objects.count())

    def test_visits_requests_and_after_death_cases_are_built(self):
        from laogan.cases.models import Case
        from laogan.services.models import ServiceRequest
        from laogan.visits.models import VisitAttendance, VisitRecord

        built = build(members=300, years=2)
        self.assertEqual(built.counts["visit_records"], VisitRecord.objects.count())
        self.assertGreater(VisitRecord.objects.count(), 300 * 2 * 5 * 0.7)
        self.assertEqual(VisitAttendance.objects.count(), VisitRecord.objects.count())
        self.assertFalse(VisitAttendance.objects.filter(visited_on__gt=TODAY).exists())
        self.assertGreater(ServiceRequest.objects.count(), 200)
        dead = Member.objects.filter(status=Status.DECEASED)
        self.assertTrue(dead.exists())
        self.assertEqual(Case.objects.filter(member__in=dead, case_type__code="after_death").count(), dead.count())


class SeedScaleCommandTest(TestCase):
    def test_it_refuses_a_database_with_members_unless_forced(self):
        from laogan.test import make_member, make_unit

        centre = make_unit("c", UnitKind.CENTRE, make_unit("b", UnitKind.BUREAU))
        make_member(unit=make_unit("g", UnitKind.BRANCH, centre))
        with self.assertRaisesMessage(CommandError, "already holds members"):
            call_command("seed_scale", members=10, stdout=StringIO())
        self.assertEqual(Member.objects.count(), 1)
        out = StringIO()
        call_command("seed_scale", members=10, force=True, years=0, stdout=out)
        self.assertIn("members 10", out.getvalue())
        with self.assertRaisesMessage(CommandError, "already exist"):
            call_command("seed_scale", members=10, force=True, stdout=StringIO())
        self.assertEqual(Member.objects.count(), 11)
