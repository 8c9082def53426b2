"""The public answer page: no log-in, large print, one question per screen, plain forms that work without JavaScript.

Nothing is stored until the last screen. Between screens the answers ride along in hidden fields of the form and the
survey and code in a signed token, so no session row ever holds a code beside answers. The code is checked once at
the start (counted against the guessing brake when wrong) and spent at submission.
"""

from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from laogan.accounts.actions import client_ip

from . import actions, codes, guard
from .forms import field_name, question_field, raw_answers
from .models import SCALE_LEVELS, Channel, QuestionKind, Survey, SurveyCode

TOKEN_SALT = "laogan.surveys.answer"
TOKEN_MAX_AGE = 6 * 3600  # an afternoon, for slow readers and family who help


@login_not_required
@never_cache
@sensitive_post_parameters()
def answer(request):
    if request.method != "POST":
        return render(request, "surveys/answer_start.html", {})
    token = request.POST.get("t")
    if not token:
        return _start(request)
    try:
        survey_id, code = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
        survey = Survey.objects.select_related("centre").get(pk=survey_id)
    except (signing.BadSignature, Survey.DoesNotExist, TypeError, ValueError):
        return render(request, "surveys/answer_start.html", {"error": _("The page has expired. Please enter the code again.")})
    questions = list(survey.questions.prefetch_related("choices"))
    raw = raw_answers(questions, request.POST)
    step = _int(request.POST.get("step"), 0)
    nav = request.POST.get("nav", "next")
    if nav == "submit":
        return _submit(request, survey, questions, token, code, raw)
    if nav == "back":
        return _step(request, survey, questions, token, raw, max(step - 1, 0))
    if nav.startswith("goto-"):
        return _step(request, survey, questions, token, raw, min(max(_int(nav[5:], 0), 0), len(questions)))
    if step < len(questions):
        q = questions[step]
        try:
            question_field(q).clean(raw[q.pk])
        except ValidationError as e:
            return _step(request, survey, questions, token, raw, step, error=" ".join(e.messages))
    return _step(request, survey, questions, token, raw, min(step + 1, len(questions)))


def _start(request):
    source, now = client_ip(request) or "unknown", timezone.now()
    if not guard.allowed(source, now):
        return render(request, "surveys/answer_start.html", {"error": _(
            "Too many wrong codes have been tried from here. Please try again in an hour, or ask your liaison.")}, status=429)
    code = codes.normalize(request.POST.get("code"))
    if not code:
        return render(request, "surveys/answer_start.html", {"error": _(
            "A code has eight letters and digits, as printed on the slip, e.g. K7MQ-3XPA.")}, status=400)
    row = SurveyCode.objects.select_related("survey").filter(code_hash=codes.code_hash(code), used=False, void=False).first()
    if row is None or not row.survey.is_open(timezone.localdate()):
        guard.record_failure(source, now)
        return _refused(request)
    token = signing.dumps([row.survey_id, code], salt=TOKEN_SALT)
    survey = row.survey
    questions = list(survey.questions.prefetch_related("choices"))
    return _step(request, survey, questions, token, {}, 0)


def _submit(request, survey, questions, token, code, raw):
    source, now = client_ip(request) or "unknown", timezone.now()
    if not guard.allowed(source, now):
        return render(request, "surveys/answer_start.html", {"error": _(
            "Too many wrong codes have been tried from here. Please try again in an hour, or ask your liaison.")}, status=429)
    try:
        actions.do_submit_response(code, raw, channel=Channel.ONLINE)
    except actions.CodeRefused:
        guard.record_failure(source, now)
        return _refused(request)
    except actions.AnswerInvalid as e:
        first = next(i for i, q in enumerate(questions) if field_name(q) in e.error_dict)
        return _step(request, survey, questions, token, raw, first, error=" ".join(e.error_dict[field_name(questions[first])][0].messages))
    return render(request, "surveys/answer_done.html", {"survey": survey})


def _refused(request):
    # The same words for a mistyped, a used and a void code and for a closed survey: a refusal reveals nothing.
    return render(request, "surveys/answer_refused.html", {}, status=200)


def _step(request, survey, questions, token, raw, step, error=""):
    """Render question `step` (or, past the last, the review) with every other answer carried in hidden fields."""
    context = {"survey": survey, "token": token, "step": step, "total": len(questions), "error": error}
    if step >= len(questions):
        context["review"] = [{"n": i, "question": q, "answer": _answer_text(q, raw.get(q.pk))} for i, q in enumerate(questions)]
        context["hidden"] = _hidden(questions, raw)
        return render(request, "surveys/answer_review.html", context)
    q = questions[step]
    context.update(question=q, number=step + 1, options=_options(q, raw.get(q.pk)),
                   hidden=_hidden([o for o in questions if o.pk != q.pk], raw), name=field_name(q),
                   text_value=raw.get(q.pk) or "" if q.kind == QuestionKind.TEXT else "",
                   input_type="checkbox" if q.kind == QuestionKind.MULTIPLE else "radio",
                   is_text=q.kind == QuestionKind.TEXT, is_last=step == len(questions) - 1)
    return render(request, "surveys/answer_step.html", context)


def _options(q, value):
    if q.kind == QuestionKind.SCALE:
        pairs = SCALE_LEVELS
    elif q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        pairs = [(c.pk, c.text) for c in q.choices.all()]
    else:
        return []
    chosen = {str(v) for v in (value if isinstance(value, list) else [value])}
    return [{"value": v, "label": label, "checked": str(v) in chosen} for v, label in pairs]


def _hidden(questions, raw):
    pairs = []
    for q in questions:
        value = raw.get(q.pk)
        for v in value if isinstance(value, list) else [value]:
            if v not in (None, ""):
                pairs.append((field_name(q), v))
    return pairs


def _answer_text(q, value):
    if not value:
        return ""
    if q.kind == QuestionKind.TEXT:
        return value
    labels = dict(_option_pairs(q))
    values = value if isinstance(value, list) else [value]
    return "、".join(labels.get(str(v), "") for v in values if str(v) in labels)


def _option_pairs(q):
    if q.kind == QuestionKind.SCALE:
        return [(str(v), label) for v, label in SCALE_LEVELS]
    return [(str(c.pk), c.text) for c in q.choices.all()]


def _int(text, default):
    return int(text) if isinstance(text, str) and text.isdigit() else default
