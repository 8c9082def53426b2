"""What a survey's answers add up to: response rate, satisfaction overall and per question, the breakdown by party
group (small groups merged so that no group of fewer than `min_group_size` answers can be read off), free text.

Results are shown only once the survey is closed and has at least `min_group_size` answers: while answers still
arrive, a page refreshed after each visit would tell who answered what.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from laogan.accounts.models import Unit

from .models import (
    SATISFIED, SCALE_LEVELS, Answer, Channel, EntryTally, Invitation, IssueBatch, QuestionKind, Response, SurveyCode,
    TextAnswer,
)

OTHER = "其他"
RULE_ZH = ("满意率＝所有满意度题目的有效回答中，选“非常满意”或“满意”的回答所占比例；未作答的题目不计入。"
           "每份答卷凭一次性答卷码提交，每码只能使用一次；答卷不记姓名。")


def percent(part, whole):
    """Return part/whole as a percentage with one decimal, or None when there is nothing to divide."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Tally:
    label: str
    n: int
    share: Decimal | None


@dataclass
class QuestionResult:
    question: object
    answered: int = 0
    counts: list = field(default_factory=list)
    satisfied: int = 0
    texts: list = field(default_factory=list)

    @property
    def satisfaction(self):
        return percent(self.satisfied, self.answered) if self.question.kind == QuestionKind.SCALE else None


@dataclass
class GroupRow:
    label: str
    responses: int
    answered: int
    satisfied: int
    is_other: bool = False

    @property
    def satisfaction(self):
        return percent(self.satisfied, self.answered)


@dataclass
class Results:
    survey: object
    invited: int
    responses: int
    codes_used: int  # equals `responses`: no answer got in without spending a code
    replacements: int
    channels: dict
    visible: bool
    hidden_reason: str = ""
    answered: int = 0
    satisfied: int = 0
    questions: list = field(default_factory=list)
    groups: list = field(default_factory=list)
    group_labels: dict = field(default_factory=dict)  # group id (None too) → label as shown

    @property
    def rate(self):
        return percent(self.responses, self.invited)

    @property
    def satisfaction(self):
        return percent(self.satisfied, self.answered)

    @property
    def rule(self):
        return RULE_ZH


def compute(survey, today):
    """Return the Results of a survey as they may be shown on `today`."""
    responses = Response.objects.filter(survey=survey).count()
    channels = {c.value: 0 for c in Channel}
    for row in EntryTally.objects.filter(survey=survey).values("channel").annotate(n=Sum("count")):
        channels[row["channel"]] = row["n"]
    result = Results(
        survey=survey,
        invited=Invitation.objects.filter(survey=survey).count(),
        responses=responses,
        codes_used=SurveyCode.objects.filter(survey=survey, used=True).count(),
        replacements=IssueBatch.objects.filter(survey=survey, replacement=True, voided=False).count(),
        channels=channels,
        visible=False,
    )
    if not survey.is_closed(today):
        result.hidden_reason = _("Answers are shown when the survey has closed: while answers still come in, "
                                 "comparing the results before and after a visit would tell who answered what.")
        return result
    if responses < survey.min_group_size:
        result.hidden_reason = _("Fewer than %(n)s answers: they are not shown, so that no one's answer can be "
                                 "recognised.") % {"n": survey.min_group_size}
        return result
    result.visible = True
    _fill_questions(result, survey)
    _fill_groups(result, survey)
    return result


def _fill_questions(result, survey):
    questions = list(survey.questions.prefetch_related("choices"))
    counts = defaultdict(int)
    for row in (Answer.objects.filter(response__survey=survey).values("question_id", "scale", "choice_id")
                .annotate(n=Count("id")).order_by()):
        counts[(row["question_id"], row["scale"], row["choice_id"])] += row["n"]
    answered = dict(Answer.objects.filter(response__survey=survey).values("question_id")
                    .annotate(n=Count("response_id", distinct=True)).order_by().values_list("question_id", "n"))
    texts = defaultdict(list)
    for question_id, text in TextAnswer.objects.filter(survey=survey).order_by("text", "id").values_list("question_id", "text"):
        texts[question_id].append(text)
    for q in questions:
        qr = QuestionResult(question=q)
        if q.kind == QuestionKind.TEXT:
            qr.texts = texts[q.pk]
            qr.answered = len(qr.texts)
        else:
            qr.answered = answered.get(q.pk, 0)
            if q.kind == QuestionKind.SCALE:
                pairs = [(label, counts[(q.pk, level, None)]) for level, label in SCALE_LEVELS]
                qr.satisfied = sum(counts[(q.pk, level, None)] for level in SATISFIED)
                result.answered += qr.answered
                result.satisfied += qr.satisfied
            else:
                pairs = [(c.text, counts[(q.pk, None, c.pk)]) for c in q.choices.all()]
            qr.counts = [Tally(label, n, percent(n, qr.answered)) for label, n in pairs]
        result.questions.append(qr)


def _fill_groups(result, survey):
    """Break the answers down by party group; groups under the minimum (and anything that would let one be worked
    out by subtraction) are merged into 其他."""
    if not survey.record_group:
        return
    per_group = dict(Response.objects.filter(survey=survey).values("group_id").annotate(n=Count("id"))
                     .order_by().values_list("group_id", "n"))
    scale = (Answer.objects.filter(response__survey=survey, scale__isnull=False).values("response__group_id")
             .annotate(answered=Count("id"), satisfied=Count("id", filter=Q(scale__in=SATISFIED))).order_by())
    scale_by_group = {row["response__group_id"]: row for row in scale}
    k = survey.min_group_size
    shown = sorted((gid for gid, n in per_group.items() if gid is not None and n >= k), key=lambda g: (per_group[g], g))
    other = result.responses - sum(per_group[g] for g in shown)
    # 其他 itself must not be a small group either: fold the smallest shown group in until it is large enough.
    while 0 < other < k and shown:
        other += per_group[shown.pop(0)]
    if not shown:
        return
    units = {u.pk: u for u in Unit.objects.filter(pk__in=shown).only("name", "path")}
    names = {pk: u.name for pk, u in units.items()}
    labels = {gid: (names[gid] if gid in shown else OTHER) for gid in per_group}
    rows = []
    for gid in sorted(shown, key=lambda g: units[g].path):
        s = scale_by_group.get(gid, {})
        rows.append(GroupRow(names[gid], per_group[gid], s.get("answered", 0), s.get("satisfied", 0)))
    if other:
        merged = [gid for gid in per_group if gid not in shown]
        rows.append(GroupRow(OTHER, other, sum(scale_by_group.get(g, {}).get("answered", 0) for g in merged),
                             sum(scale_by_group.get(g, {}).get("satisfied", 0) for g in merged), is_other=True))
    result.groups = rows
    result.group_labels = labels


def pooled_satisfaction(responses):
    """Return (satisfied, answered) over the satisfaction answers of a queryset of responses."""
    totals = Answer.objects.filter(response__in=responses, scale__isnull=False).aggregate(
        answered=Count("id"), satisfied=Count("id", filter=Q(scale__in=SATISFIED)))
    return totals["satisfied"], totals["answered"]
