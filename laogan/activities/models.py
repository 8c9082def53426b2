"""请进来 / 请出去 / 动起来 and 六共同: activities with their attendance, recurring series of them, the advisory groups
(顾问团、参谋队) with their members and work, and the suggestions (建言献策) members and groups make.

An Activity belongs to a centre and to the unit that organised it (the centre, its branch or a party group); one
Participation row per member says whether the member was invited, came (one 人次), or had the material brought home
(送学上门). A Suggestion moves received → forwarded → answered → adopted / not adopted; its reply due date is a
stored column, so the overdue list is an index range scan.
"""

from datetime import date, time, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laogan.accounts.models import PATH_MAX, Unit, subtree_q


def centre_scope_q(user, path_field="unit_path", centre_field="centre"):
    """Return a Q for rows in the user's subtree or of the centre the user works in (a group leader sees the
    centre's activities; their attendance lists still show only the members the user may see)."""
    q = subtree_q(user.unit.path, path_field)
    if user.unit.centre_id:
        q |= Q(**{f"{centre_field}_id": user.unit.centre_id})
    return q


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated or not user.sees_personal_data:
            return self.none()
        return self.filter(centre_scope_q(user))


# -- kinds ---------------------------------------------------------------------------------------------------------

class KindGroup(models.TextChoices):
    SIX_TOGETHER = "six", _("Six together (六共同)")
    INVITE_IN = "in", _("Invited in (请进来)")
    GO_OUT = "out", _("Going out (请出去)")
    ACTIVE = "active", _("Getting active (动起来)")
    JOINT = "joint", _("With partner units (共建)")
    OTHER = "other", _("Other")


class Kind(models.TextChoices):
    FORUM = "forum", _("Forum (座谈会)")
    STUDY = "study", _("Study session (学习会)")
    CITY_TOUR = "city_tour", _("Tour of the city (参观市容市貌)")
    PROJECT_TOUR = "project_tour", _("Tour of a key project (参观重点工程)")
    JOINT_WRITING = "joint_writing", _("Writing reflections together (共撰体会)")
    SPECIAL_ISSUE = "special_issue", _("Special issue together (共出专刊)")
    SITUATION_REPORT = "situation_report", _("Report on the situation (形势报告)")
    LECTURE = "lecture", _("Topical lecture (专题辅导)")
    BRIEFING = "briefing", _("Half-yearly briefing (形势通报会)")
    ADVISORY = "advisory", _("Advisory-group work (顾问团工作)")
    YOUTH = "youth", _("Youth-care committee work (关工委工作)")
    INVESTMENT = "investment", _("Investment introduction (招商引资)")
    THEME = "theme", _("Quarterly theme activity (季度主题活动)")
    PARTNER = "partner", _("Joint activity with partner units (共建活动)")
    OTHER = "other", _("Other")


KIND_GROUP = {
    Kind.FORUM: KindGroup.SIX_TOGETHER, Kind.STUDY: KindGroup.SIX_TOGETHER, Kind.CITY_TOUR: KindGroup.SIX_TOGETHER,
    Kind.PROJECT_TOUR: KindGroup.SIX_TOGETHER, Kind.JOINT_WRITING: KindGroup.SIX_TOGETHER,
    Kind.SPECIAL_ISSUE: KindGroup.SIX_TOGETHER,
    Kind.SITUATION_REPORT: KindGroup.INVITE_IN, Kind.LECTURE: KindGroup.INVITE_IN, Kind.BRIEFING: KindGroup.INVITE_IN,
    Kind.ADVISORY: KindGroup.GO_OUT, Kind.YOUTH: KindGroup.GO_OUT, Kind.INVESTMENT: KindGroup.GO_OUT,
    Kind.THEME: KindGroup.ACTIVE,
    Kind.PARTNER: KindGroup.JOINT,
    Kind.OTHER: KindGroup.OTHER,
}


def grouped_kind_choices():
    """Return the kinds grouped for a <select> with <optgroup>s: 六共同, 请进来, 请出去, 动起来, 共建, other."""
    groups = []
    for group in KindGroup:
        kinds = [(k.value, k.label) for k in Kind if KIND_GROUP[k] == group]
        groups.append((group.label, kinds) if group != KindGroup.OTHER else kinds[0])
    return groups


# -- activities ----------------------------------------------------------------------------------------------------

class ActivityQuerySet(ScopedQuerySet):
    def held(self, today):
        return self.filter(cancelled=False, date__lte=today)

    def upcoming(self, today, days):
        return self.filter(cancelled=False, date__gte=today, date__lte=today + timedelta(days=days))


class Activity(models.Model):
    """One activity as planned and held: a 学习会, a 形势通报会, a tree-adoption day …"""

    centre = models.ForeignKey(Unit, models.PROTECT, related_name="+", editable=False)
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("organised by (unit)"))
    unit_path = models.CharField(max_length=PATH_MAX, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    kind_group = models.CharField(max_length=8, choices=KindGroup.choices, editable=False)
    custom_kind = models.CharField(_("kind (own name)"), max_length=40, blank=True,
                                   help_text=_("For “Other”: the centre's own name for the kind, e.g. 重阳登高."))
    title = models.CharField(_("title"), max_length=120)
    starts_at = models.DateTimeField(_("date and time"))
    # The local calendar day of starts_at, stored so figures and lists count by day without time-zone arithmetic.
    date = models.DateField(editable=False)
    place = models.CharField(_("place"), max_length=120, blank=True)
    organiser = models.CharField(_("organiser"), max_length=100, blank=True,
                                 help_text=_("Who runs it, e.g. 中心党支部 or 城区党政办."))
    partners = models.ManyToManyField("liaison.PartnerUnit", related_name="+", blank=True, verbose_name=_("partner units"))
    other_partners = models.CharField(_("other partner units"), max_length=200, blank=True)
    series = models.ForeignKey("ActivitySeries", models.SET_NULL, null=True, blank=True, related_name="activities",
                               editable=False)
    occurrence = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    summary = models.TextField(_("summary"), blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Optimistic locking (lib/locking.py): an edit made on a stale copy is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["unit_path", "date"], name="activity_scope_day"),
            models.Index(fields=["centre", "date"], name="activity_centre_day"),
            models.Index(fields=["kind_group", "date"], name="activity_group_day"),
        ]
        constraints = [
            # A series never generates one occurrence twice, however often (or by however many workers) it runs.
            models.UniqueConstraint(fields=["series", "occurrence"], name="activity_series_occurrence_once"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.title}"

    def get_absolute_url(self):
        return reverse("activity_detail", args=[self.pk])

    def refresh_derived(self):
        self.kind_group = KIND_GROUP[Kind(self.kind)]
        self.unit_path = self.unit.path
        self.centre_id = self.unit.centre_id
        self.date = timezone.localtime(self.starts_at).date()

    @property
    def kind_label(self):
        if self.kind == Kind.OTHER and self.custom_kind:
            return self.custom_kind
        return self.get_kind_display()


class Presence(models.TextChoices):
    INVITED = "invited", _("Invited")
    ATTENDED = "attended", _("Attended")
    HOME = "home", _("Brought the material at home (送学上门)")


class Method(models.TextChoices):
    LIST = "list", _("Ticked on the list")
    SCAN = "scan", _("Scanned the sign-in code")
    HOME = "home", _("Taken to the member's home")


class ParticipationQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated or not user.sees_personal_data:
            return self.none()
        # Through the member's current unit: the row's own unit_path is where the member was on the day (figures).
        return self.filter(subtree_q(user.unit.path, "member__unit_path"))


class Participation(models.Model):
    """One member at one activity: invited, came (1 人次), or had the material brought home (送学上门)."""

    activity = models.ForeignKey(Activity, models.CASCADE, related_name="participations")
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="activity_participations")
    # The member's unit path and the activity's day, copied so figures scope and count on this table's own index.
    unit_path = models.CharField(max_length=PATH_MAX)
    day = models.DateField()
    invited = models.BooleanField(default=False)
    presence = models.CharField(_("presence"), max_length=10, choices=Presence.choices, default=Presence.INVITED)
    method = models.CharField(max_length=6, choices=Method.choices, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["activity", "member"], name="participation_once")]
        indexes = [
            models.Index(fields=["unit_path", "day"], name="participation_scope_day"),
            models.Index(fields=["member", "day"], name="participation_member_day"),
        ]

    def __str__(self):
        return f"{self.member} · {self.activity}"

    def get_absolute_url(self):
        return reverse("activity_detail", args=[self.activity_id])


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(Activity, models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="activities/%Y/")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class ActivitySeries(models.Model):
    """An activity held again every N months from a first date, e.g. the 形势通报会 every six months.

    Occurrence k falls `k × every_months` months after `starts_on` (counted from the start, so 31 January gives
    31 July, never a date that drifts). `next_occurrence` and `next_due` name the first occurrence not yet created;
    the worker creates occurrences whose day is within LEAD_DAYS, claiming each by a conditional update of
    `next_occurrence`, so nothing is scanned and nothing is created twice.
    """

    centre = models.ForeignKey(Unit, models.PROTECT, related_name="+", editable=False)
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("organised by (unit)"))
    unit_path = models.CharField(max_length=PATH_MAX, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.BRIEFING)
    custom_kind = models.CharField(_("kind (own name)"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=120)
    place = models.CharField(_("place"), max_length=120, blank=True)
    organiser = models.CharField(_("organiser"), max_length=100, blank=True)
    starts_on = models.DateField(_("first date"))
    time = models.TimeField(_("time of day"), default=time(9, 0))
    every_months = models.PositiveSmallIntegerField(_("every (months)"), default=6)
    ends_on = models.DateField(_("last date"), null=True, blank=True, help_text=_("Leave empty while it goes on."))
    active = models.BooleanField(_("active"), default=True)
    next_occurrence = models.PositiveSmallIntegerField(default=0, editable=False)
    next_due = models.DateField(null=True, editable=False)
    # Optimistic locking (lib/locking.py): an edit made on a stale copy is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("recurring activity")
        indexes = [models.Index(fields=["next_due"], condition=Q(active=True), name="series_next_due")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("activity_series_detail", args=[self.pk])

    def occurrence_date(self, k):
        return add_months(self.starts_on, k * self.every_months)

    def refresh_derived(self):
        self.unit_path = self.unit.path
        self.centre_id = self.unit.centre_id
        due = self.occurrence_date(self.next_occurrence)
        self.next_due = None if self.ends_on and due > self.ends_on else due


def add_months(day, months):
    """Return the same day `months` later, or the month's last day when it has fewer days (31 Jan + 1 → 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, d))
        except ValueError:
            continue
    raise ValueError(day)


# -- advisory groups (顾问团、参谋队) -----------------------------------------------------------------------------------

DEFAULT_FIELDS = ["党建", "农业", "宣讲", "科教", "建设"]


class AdvisoryGroupQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated or not user.sees_personal_data:
            return self.none()
        return self.filter(centre_scope_q(user, "centre__path"))


class AdvisoryGroup(models.Model):
    """One field group of the centre's 顾问团/参谋队, e.g. 党建组: members with expertise who advise the district."""

    centre = models.ForeignKey(Unit, models.PROTECT, related_name="+")
    field = models.CharField(_("field"), max_length=20)
    name = models.CharField(_("name"), max_length=60)
    remit = models.TextField(_("remit"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    # Optimistic locking (lib/locking.py): an edit made on a stale copy is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = AdvisoryGroupQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("advisory group")
        constraints = [models.UniqueConstraint(fields=["centre", "field"], name="advisory_group_field_once")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("advisory_group", args=[self.pk])

    @property
    def unit_path(self):
        return self.centre.path


class Adviser(models.Model):
    """A member who serves on an advisory group, with what they know."""

    group = models.ForeignKey(AdvisoryGroup, models.CASCADE, related_name="advisers")
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="advisory_roles")
    expertise = models.CharField(_("expertise"), max_length=200)
    is_leader = models.BooleanField(_("group head"), default=False)
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        ordering = ["-is_leader", "member__name_pinyin", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "member"], name="adviser_once_per_group")]

    def __str__(self):
        return f"{self.member} · {self.group}"


class WorkRecord(models.Model):
    """Something an advisory group did: a survey of a village, a talk to cadres, advice on a project."""

    group = models.ForeignKey(AdvisoryGroup, models.CASCADE, related_name="work")
    date = models.DateField(_("date"))
    what = models.CharField(_("what was done"), max_length=200)
    who = models.CharField(_("who took part"), max_length=200, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["group", "date"], name="advisory_work_day")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.what}"


# -- suggestions (建言献策) ------------------------------------------------------------------------------------------

class SuggestionStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    FORWARDED = "forwarded", _("Forwarded")
    ANSWERED = "answered", _("Answered")
    ADOPTED = "adopted", _("Adopted")
    NOT_ADOPTED = "not_adopted", _("Not adopted")


ANSWERED_STATES = (SuggestionStatus.ANSWERED, SuggestionStatus.ADOPTED, SuggestionStatus.NOT_ADOPTED)
FIELD_CHOICES = [(f, f) for f in DEFAULT_FIELDS] + [("其他", "其他")]


class SuggestionQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated or not user.sees_personal_data:
            return self.none()
        return self.filter(centre_scope_q(user))

    def overdue(self, today):
        return self.filter(status=SuggestionStatus.FORWARDED, reply_due__lt=today)


class Suggestion(models.Model):
    """One suggestion made to the district by a member or an advisory group, followed until it is decided."""

    centre = models.ForeignKey(Unit, models.PROTECT, related_name="+", editable=False)
    unit_path = models.CharField(max_length=PATH_MAX, editable=False)
    member = models.ForeignKey("members.Member", models.PROTECT, null=True, blank=True, related_name="suggestions",
                               verbose_name=_("from the member"))
    group = models.ForeignKey(AdvisoryGroup, models.PROTECT, null=True, blank=True, related_name="suggestions",
                              verbose_name=_("from the advisory group"))
    field = models.CharField(_("field"), max_length=20, choices=FIELD_CHOICES)
    text = models.TextField(_("suggestion"))
    received_on = models.DateField(_("received on"))
    status = models.CharField(_("status"), max_length=12, choices=SuggestionStatus.choices,
                              default=SuggestionStatus.RECEIVED, editable=False)
    forwarded_to = models.CharField(_("forwarded to"), max_length=100, blank=True, editable=False)
    forwarded_on = models.DateField(_("forwarded on"), null=True, blank=True, editable=False)
    reply_due = models.DateField(_("reply due"), null=True, blank=True, editable=False)
    reply = models.TextField(_("reply"), blank=True, editable=False)
    answered_on = models.DateField(_("answered on"), null=True, blank=True, editable=False)
    decided_on = models.DateField(_("decided on"), null=True, blank=True, editable=False)
    decision_note = models.CharField(_("note on the decision"), max_length=200, blank=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("suggestion")
        indexes = [
            models.Index(fields=["unit_path", "received_on"], name="suggestion_scope_day"),
            # The overdue list reads only forwarded rows by their due date.
            models.Index(fields=["reply_due"], condition=Q(status="forwarded"), name="suggestion_reply_due"),
            models.Index(fields=["centre", "status"], name="suggestion_centre_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(member__isnull=False) | Q(group__isnull=False), name="suggestion_has_author"),
        ]

    def __str__(self):
        return f"{self.received_on:%Y-%m-%d} {self.text[:30]}"

    def get_absolute_url(self):
        return reverse("suggestion_detail", args=[self.pk])

    @property
    def author(self):
        return self.group.name if self.group_id else self.member.name

    def is_overdue(self, today):
        return self.status == SuggestionStatus.FORWARDED and self.reply_due is not None and self.reply_due < today
