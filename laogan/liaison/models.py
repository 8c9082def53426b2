"""Who looks after whom: the 一联多 liaison policy and contact log, 一联一 group pairings, 多联一 partner units with
their yearly commitments, and the record of every 亲情服务卡 printed."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laogan.accounts.models import Unit, UnitKind, subtree_q


def _centre_scope(user, field="centre"):
    """Return a Q for rows of centres the user works in or above: their subtree, or the centre they sit under."""
    q = subtree_q(user.unit.path, f"{field}__path")
    if user.unit.centre_id:
        q |= models.Q(**{f"{field}_id": user.unit.centre_id})
    return q


class CentreScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated or not user.sees_personal_data:
            return self.none()
        return self.filter(_centre_scope(user))


# -- 一联多: the liaison roster -----------------------------------------------------------------------------------

class LiaisonPolicy(models.Model):
    """A centre's caseload bounds and contact intervals; a centre without a row uses the defaults."""

    centre = models.OneToOneField(Unit, models.CASCADE, related_name="+", limit_choices_to={"kind": UnitKind.CENTRE})
    # The source document: every staff member is the fixed liaison of 20 to 30 members.
    min_caseload = models.PositiveSmallIntegerField(_("fewest members per liaison"), default=20)
    max_caseload = models.PositiveSmallIntegerField(_("most members per liaison"), default=30)
    contact_days = models.PositiveSmallIntegerField(_("contact at least every (days)"), default=30)
    priority_contact_days = models.PositiveSmallIntegerField(
        _("in hospital or living alone: contact at least every (days)"), default=7)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking (lib/locking.py). The unsaved defaults count as version 1, which is what the row starts at
    # when the first save stores them: that save claims 1 → 2, so a second form read off the defaults is stale.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CentreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("liaison policy")

    def __str__(self):
        return f"{self.centre} {self.min_caseload}–{self.max_caseload}"

    @classmethod
    def for_centre(cls, centre):
        """Return the centre's policy, or an unsaved one with the defaults (reading never writes)."""
        return cls.objects.filter(centre=centre).first() or cls(centre=centre)

    def clean(self):
        errors = {}
        if self.max_caseload < 1:
            errors["max_caseload"] = _("A liaison must be able to look after at least one member.")
        elif self.min_caseload > self.max_caseload:
            errors["min_caseload"] = _("The fewest cannot be more than the most.")
        if self.contact_days < 1 or self.priority_contact_days < 1:
            errors["contact_days"] = _("Intervals are at least one day.")
        elif self.priority_contact_days > self.contact_days:
            errors["priority_contact_days"] = _("Members in hospital or living alone need contact at least as often as others.")
        if errors:
            raise ValidationError(errors)


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Phone call")
    HOME = "home", _("Home visit")
    MEETING = "meeting", _("Met in person")
    MESSAGE = "message", _("Text or WeChat message")
    OTHER = "other", _("Other")


class ContactLogQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated or not user.sees_personal_data:
            return self.none()
        return self.filter(subtree_q(user.unit.path, "member__unit_path"))


class ContactLog(models.Model):
    """A contact a liaison (or anyone of the centre) had with a member; it moves the member's last contact date.

    Visits and service requests keep Member.last_contact_at current through note_contact() themselves, so the
    "not contacted" lists need no knowledge of them; this log is for the contacts nothing else records.
    """

    member = models.ForeignKey("members.Member", models.CASCADE, related_name="liaison_contacts", verbose_name=_("member"))
    by = models.ForeignKey("accounts.User", models.SET_NULL, null=True, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("time"))
    # The local calendar day of `at`, stored so that figures count by day without time-zone arithmetic in SQL.
    day = models.DateField(editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices, default=ContactKind.PHONE)
    notes = models.TextField(_("notes"), blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ContactLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["member", "at"]), models.Index(fields=["day"])]

    def __str__(self):
        return f"{self.get_kind_display()} {timezone.localtime(self.at):%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        self.day = timezone.localtime(self.at).date()
        super().save(*args, **kwargs)


# -- 一联一: group pairings -----------------------------------------------------------------------------------------

class PairingSide(models.TextChoices):
    STAFF = "staff", _("its staff (在职党员)")
    MEMBERS = "members", _("its retired members (离退休党员)")


class GroupPairing(models.Model):
    """Two groups of a centre paired to help each other, e.g. its staff group with its retired members' group."""

    centre = models.ForeignKey(Unit, models.PROTECT, related_name="+", editable=False)
    first_name = models.CharField(_("first group"), max_length=60)
    first_unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("made of the unit"))
    first_side = models.CharField(_("people"), max_length=10, choices=PairingSide.choices, default=PairingSide.STAFF)
    second_name = models.CharField(_("second group"), max_length=60)
    second_unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("made of the unit"))
    second_side = models.CharField(_("people"), max_length=10, choices=PairingSide.choices, default=PairingSide.MEMBERS)
    purpose = models.TextField(_("purpose"))
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Optimistic locking: a stale edit form is refused instead of overwriting someone's change (lib/locking.py).
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CentreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "id"]
        verbose_name = _("group pairing")

    def __str__(self):
        return f"{self.first_name} ⇄ {self.second_name}"

    def get_absolute_url(self):
        return reverse("liaison_pairings")

    def is_current(self, day):
        return self.started_on <= day and (self.ended_on is None or day <= self.ended_on)

    def clean(self):
        errors = {}
        for side in ("first", "second"):
            unit = getattr(self, f"{side}_unit", None) if getattr(self, f"{side}_unit_id") else None
            if unit is not None and (unit.centre_id is None or unit.centre_id != self.centre_id):
                errors[f"{side}_unit"] = _("Choose a unit of this centre.")
        if (self.first_unit_id, self.first_side) == (self.second_unit_id, self.second_side):
            errors["second_unit"] = _("A group cannot be paired with itself.")
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            errors["ended_on"] = _("The end is before the start.")
        if errors:
            raise ValidationError(errors)


# -- 多联一: partner units and their yearly commitments --------------------------------------------------------------

class PartnerUnit(models.Model):
    """An outside body paired with the centre (organisation dept, party school, health bureau, …)."""

    centre = models.ForeignKey(Unit, models.PROTECT, related_name="+", editable=False)
    name = models.CharField(_("name"), max_length=100)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_post = models.CharField(_("post"), max_length=50, blank=True)
    work_phone = models.CharField(_("work phone"), max_length=30, blank=True)
    mobile = models.CharField(_("mobile"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Optimistic locking: a stale edit form is refused instead of overwriting someone's change (lib/locking.py).
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CentreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("partner unit")
        constraints = [models.UniqueConstraint(fields=["centre", "name"], name="partner_unique_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("liaison_partner", args=[self.pk])


class CommitmentQuerySet(models.QuerySet):
    def in_force(self, first_year, last_year=None):
        """Return the commitments in force in any year from first_year to last_year (both included)."""
        return self.filter(in_force_q(first_year, last_year or first_year))


def in_force_q(first_year, last_year, prefix=""):
    return models.Q(**{f"{prefix}first_year__lte": last_year}) & (
        models.Q(**{f"{prefix}last_year__isnull": True}) | models.Q(**{f"{prefix}last_year__gte": first_year}))


class Commitment(models.Model):
    """Something a partner does with the centre once every year, e.g. one party-knowledge training."""

    partner = models.ForeignKey(PartnerUnit, models.PROTECT, related_name="commitments", verbose_name=_("partner unit"))
    title = models.CharField(_("commitment"), max_length=100)
    detail = models.TextField(_("details"), blank=True)
    # Optional: the month it is usually held ("every year early in the year"); past it, an open commitment is late.
    due_month = models.PositiveSmallIntegerField(_("usually held by the end of month"), null=True, blank=True,
                                                 choices=[(m, f"{m}月") for m in range(1, 13)])
    first_year = models.PositiveSmallIntegerField(_("from year"))
    last_year = models.PositiveSmallIntegerField(_("until year"), null=True, blank=True,
                                                 help_text=_("Leave empty while the commitment stands."))
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    # Optimistic locking: a stale edit form is refused instead of overwriting someone's change (lib/locking.py).
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["partner", "sort_order", "id"]
        verbose_name = _("yearly commitment")

    def __str__(self):
        return f"{self.partner.name}：{self.title}"

    def get_absolute_url(self):
        return reverse("liaison_partner", args=[self.partner_id])

    def in_force(self, year):
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)

    def clean(self):
        if self.last_year is not None and self.first_year and self.last_year < self.first_year:
            raise ValidationError({"last_year": _("The last year is before the first.")})


class JointActivity(models.Model):
    """An activity held with a partner unit; it fulfils that year's commitment when it names one."""

    partner = models.ForeignKey(PartnerUnit, models.PROTECT, related_name="activities", verbose_name=_("partner unit"))
    commitment = models.ForeignKey(Commitment, models.SET_NULL, null=True, blank=True, related_name="activities",
                                   verbose_name=_("fulfils the commitment"))
    title = models.CharField(_("activity"), max_length=100)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100)
    attendance = models.PositiveIntegerField(_("attendance"))
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey("accounts.User", models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # Optimistic locking: a stale edit form is refused instead of overwriting someone's change (lib/locking.py).
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("joint activity")
        indexes = [models.Index(fields=["partner", "date"]), models.Index(fields=["commitment", "date"])]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.title}"

    def get_absolute_url(self):
        return reverse("liaison_activity", args=[self.pk])

    def clean(self):
        if self.commitment_id and self.partner_id and self.commitment.partner_id != self.partner_id:
            raise ValidationError({"commitment": _("That commitment belongs to another partner.")})
        if self.commitment_id and self.date and not self.commitment.in_force(self.date.year):
            raise ValidationError({"commitment": _("That commitment is not in force in %(year)s.") % {"year": self.date.year}})


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(JointActivity, models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="liaison/activities/%Y/")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


# -- 亲情服务卡: what each printed card said --------------------------------------------------------------------------

class CardBatch(models.Model):
    """One print run: a member's card, a party group's, or a centre's."""

    centre = models.ForeignKey(Unit, models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+")
    label = models.CharField(max_length=100)
    stale_only = models.BooleanField(default=False)
    count = models.PositiveIntegerField(default=0)
    printed_at = models.DateTimeField(default=timezone.now)
    printed_by = models.ForeignKey("accounts.User", models.SET_NULL, null=True, related_name="+")

    objects = CentreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-printed_at", "-id"]

    def __str__(self):
        return f"{self.label} {timezone.localtime(self.printed_at):%Y-%m-%d %H:%M}"


class CardPrint(models.Model):
    """The fields printed on one member's card. The member's newest print is `is_current`; a card is stale when
    what would be printed today differs from it."""

    batch = models.ForeignKey(CardBatch, models.CASCADE, related_name="prints")
    member = models.ForeignKey("members.Member", models.CASCADE, related_name="card_prints")
    fields = models.JSONField()
    printed_at = models.DateTimeField()
    printed_on = models.DateField()
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["-printed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["member"], condition=models.Q(is_current=True),
                                               name="card_one_current_print")]
        indexes = [models.Index(fields=["printed_on"])]

    def __str__(self):
        return f"{self.fields.get('name', '')} {self.printed_on:%Y-%m-%d}"
