from django import forms
from django.utils.translation import gettext_lazy as _

from laogan.accounts.models import Unit, UnitKind, subtree_q
from laogan.members.models import Member
from laogan.lib.forms import DATE
from laogan.lib.locking import VersionedFormMixin

from .blueprints import BLUEPRINTS
from .models import SCALE_LEVELS, Channel, IssueChannel, Question, QuestionKind, Survey


def audience_units(user):
    return Unit.objects.visible_to(user).filter(kind__in=[UnitKind.CENTRE, UnitKind.BRANCH, UnitKind.GROUP])


class SurveyForm(VersionedFormMixin, forms.ModelForm):
    blueprint = forms.ChoiceField(label=_("Questions"), required=False,
                                  help_text=_("Start from a shipped questionnaire, or with no questions."))

    class Meta:
        model = Survey
        fields = ["title", "audience", "opens_on", "closes_on", "intro", "record_group", "min_group_size"]
        widgets = {"opens_on": DATE, "closes_on": DATE, "intro": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].queryset = audience_units(acting_user)
        if self.instance.pk:
            del self.fields["blueprint"]
            if self.instance.frozen:
                for name in ("audience", "record_group", "min_group_size"):
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("Fixed: answers have arrived.")
        else:
            self.fields["blueprint"].choices = [(b.key, b.label) for b in BLUEPRINTS.values()] + [
                ("", _("No questions yet"))]


class QuestionForm(forms.ModelForm):
    choices = forms.CharField(label=_("Choices"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
                              help_text=_("For single and multiple choice: one choice per line."))

    class Meta:
        model = Question
        fields = ["kind", "text", "short_label", "required", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False
        self.fields["order"].help_text = _("Questions are asked in this order; leave empty to add at the end.")
        if self.instance.pk and not self.is_bound:
            self.initial["choices"] = "\n".join(c.text for c in self.instance.choices.all())
        elif not self.instance.pk:
            self.initial.pop("order", None)

    def clean_choices(self):
        lines = [line.strip() for line in self.cleaned_data["choices"].splitlines()]
        return [line for line in lines if line]


class IssueForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("For"), queryset=Unit.objects.none())
    channel = forms.ChoiceField(label=_("How"), choices=IssueChannel.choices, widget=forms.RadioSelect,
                                initial=IssueChannel.SLIPS)

    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(subtree_q(survey.audience.path, "path")).exclude(
            kind=UnitKind.BUREAU)
        self.fields["unit"].initial = survey.audience_id


class ReplacementForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Member who lost the slip"), queryset=Member.objects.none())

    def __init__(self, *args, survey, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = (Member.objects.visible_to(acting_user).living().in_unit(survey.audience)
                                          .filter(pk__in=survey.invitations.values("member_id")).select_related("unit"))
        self.fields["member"].label_from_instance = lambda m: f"{m.name}（{m.unit.name}）"


def question_field(question):
    """Return the form field that asks one question, on the answer page and on the staff entry form alike."""
    common = {"label": question.text, "required": question.required}
    if question.kind == QuestionKind.SCALE:
        return forms.TypedChoiceField(choices=SCALE_LEVELS, coerce=int, widget=forms.RadioSelect, **common)
    choices = [(c.pk, c.text) for c in question.choices.all()]
    if question.kind == QuestionKind.SINGLE:
        return forms.TypedChoiceField(choices=choices, coerce=int, widget=forms.RadioSelect, **common)
    if question.kind == QuestionKind.MULTIPLE:
        return forms.TypedMultipleChoiceField(choices=choices, coerce=int, widget=forms.CheckboxSelectMultiple, **common)
    return forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 4}), **common)


def field_name(question):
    return f"q_{question.pk}"


def raw_answers(questions, data):
    """Return {question id: raw value} read from POST data (lists for multiple choice)."""
    raw = {}
    for q in questions:
        name = field_name(q)
        raw[q.pk] = [v for v in data.getlist(name) if v] if q.kind == QuestionKind.MULTIPLE else data.get(name, "")
    return raw


class EntryForm(forms.Form):
    """A paper questionnaire or a telephone answer, keyed by staff: the code, then every question on one page."""

    channel = forms.ChoiceField(label=_("Answer given"), choices=[(Channel.PAPER, Channel.PAPER.label),
                                                                 (Channel.PHONE, Channel.PHONE.label)],
                                widget=forms.RadioSelect, initial=Channel.PAPER)
    code = forms.CharField(label=_("Code on the slip"), max_length=20,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "spellcheck": "false"}))

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.questions = questions
        for q in questions:
            self.fields[field_name(q)] = question_field(q)
