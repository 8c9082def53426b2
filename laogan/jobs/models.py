"""Periodic jobs the worker runs, each with a stored next-run time, and the worker's heartbeat."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class Heartbeat(models.Model):
    """One row per worker process name; `beat_at` tells the UI whether the worker is alive."""

    name = models.CharField(max_length=100, unique=True)
    beat_at = models.DateTimeField()
    pid = models.PositiveIntegerField(default=0)
    host = models.CharField(max_length=100, blank=True)

    @classmethod
    def latest(cls):
        return cls.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()

    @classmethod
    def is_stale(cls, now=None):
        latest = cls.latest()
        now = now or timezone.now()
        return latest is None or now - latest > timedelta(seconds=settings.LAOGAN_WORKER_STALE_SECONDS)


class JobRun(models.Model):
    """The schedule of one registered periodic job. A worker claims a run by moving next_run_at forward with a
    conditional update, so two workers never run the same job for the same slot."""

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField(db_index=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
