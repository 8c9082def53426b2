"""Anonymous satisfaction surveys: one answer per member, answers that cannot be traced back to anyone.

How a member's answer is kept apart from the member (the design, and the traps of LimeSurvey it avoids):

* **Codes.** Each living member of the audience is given one random 8-character code (alphabet without 0/O/1/I).
  Only an HMAC of the code is stored (`SurveyCode.code_hash`, keyed with LAOGAN_LOOKUP_KEY), with the issuing batch
  and, when the member's party group has at least `min_group_size` members in the audience, that group. A code row
  has **no member column**: the member ↔ code pairing exists only on the printed slips (generated in the issuing
  request, returned as the PDF, never stored; the member's name is on a stub that is cut off before the slip is
  handed over) or, for codes sent by SMS, in the outbox until the message is delivered — the body is scrubbed right
  after delivery (periodic.scrub_code_messages) and at close. `Invitation` records only *that* a member was given a
  code for the survey (so nobody is given two), never which code. Code rows are inserted in random order, so their
  storage order does not follow the roster order of the slips.
* **Answers.** `Response` and `Answer` rows have random UUID keys and carry no member, no code or hash, no user, no
  channel and no date at all; the only attribute is the coarse party group described above (None when the group is
  too small to hide in). Free text is stored apart from the rest of the questionnaire (`TextAnswer`, no response,
  no group) so that a recognisable sentence never reveals how its writer rated everything else.
* **No order.** Each submission rewrites up to MIX_SIZE randomly chosen earlier responses (and free texts) with new
  keys together with the new one, inserted in shuffled order, in the same transaction: the newest answer cannot be
  picked out by SQLite rowid, PostgreSQL physical order or transaction id, so it cannot be matched to the moment a
  code was used or to a server log line. Results list free text sorted, never by time.
* **Used codes.** Using a code flips `SurveyCode.used`; nothing else about the code is kept, and nothing joins a
  code row to a response. The code never appears in a URL (the slip's QR carries it in the #fragment, which browsers
  do not send), in a log, in the audit trail or in the database outside its hash; the answer view marks all POST
  parameters sensitive so error reports do not include them.
* **Who keyed it.** Staff entering a paper questionnaire or a phone answer are counted in `EntryTally` (user,
  channel, day, count), which says who keyed how many answers when — never which ones.
* **Frozen.** The audience and the anonymity settings (`record_group`, `min_group_size`) — and the questions —
  cannot change once the first answer has arrived (`Survey.frozen`, enforced in `save()` here and in the actions).
  Changing them before that voids the codes issued so far.

Residual risks, stated plainly: someone who watches the live database during the survey *and* holds the printed
slips can see which code was used at the moment an answer appears; the mixing defeats reading one copy of the
database, not continuous observation. Deleted pages (SQLite free list, PostgreSQL dead tuples before VACUUM) may
keep the previous copies of re-mixed rows until overwritten.
"""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laogan.accounts.models import PATH_MAX, Unit, UnitKind, subtree_q

# Breakdowns never show fewer answers than this, and a group smaller than this in the audience is never recorded.
MIN_GROUP_SIZE = 5


class SurveyFrozen(ValidationError):
    """The change would alter a survey's audience, anonymity or questions after answers have arrived."""


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE = "scale", _("Satisfaction, five levels")
    TEXT = "text", _("Free text")


# The five satisfaction levels, best first, as printed on every questionnaire.
SCALE_LEVELS = ((5, "非常满意"), (4, "满意"), (3, "一般"), (2, "不满意"), (1, "非常不满意"))
SCALE_LABELS = dict(SCALE_LEVELS)
SATISFIED = (5, 4)


class Channel(models.TextChoices):
    ONLINE = "online", _("Own phone or computer")
    PAPER = "paper", _("Paper questionnaire")
    PHONE = "phone", _("By telephone")


class IssueChannel(models.TextChoices):
    SLIPS = "slips", _("Printed slips")
    SMS = "sms", _("Text message")


class State(models.TextChoices):
    SCHEDULED = "scheduled", _("Not open yet")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class SurveyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Return the surveys whose audience lies in the user's subtree; bureau viewers see figures only."""
        if not user.is_authenticated or not user.sees_personal_data:
            return self.none()
        return self.filter(subtree_q(user.unit.path, "unit_path"))

    def open_on(self, day):
        return self.filter(opens_on__lte=day, closes_on__gte=day, closed_on__isnull=True)

    def due_to_close(self, day):
        return self.filter(closed_on__isnull=True, closes_on__lt=day)


class Survey(models.Model):
    """One survey of one audience (a centre, branch or party group) over a span of days."""

    FROZEN_FIELDS = ("audience_id", "record_group", "min_group_size")

    centre = models.ForeignKey(Unit, models.PROTECT, related_name="+", editable=False)
    audience = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("audience"),
                                 help_text=_("Living members of this centre, branch or party group are asked."))
    unit_path = models.CharField(max_length=PATH_MAX, editable=False, db_index=True)
    title = models.CharField(_("title"), max_length=100)
    intro = models.TextField(_("introduction"), blank=True, help_text=_("Shown before the first question."))
    blueprint = models.CharField(max_length=30, blank=True, editable=False)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    record_group = models.BooleanField(
        _("break results down by party group"), default=True,
        help_text=_("Answers carry the party group only when the group has enough members to hide in."))
    min_group_size = models.PositiveSmallIntegerField(
        _("smallest group shown"), default=MIN_GROUP_SIZE, validators=[MinValueValidator(MIN_GROUP_SIZE)])
    # Set in the transaction of the first answer; from then on audience, anonymity and questions stay as they are.
    frozen = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey("accounts.User", models.SET_NULL, null=True, blank=True, related_name="+", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Optimistic locking: a stale edit form is refused instead of overwriting someone's change (lib/locking.py).
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        indexes = [models.Index(fields=["unit_path", "closes_on"], name="survey_scope_closes")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("survey_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.audience_id and self.audience.kind not in (UnitKind.CENTRE, UnitKind.BRANCH, UnitKind.GROUP):
            errors["audience"] = _("The audience is a centre, a branch or a party group.")
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            errors["closes_on"] = _("The survey closes before it opens.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.audience_id:
            self.unit_path = self.audience.path
            self.centre_id = self.audience.centre_id
        if self.pk is not None:
            stored = Survey.objects.filter(pk=self.pk).values("frozen", *self.FROZEN_FIELDS).first()
            if stored and stored["frozen"] and any(stored[f] != getattr(self, f) for f in self.FROZEN_FIELDS):
                raise SurveyFrozen(_("Answers have arrived: the audience and anonymity settings can no longer change."))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "audience" in update_fields:
            kwargs["update_fields"] = set(update_fields) | {"unit_path", "centre"}
        super().save(*args, **kwargs)

    def state(self, day):
        if self.closed_on is not None or day > self.closes_on:
            return State.CLOSED
        if day < self.opens_on:
            return State.SCHEDULED
        return State.OPEN

    def is_open(self, day):
        return self.state(day) == State.OPEN

    def is_closed(self, day):
        return self.state(day) == State.CLOSED


def _refuse_if_frozen(survey_id):
    if Survey.objects.filter(pk=survey_id, frozen=True).exists():
        raise SurveyFrozen(_("Answers have arrived: the questions can no longer change."))


class Question(models.Model):
    survey = models.ForeignKey(Survey, models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.SCALE)
    text = models.CharField(_("question"), max_length=300)
    short_label = models.CharField(_("short label"), max_length=20, blank=True,
                                   help_text=_("A word or two for charts and tables, e.g. 走访慰问."))
    required = models.BooleanField(_("an answer is required"), default=False)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("question")

    def __str__(self):
        return self.text

    @property
    def label(self):
        return self.short_label or self.text[:20]

    def save(self, *args, **kwargs):
        _refuse_if_frozen(self.survey_id)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse_if_frozen(self.survey_id)
        return super().delete(*args, **kwargs)


class Choice(models.Model):
    question = models.ForeignKey(Question, models.CASCADE, related_name="choices")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=100)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        _refuse_if_frozen(self.question.survey_id)
        super().save(*args, **kwargs)


class IssueBatch(models.Model):
    """One issuing of codes: for which unit, by whom, on which day, how many. Names no member and no code."""

    survey = models.ForeignKey(Survey, models.CASCADE, related_name="batches")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10, choices=IssueChannel.choices)
    count = models.PositiveIntegerField(default=0)
    # A second slip for a member who lost theirs: the first code stays valid (nobody knows which one it was).
    replacement = models.BooleanField(default=False)
    voided = models.BooleanField(default=False)
    issued_by = models.ForeignKey("accounts.User", models.SET_NULL, null=True, related_name="+")
    issued_on = models.DateField()

    class Meta:
        ordering = ["issued_on", "id"]


class Invitation(models.Model):
    """That a member has been given a code for a survey — never which code."""

    survey = models.ForeignKey(Survey, models.CASCADE, related_name="invitations")
    member = models.ForeignKey("members.Member", models.CASCADE, related_name="+")
    batch = models.ForeignKey(IssueBatch, models.CASCADE, related_name="invitations")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "member"], name="invitation_once_per_member")]


class SurveyCode(models.Model):
    """A one-time code, kept only as a keyed hash; no member, and nothing joins it to the answer it admitted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, models.CASCADE, related_name="codes")
    batch = models.ForeignKey(IssueBatch, models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, unique=True)
    group = models.ForeignKey(Unit, models.SET_NULL, null=True, blank=True, related_name="+")
    used = models.BooleanField(default=False)
    void = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["survey", "used"], name="surveycode_survey_used")]


class Response(models.Model):
    """One submitted questionnaire: random key, no member, code, user, channel, date or order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, models.CASCADE, related_name="responses")
    group = models.ForeignKey(Unit, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["id"]  # random: never the order of arrival

    def __str__(self):
        return f"{self.survey} · {str(self.id)[:8]}"

    def get_absolute_url(self):
        return reverse("survey_results_how", args=[self.survey_id])

    @property
    def short_id(self):
        return str(self.id)[:8]

    @property
    def scale_text(self):
        """Return e.g. "6题中6题满意" over the satisfaction questions this questionnaire answered."""
        levels = [a.scale for a in self.answers.all() if a.scale is not None]
        return f"{len(levels)}题中{sum(1 for v in levels if v in SATISFIED)}题满意"


class Answer(models.Model):
    """The answer to one choice or satisfaction question of a response (one row per ticked box)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, models.CASCADE, related_name="+")
    scale = models.PositiveSmallIntegerField(null=True, blank=True)
    choice = models.ForeignKey(Choice, models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["question", "scale"], name="answer_question_scale")]


class TextAnswer(models.Model):
    """Free text, stored apart from the questionnaire it came with."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, models.CASCADE, related_name="+")
    text = models.TextField()

    class Meta:
        ordering = ["text", "id"]


class EntryTally(models.Model):
    """How many answers someone keyed in, by channel and day (online answers: one row, no user, no day)."""

    survey = models.ForeignKey(Survey, models.CASCADE, related_name="tallies")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    entered_by = models.ForeignKey("accounts.User", models.SET_NULL, null=True, blank=True, related_name="+")
    on = models.DateField(null=True, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["on", "id"]


class GuessWindow(models.Model):
    """Failed code entries per hour for one keyed hash of an address (or "*" for everyone): the guessing brake."""

    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="guesswindow_once")]
