from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laogan.accounts.models import Unit, UnitKind, subtree_q
from laogan.liaison.forms import PhotosField
from laogan.liaison.models import PartnerUnit
from laogan.members.models import Member
from laogan.lib.forms import DATE
from laogan.lib.locking import VersionedFormMixin

from .models import FIELD_CHOICES, Activity, ActivitySeries, AdvisoryGroup, grouped_kind_choices

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def centre_units(centre):
    return Unit.objects.filter(subtree_q(centre.path, "path")).exclude(kind=UnitKind.BUREAU).order_by("path")


class UnitField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class MemberChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.unit.name}）"


class ActivityForm(VersionedFormMixin, forms.ModelForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=grouped_kind_choices)
    partners = forms.ModelMultipleChoiceField(label=_("Partner units"), queryset=PartnerUnit.objects.none(),
                                              required=False, widget=forms.CheckboxSelectMultiple)
    invited = MemberChoices(label=_("Invited members"), queryset=Member.objects.none(), required=False,
                            widget=forms.CheckboxSelectMultiple,
                            help_text=_("Leave empty to take the attendance from all members of the organising unit."))
    photos = PhotosField(label=_("Photos"), required=False)

    class Meta:
        model = Activity
        fields = ["kind", "custom_kind", "title", "starts_at", "place", "unit", "organiser", "partners",
                  "other_partners", "invited", "summary", "cancelled", "photos"]
        widgets = {"starts_at": DATETIME, "summary": forms.Textarea(attrs={"rows": 4})}
        field_classes = {"unit": UnitField}

    def __init__(self, *args, centre, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = centre_units(centre)
        self.fields["unit"].empty_label = None
        self.fields["partners"].queryset = PartnerUnit.objects.filter(centre=centre)
        self.fields["invited"].queryset = members
        self.fields["starts_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        if not self.fields["partners"].queryset.exists():
            del self.fields["partners"]
        if not self.instance.pk:
            self.initial["unit"] = self.initial.get("unit") or centre.pk
            self.initial["starts_at"] = self.initial.get("starts_at") or timezone.localtime().replace(second=0, microsecond=0)
            del self.fields["cancelled"]

    def clean(self):
        data = super().clean()
        if data.get("kind") == "other" and not (data.get("custom_kind") or "").strip():
            self.add_error("custom_kind", _("Name the kind of activity."))
        return data


class SeriesForm(VersionedFormMixin, forms.ModelForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=grouped_kind_choices)

    class Meta:
        model = ActivitySeries
        fields = ["kind", "custom_kind", "title", "unit", "place", "organiser", "starts_on", "time", "every_months",
                  "ends_on", "active"]
        widgets = {"starts_on": DATE, "ends_on": DATE, "time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}
        field_classes = {"unit": UnitField}

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = centre_units(centre)
        self.fields["unit"].empty_label = None
        if not self.instance.pk:
            self.initial["unit"] = self.initial.get("unit") or centre.pk

    def clean(self):
        data = super().clean()
        if data.get("kind") == "other" and not (data.get("custom_kind") or "").strip():
            self.add_error("custom_kind", _("Name the kind of activity."))
        return data


class GroupForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = AdvisoryGroup
        fields = ["field", "name", "remit", "sort_order", "active"]


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.unit.name}）"


class AdviserForm(forms.Form):
    member = MemberChoice(label=_("Member"), queryset=Member.objects.none())
    expertise = forms.CharField(label=_("Expertise"), max_length=200, help_text=_("e.g. 水稻种植，曾任农业局副局长"))
    is_leader = forms.BooleanField(label=_("Group head"), required=False)
    since = forms.DateField(label=_("Since"), required=False, widget=DATE)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members


class WorkForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    what = forms.CharField(label=_("What was done"), max_length=200)
    who = forms.CharField(label=_("Who took part"), max_length=200, required=False)
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class SuggestionForm(forms.Form):
    member = MemberChoice(label=_("From the member"), queryset=Member.objects.none(), required=False)
    group = forms.ModelChoiceField(label=_("Or from the advisory group"), queryset=AdvisoryGroup.objects.none(), required=False)
    field = forms.ChoiceField(label=_("Field"), choices=FIELD_CHOICES)
    text = forms.CharField(label=_("Suggestion"), widget=forms.Textarea(attrs={"rows": 5}))
    received_on = forms.DateField(label=_("Received on"), widget=DATE)

    def __init__(self, *args, centre, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["group"].queryset = AdvisoryGroup.objects.filter(centre=centre)
        self.initial.setdefault("received_on", timezone.localdate())

    def clean(self):
        data = super().clean()
        if bool(data.get("member")) == bool(data.get("group")):
            raise ValidationError(_("Say who made the suggestion: a member or an advisory group, not both."))
        return data


class ForwardForm(forms.Form):
    to = forms.CharField(label=_("Forwarded to"), max_length=100, help_text=_("e.g. 城区党政办、城区农业局"))
    on = forms.DateField(label=_("Forwarded on"), widget=DATE)
    reply_due = forms.DateField(label=_("Reply due"), widget=DATE, required=False,
                                help_text=_("Empty: 30 days after forwarding."))


class AnswerForm(forms.Form):
    reply = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 4}))
    on = forms.DateField(label=_("Answered on"), widget=DATE)


class DecideForm(forms.Form):
    adopted = forms.TypedChoiceField(label=_("Outcome"), coerce=lambda v: v == "yes",
                                     choices=[("yes", _("Adopted")), ("no", _("Not adopted"))], widget=forms.RadioSelect)
    on = forms.DateField(label=_("Decided on"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
