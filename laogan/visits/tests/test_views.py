import io
from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from laogan.members.models import Member
from laogan.test import BaseTestCase, make_member
from laogan.visits.actions import GiftLine, do_record_visit
from laogan.visits.models import (
    Festival, MoneyEntry, Occasion, PlannedVisit, PlanStatus, VisitForm, VisitPhoto, VisitRecord, VisitRules,
)
from laogan.visits.planning import plan

from .builders import at, frozen


def photo(name="visit.png"):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def visit_post(**extra):
    data = {"visited_at": "2026-10-15T10:30", "form": "home", "occasion": "festival", "planned": "auto",
            "gifts-TOTAL_FORMS": "2", "gifts-INITIAL_FORMS": "0", "gifts-0-item": "重阳糕", "gifts-0-quantity": "1",
            "gifts-0-value": "60.00", "condolence_amount": "", "condolence_by": "", "notes": "身体不错"}
    data.update(extra)
    return data


@frozen(2026, 10, 15, hour=18)
class VisitViewsTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.zhang = make_member("张建国", date(1928, 5, 3), unit=cls.group_a1)
        cls.li = make_member("李秀英", date(1930, 11, 27), unit=cls.group_a2, sex="F")
        cls.wang = make_member("王德明", date(1931, 10, 20), unit=cls.group_b1)
        Member.objects.filter(pk=cls.zhang.pk).update(liaison=cls.liaison)
        Member.objects.filter(pk=cls.wang.pk).update(liaison=cls.outsider)
        with frozen(2026, 1, 1):
            plan(date(2026, 1, 1), date(2026, 12, 31))
        cls.chongyang = Festival.objects.get(centre=cls.centre_a, name="重阳")
        cls.zhang_chongyang = PlannedVisit.objects.get(member=cls.zhang, festival=cls.chongyang)
        cls.record, _ = do_record_visit([cls.li], visited_at=at(2026, 10, 10), form=VisitForm.HOME, occasion=Occasion.OTHER,
                                        gifts=[GiftLine("水果", 1, Decimal("88.00"))], acting_user=cls.secretary)
        cls.entry = MoneyEntry.objects.get(record=cls.record)
        cls.b_record, _ = do_record_visit([cls.wang], visited_at=at(2026, 10, 10), form=VisitForm.HOME,
                                          occasion=Occasion.OTHER, acting_user=cls.outsider)

    # -- work lists ------------------------------------------------------------------------------------------------
    def test_a_liaison_sees_their_members_visits_due_this_week_and_overdue(self):
        self.login(self.liaison)
        response = self.client.get(reverse("visit_worklist"))
        self.assertEqual(response.context["who"], "mine")
        self.assertEqual([v.occasion for v in response.context["week"]], ["festival:重阳"])
        self.assertEqual([v.occasion for v in response.context["overdue"]],
                         ["festival:春节", "birthday", "festival:七一", "festival:中秋"])
        self.assertNotContains(response, "李秀英")
        self.assertContains(response, f"?planned={self.zhang_chongyang.pk}")

    def test_the_secretary_sees_every_visit_per_liaison_with_overdue_counts(self):
        self.login(self.secretary)
        response = self.client.get(reverse("visit_team"))
        rows = {(r["liaison"].username if r["liaison"] else None): r for r in response.context["rows"]}
        self.assertEqual(set(rows), {"liaison", None})
        self.assertEqual((rows["liaison"]["overdue"], rows["liaison"]["week"]), (4, 1))
        self.assertEqual(rows[None]["overdue"], 3)  # 李秀英, who has no liaison yet: 春节, 七一, 中秋
        self.assertNotContains(response, "outsider")
        response = self.client.get(reverse("visit_worklist"), {"liaison": "none"})
        self.assertEqual({v.member for v in response.context["overdue"]}, {self.li})

    def test_work_lists_cost_the_same_queries_with_more_members(self):
        self.login(self.liaison)
        pages = [(reverse("visit_worklist"), {}), (reverse("visit_worklist"), {"who": "all"}), (reverse("visit_team"), {}),
                 (reverse("visit_record_list"), {})]
        counts = [self._queries(url, params) for url, params in pages]
        for i in range(4):
            m = make_member(f"赵{i}", date(1930, 10, 10 + i), unit=self.group_a1)
            Member.objects.filter(pk=m.pk).update(liaison=self.liaison)
            do_record_visit([m], visited_at=at(2026, 10, 12), form=VisitForm.HOME, occasion=Occasion.OTHER, acting_user=self.liaison)
        plan(date(2026, 1, 1), date(2026, 12, 31), org=self.centre_a)
        for (url, params), count in zip(pages, counts):
            with self.subTest(url=url, params=params), self.assertNumQueries(count):
                self.client.get(url, params)

    def _queries(self, url, params):
        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(self.client.get(url, params).status_code, 200)
        return len(ctx.captured_queries)

    def test_the_dashboard_shows_this_weeks_visits(self):
        self.login(self.liaison)
        response = self.client.get(reverse("home"))
        self.assertContains(response, "张建国")
        self.assertContains(response, f"?planned={self.zhang_chongyang.pk}")

    # -- recording -------------------------------------------------------------------------------------------------
    def test_recording_from_the_work_list_fulfils_the_planned_visit_with_gifts_and_photos(self):
        self.login(self.liaison)
        url = reverse("visit_record") + f"?planned={self.zhang_chongyang.pk}"
        self.assertEqual(self.client.get(url).status_code, 200)
        response = self.client.post(url, visit_post(festival=self.chongyang.pk, visitors=[self.liaison.pk],
                                                     partner_units="城区民政局", photos=[photo(), photo("b.png")]))
        self.assertRedirects(response, reverse("visit_worklist"))
        self.zhang_chongyang.refresh_from_db()
        self.assertEqual(self.zhang_chongyang.status, PlanStatus.DONE)
        record = self.zhang_chongyang.attendance.record
        self.assertEqual((record.partner_units, list(record.visitors.all())), ("城区民政局", [self.liaison]))
        self.assertEqual(MoneyEntry.objects.get(record=record).amount, Decimal("60.00"))
        photo_row = VisitPhoto.objects.filter(record=record).first()
        self.assertEqual(VisitPhoto.objects.filter(record=record).count(), 2)
        response = self.client.get(reverse("visit_record_photo", args=[record.pk, photo_row.pk]))
        self.assertEqual(response["Content-Type"], "image/jpeg")

    def test_a_file_that_is_not_a_photo_is_refused(self):
        self.login(self.liaison)
        fake = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
        response = self.client.post(reverse("visit_record") + f"?member={self.zhang.pk}",
                                    visit_post(festival=self.chongyang.pk, photos=[fake]))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["photos"])
        self.assertEqual(VisitRecord.objects.count(), 2)

    def test_choosing_no_planned_visit_records_an_unplanned_one(self):
        self.login(self.liaison)
        self.client.post(reverse("visit_record") + f"?member={self.zhang.pk}",
                         visit_post(festival=self.chongyang.pk, planned="none"))
        self.zhang_chongyang.refresh_from_db()
        self.assertEqual(self.zhang_chongyang.status, PlanStatus.OPEN)
        self.assertEqual(VisitRecord.objects.count(), 3)

    def test_a_gathering_is_recorded_once_for_the_members_ticked(self):
        self.login(self.secretary)
        response = self.client.post(reverse("visit_gathering"), visit_post(
            members=[self.zhang.pk, self.li.pk], form="gathering", festival=self.chongyang.pk, title="重阳节敬老茶话会",
            **{"gifts-0-quantity": "2", "gifts-0-value": "120.00"}))
        record = VisitRecord.objects.get(title="重阳节敬老茶话会")
        self.assertRedirects(response, reverse("visit_record_detail", args=[record.pk]))
        self.assertEqual(record.attendances.count(), 2)
        self.assertEqual(PlannedVisit.objects.filter(festival=self.chongyang, status=PlanStatus.DONE).count(), 2)

    def test_a_gathering_cannot_include_another_centres_member(self):
        self.login(self.secretary)
        response = self.client.post(reverse("visit_gathering"), visit_post(members=[self.zhang.pk, self.wang.pk],
                                                                           form="gathering", festival=self.chongyang.pk))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(VisitRecord.objects.filter(form="gathering").exists())

    def test_writes_are_post_only(self):
        self.login(self.secretary)
        for name, args in (("visit_cancel", [self.zhang_chongyang.pk]), ("visit_ledger_budget", [])):
            with self.subTest(view=name):
                self.assertEqual(self.client.get(reverse(name, args=args)).status_code, 405)

    def test_the_secretary_cancels_a_planned_visit_with_a_reason_and_a_liaison_may_not(self):
        self.login(self.liaison)
        self.assertEqual(self.client.post(reverse("visit_cancel", args=[self.zhang_chongyang.pk]), {"reason": "x"}).status_code, 403)
        self.login(self.secretary)
        self.client.post(reverse("visit_cancel", args=[self.zhang_chongyang.pk]), {"reason": "外出探亲一个月"})
        self.zhang_chongyang.refresh_from_db()
        self.assertEqual((self.zhang_chongyang.status, self.zhang_chongyang.cancel_reason), (PlanStatus.CANCELLED, "外出探亲一个月"))

    # -- ledger and rules ------------------------------------------------------------------------------------------
    def test_the_secretary_keeps_the_ledger_sets_the_budget_and_reverses_entries(self):
        self.login(self.secretary)
        response = self.client.get(reverse("visit_ledger"), {"year": 2026})
        self.assertEqual(response.context["summary"].spent, Decimal("88.00"))
        self.client.post(reverse("visit_ledger_budget") + "?year=2026", {"amount": "5000"})
        self.assertEqual(self.client.get(reverse("visit_ledger")).context["summary"].budget, Decimal("5000.00"))
        self.assertEqual(self.client.get(reverse("visit_ledger_reverse", args=[self.entry.pk])).status_code, 200)
        self.client.post(reverse("visit_ledger_reverse", args=[self.entry.pk]), {"reason": "合作单位赠送"})
        self.assertEqual(self.client.get(reverse("visit_ledger")).context["summary"].spent, Decimal("0.00"))

    def test_staff_and_viewers_cannot_open_the_ledger_or_the_rules(self):
        for user in (self.liaison, self.viewer, self.group_leader):
            self.login(user)
            for name in ("visit_ledger", "visit_ledger_export", "visit_rules", "visit_festival_new"):
                with self.subTest(user=user.username, view=name):
                    self.assertEqual(self.client.get(reverse(name)).status_code, 403)

    def test_saving_the_rules_replans_coming_birthdays(self):
        self.login(self.secretary)
        data = {"age_reckoning": "xusui", "milestone_ages": "80，85,90,95,100", "yearly_milestones_from": "100",
                "birthday_window_days": "7", "hospital_visit_days": "2", "long_stay_days": "30", "followup_days": "7",
                "hardship_days": "3", "reminder_days": "3", "version": "1"}
        self.assertEqual(self.client.post(reverse("visit_rules"), data).status_code, 302)
        rules = VisitRules.objects.get(centre=self.centre_a)
        self.assertEqual((rules.age_reckoning, rules.milestone_ages), ("xusui", "80,85,90,95,100"))
        # 李秀英 turns 96 on 27 November, 97 by nominal reckoning: still no milestone; the row was re-read, not added.
        self.assertEqual(PlannedVisit.objects.filter(member=self.li, kind=Occasion.BIRTHDAY).count(), 1)

    def test_a_festival_added_by_the_centre_is_planned_for_its_members(self):
        self.login(self.secretary)
        response = self.client.post(reverse("visit_festival_new"), {
            "name": "元旦", "calendar": "solar", "month": "1", "day": "1", "window_days": "10", "gatherings_count": "on",
            "active": "on"})
        self.assertEqual(response.status_code, 302)
        with frozen(2026, 11, 2):  # the day 1 January enters the 60-day horizon
            from laogan.visits.jobs import plan_visits_daily
            plan_visits_daily()
        self.assertEqual(set(PlannedVisit.objects.filter(festival__name="元旦").values_list("member__name", "due_date")),
                         {("张建国", date(2027, 1, 1)), ("李秀英", date(2027, 1, 1))})

    # -- scope -----------------------------------------------------------------------------------------------------
    def test_the_outsider_gets_404_for_every_id_of_centre_a(self):
        self.login(self.outsider)
        urls = [
            reverse("visit_record") + f"?planned={self.zhang_chongyang.pk}",
            reverse("visit_record") + f"?member={self.zhang.pk}",
            reverse("visit_member", args=[self.zhang.pk]),
            reverse("visit_record_detail", args=[self.record.pk]),
            reverse("visit_worklist") + f"?liaison={self.liaison.pk}",
            reverse("visit_gathering") + "?centre=centre-a",
        ]
        for url in urls:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(reverse("visit_record") + f"?planned={self.zhang_chongyang.pk}", visit_post()).status_code, 404)

    def test_the_outsider_secretary_gets_404_for_centre_a_money_and_festivals(self):
        from laogan.accounts.models import Role
        from laogan.test import make_user

        other = make_user("b-secretary", self.centre_b, Role.SECRETARY)
        self.login(other)
        for url in (reverse("visit_ledger_reverse", args=[self.entry.pk]), reverse("visit_festival_edit", args=[self.chongyang.pk]),
                    reverse("visit_ledger") + "?centre=centre-a", reverse("visit_cancel", args=[self.zhang_chongyang.pk])):
            with self.subTest(url=url):
                response = self.client.post(url, {"reason": "x"}) if "cancel" in url else self.client.get(url)
                self.assertEqual(response.status_code, 404)

    def test_a_group_leader_sees_only_their_groups_members_of_a_gathering(self):
        record, _ = do_record_visit([self.zhang, self.li], visited_at=at(2026, 10, 14), form=VisitForm.GATHERING,
                                    occasion=Occasion.FESTIVAL, festival=self.chongyang, acting_user=self.secretary)
        self.login(self.group_leader)
        response = self.client.get(reverse("visit_record_detail", args=[record.pk]))
        self.assertContains(response, "张建国")
        self.assertNotContains(response, "李秀英")
        self.assertEqual(self.client.get(reverse("visit_record_detail", args=[self.record.pk])).status_code, 404)

    def test_the_viewer_sees_no_visits(self):
        self.login(self.viewer)
        for url in (reverse("visit_worklist"), reverse("visit_team"), reverse("visit_record_list"),
                    reverse("visit_record") + f"?member={self.zhang.pk}"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 403)
