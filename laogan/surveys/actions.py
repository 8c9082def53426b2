"""Every change to surveys: creating and editing them, issuing codes, taking answers, closing.

See models.py for why answers are stored the way they are; the functions here are the only writers.
"""

import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F
from django.utils.timezone import localdate
from django.utils.translation import gettext as _

from laogan.accounts.actions import diff, record_audit
from laogan.accounts.models import AuditAction, UnitKind
from laogan.jobs.messaging import queue_message
from laogan.jobs.models import Channel as MessageChannel
from laogan.jobs.models import Message
from laogan.lib.locking import StaleEdit, claim  # noqa: F401 (StaleEdit: one import point)
from laogan.members.models import Member, PhoneLabel

from . import codes
from .blueprints import BLUEPRINTS
from .models import (
    SCALE_LABELS, Answer, Channel, Choice, EntryTally, Invitation, IssueBatch, IssueChannel, Question, QuestionKind,
    Response, Survey, SurveyCode, SurveyFrozen, TextAnswer,
)

# How many earlier responses each submission rewrites alongside the new one (see models.py, "No order").
MIX_SIZE = 20
_random = secrets.SystemRandom()  # tests may swap in a seeded random.Random

MESSAGE_PREFIX = "survey-code:"
SCRUBBED = "（答卷码已送达，为保护不记名已从记录中删除）"
MAX_TEXT = 2000


class CodeRefused(Exception):
    """The code cannot be used: wrong, used, void, or the survey is not open. Deliberately says no more."""


class AnswerInvalid(ValidationError):
    pass


# -- surveys and questions -----------------------------------------------------------------------------------------

def do_create_survey(*, audience, title, opens_on, closes_on, acting_user, intro="", record_group=True,
                     min_group_size=5, blueprint="", ip=None):
    """Create a survey, with the questions (and, unless given, the introduction) of `blueprint` when one is named."""
    if blueprint and not intro:
        intro = BLUEPRINTS[blueprint].intro
    with transaction.atomic():
        survey = Survey(audience=audience, title=title, intro=intro, opens_on=opens_on, closes_on=closes_on,
                        record_group=record_group, min_group_size=min_group_size, blueprint=blueprint,
                        created_by=acting_user)
        survey.full_clean(exclude=["centre", "unit_path"])
        survey.save()
        if blueprint:
            for n, q in enumerate(BLUEPRINTS[blueprint].questions, 1):
                _create_question(survey, order=n * 10, kind=q.kind, text=q.text, short_label=q.short_label,
                                 required=q.required, choices=q.choices)
        record_audit(acting_user, AuditAction.CREATE, survey, ip=ip,
                     changes={"title": title, "audience": audience.name, "blueprint": blueprint})
    return survey


def do_update_survey(survey, *, expected_version, acting_user, ip=None, **fields):
    """Change a survey. Changing the audience or the anonymity settings is refused once answers have arrived, and
    before that voids the codes issued so far (they were issued under the old settings).

    `expected_version` is the survey's version when the edit form was read: if someone saved or closed the survey
    since, StaleEdit is raised and nothing changes."""
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        survey.version = claim(Survey, survey.pk, expected_version, name=survey.title)
        before = {k: _plain(getattr(survey, k)) for k in fields}
        changed = {k for k, v in fields.items() if getattr(survey, k) != v}
        sensitive = changed & {"audience", "record_group", "min_group_size"}
        if sensitive and survey.frozen:
            raise SurveyFrozen(_("Answers have arrived: the audience and anonymity settings can no longer change."))
        for k, v in fields.items():
            setattr(survey, k, v)
        survey.full_clean(exclude=["centre", "unit_path"])
        survey.save(update_fields=[*fields, "version"])
        voided = _void_all(survey) if sensitive else 0
        changes = diff(before, {k: _plain(v) for k, v in fields.items()})
        if voided:
            changes["codes_voided"] = voided
        record_audit(acting_user, AuditAction.UPDATE, survey, changes=changes, ip=ip)
    return survey, voided


def do_close_survey(survey, *, acting_user, on=None, ip=None):
    """Close the survey now: no more answers, results may be shown, codes in the outbox are scrubbed."""
    on = on or localdate()
    with transaction.atomic():
        # Closing moves the last day, which the edit form also carries: an edit form read before is now stale.
        if Survey.objects.filter(pk=survey.pk, closed_on__isnull=True).update(
                closed_on=on, closes_on=min(survey.closes_on, on), version=F("version") + 1) != 1:
            return survey
        survey.refresh_from_db()
        scrub_code_messages(survey.pk, only_sent=False)
        record_audit(acting_user, AuditAction.UPDATE, survey, changes={"closed_on": [None, on.isoformat()]}, ip=ip)
    return survey


def close_due_surveys(today):
    """Close surveys whose last day has passed; return how many. Each is claimed by its conditional update."""
    closed = 0
    for survey in Survey.objects.due_to_close(today):
        if Survey.objects.filter(pk=survey.pk, closed_on__isnull=True).update(closed_on=survey.closes_on) == 1:
            scrub_code_messages(survey.pk, only_sent=False)
            closed += 1
    return closed


def do_save_question(survey, *, acting_user, question=None, kind, text, short_label="", required=False, choices=(),
                     order=None, ip=None):
    """Add a question (or change `question`); refused once answers have arrived."""
    with transaction.atomic():
        if Survey.objects.filter(pk=survey.pk, frozen=True).exists():
            raise SurveyFrozen(_("Answers have arrived: the questions can no longer change."))
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and len(choices) < 2:
            raise ValidationError({"choices": _("Give at least two choices, one per line.")})
        if question is None:
            if order is None:
                order = (survey.questions.order_by("-order").values_list("order", flat=True).first() or 0) + 10
            question = _create_question(survey, order=order, kind=kind, text=text, short_label=short_label,
                                        required=required, choices=choices)
            record_audit(acting_user, AuditAction.CREATE, survey, detail=f"question added: {text}"[:500], ip=ip)
            return question
        before = {"kind": question.kind, "text": question.text, "choices": [c.text for c in question.choices.all()]}
        question.kind, question.text, question.short_label, question.required = kind, text, short_label, required
        if order is not None:
            question.order = order
        question.save(update_fields=["kind", "text", "short_label", "required", "order"])
        if [c.text for c in question.choices.all()] != list(choices):
            question.choices.all().delete()
            _create_choices(question, choices)
        record_audit(acting_user, AuditAction.UPDATE, survey, ip=ip, detail=f"question changed: {text}"[:500],
                     changes=diff(before, {"kind": kind, "text": text, "choices": list(choices)}))
    return question


def do_delete_question(question, *, acting_user, ip=None):
    with transaction.atomic():
        survey = question.survey
        question.delete()  # refuses when the survey is frozen
        record_audit(acting_user, AuditAction.DELETE, survey, detail=f"question deleted: {question.text}"[:500], ip=ip)


def _create_question(survey, *, order, kind, text, short_label, required, choices):
    question = Question.objects.create(survey=survey, order=order, kind=kind, text=text, short_label=short_label,
                                       required=required)
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        _create_choices(question, choices)
    return question


def _create_choices(question, choices):
    for n, text in enumerate(choices, 1):
        Choice.objects.create(question=question, order=n, text=text)


# -- issuing codes --------------------------------------------------------------------------------------------------

@dataclass
class Slip:
    """One printed slip: the member's name goes on the stub that is cut off when the slip is handed over."""

    member: Member
    code: str
    unit_name: str

    @property
    def display_code(self):
        return codes.display(self.code)


@dataclass
class Issued:
    batch: IssueBatch | None
    slips: list = field(default_factory=list)  # printed slips (never stored)
    sent: int = 0  # text messages queued
    without_mobile: list = field(default_factory=list)  # members left for slips


def members_to_invite(survey, unit):
    """Return the living members of `unit` (inside the audience) who have not been given a code yet."""
    invited = Invitation.objects.filter(survey=survey).values("member_id")
    return (Member.objects.living().in_unit(unit).in_unit(survey.audience).exclude(pk__in=invited)
            .select_related("unit").order_by("unit_path", "name_pinyin", "id"))


def recordable_groups(survey):
    """Return the ids of the party groups large enough to be recorded on answers (see models.py)."""
    if not survey.record_group:
        return set()
    sizes = (Member.objects.living().in_unit(survey.audience).filter(unit__kind=UnitKind.GROUP)
             .values("unit_id").annotate(n=Count("id")).filter(n__gte=survey.min_group_size))
    return {row["unit_id"] for row in sizes}


def do_issue_codes(survey, unit, *, channel, acting_user, answer_url, on=None, ip=None):
    """Give one code to every living member of `unit` who has none for this survey yet.

    Slips: return them to be printed now — they are the only place the pairing of name and code ever exists.
    Text messages: queue one to each member with a mobile number; members without one are left for slips.
    """
    on = on or localdate()
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.is_closed(on):
            raise ValidationError(_("The survey is closed."))
        if not unit.path.startswith(survey.audience.path) and not survey.audience.path.startswith(unit.path):
            raise ValidationError(_("This unit is outside the survey's audience."))
        members = list(members_to_invite(survey, unit).prefetch_related("phones"))
        result = Issued(batch=None)
        if channel == IssueChannel.SMS:
            mobiles = {m.pk: _mobile(m) for m in members}
            result.without_mobile = [m for m in members if not mobiles[m.pk]]
            members = [m for m in members if mobiles[m.pk]]
        if not members:
            return result
        batch = IssueBatch.objects.create(survey=survey, unit=unit, channel=channel, count=len(members),
                                          issued_by=acting_user, issued_on=on)
        result.batch = batch
        fresh = _fresh_codes(len(members))
        groups = recordable_groups(survey)
        Invitation.objects.bulk_create([Invitation(survey=survey, member=m, batch=batch) for m in members])
        rows = [SurveyCode(survey=survey, batch=batch, code_hash=codes.code_hash(c),
                           group_id=m.unit_id if m.unit_id in groups else None) for m, c in zip(members, fresh)]
        _random.shuffle(rows)  # storage order must not follow the roster order of the slips
        SurveyCode.objects.bulk_create(rows)
        if channel == IssueChannel.SMS:
            for m, code in zip(members, fresh):
                queue_message(dedupe_key=f"{MESSAGE_PREFIX}{survey.pk}:{m.pk}", channel=MessageChannel.SMS,
                              to_address=mobiles[m.pk], subject=survey.title, unit_path=m.unit_path,
                              body=code_message(survey, code, answer_url))
            result.sent = len(members)
        else:
            result.slips = [Slip(member=m, code=c, unit_name=m.unit.name) for m, c in zip(members, fresh)]
        record_audit(acting_user, AuditAction.CREATE, survey, ip=ip,
                     detail=f"issued {len(members)} codes ({channel}) for {unit.name}")
    return result


def do_issue_replacement(survey, member, *, acting_user, on=None, ip=None):
    """Return one new slip for a member who lost theirs. The lost code stays valid: nobody knows which it was."""
    on = on or localdate()
    with transaction.atomic():
        if survey.is_closed(on):
            raise ValidationError(_("The survey is closed."))
        if not Invitation.objects.filter(survey=survey, member=member).exists():
            raise ValidationError(_("%(name)s has not been given a code yet: issue one for the group.") % {"name": member.name})
        batch = IssueBatch.objects.create(survey=survey, unit=member.unit, channel=IssueChannel.SLIPS, count=1,
                                          replacement=True, issued_by=acting_user, issued_on=on)
        code = _fresh_codes(1)[0]
        group_id = member.unit_id if member.unit_id in recordable_groups(survey) else None
        SurveyCode.objects.create(survey=survey, batch=batch, code_hash=codes.code_hash(code), group_id=group_id)
        record_audit(acting_user, AuditAction.CREATE, survey, ip=ip, detail=f"replacement slip for {member.name}")
    return Issued(batch=batch, slips=[Slip(member=member, code=code, unit_name=member.unit.name)])


def do_void_batch(batch, *, acting_user, ip=None):
    """Void the codes of a batch whose slips were never handed out (e.g. the print failed), so it can be issued
    again. Refused once any of its codes has been used: those members could then answer twice."""
    with transaction.atomic():
        if batch.voided:
            return 0
        if batch.codes.filter(used=True).exists():
            raise ValidationError(_("A code of this batch has already been used, so it cannot be voided."))
        voided = batch.codes.update(void=True)
        batch.invitations.all().delete()
        batch.voided = True
        batch.save(update_fields=["voided"])
        record_audit(acting_user, AuditAction.UPDATE, batch.survey, ip=ip,
                     detail=f"voided {voided} codes issued for {batch.unit.name} on {batch.issued_on}")
    return voided


def _void_all(survey):
    voided = SurveyCode.objects.filter(survey=survey, void=False).update(void=True)
    Invitation.objects.filter(survey=survey).delete()
    IssueBatch.objects.filter(survey=survey).update(voided=True)
    return voided


def _fresh_codes(n):
    """Return n new codes whose hashes are not in use."""
    found = set()
    while len(found) < n:
        batch = {codes.new_code() for _ in range(n - len(found))} - found
        taken = set(SurveyCode.objects.filter(code_hash__in=[codes.code_hash(c) for c in batch]).values_list("code_hash", flat=True))
        found |= {c for c in batch if codes.code_hash(c) not in taken}
    return list(found)[:n]


def _mobile(member):
    numbers = [p.number for p in member.phones.all() if p.label == PhoneLabel.MOBILE]
    return numbers[0] if numbers else ""


def code_message(survey, code, answer_url):
    return (f"【{survey.centre.name}】{survey.title}：您的不记名答卷码：{codes.display(code)}，"
            f"请于{survey.closes_on.month}月{survey.closes_on.day}日前打开 {answer_url} 输入作答，家人可帮忙。"
            "每码只能用一次，答卷不记姓名。")


def scrub_code_messages(survey_id=None, *, only_sent=True):
    """Remove codes from text messages in the outbox (delivered ones, or all at close); return how many."""
    messages = Message.objects.filter(dedupe_key__startswith=f"{MESSAGE_PREFIX}{survey_id}:" if survey_id else MESSAGE_PREFIX)
    if only_sent:
        messages = messages.filter(sent_at__isnull=False)
    scrubbed = 0
    for pk, body in messages.exclude(body__contains=SCRUBBED).values_list("pk", "body"):
        Message.objects.filter(pk=pk).update(body=codes.PATTERN.sub("****-****", body) + SCRUBBED)
        scrubbed += 1
    return scrubbed


# -- answers --------------------------------------------------------------------------------------------------------

def clean_answers(questions, raw):
    """Return {question: value} from raw form values keyed by question id; raise AnswerInvalid keyed "q_<id>".

    Values: a satisfaction level 1–5, a Choice id, a list of Choice ids, or text. Unanswered questions are left out.
    """
    errors, cleaned = {}, {}
    for q in questions:
        value = raw.get(q.pk)
        if q.kind == QuestionKind.SCALE:
            value = _int(value)
            if value is not None and value not in SCALE_LABELS:
                errors[f"q_{q.pk}"] = _("Choose one of the five answers.")
                continue
        elif q.kind == QuestionKind.SINGLE:
            value = _int(value)
            if value is not None and value not in {c.pk for c in q.choices.all()}:
                errors[f"q_{q.pk}"] = _("Choose one of the answers.")
                continue
        elif q.kind == QuestionKind.MULTIPLE:
            values = value if isinstance(value, (list, tuple)) else ([value] if value not in (None, "") else [])
            ids = [_int(v) for v in values]
            allowed = {c.pk for c in q.choices.all()}
            if any(i not in allowed for i in ids):
                errors[f"q_{q.pk}"] = _("Choose among the answers shown.")
                continue
            value = sorted(set(ids)) or None
        else:
            value = (value or "").strip()[:MAX_TEXT] or None
        if value is None:
            if q.required:
                errors[f"q_{q.pk}"] = _("Please answer this question.")
            continue
        cleaned[q] = value
    if errors:
        raise AnswerInvalid(errors)
    return cleaned


def do_submit_response(code_text, raw_answers, *, channel, entered_by=None, survey=None, on=None):
    """Use a code once and store the answers it admits; return the survey.

    Raises CodeRefused for a wrong, used or void code, a survey that is not open, or (when `survey` is given, as in
    staff entry) a code of another survey — all alike, so a refusal reveals nothing. Raises AnswerInvalid before the
    code is used, so a mistake on the form does not spend it.
    """
    on = on or localdate()
    code = codes.normalize(code_text)
    if not code:
        raise CodeRefused
    with transaction.atomic():
        row = SurveyCode.objects.filter(code_hash=codes.code_hash(code), used=False, void=False).first()
        if row is None or (survey is not None and row.survey_id != survey.pk):
            raise CodeRefused
        # One submission at a time per survey: the mixing below reads and rewrites earlier responses, and a
        # concurrent one would copy the same rows twice. Survey first, then code: the order every writer keeps.
        target = Survey.objects.select_for_update().get(pk=row.survey_id)
        if not target.is_open(on):
            raise CodeRefused
        questions = list(target.questions.prefetch_related("choices"))
        cleaned = clean_answers(questions, raw_answers)
        if SurveyCode.objects.filter(pk=row.pk, used=False, void=False).update(used=True) != 1:
            raise CodeRefused  # the same code submitted twice at once: the other request got it
        Survey.objects.filter(pk=target.pk, frozen=False).update(frozen=True)
        _store_mixed(target, row.group_id, cleaned)
        _tally(target, channel, entered_by, on)
    return target


def _store_mixed(survey, group_id, cleaned):
    """Write the response together with up to MIX_SIZE earlier ones rewritten under new keys, in shuffled order."""
    fresh = Response(survey=survey, group_id=group_id)
    responses, answers, texts = [fresh], [], []
    for question, value in cleaned.items():
        if question.kind == QuestionKind.SCALE:
            answers.append(Answer(response=fresh, question=question, scale=value))
        elif question.kind == QuestionKind.SINGLE:
            answers.append(Answer(response=fresh, question=question, choice_id=value))
        elif question.kind == QuestionKind.MULTIPLE:
            answers += [Answer(response=fresh, question=question, choice_id=v) for v in value]
        else:
            texts.append(TextAnswer(survey=survey, question=question, text=value))

    earlier = list(Response.objects.filter(survey=survey).values_list("id", flat=True))
    chosen = _random.sample(earlier, min(MIX_SIZE, len(earlier)))
    copies = {}
    for old_id, group in Response.objects.filter(id__in=chosen).values_list("id", "group_id"):
        copies[old_id] = Response(survey=survey, group_id=group)
        responses.append(copies[old_id])
    for old_id, question_id, scale, choice_id in (Answer.objects.filter(response_id__in=chosen)
                                                  .values_list("response_id", "question_id", "scale", "choice_id")):
        answers.append(Answer(response_id=copies[old_id].id, question_id=question_id, scale=scale, choice_id=choice_id))
    Answer.objects.filter(response_id__in=chosen).delete()
    Response.objects.filter(id__in=chosen).delete()
    _random.shuffle(responses)
    _random.shuffle(answers)
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers)

    if texts:
        earlier = list(TextAnswer.objects.filter(survey=survey).values_list("id", flat=True))
        chosen = _random.sample(earlier, min(MIX_SIZE, len(earlier)))
        texts += [TextAnswer(survey=survey, question_id=t.question_id, text=t.text)
                  for t in TextAnswer.objects.filter(id__in=chosen)]
        TextAnswer.objects.filter(id__in=chosen).delete()
        _random.shuffle(texts)
        TextAnswer.objects.bulk_create(texts)


def _tally(survey, channel, user, on):
    # Online answers are counted without a day: a dated count could be laid beside server logs.
    if channel == Channel.ONLINE:
        user, on = None, None
    tally = EntryTally.objects.filter(survey=survey, channel=channel, entered_by=user, on=on).first()
    if tally is None:
        tally = EntryTally.objects.create(survey=survey, channel=channel, entered_by=user, on=on)
    EntryTally.objects.filter(pk=tally.pk).update(count=F("count") + 1)


def _int(value):
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _plain(value):
    if hasattr(value, "pk"):
        return getattr(value, "code", None) or value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value

