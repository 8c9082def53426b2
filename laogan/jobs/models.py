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


class Channel(models.TextChoices):
    INAPP = "inapp", "站内"
    SMS = "sms", "短信"
    EMAIL = "email", "电子邮件"


class Message(models.Model):
    """A message to a person, kept in the outbox whatever the backend does with it.

    `dedupe_key` is unique: whoever queues the same notification twice (two workers, a retried job) gets the first
    row back, so every notification is sent exactly once.
    """

    dedupe_key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="messages")
    to_address = models.CharField(max_length=200, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.SMS)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    unit_path = models.CharField(max_length=80, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    backend = models.CharField(max_length=50, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["sent_at", "claimed_at"], name="message_pending"),
            models.Index(fields=["unit_path", "created_at"], name="message_scope"),
        ]

    def __str__(self):
        return self.subject or self.body[:40]
