"""Case work: one engine for the work that follows one member through several steps — after-death care (善后),
grievance mediation (新老联手), family hardship (家有困难) and home-care referrals (居家养老).

A CaseType carries a checklist of StepTemplates; opening a case copies the checklist into CaseSteps with stored due
dates, so lists and the worker find due steps through an index instead of recomputing templates. A step may wait for
its predecessor; its deadline counts either from the case's opening or from the day its predecessor was done.

Confidential cases (every mediation) are seen only by their owner, the secretaries of the member's centre and the
users a secretary granted; for everyone else they do not exist (404, never counted in anything they can see).
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from laogan.accounts.models import PATH_MAX, Role, Unit, subtree_q
from laogan.lib.crypto import EncryptedTextField


class Kind(models.TextChoices):
    """The codes of the shipped case types (data migration 0002)."""

    AFTER_DEATH = "after_death", _("After-death care")
    MEDIATION = "mediation", _("Grievance mediation")
    HARDSHIP = "hardship", _("Family hardship")
    HOME_CARE = "home_care", _("Home-care referral")


class Outcome(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    RESOLVED = "resolved", _("Resolved")
    EASED = "eased", _("Eased")
    UNRESOLVED = "unresolved", _("Unresolved")
    MEMBER_DIED = "member_died", _("Ended: the member died")
    WITHDRAWN = "withdrawn", _("Withdrawn (not needed)")


# Outcomes as written into a case's records: stored text, so it does not follow the reader's language.
OUTCOME_ZH = {"completed": "办结", "resolved": "已解决", "eased": "已缓解", "unresolved": "未解决",
              "member_died": "老干部去世，终止", "withdrawn": "撤销（不再需要）", "": "—"}


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    FAIRLY = "fairly", _("Fairly satisfied")
    UNSATISFIED = "unsatisfied", _("Not satisfied")


class Anchor(models.TextChoices):
    OPENED = "opened", _("after the case opens")
    PREDECESSOR = "predecessor", _("after the previous step is done")


class AssigneeRole(models.TextChoices):
    OWNER = "owner", _("Case owner")
    LIAISON = "liaison", _("Member's liaison")
    SECRETARY = "secretary", _("Secretary")


class Asks(models.TextChoices):
    NOTHING = "", _("Nothing")
    TEXT = "text", _("A short result")
    MONEY = "money", _("An amount of money and who received it")
    SATISFACTION = "satisfaction", _("The member's satisfaction")


class CaseType(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=40)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # Cases of a confidential type are always confidential; others may be made so when opened.
    confidential = models.BooleanField(_("always confidential"), default=False)
    once_per_member = models.BooleanField(_("at most one per member"), default=False)
    # The outcome a case gets when its last required step is done; blank: someone must choose the outcome.
    auto_outcome = models.CharField(_("outcome when all steps are done"), max_length=12, choices=Outcome.choices, blank=True)
    order = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("case type")

    def __str__(self):
        return self.name


class StepTemplate(models.Model):
    case_type = models.ForeignKey(CaseType, models.CASCADE, related_name="templates")
    code = models.SlugField(max_length=30)
    title = models.CharField(_("step"), max_length=100)
    hint = models.CharField(_("hint"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=100)
    # None: no deadline (e.g. the end of a home-care service that runs for years).
    offset_days = models.PositiveSmallIntegerField(_("due after (days)"), null=True, blank=True)
    anchor = models.CharField(_("counted"), max_length=12, choices=Anchor.choices, default=Anchor.OPENED)
    predecessor = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, related_name="+",
                                    verbose_name=_("opens when this step is done"))
    assignee_role = models.CharField(_("done by"), max_length=10, choices=AssigneeRole.choices, default=AssigneeRole.OWNER)
    required = models.BooleanField(_("required to close"), default=True)
    asks = models.CharField(_("asks for"), max_length=12, choices=Asks.choices, blank=True)
    result_label = models.CharField(_("result label"), max_length=60, blank=True)

    class Meta:
        ordering = ["case_type", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["case_type", "code"], name="step_template_code")]

    def __str__(self):
        return self.title


# -- who sees a case -----------------------------------------------------------------------------------------------

def is_centre_secretary(user, centre_id):
    return (user.is_authenticated and user.is_active and user.role == Role.SECRETARY and user.unit_id is not None
            and user.unit.centre_id is not None and user.unit.centre_id == centre_id)


def access_q(user, prefix=""):
    """Return a Q for the cases `user` may see, on a query whose case fields start with `prefix` ("" or "case__").

    Everything in the user's subtree that is not confidential; a confidential case only for its owner, the
    secretaries of its centre and the users granted it. A subquery, not a join, so no row is counted twice.
    """
    if not user.is_authenticated or not user.sees_personal_data:
        return Q(pk__in=[])
    p = prefix
    allowed = Q(**{f"{p}confidential": False}) | Q(**{f"{p}owner": user})
    allowed |= Q(**{f"{p}pk__in": CaseGrant.objects.filter(user=user).values("case_id")})
    if user.role == Role.SECRETARY and user.unit.centre_id:
        allowed |= Q(**{f"{p}centre_id": user.unit.centre_id})
    return subtree_q(user.unit.path, f"{p}unit_path") & allowed


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(access_q(user))

    def open(self):
        return self.filter(status=Status.OPEN)

    def closed(self):
        return self.filter(status=Status.CLOSED)

    def of_kind(self, code):
        return self.filter(case_type__code=code)

    def counted(self):
        """Return the cases that figures count: never a confidential one (figures are the same for every user)."""
        return self.filter(confidential=False)

    def with_overdue_steps(self, today):
        return self.filter(pk__in=CaseStep.objects.overdue(today).values("case_id"))


class Case(models.Model):
    centre = models.ForeignKey(Unit, models.PROTECT, related_name="+", editable=False)
    # The member's unit path when the case opened: the case stays where it was opened if the member moves.
    unit_path = models.CharField(max_length=PATH_MAX, editable=False)
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="cases", verbose_name=_("member"))
    case_type = models.ForeignKey(CaseType, models.PROTECT, related_name="cases", verbose_name=_("kind of case"))
    summary = models.CharField(_("what it is about"), max_length=200)
    # Background, the concern's history, the assessed need: kept encrypted, it is often the most private part.
    assessment = EncryptedTextField(_("assessment and background"), blank=True)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="owned_cases",
                              verbose_name=_("owner"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True, editable=False)
    outcome_note = EncryptedTextField(_("outcome note"), blank=True, editable=False)
    satisfaction = models.CharField(_("member's satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True,
                                    editable=False)
    confidential = models.BooleanField(_("confidential"), default=False, editable=False)
    # Copied from the type, so the database itself refuses a second after-death case for one member.
    once = models.BooleanField(default=False, editable=False)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking of the description (summary, assessment): a stale edit form is refused (lib/locking.py).
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(fields=["member", "case_type"], condition=Q(once=True), name="case_once_per_member"),
        ]
        indexes = [
            models.Index(fields=["unit_path", "opened_on"], name="case_scope_opened"),
            models.Index(fields=["unit_path", "closed_on"], name="case_scope_closed"),
            models.Index(fields=["centre", "status"], name="case_centre_status"),
            models.Index(fields=["owner", "status"], name="case_owner_status"),
        ]

    def __str__(self):
        if self.confidential:
            # What the audit log and messages call it: who and what are the confidential part.
            return f"保密案件 #{self.pk}"
        return f"{self.case_type.name}：{self.member.name}"

    def get_absolute_url(self):
        return reverse("case_detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status == Status.OPEN

    @property
    def kind(self):
        return self.case_type.code

    def days_to_close(self):
        return (self.closed_on - self.opened_on).days if self.closed_on else None


class CaseGrant(models.Model):
    """A user a secretary allowed to see one confidential case."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_grant_once")]


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for the previous step")
    OPEN = "open", _("To do")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Not needed")
    CANCELLED = "cancelled", _("Cancelled")


# Steps that no longer stand in the way of closing the case.
SETTLED = (StepStatus.DONE, StepStatus.SKIPPED)


class CaseStepQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(access_q(user, "case__"))

    def open(self):
        return self.filter(status=StepStatus.OPEN, case__status=Status.OPEN)

    def overdue(self, today):
        return self.open().filter(due_date__lt=today)

    def due_by(self, day):
        return self.open().filter(due_date__lte=day)

    def for_user(self, user):
        """Return the steps that are `user`'s to do: assigned to them, or unassigned in a case they own."""
        return self.filter(Q(assignee=user) | Q(assignee__isnull=True, case__owner=user))


class CaseStep(models.Model):
    case = models.ForeignKey(Case, models.CASCADE, related_name="steps")
    template = models.ForeignKey(StepTemplate, models.SET_NULL, null=True, blank=True, related_name="+")
    code = models.SlugField(max_length=30, blank=True)
    title = models.CharField(_("step"), max_length=100)
    hint = models.CharField(max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=100)
    predecessor = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, related_name="successors")
    anchor = models.CharField(max_length=12, choices=Anchor.choices, default=Anchor.OPENED)
    offset_days = models.PositiveSmallIntegerField(null=True, blank=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=StepStatus.choices, default=StepStatus.OPEN)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("done by"))
    required = models.BooleanField(_("required to close"), default=True)
    asks = models.CharField(max_length=12, choices=Asks.choices, blank=True)
    result_label = models.CharField(max_length=60, blank=True)
    result = EncryptedTextField(_("result"), blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    skip_reason = models.CharField(_("why not needed"), max_length=200, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    # Claimed by the worker so the overdue message goes out once per deadline.
    overdue_notified_for = models.DateField(null=True, blank=True, editable=False)

    objects = CaseStepQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        indexes = [
            models.Index(fields=["due_date"], condition=Q(status="open"), name="case_step_open_due"),
            models.Index(fields=["assignee", "status"], name="case_step_assignee"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("case_detail", args=[self.case_id]) + f"#step-{self.pk}"

    def due_from(self, opened_on):
        """Return the due date counted from the case's opening day or from the predecessor's completion."""
        if self.offset_days is None:
            return None
        if self.anchor == Anchor.PREDECESSOR:
            if self.predecessor is None or self.predecessor.done_on is None:
                return None
            return self.predecessor.done_on + timedelta(days=self.offset_days)
        return opened_on + timedelta(days=self.offset_days)

    def is_overdue(self, today):
        return self.status == StepStatus.OPEN and self.due_date is not None and self.due_date < today

    @property
    def is_settled(self):
        return self.status in SETTLED


class PartyRole(models.TextChoices):
    STAFF = "staff", _("Staff member")
    FAMILY = "family", _("Family")
    MEDIATOR = "mediator", _("Mediator")
    PARTNER = "partner", _("Partner unit")
    OTHER = "other", _("Other")


class CaseParty(models.Model):
    """Someone involved in a case: a staff member, a relative, a mediator (a respected member or anyone), a partner."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="parties")
    role = models.CharField(_("role"), max_length=10, choices=PartyRole.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("staff member"))
    member = models.ForeignKey("members.Member", models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("member"))
    name = models.CharField(_("name"), max_length=50, blank=True)
    relationship = models.CharField(_("relationship or post"), max_length=30, blank=True)
    organisation = models.CharField(_("unit"), max_length=100, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "id"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        if self.user_id:
            return self.user.display_name
        if self.member_id:
            return self.member.name
        return self.name or self.organisation

    @property
    def masked_phone(self):
        from laogan.members.models import mask_phone

        return mask_phone(self.phone)


class NoteKind(models.TextChoices):
    NOTE = "note", _("Note")
    CONVERSATION = "conversation", _("Conversation")
    ATTEMPT = "attempt", _("Earlier attempt")
    CHECK = "check", _("Service check")
    OPENED = "opened", _("Opened")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    STEP = "step", _("Step")
    CHANGE = "change", _("Change")


# Notes that record being in touch with the member (a conversation, a check on the service).
CONTACT_KINDS = (NoteKind.CONVERSATION, NoteKind.CHECK)


class CaseNote(models.Model):
    """The case's timeline: notes people write and the changes the actions record."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="notes")
    kind = models.CharField(_("kind"), max_length=12, choices=NoteKind.choices, default=NoteKind.NOTE)
    happened_on = models.DateField(_("date"))
    with_whom = models.CharField(_("with whom"), max_length=100, blank=True)
    text = EncryptedTextField(_("text"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-happened_on", "-id"]


def attachment_path(instance, filename):
    # The stored name is never the uploader's: a random name under the case, the real name kept in `name`.
    from django.utils.crypto import get_random_string

    return f"cases/{instance.case_id}/{get_random_string(20)}{filename[filename.rfind('.'):] if '.' in filename else ''}"


class CaseAttachment(models.Model):
    case = models.ForeignKey(Case, models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(max_length=8)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class HelpKind(models.TextChoices):
    MONEY = "money", _("Money")
    GOODS = "goods", _("Goods")
    REFERRAL = "referral", _("Referral")
    SERVICE = "service", _("Service")


class CaseHelpQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(access_q(user, "case__"))


class CaseHelp(models.Model):
    """Help given in a case: money (元), goods, a referral or a service; money rows are what figures add up."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="help")
    step = models.ForeignKey(CaseStep, models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=HelpKind.choices)
    given_on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True)
    description = models.CharField(_("what"), max_length=200, blank=True)
    recipient = models.CharField(_("received by"), max_length=60, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    objects = CaseHelpQuerySet.as_manager()

    class Meta:
        ordering = ["given_on", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount or ''}"

    def get_absolute_url(self):
        return reverse("case_detail", args=[self.case_id]) + "#help"


class CareService(models.TextChoices):
    LIFE_CARE = "life_care", _("Life care")
    HOUSEKEEPING = "housekeeping", _("Housekeeping")
    REHABILITATION = "rehabilitation", _("Rehabilitation nursing")
    COMPANIONSHIP = "companionship", _("Companionship")


class CareReferral(models.Model):
    """The home-care part of a referral case: which station, which service, how often its work is checked.

    Acceptance, start, checks and end are the case's steps (their done dates are the record), so nothing is kept twice.
    """

    case = models.OneToOneField(Case, models.CASCADE, related_name="referral")
    station = models.CharField(_("home-care station"), max_length=100)
    station_phone = models.CharField(_("station phone"), max_length=40, blank=True)
    service = models.CharField(_("service"), max_length=16, choices=CareService.choices)
    check_every_days = models.PositiveSmallIntegerField(_("check the service every (days)"), default=30)


# -- survivors (遗属) -------------------------------------------------------------------------------------------------

class SurvivorQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated or not user.sees_personal_data:
            return self.none()
        return self.filter(subtree_q(user.unit.path))

    def active(self):
        return self.filter(active=True)

    def not_visited_since(self, day):
        """Return active survivors with no visit on or after `day`: those still to visit for an occasion."""
        return self.active().filter(Q(last_visited_on__isnull=True) | Q(last_visited_on__lt=day))


class Survivor(models.Model):
    """A surviving relative of a deceased member (遗属), visited on festivals in the member's stead."""

    deceased = models.ForeignKey("members.Member", models.PROTECT, related_name="survivors",
                                 verbose_name=_("deceased member"))
    centre = models.ForeignKey(Unit, models.PROTECT, related_name="+", editable=False)
    unit_path = models.CharField(max_length=PATH_MAX, editable=False)
    name = models.CharField(_("name"), max_length=50)
    relationship = models.CharField(_("relationship"), max_length=20, default="配偶")
    phone = EncryptedTextField(_("phone"), blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    active = models.BooleanField(_("on the festival visit list"), default=True, editable=False)
    stopped_reason = models.CharField(_("why no longer visited"), max_length=100, blank=True, editable=False)
    added_on = models.DateField(editable=False)
    stopped_on = models.DateField(null=True, blank=True, editable=False)
    last_visited_on = models.DateField(_("last visited"), null=True, blank=True, editable=False)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", editable=False)

    objects = SurvivorQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("survivor")
        indexes = [models.Index(fields=["unit_path", "active"], name="survivor_scope")]

    def __str__(self):
        return f"{self.name}（{self.deceased.name}之{self.relationship}）"

    def get_absolute_url(self):
        return reverse("survivor_list") + f"#survivor-{self.pk}"

    @property
    def masked_phone(self):
        from laogan.members.models import mask_phone

        return mask_phone(self.phone)
