from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from laogan.lib import lunar
from laogan.members.actions import do_update_member, snapshot
from laogan.members.models import BirthdayCustom, EventKind
from laogan.test import BaseTestCase, make_member
from laogan.visits.models import AgeReckoning, CancelCause, Festival, Occasion, PlannedVisit, PlanStatus
from laogan.visits.planning import plan, rules_for

from .builders import event, frozen


def dues(member, kind=None):
    visits = PlannedVisit.objects.filter(member=member).exclude(status=PlanStatus.CANCELLED).select_related("festival")
    if kind:
        visits = visits.filter(kind=kind)
    return {v.occasion: v.due_date for v in visits} if kind != Occasion.BIRTHDAY else sorted(v.due_date for v in visits)


def lunar_born(lunar_year, month, day):
    """Return the Gregorian birth date of someone born on a lunar date."""
    return lunar.to_solar(lunar_year, month, day)


@frozen(2026, 12, 1)
class FestivalPlanningTest(BaseTestCase):
    def setUp(self):
        self.zhang = make_member("张建国", date(1928, 5, 3), unit=self.group_a1)

    def test_the_four_festivals_of_2027_fall_on_their_lunar_and_solar_days(self):
        plan(date(2027, 1, 1), date(2027, 12, 31), org=self.centre_a)
        self.assertEqual(dues(self.zhang, Occasion.FESTIVAL), {
            "festival:春节": date(2027, 2, 6),
            "festival:七一": date(2027, 7, 1),
            "festival:中秋": date(2027, 9, 15),
            "festival:重阳": date(2027, 10, 8),
        })

    def test_a_festival_window_is_the_14_days_up_to_the_day(self):
        plan(date(2027, 1, 1), date(2027, 3, 1), org=self.centre_a)
        spring = PlannedVisit.objects.get(member=self.zhang, kind=Occasion.FESTIVAL)
        self.assertEqual((spring.window_start, spring.window_end), (date(2027, 1, 24), date(2027, 2, 6)))

    def test_a_centre_can_add_new_years_eve_which_clamps_to_the_last_day_of_a_short_twelfth_month(self):
        rules_for(self.centre_a)
        Festival.objects.create(centre=self.centre_a, name="除夕", calendar="lunar", month=12, day=30, window_days=3)
        plan(date(2027, 1, 1), date(2030, 12, 31), org=self.centre_a)
        eves = sorted(PlannedVisit.objects.filter(member=self.zhang, festival__name="除夕").values_list("occasion_year", "due_date"))
        # Lunar 2026–2028 have a 29-day twelfth month; 2029 is the only one with a 30th.
        self.assertEqual(eves, [(2026, date(2027, 2, 5)), (2027, date(2028, 1, 25)), (2028, date(2029, 2, 12)),
                                (2029, date(2030, 2, 2))])

    def test_an_inactive_festival_is_not_planned(self):
        rules_for(self.centre_a)
        Festival.objects.filter(centre=self.centre_a, name="七一").update(active=False)
        plan(date(2027, 1, 1), date(2027, 12, 31), org=self.centre_a)
        self.assertNotIn("festival:七一", dues(self.zhang, Occasion.FESTIVAL))

    def test_the_other_centre_keeps_its_own_festivals(self):
        wang = make_member("王德明", date(1931, 2, 1), unit=self.group_b1)
        rules_for(self.centre_b)
        Festival.objects.create(centre=self.centre_b, name="元旦", calendar="solar", month=1, day=1)
        plan(date(2027, 1, 1), date(2027, 12, 31))
        self.assertIn("festival:元旦", dues(wang, Occasion.FESTIVAL))
        self.assertNotIn("festival:元旦", dues(self.zhang, Occasion.FESTIVAL))


@frozen(2025, 12, 1)
class LunarBirthdayPlanningTest(BaseTestCase):
    def lunar_member(self, name, born):
        return make_member(name, born, unit=self.group_a1, birthday_custom=BirthdayCustom.LUNAR)

    def test_a_lunar_11_20_birthday_falls_twice_in_2026_not_at_all_in_2028_and_is_never_lost(self):
        member = self.lunar_member("李秀英", lunar_born(1930, 11, 20))
        for year in (2026, 2027, 2028, 2029):
            plan(date(year, 1, 1), date(year, 12, 31), org=self.centre_a)
        rows = PlannedVisit.objects.filter(member=member, kind=Occasion.BIRTHDAY).order_by("due_date")
        self.assertEqual([(r.occasion_year, r.due_date) for r in rows], [
            (2025, date(2026, 1, 8)), (2026, date(2026, 12, 28)), (2027, date(2027, 12, 17)), (2028, date(2029, 1, 4)),
            (2029, date(2029, 12, 24)),
        ])

    def test_planning_2026_twice_and_in_halves_gives_the_same_two_birthdays(self):
        member = self.lunar_member("李秀英", lunar_born(1930, 11, 20))
        plan(date(2026, 1, 1), date(2026, 6, 30), org=self.centre_a)
        plan(date(2026, 7, 1), date(2026, 12, 31), org=self.centre_a)
        plan(date(2026, 1, 1), date(2026, 12, 31), org=self.centre_a)
        self.assertEqual(dues(member, Occasion.BIRTHDAY), [date(2026, 1, 8), date(2026, 12, 28)])

    def test_born_in_a_leap_fifth_month_celebrates_in_the_ordinary_month_unless_the_year_has_that_leap_month(self):
        member = self.lunar_member("陈德明", date(1933, 7, 1))  # 1933 闰五月初九
        self.assertEqual(member.lunar_birth_month, -5)
        plan(date(2027, 1, 1), date(2028, 12, 31), org=self.centre_a)
        self.assertEqual(dues(member, Occasion.BIRTHDAY), [lunar.to_solar(2027, 5, 9), lunar.to_solar(2028, -5, 9)])
        self.assertEqual(lunar.lunar_month_day(dues(member, Occasion.BIRTHDAY)[1]), (-5, 9))

    def test_born_on_the_30th_of_a_month_that_has_29_days_this_year_celebrates_on_its_last_day(self):
        year = next(y for y in range(1925, 1936) if lunar.month_length(y, 12) == 30)
        member = self.lunar_member("黄宝山", lunar_born(year, 12, 30))
        plan(date(2026, 1, 1), date(2030, 12, 31), org=self.centre_a)
        self.assertEqual(dues(member, Occasion.BIRTHDAY)[-4:], [
            lunar.to_solar(2026, 12, 29), lunar.to_solar(2027, 12, 29), lunar.to_solar(2028, 12, 29), date(2030, 2, 2)])

    def test_the_age_of_a_lunar_birthday_counts_lunar_years(self):
        # Born 1930-01-20, which is lunar 1929/12/21: the lunar 2009 birthday (January 2010) is the 80th.
        member = self.lunar_member("覃玉珍", date(1930, 1, 20))
        plan(date(2010, 1, 1), date(2010, 12, 31), org=self.centre_a)
        birthday = PlannedVisit.objects.get(member=member, kind=Occasion.BIRTHDAY, occasion_year=2009)
        self.assertEqual(birthday.milestone_age, 80)
        self.assertEqual(birthday.occasion, "birthday_milestone:80")


@frozen(2026, 1, 2)
class SolarBirthdayPlanningTest(BaseTestCase):
    def test_29_february_is_celebrated_on_28_february_in_common_years(self):
        member = make_member("刘光荣", date(1932, 2, 29), unit=self.group_a1)
        plan(date(2026, 1, 1), date(2028, 12, 31), org=self.centre_a)
        self.assertEqual(dues(member, Occasion.BIRTHDAY), [date(2026, 2, 28), date(2027, 2, 28), date(2028, 2, 29)])

    def test_milestones_are_80_85_90_95_100_and_every_year_after(self):
        ages = {80: date(1946, 6, 10), 82: date(1944, 6, 10), 90: date(1936, 6, 10), 101: date(1925, 6, 10)}
        members = {age: make_member(f"寿星{age}", born, unit=self.group_a1) for age, born in ages.items()}
        plan(date(2026, 6, 1), date(2026, 6, 30), org=self.centre_a)
        occasions = {age: PlannedVisit.objects.get(member=m, kind=Occasion.BIRTHDAY).occasion for age, m in members.items()}
        self.assertEqual(occasions, {80: "birthday_milestone:80", 82: "birthday", 90: "birthday_milestone:90",
                                     101: "birthday_milestone:101"})

    def test_nominal_age_makes_the_79th_birthday_the_80th(self):
        rules = rules_for(self.centre_a)
        rules.age_reckoning = AgeReckoning.NOMINAL
        rules.save(update_fields=["age_reckoning"])
        member = make_member("潘立新", date(1947, 6, 10), unit=self.group_a1)
        plan(date(2026, 6, 1), date(2026, 6, 30), org=self.centre_a)
        self.assertEqual(PlannedVisit.objects.get(member=member, kind=Occasion.BIRTHDAY).occasion, "birthday_milestone:80")

    def test_a_birthday_window_is_the_week_up_to_the_day(self):
        member = make_member("张建国", date(1928, 5, 3), unit=self.group_a1)
        plan(date(2026, 5, 1), date(2026, 5, 31), org=self.centre_a)
        v = PlannedVisit.objects.get(member=member, kind=Occasion.BIRTHDAY)
        self.assertEqual((v.window_start, v.due_date, v.window_end), (date(2026, 4, 27), date(2026, 5, 3), date(2026, 5, 3)))


@frozen(2026, 3, 1)
class ReplanningTest(BaseTestCase):
    def setUp(self):
        self.li = make_member("李秀英", date(1930, 6, 10), unit=self.group_a1, sex="F")
        self.zhang = make_member("张建国", date(1928, 8, 3), unit=self.group_a2)

    def test_planning_twice_creates_nothing_new(self):
        first = plan(date(2026, 1, 1), date(2026, 12, 31), org=self.centre_a)
        count = PlannedVisit.objects.count()
        second = plan(date(2026, 1, 1), date(2026, 12, 31), org=self.centre_a)
        self.assertGreater(first.created, 0)
        self.assertEqual((second.created, second.updated, second.cancelled), (0, 0, 0))
        self.assertEqual(PlannedVisit.objects.count(), count)

    def test_changing_a_birthday_custom_replans_only_that_members_future_birthday(self):
        plan(date(2026, 1, 1), date(2026, 12, 31), org=self.centre_a)
        untouched = {v.pk: (v.due_date, v.updated_at, v.status) for v in PlannedVisit.objects.exclude(member=self.li)}
        li_festivals = {v.pk: v.updated_at for v in PlannedVisit.objects.filter(member=self.li, kind=Occasion.FESTIVAL)}

        before = snapshot(self.li)
        self.li.birthday_custom = BirthdayCustom.LUNAR
        do_update_member(self.li, acting_user=self.secretary, expected_version=self.li.version, before=before)
        result = plan(date(2026, 1, 1), date(2026, 12, 31), org=self.centre_a)

        self.assertEqual((result.created, result.cancelled), (1, 1))
        solar = PlannedVisit.objects.get(member=self.li, key="birthday:solar:2026")
        self.assertEqual((solar.status, solar.cancelled_because), (PlanStatus.CANCELLED, CancelCause.REPLANNED))
        self.assertTrue(solar.cancel_reason)
        lunar_one = PlannedVisit.objects.get(member=self.li, key="birthday:lunar:2026")
        self.assertEqual(lunar_one.due_date, lunar.to_solar(2026, *lunar.lunar_month_day(date(1930, 6, 10))))
        self.assertEqual({v.pk: (v.due_date, v.updated_at, v.status) for v in PlannedVisit.objects.exclude(member=self.li)}, untouched)
        self.assertEqual({v.pk: v.updated_at for v in PlannedVisit.objects.filter(member=self.li, kind=Occasion.FESTIVAL)}, li_festivals)

    def test_switching_back_reopens_the_replanned_birthday_instead_of_adding_one(self):
        plan(date(2026, 1, 1), date(2026, 12, 31), org=self.centre_a)
        for custom in (BirthdayCustom.LUNAR, BirthdayCustom.SOLAR):
            before = snapshot(self.li)
            self.li.birthday_custom = custom
            do_update_member(self.li, acting_user=self.secretary, expected_version=self.li.version, before=before)
            self.li.refresh_from_db()
            plan(date(2026, 1, 1), date(2026, 12, 31), org=self.centre_a)
        self.assertEqual(PlannedVisit.objects.get(member=self.li, key="birthday:solar:2026").status, PlanStatus.OPEN)
        self.assertEqual(PlannedVisit.objects.get(member=self.li, key="birthday:lunar:2026").status, PlanStatus.CANCELLED)

    def test_a_past_birthday_is_not_owed_again_in_the_other_calendar(self):
        early = make_member("黄春梅", date(1931, 2, 20), unit=self.group_a1, sex="F")  # solar birthday already past
        plan(date(2026, 1, 1), date(2026, 12, 31), org=self.centre_a)
        before = snapshot(early)
        early.birthday_custom = BirthdayCustom.LUNAR
        do_update_member(early, acting_user=self.secretary, expected_version=early.version, before=before)
        plan(date(2026, 1, 1), date(2026, 12, 31), org=self.centre_a)
        self.assertEqual(PlannedVisit.objects.get(member=early, key="birthday:solar:2026").status, PlanStatus.OPEN)
        lunar_keys = PlannedVisit.objects.filter(member=early, key__startswith="birthday:lunar").values_list("due_date", flat=True)
        self.assertTrue(all(d >= date(2026, 3, 1) for d in lunar_keys))

    def test_a_longer_festival_window_moves_future_visits_but_not_past_ones(self):
        plan(date(2026, 1, 1), date(2026, 12, 31), org=self.centre_a)
        Festival.objects.filter(centre=self.centre_a).update(window_days=21)
        result = plan(date(2026, 1, 1), date(2026, 12, 31), org=self.centre_a)
        spring = PlannedVisit.objects.get(member=self.zhang, festival__name="春节")
        autumn = PlannedVisit.objects.get(member=self.zhang, festival__name="中秋")
        self.assertEqual(spring.due_date - spring.window_start, timedelta(days=13))  # 17 Feb 2026: past
        self.assertEqual(autumn.due_date - autumn.window_start, timedelta(days=20))
        self.assertEqual(result.updated, 6)  # 七一, 中秋, 重阳 for two members

    def test_planning_a_group_touches_only_its_members(self):
        plan(date(2026, 1, 1), date(2026, 12, 31), org=self.group_a1)
        self.assertTrue(PlannedVisit.objects.filter(member=self.li).exists())
        self.assertFalse(PlannedVisit.objects.filter(member=self.zhang).exists())

    def test_planning_reads_with_the_same_queries_for_3_or_30_members(self):
        def queries():
            PlannedVisit.objects.all().delete()
            with CaptureQueriesContext(connection) as ctx:
                plan(date(2026, 1, 1), date(2026, 12, 31), org=self.centre_a)
            # Inserts come in batches sized by the database's parameter limit: count the reads.
            return [q["sql"][:60] for q in ctx.captured_queries if not q["sql"].startswith("INSERT")]

        rules_for(self.centre_a)  # stored once, on the first plan
        few = queries()
        for i in range(28):
            make_member(f"赵{i}", date(1930, 1 + i % 12, 1 + i), unit=self.group_a1)
        self.assertEqual(queries(), few)


@frozen(2026, 6, 1)
class DeceasedPlanningTest(BaseTestCase):
    def test_nothing_is_planned_on_or_after_a_death_and_what_was_owed_before_is_kept_cancelled(self):
        member = make_member("莫志刚", date(1929, 8, 20), unit=self.group_a1)
        event(member, EventKind.DIED, date(2026, 5, 1))
        plan(date(2026, 1, 1), date(2026, 12, 31), org=self.centre_a)
        rows = PlannedVisit.objects.filter(member=member)
        self.assertEqual([r.occasion for r in rows], ["festival:春节"])
        self.assertEqual((rows[0].status, rows[0].cancelled_because), (PlanStatus.CANCELLED, CancelCause.DECEASED))
        self.assertIn("2026年5月1日", rows[0].cancel_reason)


@frozen(2026, 1, 2)
class MonthOnlyBirthDateTest(BaseTestCase):
    def test_a_birthday_known_only_by_month_may_be_visited_any_day_of_that_month(self):
        member = make_member("蒙卫东", date(1930, 5, 1), unit=self.group_a1, birth_date_precision="month")
        plan(date(2026, 1, 1), date(2026, 12, 31), org=self.centre_a)
        v = PlannedVisit.objects.get(member=member, kind=Occasion.BIRTHDAY)
        self.assertEqual((v.window_start, v.due_date), (date(2026, 5, 1), date(2026, 5, 31)))
