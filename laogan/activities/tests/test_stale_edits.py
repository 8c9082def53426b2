"""Optimistic locking of activities, recurring activities and advisory groups (issue 10): of two people who opened
the same edit form, the second to save is refused with a clear message and changes nothing."""

from datetime import date

from django.urls import reverse

from laogan.accounts.models import AuditAction, AuditEntry
from laogan.lib.tests.formdata import open_form

from ..actions import do_create_default_groups, do_save_series
from ..models import Activity, ActivitySeries, AdvisoryGroup, Kind
from .base import ActivityTestCase, frozen

STALE = "was changed by someone else while you were editing"


@frozen(2026, 4, 20)
class StaleEditTest(ActivityTestCase):
    def second_is_refused(self, url, model, pk, field, first_value, second_value):
        first, first_form = open_form(self, self.secretary, url)
        second, second_form = open_form(self, self.liaison, url)
        self.assertEqual(first.post(url, {**first_form, field: first_value}).status_code, 302)
        updates = AuditEntry.objects.filter(action=AuditAction.UPDATE).count()
        refused = second.post(url, {**second_form, field: second_value})
        self.assertEqual(refused.status_code, 409)
        self.assertContains(refused, STALE, status_code=409)
        self.assertContains(refused, second_value, status_code=409)  # what was typed is still in the form
        self.assertEqual(getattr(model.objects.get(pk=pk), field), first_value)
        self.assertEqual(AuditEntry.objects.filter(action=AuditAction.UPDATE).count(), updates)
        # Reloaded, the second person's change goes through.
        again, again_form = open_form(self, self.liaison, url)
        self.assertEqual(again.post(url, {**again_form, field: second_value}).status_code, 302)
        self.assertEqual(getattr(model.objects.get(pk=pk), field), second_value)

    def test_an_activity(self):
        activity = self.make_activity(title="学习会")
        self.second_is_refused(reverse("activity_edit", args=[activity.pk]), Activity, activity.pk, "place", "三楼会议室", "老干部活动中心")

    def test_a_recurring_activity(self):
        series = do_save_series(ActivitySeries(unit=self.centre_a, kind=Kind.BRIEFING, title="形势通报会", starts_on=date(2026, 7, 15)),
                                acting_user=self.secretary)
        self.second_is_refused(reverse("activity_series_edit", args=[series.pk]), ActivitySeries, series.pk, "place", "城区政府第一会议室", "中心活动室")

    def test_an_advisory_group(self):
        do_create_default_groups(self.centre_a, acting_user=self.secretary)
        group = AdvisoryGroup.objects.filter(centre=self.centre_a).first()
        self.second_is_refused(reverse("advisory_group_edit", args=[group.pk]), AdvisoryGroup, group.pk, "remit", "调研乡村振兴", "宣讲党的创新理论")

    def test_a_missing_or_garbled_version_is_refused(self):
        activity = self.make_activity(title="学习会")
        url = reverse("activity_edit", args=[activity.pk])
        browser, form = open_form(self, self.secretary, url)
        for version in ("", "abc", "0"):
            with self.subTest(version=version):
                self.assertEqual(browser.post(url, {**form, "version": version, "place": "别处"}).status_code, 409)
        self.assertEqual(Activity.objects.get(pk=activity.pk).place, "中心活动室")
