from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laogan.accounts.models import Unit, UnitKind
from laogan.lib.images import clean_photo
from laogan.lib.locking import VersionedFormMixin
from laogan.members.models import validate_phone
from laogan.lib.forms import DATE

from . import roster
from .balancing import Mode
from .models import Commitment, ContactKind, GroupPairing, JointActivity, LiaisonPolicy, PartnerUnit

MAX_PHOTOS = 12


class LiaisonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class LiaisonMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class PolicyForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = LiaisonPolicy
        fields = ["min_caseload", "max_caseload", "contact_days", "priority_contact_days"]


MODE_CHOICES = [
    (Mode.NEW, _("Place members without a liaison; keep every existing pair")),
    (Mode.REBALANCE, _("Even out caseloads; move as few members as possible")),
    (Mode.FRESH, _("Start again: new pairs for everyone, party group by party group")),
]


class BalanceForm(forms.Form):
    mode = forms.ChoiceField(label=_("What to do"), choices=MODE_CHOICES, initial=Mode.NEW, widget=forms.RadioSelect)
    participants = LiaisonMultipleChoiceField(label=_("Liaisons taking part"), queryset=None,
                                              widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = roster.eligible_liaisons(centre)


class AssignForm(forms.Form):
    liaison = LiaisonChoiceField(label=_("Liaison"), queryset=None, empty_label=None)

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["liaison"].queryset = roster.eligible_liaisons(centre)


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactKind.choices, initial=ContactKind.PHONE)
    at = forms.DateTimeField(label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("at", timezone.localtime().replace(second=0, microsecond=0))


def centre_units(centre):
    return Unit.objects.subtree(centre).exclude(kind=UnitKind.BUREAU)


class PairingForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = GroupPairing
        fields = ["first_name", "first_unit", "first_side", "second_name", "second_unit", "second_side",
                  "purpose", "started_on", "ended_on", "notes"]
        widgets = {"started_on": DATE, "ended_on": DATE, "purpose": forms.Textarea(attrs={"rows": 2}),
                   "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.centre = centre
        for name in ("first_unit", "second_unit"):
            self.fields[name].queryset = centre_units(centre)


class PartnerForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = PartnerUnit
        fields = ["name", "contact_person", "contact_post", "work_phone", "mobile", "address", "notes", "sort_order"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.centre = centre

    def _phone(self, name):
        value = self.cleaned_data[name]
        return validate_phone(value) if value else ""

    def clean_work_phone(self):
        return self._phone("work_phone")

    def clean_mobile(self):
        return self._phone("mobile")


class CommitmentForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Commitment
        fields = ["title", "detail", "due_month", "first_year", "last_year", "sort_order"]
        widgets = {"detail": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.partner = partner
        self.initial.setdefault("first_year", timezone.localdate().year)


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("At most %(n)s photos at a time.") % {"n": MAX_PHOTOS})
        return [clean_photo(super(PhotosField, self).clean(f), max_bytes=settings.LAOGAN_MAX_PHOTO_BYTES) for f in files]


class ActivityForm(VersionedFormMixin, forms.ModelForm):
    photos = PhotosField(label=_("Photos"), required=False)

    class Meta:
        model = JointActivity
        fields = ["commitment", "title", "date", "place", "attendance", "notes"]
        widgets = {"date": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.partner = partner
        self.fields["commitment"].queryset = partner.commitments.all()
        self.fields["commitment"].required = False
        self.fields["commitment"].empty_label = _("(none: an extra activity)")
        self.initial.setdefault("date", timezone.localdate())

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise ValidationError(_("Record an activity once it has taken place."))
        return day


class PhotoForm(forms.Form):
    photos = PhotosField(label=_("Photos"))


class CardPrintForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Cards for"), queryset=None, empty_label=None)
    stale_only = forms.BooleanField(label=_("Only cards whose details have changed"), required=False)

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = centre_units(centre)
        self.fields["unit"].label_from_instance = lambda u: ("　" * max(0, u.depth - centre.depth)) + u.name
        self.initial.setdefault("unit", centre.pk)
