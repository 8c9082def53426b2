"""The activities pages: scope (every centre-A address is a 404 for centre B's staff, photos and fragments too), the
viewer sees no personal data, recording an activity with a photo, advisory groups, and lists whose query count does
not grow with their rows."""

import io
from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from laogan.test import make_member

from .. import codes
from ..actions import (
    do_add_adviser, do_create_default_groups, do_forward, do_record_attendance, do_record_suggestion, do_save_series,
)
from ..models import Activity, ActivityPhoto, ActivitySeries, AdvisoryGroup, Kind, Participation, Presence, WorkRecord
from .base import ActivityTestCase, at, frozen


def png(colour=(200, 30, 30)):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    out.seek(0)
    out.name = "photo.png"
    return out


@frozen(2026, 4, 20)
class ScopeTest(ActivityTestCase):
    def setUp(self):
        self.activity = self.make_activity(invited=[self.zhang])
        do_record_attendance(self.activity, {self.zhang: Presence.ATTENDED}, acting_user=self.liaison)
        self.client.force_login(self.liaison)
        self.client.post(reverse("activity_photos", args=[self.activity.pk]), {"photos": [png()]})
        self.photo = ActivityPhoto.objects.get()
        self.series = do_save_series(ActivitySeries(unit=self.centre_a, title="形势通报会", starts_on=date(2026, 1, 15)),
                                     acting_user=self.secretary)
        self.group = do_create_default_groups(self.centre_a, acting_user=self.secretary)[0]
        self.adviser = do_add_adviser(self.group, self.zhang, expertise="党史", acting_user=self.secretary)
        self.suggestion = do_record_suggestion(centre=self.centre_a, member=self.zhang, text="建议", field="党建",
                                               received_on=date(2026, 4, 1), acting_user=self.liaison)

    def test_the_photo_is_re_encoded_as_a_jpeg(self):
        self.assertEqual(Image.open(self.photo.image.open("rb")).format, "JPEG")

    def test_outsider_gets_404_for_every_address_of_centre_a(self):
        self.login(self.outsider)
        a, s, g, sg = self.activity.pk, self.series.pk, self.group.pk, self.suggestion.pk
        gets = [reverse("activity_detail", args=[a]), reverse("activity_edit", args=[a]),
                reverse("activity_attendance", args=[a]), reverse("activity_scan", args=[a]),
                reverse("activity_photo", args=[a, self.photo.pk]), reverse("activity_series_detail", args=[s]),
                reverse("activity_series_edit", args=[s]), reverse("advisory_group", args=[g]),
                reverse("advisory_group_edit", args=[g]), reverse("suggestion_detail", args=[sg])]
        for url in gets:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
                self.assertEqual(self.client.get(url, headers={"HX-Request": "true"}).status_code, 404)
        posts = [(reverse("activity_attendance", args=[a]), {f"m{self.zhou.pk}": "attended"}),
                 (reverse("activity_scan", args=[a]), {"code": codes.code_for(self.zhou.pk)}),
                 (reverse("activity_photos", args=[a]), {}),
                 (reverse("advisory_add_adviser", args=[g]), {}), (reverse("advisory_add_work", args=[g]), {}),
                 (reverse("advisory_remove_adviser", args=[g, self.adviser.pk]), {}),
                 (reverse("suggestion_forward", args=[sg]), {"to": "x", "on": "2026-04-02"}),
                 (reverse("suggestion_answer", args=[sg]), {}), (reverse("suggestion_decide", args=[sg]), {})]
        for url, data in posts:
            with self.subTest(url=url):
                self.assertEqual(self.client.post(url, data).status_code, 404)
        self.assertEqual(Participation.objects.count(), 1)
        for url in (reverse("activity_list"), reverse("suggestion_list") + "?state=all", reverse("activity_series_list"),
                    reverse("advisory_groups")):
            with self.subTest(url=url):
                self.assertNotContains(self.client.get(url), "学习会" if "suggestions" not in url else "建议")
        self.assertNotContains(self.client.get(reverse("advisory_groups")), f'/activities/advisory/{g}/')

    def test_the_bureau_viewer_sees_no_page_with_personal_data(self):
        self.login(self.viewer)
        for url in (reverse("activity_list"), reverse("activity_detail", args=[self.activity.pk]),
                    reverse("activity_photo", args=[self.activity.pk, self.photo.pk]), reverse("suggestion_list"),
                    reverse("suggestion_detail", args=[self.suggestion.pk]), reverse("advisory_groups"),
                    reverse("advisory_group", args=[self.group.pk]), reverse("suggestion_yearly"),
                    reverse("activity_signin_cards")):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 403)
        home = self.client.get(reverse("rollup"))
        self.assertNotContains(home, "张建国")
        self.assertNotContains(home, reverse("activity_list"))

    def test_the_bureau_admin_sees_both_centres(self):
        self.login(self.admin)
        self.assertEqual(self.client.get(reverse("activity_detail", args=[self.activity.pk])).status_code, 200)

    def test_writes_refuse_get(self):
        self.login(self.liaison)
        for url in (reverse("suggestion_forward", args=[self.suggestion.pk]), reverse("activity_photos", args=[self.activity.pk]),
                    reverse("advisory_defaults")):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 405)


@frozen(2026, 4, 20)
class RecordingTest(ActivityTestCase):
    def test_a_secretary_records_a_study_session_with_a_partner_and_a_photo(self):
        from laogan.liaison.models import PartnerUnit

        partner = PartnerUnit.objects.create(centre=self.centre_a, name="城区组织部")
        other = PartnerUnit.objects.create(centre=self.centre_b, name="乙区组织部")
        self.login(self.secretary)
        form = self.client.get(reverse("activity_new"))
        self.assertContains(form, "<optgroup label=\"Six together (六共同)\">")
        self.assertNotContains(form, "乙区组织部")
        response = self.client.post(reverse("activity_new"), {
            "kind": "study", "title": "与城区组织部共同举办学习会", "starts_at": "2026-04-18T09:00", "place": "城区组织部",
            "unit": self.centre_a.pk, "partners": [partner.pk], "invited": [self.zhang.pk, self.li.pk],
            "summary": "学习党的创新理论", "photos": [png()]})
        activity = Activity.objects.get()
        self.assertRedirects(response, activity.get_absolute_url())
        self.assertEqual((activity.kind_group, activity.date, list(activity.partners.all())), ("six", date(2026, 4, 18), [partner]))
        self.assertEqual(activity.participations.filter(invited=True).count(), 2)
        self.assertEqual(activity.photos.count(), 1)
        bad = self.client.post(reverse("activity_new"), {"kind": "study", "title": "x", "starts_at": "2026-04-18T09:00",
                                                         "unit": self.centre_a.pk, "partners": [other.pk]})
        self.assertEqual(bad.status_code, 200)
        self.assertEqual(Activity.objects.count(), 1)

    def test_an_other_kind_needs_its_own_name(self):
        self.login(self.secretary)
        data = {"kind": "other", "title": "重阳登高", "starts_at": "2026-04-18T09:00", "unit": self.centre_a.pk}
        self.assertContains(self.client.post(reverse("activity_new"), data), "Name the kind of activity.")
        self.client.post(reverse("activity_new"), {**data, "custom_kind": "重阳登高"})
        self.assertEqual(Activity.objects.get().kind_label, "重阳登高")

    def test_a_photo_that_is_not_an_image_is_refused(self):
        activity = self.make_activity()
        self.login(self.liaison)
        fake = io.BytesIO(b"not an image")
        fake.name = "x.jpg"
        page = self.client.post(reverse("activity_photos", args=[activity.pk]), {"photos": [fake]}, follow=True)
        self.assertContains(page, "not a photo")
        self.assertFalse(ActivityPhoto.objects.exists())

    def test_the_default_advisory_groups_and_their_members_and_work(self):
        self.login(self.secretary)
        self.assertContains(self.client.get(reverse("advisory_groups")), "Create the five groups")
        self.client.post(reverse("advisory_defaults"))
        self.client.post(reverse("advisory_defaults"))
        self.assertEqual(list(AdvisoryGroup.objects.filter(centre=self.centre_a).values_list("name", flat=True)),
                         ["党建组", "农业组", "宣讲组", "科教组", "建设组"])
        group = AdvisoryGroup.objects.get(centre=self.centre_a, field="农业")
        self.client.post(reverse("advisory_add_adviser", args=[group.pk]), {"member": self.wang.pk, "expertise": "水稻种植"})
        self.client.post(reverse("advisory_add_work", args=[group.pk]),
                         {"date": "2026-04-10", "what": "赴坛洛镇调研香蕉产业", "who": "王振华", "outcome": "形成调研报告"})
        page = self.client.get(group.get_absolute_url())
        self.assertContains(page, "水稻种植")
        self.assertContains(page, "赴坛洛镇调研香蕉产业")
        refused = self.client.post(reverse("advisory_add_adviser", args=[group.pk]), {"member": self.zhou.pk, "expertise": "x"}, follow=True)
        self.assertContains(refused, "Select a valid choice")
        self.assertEqual(WorkRecord.objects.count(), 1)


@frozen(2026, 11, 26)
class QueryCountTest(ActivityTestCase):
    def fill(self, n):
        for i in range(n):
            a = self.make_activity(Kind.FORUM, at(2026, 3, 1 + i), title=f"座谈会{i}")
            member = make_member(f"成员{i}", date(1930, 1, 1 + i), unit=self.group_a2)
            do_record_attendance(a, {self.zhang: Presence.ATTENDED, member: Presence.HOME}, acting_user=self.liaison)
            s = do_record_suggestion(centre=self.centre_a, member=member, text=f"建议{i}", field="建设",
                                     received_on=date(2026, 3, 1 + i), acting_user=self.liaison)
            do_forward(s, to="城区住建局", on=date(2026, 3, 2 + i), acting_user=self.liaison)

    def assert_flat(self, url):
        self.client.get(url)
        with CaptureQueriesContext(connection) as one:
            self.client.get(url)
        self.fill(4)
        with self.assertNumQueries(len(one.captured_queries)):
            self.client.get(url)

    def test_lists_cost_the_same_for_one_row_or_many(self):
        self.fill(1)
        self.login(self.liaison)
        for url in (reverse("activity_list"), reverse("suggestion_list") + "?state=all",
                    reverse("suggestion_list") + "?state=overdue", reverse("advisory_groups"),
                    reverse("suggestion_yearly")):
            with self.subTest(url=url):
                self.assert_flat(url)

    def test_the_activity_page_and_checklist_cost_the_same_for_few_or_many_attendees(self):
        activity = self.make_activity(Kind.STUDY, at(2026, 4, 18))
        do_record_attendance(activity, {self.zhang: Presence.ATTENDED}, acting_user=self.liaison)
        self.login(self.liaison)
        urls = (activity.get_absolute_url(), reverse("activity_attendance", args=[activity.pk]))
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                self.client.get(url)
            counts.append(len(ctx.captured_queries))
        do_record_attendance(activity, {self.li: Presence.ATTENDED, self.wang: Presence.HOME}, acting_user=self.liaison)
        for url, n in zip(urls, counts):
            with self.subTest(url=url), self.assertNumQueries(n):
                self.client.get(url)
