"""Attendance: the phone checklist saved in one POST (atomic, 人次), 送学上门, and sign-in codes scanned at the door
(valid, forged, another centre's member, the same card twice)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.urls import reverse

from laogan.accounts.models import AuditAction, AuditEntry
from laogan.members.actions import do_record_life_event
from laogan.members.models import EventKind

from .. import codes
from ..actions import do_record_attendance, do_scan
from ..models import Method, Participation, Presence
from .base import ActivityTestCase, at, frozen


def presence(activity):
    return dict(Participation.objects.filter(activity=activity).values_list("member__name", "presence"))


class CodesTest(ActivityTestCase):
    def test_a_code_names_its_member_and_nothing_else(self):
        code = codes.code_for(self.zhang.pk)
        self.assertTrue(code.startswith("LG1-"))
        self.assertNotIn("张", code)
        self.assertEqual(codes.member_id_from(code), self.zhang.pk)
        self.assertEqual(codes.member_id_from(" " + code.lower() + "\n"), self.zhang.pk)  # a scanner in lower case

    def test_an_altered_or_made_up_code_is_refused(self):
        code = codes.code_for(self.zhang.pk)
        ident = code.split("-")[1]
        other = codes.code_for(self.li.pk).split("-")[2]
        for bad in (f"LG1-{ident}-{other}", code[:-1] + ("A" if code[-1] != "A" else "B"), "LG2" + code[3:],
                    "BEGIN:VCARD", "", f"LG1-{ident}"):
            with self.subTest(bad=bad), self.assertRaises(codes.InvalidCode):
                codes.member_id_from(bad)


@frozen(2026, 4, 18)
class ChecklistTest(ActivityTestCase):
    def setUp(self):
        self.activity = self.make_activity(invited=[self.zhang, self.li, self.wang])

    def test_the_whole_list_is_saved_in_one_post_and_counts_person_times(self):
        self.login(self.liaison)
        page = self.client.get(reverse("activity_attendance", args=[self.activity.pk]))
        self.assertContains(page, "张建国")
        self.assertNotContains(page, "周德明")
        response = self.client.post(reverse("activity_attendance", args=[self.activity.pk]),
                                    {f"m{self.zhang.pk}": "attended", f"m{self.li.pk}": "home", f"m{self.wang.pk}": ""})
        self.assertRedirects(response, reverse("activity_detail", args=[self.activity.pk]))
        self.assertEqual(presence(self.activity), {"张建国": Presence.ATTENDED, "李秀英": Presence.HOME, "王振华": Presence.INVITED})
        detail = self.client.get(reverse("activity_detail", args=[self.activity.pk]))
        self.assertContains(detail, "1 attended (人次)")
        self.assertContains(detail, "1 had the material brought home")
        self.assertTrue(AuditEntry.objects.filter(action=AuditAction.UPDATE, detail="attendance list").exists())

    def test_saving_again_changes_the_state_without_adding_person_times(self):
        do_record_attendance(self.activity, {self.zhang: Presence.ATTENDED, self.li: Presence.ATTENDED},
                             acting_user=self.liaison)
        counts = do_record_attendance(self.activity, {self.zhang: Presence.ATTENDED, self.li: Presence.INVITED,
                                                      self.wang: Presence.ATTENDED}, acting_user=self.liaison)
        self.assertEqual(counts, {"attended": 2, "home": 0})
        self.assertEqual(Participation.objects.filter(activity=self.activity).count(), 3)

    def test_a_list_naming_a_member_of_another_centre_changes_nothing(self):
        self.login(self.liaison)
        response = self.client.post(reverse("activity_attendance", args=[self.activity.pk]),
                                    {f"m{self.zhang.pk}": "attended", f"m{self.zhou.pk}": "attended"}, follow=True)
        self.assertContains(response, "not on this centre&#x27;s roster; nothing was saved")
        self.assertEqual(set(presence(self.activity).values()), {Presence.INVITED})

    def test_a_list_with_a_member_who_had_died_is_refused_whole(self):
        do_record_life_event(self.wang, kind=EventKind.DIED, date=date(2026, 3, 1), acting_user=None)
        self.wang.refresh_from_db()
        with self.assertRaisesMessage(ValidationError, "王振华 died on 2026-03-01"):
            do_record_attendance(self.activity, {self.zhang: Presence.ATTENDED, self.wang: Presence.ATTENDED},
                                 acting_user=self.liaison)
        self.assertEqual(set(presence(self.activity).values()), {Presence.INVITED})

    def test_an_uninvited_member_ticked_from_the_unit_list_is_added_and_unticking_removes_them(self):
        activity = self.make_activity(title="座谈会", kind="forum")
        do_record_attendance(activity, {self.zhang: Presence.ATTENDED}, acting_user=self.liaison)
        self.assertEqual(presence(activity), {"张建国": Presence.ATTENDED})
        do_record_attendance(activity, {self.zhang: Presence.INVITED}, acting_user=self.liaison)
        self.assertEqual(presence(activity), {})

    def test_the_checklist_of_an_activity_nobody_was_invited_to_lists_the_organising_unit(self):
        activity = self.make_activity(title="小组学习", unit=self.group_a2)
        self.login(self.liaison)
        page = self.client.get(reverse("activity_attendance", args=[activity.pk]))
        self.assertEqual([m.name for m, _state in page.context["rows"]], ["王振华"])

    def test_a_group_leader_reads_but_does_not_record(self):
        self.login(self.group_leader)
        self.assertEqual(self.client.get(reverse("activity_detail", args=[self.activity.pk])).status_code, 200)
        self.assertEqual(self.client.post(reverse("activity_attendance", args=[self.activity.pk]),
                                          {f"m{self.zhang.pk}": "attended"}).status_code, 403)

    def test_attendance_cannot_be_recorded_before_the_day(self):
        coming = self.make_activity(when=at(2026, 5, 20))
        with self.assertRaisesMessage(ValidationError, "on or after the day"):
            do_record_attendance(coming, {self.zhang: Presence.ATTENDED}, acting_user=self.liaison)


@frozen(2026, 4, 18)
class ScanTest(ActivityTestCase):
    def setUp(self):
        self.activity = self.make_activity()
        self.login(self.liaison)
        self.url = reverse("activity_scan", args=[self.activity.pk])

    def test_a_valid_code_signs_the_member_in(self):
        response = self.client.post(self.url, {"code": codes.code_for(self.zhang.pk)}, headers={"HX-Request": "true"})
        self.assertTemplateUsed(response, "activities/_scan_result.html")
        self.assertContains(response, "张建国 signed in.")
        self.assertContains(response, "1 attended (人次)")
        row = Participation.objects.get(activity=self.activity, member=self.zhang)
        self.assertEqual((row.presence, row.method, row.recorded_by), (Presence.ATTENDED, Method.SCAN, self.liaison))

    def test_scanning_twice_counts_once(self):
        self.client.post(self.url, {"code": codes.code_for(self.zhang.pk)})
        response = self.client.post(self.url, {"code": codes.code_for(self.zhang.pk)})
        self.assertContains(response, "张建国 has already signed in; counted once.")
        self.assertEqual(Participation.objects.filter(activity=self.activity, presence=Presence.ATTENDED).count(), 1)

    def test_a_forged_code_is_refused(self):
        code = codes.code_for(self.zhang.pk)
        response = self.client.post(self.url, {"code": code[:-2] + "ZZ"})
        self.assertContains(response, "not a valid sign-in code")
        self.assertFalse(Participation.objects.exists())

    def test_a_member_of_another_centre_is_refused_with_a_clear_message(self):
        response = self.client.post(self.url, {"code": codes.code_for(self.zhou.pk)})
        self.assertContains(response, "belongs to a member of another centre")
        self.assertFalse(Participation.objects.exists())

    def test_the_service_cards_vcard_is_not_a_sign_in_code(self):
        with self.assertRaisesMessage(ValidationError, "not a valid sign-in code"):
            do_scan(self.activity, "BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD", acting_user=self.liaison)

    def test_an_invited_member_who_was_marked_absent_is_moved_to_present(self):
        activity = self.make_activity(title="形势报告", kind="situation_report", invited=[self.li])
        result = do_scan(activity, codes.code_for(self.li.pk), acting_user=self.liaison)
        self.assertFalse(result.already)
        self.assertEqual(presence(activity), {"李秀英": Presence.ATTENDED})

    def test_the_scanning_page_offers_a_camera_only_through_the_static_script(self):
        page = self.client.get(self.url)
        self.assertContains(page, 'src="/static/laogan/activities.js"')
        self.assertNotContains(page, "<script>")
        self.assertContains(page, 'name="code"')


@frozen(2026, 4, 18)
class SignInCardsTest(ActivityTestCase):
    def test_the_sheet_shows_each_members_code_and_is_audited(self):
        self.login(self.liaison)
        page = self.client.get(reverse("activity_signin_cards") + "?print=1&unit=group-a1")
        self.assertContains(page, codes.code_for(self.zhang.pk))
        self.assertContains(page, codes.code_for(self.li.pk))
        self.assertNotContains(page, codes.code_for(self.wang.pk))
        self.assertContains(page, 'src="data:image/png;base64,')
        self.assertTrue(AuditEntry.objects.filter(action=AuditAction.EXPORT, detail="sign-in cards (2)").exists())

    def test_another_centres_unit_gives_no_cards(self):
        self.login(self.liaison)
        page = self.client.get(reverse("activity_signin_cards") + "?print=1&unit=group-b1")
        self.assertNotContains(page, codes.code_for(self.zhou.pk))
