"""Service requests (事无巨细): what a member needs, who handles it, by when, and what the member said afterwards.

Deadlines follow the request's category policy (see clock.py for how they are computed); the computed times are
stored on the request so the worker finds due rows through an index instead of recomputing every open request.
"""

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laogan.accounts.models import PATH_MAX, Unit, subtree_q
from laogan.lib import sla


class Status(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_MEMBER = "waiting_member", _("Waiting on member")
    RESOLVED = "resolved", _("Resolved")
    CONFIRMED = "confirmed", _("Confirmed by callback")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


OPEN_STATUSES = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING_MEMBER, Status.REOPENED)
# The clock does not run while the request waits on the member, nor between a resolution and a reopening.
CLOCK_STOPPED = frozenset({Status.WAITING_MEMBER, Status.RESOLVED, Status.CONFIRMED, Status.CLOSED})
DONE_STATUSES = (Status.RESOLVED, Status.CONFIRMED, Status.CLOSED)
# Reaching one of these is the first response to the member: someone is on it.
RESPONDING_STATUSES = frozenset({Status.IN_PROGRESS, Status.WAITING_MEMBER, Status.RESOLVED})


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    WALK_IN = "walk_in", _("Walk-in")
    VISIT = "visit", _("During a visit")
    OTHER = "other", _("Other")


class Caller(models.TextChoices):
    MEMBER = "member", _("The member")
    FAMILY = "family", _("Family")
    OTHER = "other", _("Someone else")


class Clock(models.TextChoices):
    ALWAYS = "always", _("24/7 (day and night, holidays too)")
    WORKING_HOURS = "working", _("Working hours on working days")


class Anchor(models.TextChoices):
    DURATION = "duration", _("Within a time")
    END_OF_DAY = "end_of_day", _("By the end of the reporting day, at least")


class SlaState(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Overdue")
    PAUSED = "paused", _("Clock paused")
    MET = "met", _("Done in time")
    MISSED = "missed", _("Done late")


class CategoryQuerySet(models.QuerySet):
    def for_centre(self, centre):
        """Return the shipped categories and the centre's own, active ones only."""
        own = Q(unit=centre) if centre is not None else Q(pk__in=[])
        return self.filter(Q(unit__isnull=True) | own, active=True).order_by("order", "id")


class Category(models.Model):
    """What a request is about. Shipped categories have no unit; a centre adds its own."""

    unit = models.ForeignKey(Unit, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("centre"))
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("in use"), default=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("request category")
        verbose_name_plural = _("request categories")
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="category_code_per_centre"),
            models.UniqueConstraint(fields=["code"], condition=Q(unit__isnull=True), name="category_code_shipped"),
        ]

    def __str__(self):
        return self.name


class Policy(models.Model):
    """The promise for one category: a first-response target and a resolution target on a clock.

    A policy without a unit is the shipped default; a centre's own policy for the category replaces it there.
    """

    unit = models.ForeignKey(Unit, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("centre"))
    category = models.ForeignKey(Category, models.CASCADE, related_name="policies", verbose_name=_("category"))
    respond_minutes = models.PositiveIntegerField(_("respond within (minutes)"), default=120)
    respond_anchor = models.CharField(_("response target"), max_length=12, choices=Anchor.choices, default=Anchor.DURATION)
    resolve_minutes = models.PositiveIntegerField(_("resolve within (minutes)"), default=72 * 60)
    resolve_anchor = models.CharField(_("resolution target"), max_length=12, choices=Anchor.choices, default=Anchor.DURATION)
    clock = models.CharField(_("clock"), max_length=10, choices=Clock.choices, default=Clock.ALWAYS)
    morning_start = models.TimeField(_("morning from"), default=time(8, 30))
    morning_end = models.TimeField(_("morning until"), default=time(12, 0))
    afternoon_start = models.TimeField(_("afternoon from"), default=time(14, 30))
    afternoon_end = models.TimeField(_("afternoon until"), default=time(17, 30))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        constraints = [
            models.UniqueConstraint(fields=["unit", "category"], name="policy_per_centre_category"),
            models.UniqueConstraint(fields=["category"], condition=Q(unit__isnull=True), name="policy_shipped_category"),
        ]

    def __str__(self):
        return f"{self.category}: {self.respond_target().describe_zh()}响应，{self.resolve_target().describe_zh()}办结"

    def respond_target(self):
        return sla.Target(self.respond_minutes, self.respond_anchor == Anchor.END_OF_DAY)

    def resolve_target(self):
        return sla.Target(self.resolve_minutes, self.resolve_anchor == Anchor.END_OF_DAY)

    def calendar(self):
        if self.clock == Clock.WORKING_HOURS:
            return sla.WorkingHours(((self.morning_start, self.morning_end), (self.afternoon_start, self.afternoon_end)))
        return sla.AlwaysOpen()

    @classmethod
    def effective(cls, centre_id, category):
        """Return the policy that applies to a category in a centre: the centre's own, else the shipped one, else
        an unsaved policy with the general defaults (respond in 2 h, resolve in 72 h, 24/7)."""
        found = {p.unit_id: p for p in cls.objects.filter(Q(unit__isnull=True) | Q(unit_id=centre_id), category=category)}
        return found.get(centre_id) or found.get(None) or cls(unit=None, category=category)

    @property
    def is_own(self):
        return self.unit_id is not None


class PartnerKind(models.TextChoices):
    PROPERTY = "property", _("Property management")
    REPAIR = "repair", _("Repair service")
    HOME_CARE = "home_care", _("Home-care station (civil affairs)")
    UTILITY = "utility", _("Water, power or gas company")
    HOSPITAL = "hospital", _("Hospital or pharmacy")
    OTHER = "other", _("Other")


class Partner(models.Model):
    """Someone outside the centre a request can be dispatched to (物业, 维修, 居家养老服务站…)."""

    centre = models.ForeignKey(Unit, models.CASCADE, related_name="+", verbose_name=_("centre"))
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=12, choices=PartnerKind.choices, default=PartnerKind.OTHER)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [models.UniqueConstraint(fields=["centre", "name"], name="partner_name_per_centre")]

    def __str__(self):
        return self.name


class ServiceRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Return the requests of members in the user's subtree; bureau viewers see none."""
        if not user.is_authenticated or not user.sees_personal_data:
            return self.none()
        return self.filter(subtree_q(user.unit.path))

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def at_risk(self, now):
        """Open requests in the last fifth of their current deadline, not yet overdue."""
        return self.open().filter(risk_at__lte=now, due_at__gt=now)

    def overdue(self, now):
        return self.open().filter(due_at__lte=now)


class ServiceRequest(models.Model):
    centre = models.ForeignKey(Unit, models.PROTECT, related_name="+", editable=False)
    # The member's unit path when the request was taken: the request stays where it was made if they move.
    unit_path = models.CharField(max_length=PATH_MAX, editable=False)
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="service_requests", verbose_name=_("member"))
    category = models.ForeignKey(Category, models.PROTECT, related_name="+", verbose_name=_("category"))
    summary = models.CharField(_("what is needed"), max_length=200)
    location = models.CharField(_("where"), max_length=200, blank=True)
    channel = models.CharField(_("came in by"), max_length=10, choices=Channel.choices, default=Channel.PHONE)
    caller = models.CharField(_("who called"), max_length=10, choices=Caller.choices, default=Caller.MEMBER)
    caller_name = models.CharField(_("caller's name and relation"), max_length=50, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW, editable=False)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("assigned to"), editable=False)
    partner = models.ForeignKey(Partner, models.SET_NULL, null=True, blank=True, related_name="requests",
                                verbose_name=_("partner"), editable=False)
    partner_ref = models.CharField(_("partner's reference"), max_length=60, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", editable=False)

    opened_at = models.DateTimeField(_("reported at"), default=timezone.now)
    reported_on = models.DateField(_("reported on"), editable=False)  # local date of opened_at, for figures
    responded_at = models.DateTimeField(_("first response"), null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)
    resolved_on = models.DateField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution = models.TextField(_("what was done"), blank=True, editable=False)
    delay_reason = models.CharField(_("reason for the delay"), max_length=200, blank=True, editable=False)
    satisfied = models.BooleanField(_("satisfied"), null=True, blank=True, editable=False)
    callback_at = models.DateTimeField(null=True, blank=True, editable=False)
    callback_comment = models.CharField(_("callback comment"), max_length=300, blank=True, editable=False)

    # Computed by clock.refresh_deadlines(); never typed. due_at/risk_at are the next deadline (the response one
    # until someone responds, then the resolution one), None while the clock is stopped.
    respond_by = models.DateTimeField(_("respond by"), null=True, blank=True, editable=False)
    resolve_by = models.DateTimeField(_("resolve by"), null=True, blank=True, editable=False)
    due_at = models.DateTimeField(null=True, blank=True, editable=False)
    risk_at = models.DateTimeField(null=True, blank=True, editable=False)
    time_left_when_paused = models.DurationField(null=True, blank=True, editable=False)
    missed_response = models.BooleanField(_("response late"), default=False, editable=False)
    missed_resolution = models.BooleanField(_("resolution late"), default=False, editable=False)
    # Claimed by the worker with a conditional update so each notification goes out once; cleared when due_at moves.
    at_risk_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    breach_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        indexes = [
            models.Index(fields=["unit_path", "reported_on"], name="request_scope_day"),
            models.Index(fields=["centre", "status"], name="request_centre_status"),
            models.Index(fields=["assignee", "status"], name="request_assignee_status"),
            models.Index(fields=["member", "opened_at"], name="request_member"),
            # Partial indexes over open rows: the worker's sweep and the "at risk"/"overdue" lists stay small
            # however many closed requests accumulate (both SQLite and PostgreSQL build these).
            models.Index(fields=["due_at"], condition=Q(status__in=OPEN_STATUSES), name="request_open_due"),
            models.Index(fields=["risk_at"], condition=Q(status__in=OPEN_STATUSES), name="request_open_risk"),
            models.Index(fields=["resolve_by"], condition=Q(status__in=OPEN_STATUSES), name="request_open_resolve_by"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.summary}"

    def get_absolute_url(self):
        return reverse("request_detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def is_paused(self):
        return self.status == Status.WAITING_MEMBER

    @property
    def due_kind(self):
        return "respond" if self.responded_at is None else "resolve"

    def sla_state(self, now=None):
        """Return where the request stands against its deadline (a SlaState)."""
        now = now or timezone.now()
        if self.status in DONE_STATUSES:
            return SlaState.MISSED if self.missed_resolution else SlaState.MET
        if self.status == Status.WAITING_MEMBER or self.due_at is None:
            return SlaState.PAUSED
        if now >= self.due_at:
            return SlaState.BREACHED
        if self.risk_at is not None and now >= self.risk_at:
            return SlaState.AT_RISK
        return SlaState.ON_TRACK

    @property
    def state(self):
        return self.sla_state()

    @property
    def time_left_text(self):
        """Return the clock time that was left when the request began waiting on the member, e.g. "13小时59分"."""
        return duration_zh(self.time_left_when_paused)

    @property
    def partner_text(self):
        if not self.partner_id:
            return ""
        return f"{self.partner.name}（{self.partner_ref}）" if self.partner_ref else self.partner.name


def duration_zh(delta):
    if delta is None:
        return ""
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60}小时{minutes % 60}分" if minutes >= 60 else f"{minutes}分钟"


class EventKind(models.TextChoices):
    CREATED = "created", _("Recorded")
    ASSIGNED = "assigned", _("Assigned")
    DISPATCHED = "dispatched", _("Dispatched to a partner")
    STARTED = "started", _("Work started")
    WAITING = "waiting", _("Waiting on the member")
    RESUMED = "resumed", _("Resumed")
    RESOLVED = "resolved", _("Resolved")
    CALLBACK = "callback", _("Callback")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")
    NOTE = "note", _("Note")
    POLICY = "policy", _("Deadline policy changed")
    AT_RISK = "at_risk", _("Flagged at risk")
    BREACHED = "breached", _("Flagged overdue")


class RequestEvent(models.Model):
    """One entry in a request's history, never edited. Status changes carry the new status, so the pauses of the
    clock can always be rebuilt from here."""

    request = models.ForeignKey(ServiceRequest, models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    detail = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["request", "at"], name="request_event_order")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
