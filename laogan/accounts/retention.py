"""Audit retention: entries are kept at least 180 days (等保 level 3 asks for six months) and by default three years.

The application can never change or delete an audit entry (AuditQuerySet.update/delete raise, AuditEntry.save and
.delete refuse). Retention is the one exception and it is deliberately narrow: this purge deletes only entries
older than the configured retention, with QuerySet._raw_delete (a single DELETE ... WHERE at < cutoff that skips
the overridden delete() and any signals), and it refuses a retention under MIN_DAYS whatever the settings say.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from .models import AuditEntry, AuditSubject

MIN_DAYS = 180
DEFAULT_DAYS = 3 * 365
BATCH = 5000


def retention_days(days=None):
    days = days if days is not None else getattr(settings, "LAOGAN_AUDIT_RETENTION_DAYS", DEFAULT_DAYS)
    if days < MIN_DAYS:
        raise ImproperlyConfigured(f"LAOGAN_AUDIT_RETENTION_DAYS must be at least {MIN_DAYS}, not {days}")
    return days


def purge_audit(now=None, days=None):
    """Delete audit entries (and their subject rows) older than the retention; return how many entries went."""
    days = retention_days(days)
    cutoff = (now or timezone.now()) - timedelta(days=days)
    removed = 0
    while True:
        ids = list(AuditEntry.objects.filter(at__lt=cutoff).order_by("id").values_list("id", flat=True)[:BATCH])
        if not ids:
            return removed
        with transaction.atomic():
            subjects = AuditSubject.objects.filter(entry_id__in=ids)
            subjects._raw_delete(subjects.db)
            entries = AuditEntry.objects.filter(id__in=ids, at__lt=cutoff)
            removed += entries._raw_delete(entries.db)


def purge_job(now=None):
    return purge_audit(now=now)
