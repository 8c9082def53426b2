from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laogan.accounts.models import User, subtree_q
from laogan.lib.images import clean_photo
from laogan.lib.locking import VersionedFormMixin
from laogan.members.models import Member

from .models import Festival, Occasion, PlannedVisit, VisitForm, VisitRules

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MAX_PHOTOS = 6


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one input; each is checked and re-encoded by lib.images.clean_photo."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": "image/*", "multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if len(uploads) > MAX_PHOTOS:
            raise ValidationError(_("At most %(n)s photos per visit.") % {"n": MAX_PHOTOS})
        return [clean_photo(super(MultiplePhotoField, self).clean(u, initial), max_bytes=settings.LAOGAN_MAX_PHOTO_BYTES)
                for u in uploads]


class RecordVisitForm(forms.Form):
    """What was done at one visit; the members (one, or a gathering's attendees) come from the page."""

    visited_at = forms.DateTimeField(label=_("Date and time"), widget=DATETIME)
    form = forms.ChoiceField(label=_("Form"), choices=VisitForm.choices)
    occasion = forms.ChoiceField(label=_("Occasion"), choices=Occasion.choices)
    festival = forms.ModelChoiceField(label=_("Festival"), queryset=Festival.objects.none(), required=False)
    planned = forms.ChoiceField(label=_("Planned visit this fulfils"), required=False)
    title = forms.CharField(label=_("Title"), max_length=100, required=False,
                            help_text=_("For a gathering, e.g. 重阳节茶话会."))
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    visitors = forms.ModelMultipleChoiceField(label=_("Staff who went"), queryset=User.objects.none(), required=False,
                                              widget=forms.CheckboxSelectMultiple)
    partner_units = forms.CharField(label=_("Partner units who came"), max_length=200, required=False,
                                    help_text=_("e.g. 城区民政局、城区卫生局"))
    condolence_amount = forms.DecimalField(label=_("Condolence money per member (yuan)"), max_digits=10,
                                           decimal_places=2, required=False, validators=[MinValueValidator(Decimal("0"))])
    condolence_by = forms.CharField(label=_("Handed over by"), max_length=100, required=False)
    cake_ordered = forms.BooleanField(label=_("Cake ordered"), required=False)
    cake_delivered = forms.BooleanField(label=_("Cake delivered"), required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    photos = MultiplePhotoField(label=_("Photos"), required=False)

    def __init__(self, *args, centre, acting_user, planned_choices=(), gathering=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["festival"].queryset = Festival.objects.filter(centre=centre, active=True)
        self.fields["visitors"].queryset = User.objects.filter(
            subtree_q(centre.path, "unit__path"), is_active=True, role__in=["secretary", "staff", "group_leader"]
        ).order_by("role", "id")
        self.fields["planned"].choices = [("auto", _("Match automatically")), *planned_choices, ("none", _("None (unplanned visit)"))]
        self.initial.setdefault("visited_at", timezone.localtime().replace(second=0, microsecond=0))
        self.initial.setdefault("visitors", [acting_user.pk])
        if gathering:
            self.fields["form"].choices = [(VisitForm.GATHERING, VisitForm.GATHERING.label)]
            del self.fields["planned"]
        else:
            del self.fields["title"]

    def clean(self):
        data = super().clean()
        if data.get("occasion") == Occasion.FESTIVAL and not data.get("festival"):
            self.add_error("festival", _("Say which festival."))
        return data


class GiftForm(forms.Form):
    item = forms.CharField(label=_("Gift"), max_length=100, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1, required=False)
    value = forms.DecimalField(label=_("Value (yuan)"), max_digits=10, decimal_places=2, min_value=0, required=False)

    def clean(self):
        data = super().clean()
        if data.get("item") and data.get("value") is None:
            self.add_error("value", _("Give the value of the gift."))
        return data


GiftFormSet = formset_factory(GiftForm, extra=2)


def gift_lines(formset):
    from .actions import GiftLine

    return [GiftLine(item=f.cleaned_data["item"], quantity=f.cleaned_data.get("quantity") or 1, value=f.cleaned_data["value"])
            for f in formset if f.cleaned_data.get("item")]


class AttendeesForm(forms.Form):
    """The members who attended a gathering, chosen from one party group (or the whole centre) at a time."""

    members = forms.ModelMultipleChoiceField(label=_("Members who attended"), queryset=Member.objects.none(),
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members
        self.fields["members"].label_from_instance = lambda m: f"{m.name}（{m.unit.name}）"


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class BudgetForm(forms.Form):
    amount = forms.DecimalField(label=_("Budget (yuan)"), max_digits=12, decimal_places=2, min_value=0)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Why is this entry reversed?"), max_length=200)


class RulesForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = VisitRules
        fields = ["age_reckoning", "milestone_ages", "yearly_milestones_from", "birthday_window_days",
                  "hospital_visit_days", "long_stay_days", "followup_days", "hardship_days", "reminder_days"]

    def clean_milestone_ages(self):
        value = self.cleaned_data["milestone_ages"].replace("，", ",").replace(" ", "")
        parts = [p for p in value.split(",") if p]
        if not parts or not all(p.isdigit() and 50 <= int(p) <= 130 for p in parts):
            raise ValidationError(_("Give ages between 50 and 130, separated by commas."))
        return ",".join(str(a) for a in sorted({int(p) for p in parts}))

    def clean_reminder_days(self):
        value = self.cleaned_data["reminder_days"]
        if value > 14:
            raise ValidationError(_("Remind at most 14 days ahead."))
        return value


class FestivalForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Festival
        fields = ["name", "calendar", "month", "day", "window_days", "gatherings_count", "active"]

    def clean(self):
        data = super().clean()
        month, day = data.get("month"), data.get("day")
        if month and day:
            if month > 12:
                self.add_error("month", _("A month is 1 to 12."))
            elif day > (30 if data.get("calendar") == "lunar" else 31):
                self.add_error("day", _("No month has that many days."))
        return data


def planned_choices(member, today):
    """Return (id, label) for a member's planned visits that a visit today could fulfil."""
    visits = PlannedVisit.objects.filter(member=member).filter(status="open").select_related("festival").order_by("due_date")
    return [(str(v.pk), f"{v.occasion_label} · {v.due_date:%Y-%m-%d}" + ("（已逾期）" if v.window_end < today else ""))
            for v in visits[:20]]
