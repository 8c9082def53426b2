"""四必访: the visits a centre owes its members (planned from rules), the visits made (records), and the money spent.

A PlannedVisit is an obligation with a stored due date and window, keyed by (member, occasion instance) so that
planning can run any number of times and never plan one twice. A VisitRecord is one visit as it happened — one home
visit, or one gathering for many members — with a VisitAttendance row per member (the 人次 that figures count).
MoneyEntry rows are the ledger: written once, corrected only by a reversal row.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from laogan.accounts.models import PATH_MAX, Unit, subtree_q
from laogan.lib import lunar


class AgeReckoning(models.TextChoices):
    FULL_YEARS = "zhousui", _("Full years (周岁)")
    NOMINAL = "xusui", _("Nominal age (虚岁)")


class CalendarKind(models.TextChoices):
    SOLAR = "solar", _("Gregorian calendar")
    LUNAR = "lunar", _("Lunar calendar")


class VisitRules(models.Model):
    """A centre's settings for planning visits; a centre without a row plans with these defaults."""

    centre = models.OneToOneField(Unit, models.CASCADE, related_name="visit_rules")
    age_reckoning = models.CharField(_("age counted as"), max_length=8, choices=AgeReckoning.choices,
                                     default=AgeReckoning.FULL_YEARS)
    milestone_ages = models.CharField(_("milestone birthdays"), max_length=100, default="80,85,90,95,100",
                                      help_text=_("Ages separated by commas, e.g. 80,85,90,95,100."))
    yearly_milestones_from = models.PositiveSmallIntegerField(_("every birthday a milestone from age"), default=100)
    birthday_window_days = models.PositiveSmallIntegerField(_("birthday visit window (days up to the day)"), default=7,
                                                            validators=[MinValueValidator(1)])
    hospital_visit_days = models.PositiveSmallIntegerField(_("visit within days of admission"), default=2)
    long_stay_days = models.PositiveSmallIntegerField(_("a further hospital visit every (days)"), default=30,
                                                      validators=[MinValueValidator(7)])
    followup_days = models.PositiveSmallIntegerField(_("follow-up call within days of discharge"), default=7)
    hardship_days = models.PositiveSmallIntegerField(_("visit within days of a hardship report"), default=3)
    reminder_days = models.PositiveSmallIntegerField(_("remind the liaison days before"), default=3)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking (lib/locking.py). Unsaved defaults count as version 1, which is what a row stored with the
    # defaults (by the planner or a first save) starts at: the first save claims 1 → 2 whoever stored the row.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("visit rules")
        verbose_name_plural = _("visit rules")

    def __str__(self):
        return f"{self.centre} visit rules"

    @property
    def milestones(self):
        return {int(a) for a in self.milestone_ages.replace("，", ",").split(",") if a.strip().isdigit()}

    def is_milestone(self, age):
        return age in self.milestones or age >= self.yearly_milestones_from

    def birthday_age(self, member, occasion_year):
        """Return the age a member turns on the birthday of `occasion_year` (a lunar year for a lunar birthday)."""
        if member.birthday_custom == "lunar" and member.lunar_birth_month is not None:
            born = lunar.lunar_year_from(member.birth_date, member.lunar_birth_month)
        else:
            born = member.birth_date.year
        age = occasion_year - born
        # 虚岁: one at birth and one more each new year, so on the birthday it is one more than the full years.
        return age + 1 if self.age_reckoning == AgeReckoning.NOMINAL else age


# The festivals every centre starts with: the four of the source document's 重大节日必访.
DEFAULT_FESTIVALS = [
    # name, calendar, month, day, gatherings count
    ("春节", CalendarKind.LUNAR, 1, 1, False),
    ("七一", CalendarKind.SOLAR, 7, 1, True),
    ("中秋", CalendarKind.LUNAR, 8, 15, False),
    ("重阳", CalendarKind.LUNAR, 9, 9, True),
]


class Festival(models.Model):
    """A day on which every member of the centre is visited, within a window up to the day."""

    centre = models.ForeignKey(Unit, models.CASCADE, related_name="festivals")
    name = models.CharField(_("name"), max_length=30)
    calendar = models.CharField(_("calendar"), max_length=5, choices=CalendarKind.choices, default=CalendarKind.SOLAR)
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1)])
    day = models.PositiveSmallIntegerField(_("day"), validators=[MinValueValidator(1)])
    window_days = models.PositiveSmallIntegerField(_("visit window (days up to the day)"), default=14,
                                                   validators=[MinValueValidator(1)])
    gatherings_count = models.BooleanField(_("a gathering counts as the visit"), default=False,
                                           help_text=_("座谈会, 茶话会: members who attended need no home visit."))
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(default=0)
    # Optimistic locking: a stale edit form is refused instead of overwriting someone's change (lib/locking.py).
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["centre", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["centre", "name"], name="festival_unique_name")]

    def __str__(self):
        return self.name

    def date_in(self, year):
        """Return the day of this festival in `year` (a lunar year for a lunar festival)."""
        if self.calendar == CalendarKind.LUNAR:
            return lunar.to_solar(year, self.month, self.day)
        try:
            return date(year, self.month, self.day)
        except ValueError:  # 29 February in a common year
            return date(year, self.month, 28)

    @property
    def date_text(self):
        if self.calendar == CalendarKind.LUNAR:
            return "农历" + lunar.month_day_text(self.month, self.day)
        return f"{self.month}月{self.day}日"


class Occasion(models.TextChoices):
    FESTIVAL = "festival", _("Festival")
    BIRTHDAY = "birthday", _("Birthday")
    HOSPITAL = "hospital", _("Hospital stay")
    HOSPITAL_FOLLOWUP = "hospital_followup", _("Follow-up after discharge")
    HARDSHIP = "hardship", _("Family hardship")
    OTHER = "other", _("Other (caring visit)")


RULE_OCCASIONS = (Occasion.FESTIVAL, Occasion.BIRTHDAY)
EVENT_OCCASIONS = (Occasion.HOSPITAL, Occasion.HOSPITAL_FOLLOWUP, Occasion.HARDSHIP)

OCCASION_ZH = {"festival": "节日", "birthday": "生日祝寿", "hospital": "住院探望", "hospital_followup": "出院回访",
               "hardship": "困难帮扶", "other": "日常走访"}


def occasion_code(kind, festival_name="", milestone_age=None):
    """Return the occasion as the plan_visits CSV writes it: festival:<name>, birthday_milestone:<age>, hospital…"""
    if kind == Occasion.FESTIVAL:
        return f"festival:{festival_name}"
    if kind == Occasion.BIRTHDAY and milestone_age:
        return f"birthday_milestone:{milestone_age}"
    return str(kind)


def occasion_label(code):
    """Return a code like festival:春节 or birthday_milestone:90 in words."""
    kind, _sep, detail = code.partition(":")
    if kind == "festival":
        return detail
    if kind == "birthday_milestone":
        return f"{detail}岁寿辰"
    return OCCASION_ZH.get(kind, code)


class PlanStatus(models.TextChoices):
    OPEN = "open", _("To visit")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class CancelCause(models.TextChoices):
    DECEASED = "deceased", _("Member died")
    DISCHARGED = "discharged", _("Discharged from hospital")
    REPLANNED = "replanned", _("Re-planned")
    MANUAL = "manual", _("Cancelled by staff")


class PlannedVisitQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated or not user.sees_personal_data:
            return self.none()
        return self.filter(subtree_q(user.unit.path, "member__unit_path"))

    def open(self):
        return self.filter(status=PlanStatus.OPEN)

    def overdue(self, today):
        return self.filter(status=PlanStatus.OPEN, window_end__lt=today)

    def due_within(self, today, days):
        """Return open visits whose window is open now or opens within `days`, and has not closed."""
        return self.filter(status=PlanStatus.OPEN, window_end__gte=today, window_start__lte=today + timedelta(days=days))

    def for_liaison(self, user):
        return self.filter(member__liaison=user)


class PlannedVisit(models.Model):
    """One visit the rules say a member is owed, e.g. 张建国's 90th birthday in 2026 or his hospital stay's first visit.

    `key` names the occasion instance (festival:<id>:<year>, birthday:<calendar>:<year>, hospital:<event>:<n>,
    hospital_followup:<event>, hardship:<event>): unique per member, so planning is idempotent. The year of a lunar
    occasion is the lunar year, which is how a lunar birthday that falls twice in one Gregorian year is planned
    twice, and one that misses a Gregorian year is never lost.
    """

    centre = models.ForeignKey(Unit, models.CASCADE, related_name="+")
    member = models.ForeignKey("members.Member", models.CASCADE, related_name="planned_visits")
    key = models.CharField(max_length=60)
    kind = models.CharField(_("occasion"), max_length=20, choices=Occasion.choices)
    festival = models.ForeignKey(Festival, models.SET_NULL, null=True, blank=True, related_name="+")
    life_event = models.ForeignKey("members.LifeEvent", models.SET_NULL, null=True, blank=True, related_name="+")
    occasion_year = models.PositiveSmallIntegerField(null=True, blank=True)
    milestone_age = models.PositiveSmallIntegerField(null=True, blank=True)
    due_date = models.DateField(_("due"))
    window_start = models.DateField()
    window_end = models.DateField()
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    cancelled_because = models.CharField(max_length=12, choices=CancelCause.choices, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=200, blank=True)
    done_on = models.DateField(null=True, blank=True)
    attendance = models.OneToOneField("VisitAttendance", models.SET_NULL, null=True, blank=True, related_name="planned")
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlannedVisitQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [models.UniqueConstraint(fields=["member", "key"], name="planned_visit_unique_occasion")]
        indexes = [
            # Work lists and sweeps read open rows only; done rows pile up by the million.
            models.Index(fields=["centre", "window_end"], condition=Q(status="open"), name="planned_open_by_centre"),
            models.Index(fields=["member", "status", "due_date"], name="planned_member_status"),
            models.Index(fields=["centre", "due_date"], name="planned_centre_due"),
            models.Index(fields=["due_date"], condition=Q(status="open", reminded_at__isnull=True),
                         name="planned_unreminded"),
        ]

    def __str__(self):
        return f"{self.member} {self.occasion_label} {self.due_date:%Y-%m-%d}"

    @property
    def occasion(self):
        return occasion_code(self.kind, self.festival.name if self.festival_id else "", self.milestone_age)

    @property
    def occasion_label(self):
        return occasion_label(self.occasion)

    @property
    def wants_cake(self):
        return self.kind == Occasion.BIRTHDAY and bool(self.milestone_age)

    def is_overdue(self, today):
        return self.status == PlanStatus.OPEN and self.window_end < today

    def get_absolute_url(self):
        return reverse("visit_member", args=[self.member_id])


class VisitForm(models.TextChoices):
    HOME = "home", _("Home visit")
    HOSPITAL = "hospital", _("Hospital visit")
    PHONE = "phone", _("Phone call")
    GATHERING = "gathering", _("Gathering (座谈会, 茶话会)")


# Which forms of contact fulfil which occasion: a phone call is only ever the follow-up after discharge.
FULFILLING_FORMS = {
    Occasion.FESTIVAL: {VisitForm.HOME, VisitForm.HOSPITAL, VisitForm.GATHERING},
    Occasion.BIRTHDAY: {VisitForm.HOME, VisitForm.HOSPITAL, VisitForm.GATHERING},
    Occasion.HOSPITAL: {VisitForm.HOSPITAL},
    Occasion.HOSPITAL_FOLLOWUP: {VisitForm.PHONE, VisitForm.HOME},
    Occasion.HARDSHIP: {VisitForm.HOME, VisitForm.HOSPITAL},
    Occasion.OTHER: set(),
}


class VisitRecordQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Return records with at least one attendee the user may see (a centre's gathering shows to its groups)."""
        if not user.is_authenticated or not user.sees_personal_data:
            return self.none()
        seen = VisitAttendance.objects.filter(subtree_q(user.unit.path, "member__unit_path"), record=models.OuterRef("pk"))
        return self.filter(models.Exists(seen))


class VisitRecord(models.Model):
    """One visit as it happened: to one member, or one gathering attended by many."""

    centre = models.ForeignKey(Unit, models.PROTECT, related_name="+")
    # The deepest unit that holds every attendee: a group for one member, the branch or centre for a gathering.
    unit_path = models.CharField(max_length=PATH_MAX, db_index=True)
    visited_at = models.DateTimeField(_("date and time"))
    visited_on = models.DateField(editable=False)
    form = models.CharField(_("form"), max_length=10, choices=VisitForm.choices, default=VisitForm.HOME)
    occasion = models.CharField(_("occasion"), max_length=20, choices=Occasion.choices, default=Occasion.OTHER)
    festival = models.ForeignKey(Festival, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("festival"))
    title = models.CharField(_("title"), max_length=100, blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    visitors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="visits_made", blank=True, verbose_name=_("staff"))
    partner_units = models.CharField(_("partner units"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisitRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_at", "-id"]
        indexes = [models.Index(fields=["centre", "visited_on"], name="visit_record_centre_day")]

    def __str__(self):
        return self.title or f"{self.get_form_display()} {self.visited_on:%Y-%m-%d}"

    @property
    def occasion_code(self):
        return occasion_code(self.occasion, self.festival.name if self.festival_id else "")

    def get_absolute_url(self):
        return reverse("visit_record_detail", args=[self.pk])


class VisitAttendance(models.Model):
    """One member at one visit: one 人次."""

    record = models.ForeignKey(VisitRecord, models.CASCADE, related_name="attendances")
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="visit_attendances")
    visited_on = models.DateField(editable=False)
    cake_ordered = models.BooleanField(_("cake ordered"), default=False)
    cake_delivered = models.BooleanField(_("cake delivered"), default=False)

    class Meta:
        ordering = ["-visited_on", "id"]
        constraints = [models.UniqueConstraint(fields=["record", "member"], name="attendance_once_per_record")]
        indexes = [models.Index(fields=["member", "visited_on"], name="attendance_member_day")]

    def __str__(self):
        return f"{self.member} {self.visited_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("visit_record_detail", args=[self.record_id])


class VisitPhoto(models.Model):
    record = models.ForeignKey(VisitRecord, models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="visits/%Y/")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


def may_keep_ledger(user):
    """Money is the secretary's business: secretaries and administrators read the ledger, set budgets, reverse."""
    return user.is_authenticated and user.sees_personal_data and user.role in ("admin", "secretary")


def may_set_rules(user):
    return may_keep_ledger(user)


class MoneyKind(models.TextChoices):
    CONDOLENCE = "condolence", _("Condolence money (慰问金)")
    GIFT = "gift", _("Gifts (慰问品)")


class MoneyEntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not may_keep_ledger(user):
            return self.none()
        return self.filter(subtree_q(user.unit.path, "unit_path"))

    def in_year(self, year):
        return self.filter(date__gte=date(year, 1, 1), date__lte=date(year, 12, 31))

    def update(self, **kwargs):
        raise TypeError("Money entries are never changed: record a reversal")

    def delete(self):
        raise TypeError("Money entries are never deleted: record a reversal")


class MoneyEntry(models.Model):
    """One amount handed over (condolence money) or spent (gifts), or the reversal of one. Never edited."""

    centre = models.ForeignKey(Unit, models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=PATH_MAX)
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=MoneyKind.choices)
    occasion = models.CharField(_("occasion"), max_length=60)
    record = models.ForeignKey(VisitRecord, models.PROTECT, null=True, blank=True, related_name="money")
    member = models.ForeignKey("members.Member", models.PROTECT, null=True, blank=True, related_name="+")
    item = models.CharField(_("item"), max_length=100, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    handed_over_by = models.CharField(_("handed over by"), max_length=100, blank=True)
    reverses = models.OneToOneField("self", models.PROTECT, null=True, blank=True, related_name="reversal")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MoneyEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["unit_path", "date"], name="money_scope_day"),
                   models.Index(fields=["centre", "date"], name="money_centre_day")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} 元"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Money entries are never changed: record a reversal")
        self.amount = Decimal(self.amount).quantize(Decimal("0.01"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Money entries are never deleted: record a reversal")

    @property
    def occasion_label(self):
        return occasion_label(self.occasion)

    @property
    def is_reversal(self):
        return self.reverses_id is not None

    @property
    def kind_short(self):
        return "慰问金" if self.kind == MoneyKind.CONDOLENCE else "慰问品"

    @property
    def reversed(self):
        try:
            return self.reversal is not None
        except MoneyEntry.DoesNotExist:
            return False

    def get_absolute_url(self):
        if self.record_id:
            return reverse("visit_record_detail", args=[self.record_id])
        return reverse("visit_ledger") + f"?year={self.date.year}"


class Budget(models.Model):
    """The money a centre plans to spend on visits (condolence money and gifts) in a year, set by the secretary."""

    centre = models.ForeignKey(Unit, models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    amount = models.DecimalField(_("budget (yuan)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["centre", "year"], name="budget_once_per_year")]

    def __str__(self):
        return f"{self.centre} {self.year}: {self.amount} 元"


class DailyPlanMark(models.Model):
    """How far the worker's daily plan has got (one row): the last day of the horizon it planned and when that run
    began. The next run plans the days after it — normally the one day that entered the horizon — and the members
    changed since, instead of re-reading a week of both."""

    planned_through = models.DateField()
    started_at = models.DateTimeField()
