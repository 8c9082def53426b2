from datetime import timedelta

import time_machine

from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import timezone

from laogan.accounts import retention
from laogan.accounts.actions import record_audit
from laogan.accounts.models import AuditAction, AuditEntry, AuditSubject
from laogan.jobs.registry import all_jobs
from laogan.test import BaseTestCase


class AuditRetentionTest(BaseTestCase):
    def entry_aged(self, days, **kw):
        with time_machine.travel(timezone.now() - timedelta(days=days)):
            return record_audit(self.admin, AuditAction.EXPORT, self.centre_a, **kw)

    def test_default_keeps_three_years(self):
        old = self.entry_aged(3 * 365 + 2, subjects=[1, 2])
        recent = self.entry_aged(3 * 365 - 2)
        self.assertEqual(retention.purge_audit(), 1)
        self.assertFalse(AuditEntry.objects.filter(pk=old.pk).exists())
        self.assertFalse(AuditSubject.objects.filter(entry_id=old.pk).exists())
        self.assertTrue(AuditEntry.objects.filter(pk=recent.pk).exists())

    @override_settings(LAOGAN_AUDIT_RETENTION_DAYS=200)
    def test_configured_retention_is_used(self):
        self.entry_aged(201)
        kept = self.entry_aged(199)
        self.assertEqual(retention.purge_audit(), 1)
        self.assertEqual(list(AuditEntry.objects.values_list("pk", flat=True)), [kept.pk])

    @override_settings(LAOGAN_AUDIT_RETENTION_DAYS=90)
    def test_retention_under_180_days_is_refused_and_deletes_nothing(self):
        self.entry_aged(100)
        with self.assertRaises(ImproperlyConfigured):
            retention.purge_audit()
        with self.assertRaises(ImproperlyConfigured):
            retention.purge_audit(days=179)
        self.assertEqual(AuditEntry.objects.count(), 1)

    def test_entries_younger_than_180_days_survive_even_the_shortest_retention(self):
        kept = self.entry_aged(179)
        self.assertEqual(retention.purge_audit(days=180), 0)
        self.assertTrue(AuditEntry.objects.filter(pk=kept.pk).exists())

    def test_the_application_still_cannot_delete_or_edit(self):
        entry = self.entry_aged(5000)
        with self.assertRaises(TypeError):
            AuditEntry.objects.filter(pk=entry.pk).delete()
        with self.assertRaises(TypeError):
            AuditEntry.objects.filter(pk=entry.pk).update(detail="x")
        subject = AuditSubject.objects.create(entry=entry, object_type="members.member", object_id=1)
        with self.assertRaises(TypeError):
            subject.save()

    def test_purge_is_a_nightly_worker_job(self):
        self.assertIn("purge_old_audit_entries", {job.name for job in all_jobs()})
