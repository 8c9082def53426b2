"""Staff pages of surveys: set up, issue codes, key in paper and telephone answers, close, read the results.

The public answer page is in answer.py.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.timezone import localdate
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from laogan.accounts.actions import client_ip, record_audit
from laogan.accounts.models import AuditAction, Role, Unit
from laogan.members.models import Member
from laogan.lib.forms import add_errors

from . import actions, exports, guard, results
from .forms import EntryForm, IssueForm, QuestionForm, ReplacementForm, SurveyForm, raw_answers
from .models import SCALE_LEVELS, Channel, EntryTally, Invitation, IssueChannel, Question, Response, Survey

MANAGERS = (Role.ADMIN, Role.SECRETARY)
ENTERERS = (Role.ADMIN, Role.SECRETARY, Role.STAFF)


def can_manage(user):
    return user.sees_personal_data and user.role in MANAGERS


def can_enter(user):
    return user.sees_personal_data and user.role in ENTERERS


def _require_staff(request):
    if not request.user.sees_personal_data:
        raise PermissionDenied


def _get_survey_for_user(request, pk, *, manage=False, enter=False):
    """Return the survey if its audience is in the user's subtree (404 otherwise), checking the role asked for."""
    _require_staff(request)
    try:
        survey = Survey.objects.visible_to(request.user).select_related("audience", "centre").get(pk=pk)
    except Survey.DoesNotExist:
        raise Http404 from None
    if (manage and not can_manage(request.user)) or (enter and not can_enter(request.user)):
        raise PermissionDenied
    return survey


def answer_url(request):
    return request.build_absolute_uri(reverse("survey_answer"))


def _count(model, **filters):
    rows = model.objects.filter(survey=OuterRef("pk"), **filters).order_by().values("survey").annotate(n=Count("pk")).values("n")
    return Subquery(rows, output_field=IntegerField())


def survey_list(request):
    _require_staff(request)
    surveys = (Survey.objects.visible_to(request.user).select_related("audience")
               .annotate(n_responses=_count(Response), n_invited=_count(Invitation)))
    page = Paginator(surveys, 30).get_page(request.GET.get("page"))
    today = localdate()
    for s in page:
        s.state_now = s.state(today)
    return render(request, "surveys/survey_list.html", {"page": page, "can_manage": can_manage(request.user)})


def survey_create(request):
    _require_staff(request)
    if not can_manage(request.user):
        raise PermissionDenied
    today = localdate()
    initial = {"opens_on": today, "closes_on": today + timezone.timedelta(days=30), "blueprint": "yearly",
               "title": f"{today.year}年度老干部对支部工作满意度调查", "audience": request.user.unit_id}
    form = SurveyForm(request.POST or None, initial=initial, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            survey = actions.do_create_survey(
                audience=d["audience"], title=d["title"], intro=d["intro"], opens_on=d["opens_on"],
                closes_on=d["closes_on"], record_group=d["record_group"], min_group_size=d["min_group_size"],
                blueprint=d.get("blueprint") or "", acting_user=request.user, ip=client_ip(request))
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Survey created. Check the questions, then issue codes."))
            return redirect(survey)
    return render(request, "surveys/survey_form.html", {"form": form})


def survey_edit(request, pk):
    survey = _get_survey_for_user(request, pk, manage=True)
    form = SurveyForm(request.POST or None, instance=survey, acting_user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in SurveyForm.Meta.fields}
        try:
            survey, voided = actions.do_update_survey(survey, expected_version=form.expected_version,
                                                      acting_user=request.user, ip=client_ip(request), **fields)
        except actions.StaleEdit as e:
            # Nothing was saved; what was typed stays in the form, with the version it was read at.
            messages.error(request, str(e))
            status = 409
        except ValidationError as e:
            add_errors(form, e)
        else:
            if voided:
                messages.warning(request, _("%(n)s codes issued under the old settings were voided: issue new ones.") % {"n": voided})
            messages.success(request, _("Survey saved."))
            return redirect(survey)
    return render(request, "surveys/survey_form.html", {"form": form, "survey": survey}, status=status)


def survey_detail(request, pk):
    survey = _get_survey_for_user(request, pk)
    today = localdate()
    living = dict(Member.objects.living().in_unit(survey.audience).values("unit_id").annotate(n=Count("id"))
                  .order_by().values_list("unit_id", "n"))
    invited = dict(Invitation.objects.filter(survey=survey).values("member__unit_id").annotate(n=Count("id"))
                   .order_by().values_list("member__unit_id", "n"))
    units = Unit.objects.filter(pk__in=set(living) | set(invited)).order_by("path")
    issue_rows = [{"unit": u, "living": living.get(u.pk, 0), "invited": invited.get(u.pk, 0),
                   "left": max(living.get(u.pk, 0) - invited.get(u.pk, 0), 0)} for u in units]
    context = {
        "survey": survey, "today": today, "state": survey.state(today),
        "questions": survey.questions.prefetch_related("choices"),
        "issue_rows": issue_rows, "batches": survey.batches.select_related("unit", "issued_by"),
        "tallies": EntryTally.objects.filter(survey=survey).exclude(channel=Channel.ONLINE).select_related("entered_by"),
        "responses": Response.objects.filter(survey=survey).count(),
        "invited_total": sum(invited.values()),
        "can_manage": can_manage(request.user), "can_enter": can_enter(request.user),
        "issue_form": IssueForm(survey=survey), "replacement_form": ReplacementForm(survey=survey, acting_user=request.user),
        "answer_url": answer_url(request),
    }
    return render(request, "surveys/survey_detail.html", context)


def question_edit(request, pk, qid=None):
    survey = _get_survey_for_user(request, pk, manage=True)
    question = None
    if qid is not None:
        try:
            question = survey.questions.get(pk=qid)
        except Question.DoesNotExist:
            raise Http404 from None
    form = QuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.do_save_question(survey, question=question, kind=d["kind"], text=d["text"], short_label=d["short_label"],
                                     required=d["required"], choices=d["choices"], order=d["order"],
                                     acting_user=request.user, ip=client_ip(request))
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Question saved."))
            return redirect(survey)
    return render(request, "surveys/question_form.html", {"form": form, "survey": survey, "question": question})


@require_POST
def question_delete(request, pk, qid):
    survey = _get_survey_for_user(request, pk, manage=True)
    try:
        question = survey.questions.get(pk=qid)
        actions.do_delete_question(question, acting_user=request.user, ip=client_ip(request))
    except Question.DoesNotExist:
        raise Http404 from None
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("Question deleted."))
    return redirect(survey)


@require_POST
def survey_issue(request, pk):
    """Issue codes for a unit: slips come back as the PDF to print now (it is the only copy), texts are queued."""
    survey = _get_survey_for_user(request, pk, manage=True)
    form = IssueForm(request.POST, survey=survey)
    if not form.is_valid():
        messages.error(request, _("Choose whom to issue codes for."))
        return redirect(survey)
    unit, channel = form.cleaned_data["unit"], form.cleaned_data["channel"]
    try:
        issued = actions.do_issue_codes(survey, unit, channel=channel, acting_user=request.user,
                                        answer_url=answer_url(request), ip=client_ip(request))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect(survey)
    if channel == IssueChannel.SLIPS and issued.slips:
        return _pdf_response(exports.slips_pdf(survey, issued.slips, answer_url(request)),
                             f"survey-{survey.pk}-slips-{unit.code}.pdf")
    if issued.sent:
        messages.success(request, _("%(n)s text messages queued.") % {"n": issued.sent})
    if issued.without_mobile:
        messages.warning(request, _("No mobile number for %(names)s: print slips for them.") % {
            "names": "、".join(m.name for m in issued.without_mobile)})
    if not issued.sent and not issued.without_mobile:
        messages.info(request, _("Everyone in %(unit)s already has a code.") % {"unit": unit.name})
    return redirect(survey)


@require_POST
def survey_replacement(request, pk):
    survey = _get_survey_for_user(request, pk, manage=True)
    form = ReplacementForm(request.POST, survey=survey, acting_user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose the member who lost the slip."))
        return redirect(survey)
    try:
        issued = actions.do_issue_replacement(survey, form.cleaned_data["member"], acting_user=request.user,
                                              ip=client_ip(request))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect(survey)
    return _pdf_response(exports.slips_pdf(survey, issued.slips, answer_url(request)), f"survey-{survey.pk}-replacement.pdf")


@require_POST
def batch_void(request, pk, bid):
    survey = _get_survey_for_user(request, pk, manage=True)
    try:
        batch = survey.batches.select_related("unit").get(pk=bid)
        voided = actions.do_void_batch(batch, acting_user=request.user, ip=client_ip(request))
    except survey.batches.model.DoesNotExist:
        raise Http404 from None
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("%(n)s codes voided; the members can be issued new ones.") % {"n": voided})
    return redirect(survey)


@require_POST
def survey_close(request, pk):
    survey = _get_survey_for_user(request, pk, manage=True)
    actions.do_close_survey(survey, acting_user=request.user, ip=client_ip(request))
    messages.success(request, _("The survey is closed."))
    return redirect("survey_results", survey.pk)


def survey_entry(request, pk):
    """Key in a paper questionnaire from a sealed envelope, or answers taken by telephone: the code, never a member."""
    survey = _get_survey_for_user(request, pk, enter=True)
    questions = list(survey.questions.prefetch_related("choices"))
    form = EntryForm(request.POST or None, questions=questions)
    today = localdate()
    if request.method == "POST" and form.is_valid():
        source, now = f"user:{request.user.pk}", timezone.now()
        if not guard.allowed(source, now):
            form.add_error("code", _("Too many wrong codes in the last hour. Try again later."))
        else:
            try:
                actions.do_submit_response(form.cleaned_data["code"], raw_answers(questions, request.POST),
                                           channel=form.cleaned_data["channel"], entered_by=request.user, survey=survey)
            except actions.CodeRefused:
                guard.record_failure(source, now)
                form.add_error("code", _("This code cannot be used: it is mistyped, already used, or belongs to another survey."))
            except actions.AnswerInvalid as e:
                for name, errs in e.error_dict.items():
                    form.add_error(name, errs)
            else:
                # Only the count and the person who keyed it are recorded; never the code or the answers.
                record_audit(request.user, AuditAction.CREATE, survey, ip=client_ip(request),
                             detail=f"keyed one answer ({form.cleaned_data['channel']})")
                messages.success(request, _("Answer recorded, keyed by %(name)s. The next one:") % {"name": request.user.display_name})
                return redirect("survey_entry", survey.pk)
    keyed = EntryTally.objects.filter(survey=survey, entered_by=request.user, on=today).values_list("count", flat=True)
    return render(request, "surveys/entry_form.html", {"form": form, "survey": survey, "is_open": survey.is_open(today),
                                                       "keyed_today": sum(keyed)})


def survey_results(request, pk):
    survey = _get_survey_for_user(request, pk)
    r = results.compute(survey, localdate())
    return render(request, "surveys/results.html", {"survey": survey, "r": r, "can_manage": can_manage(request.user),
                                                    "today": localdate(), "scale_labels": [label for level, label in SCALE_LEVELS]})


def survey_results_how(request, pk):
    """How the satisfaction rate was computed: the rule, the counts, and every questionnaire behind them."""
    survey = _get_survey_for_user(request, pk)
    r = results.compute(survey, localdate())
    if not r.visible:
        return redirect("survey_results", survey.pk)
    header, rows = exports.response_rows(r)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "surveys/results_how.html", {"survey": survey, "r": r, "header": header, "page": page})


def survey_results_download(request, pk, fmt):
    survey = _get_survey_for_user(request, pk)
    r = results.compute(survey, localdate())
    if not r.visible or fmt not in ("xlsx", "pdf"):
        raise Http404
    record_audit(request.user, AuditAction.EXPORT, survey, detail=f"survey results {fmt}", ip=client_ip(request))
    if fmt == "pdf":
        return _pdf_response(exports.results_pdf(r), f"survey-{survey.pk}-results.pdf")
    response = HttpResponse(exports.results_xlsx(r),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-results.xlsx"'
    return response


def survey_questionnaire(request, pk):
    survey = _get_survey_for_user(request, pk)
    return _pdf_response(exports.questionnaire_pdf(survey), f"survey-{survey.pk}-questionnaire.pdf")


def _pdf_response(content, filename):
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

