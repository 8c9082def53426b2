from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from laogan.accounts.models import Unit, UnitKind
from laogan.lib import idcard
from laogan.lib.images import clean_photo
from laogan.lib.forms import DATE, QuickSelect

from .models import Category, EventKind, Member, PhoneLabel, Status, validate_phone


class MemberForm(forms.ModelForm):
    id_number = forms.CharField(label=_("ID number"), required=False, max_length=30)

    class Meta:
        model = Member
        fields = [
            "name", "sex", "ethnicity", "birth_date", "birthday_custom", "id_number", "category", "is_party_member",
            "party_join_date", "work_start_date", "retirement_date", "former_unit", "former_post",
            "treatment_level", "unit", "address", "lives_alone", "disabled", "bedridden", "health_notes", "notes",
            "photo",
        ]
        widgets = {
            "birth_date": DATE, "party_join_date": DATE, "work_start_date": DATE, "retirement_date": DATE,
            "address": forms.TextInput(), "health_notes": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}), "photo": forms.FileInput(attrs={"accept": "image/*"}),
        }

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(acting_user).filter(kind__in=[UnitKind.BRANCH, UnitKind.GROUP])
        self.fields["unit"].label = _("Party group")
        if self.instance.pk and self.instance.id_number:
            # The stored number is never put into the page; typing a new one replaces it.
            self.initial["id_number"] = ""
            self.fields["id_number"].help_text = _("Now %(masked)s; leave empty to keep it.") % {"masked": self.instance.masked_id_number}

    def clean_id_number(self):
        value = self.cleaned_data["id_number"]
        if not value:
            return self.instance.id_number if self.instance.pk else ""
        try:
            return idcard.parse(value).number
        except idcard.IdNumberError as e:
            raise ValidationError(str(e)) from None

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo is not self.instance.photo and hasattr(photo, "content_type"):
            return clean_photo(photo, max_bytes=settings.LAOGAN_MAX_PHOTO_BYTES)
        return photo


class PhoneForm(forms.Form):
    label = forms.ChoiceField(label=_("label"), choices=PhoneLabel.choices)
    number = forms.CharField(label=_("number"), max_length=30)

    def clean_number(self):
        return validate_phone(self.cleaned_data["number"])


class ContactForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=50)
    relationship = forms.CharField(label=_("relationship"), max_length=20)
    phone = forms.CharField(label=_("phone"), max_length=30, required=False)
    lives_with_member = forms.BooleanField(label=_("lives with the member"), required=False)
    is_emergency = forms.BooleanField(label=_("emergency contact"), required=False)

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        return validate_phone(phone) if phone else ""


PhoneFormSet = formset_factory(PhoneForm, extra=1, can_delete=True, max_num=6)
ContactFormSet = formset_factory(ContactForm, extra=1, can_delete=True, max_num=6)


def formset_rows(formset):
    """Return the filled, not deleted rows of a valid formset."""
    return [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


GROUP_CHOICES_MAX = 300


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.SearchInput(attrs={"placeholder": _("Name, pinyin, initials, phone or ID suffix"), "autocomplete": "off"}))
    group = forms.ModelChoiceField(label=_("Party group"), queryset=Unit.objects.none(), required=False, empty_label=_("All groups"),
                                   widget=QuickSelect)
    category = forms.ChoiceField(label=_("Category"), required=False, choices=[("", _("All categories"))] + list(Category.choices))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Living")), ("all", _("All"))] + list(Status.choices))

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.visible_to(acting_user)
        groups = units.filter(kind__in=[UnitKind.GROUP, UnitKind.BRANCH])
        # Only a bureau can hold that many, so the count costs no query on a centre's pages.
        if acting_user.unit_id and acting_user.unit.kind == UnitKind.BUREAU and groups.count() > GROUP_CHOICES_MAX:
            # A bureau sees thousands of groups (43,000 in a province of 10^6): as options they made the page 2 MB
            # and 3 s to render. It chooses a centre instead; in_unit() filters by any unit's subtree.
            self.fields["group"].queryset = units.filter(kind=UnitKind.CENTRE)
            self.fields["group"].label = UnitKind.CENTRE.label
            self.fields["group"].empty_label = _("All centres")
        else:
            self.fields["group"].queryset = groups

    def filter(self, members):
        if not self.is_valid():
            return members.living()
        d = self.cleaned_data
        members = members.search(d["q"])
        if d["group"]:
            members = members.in_unit(d["group"])
        if d["category"]:
            members = members.filter(category=d["category"])
        if d["status"] == "all":
            pass
        elif d["status"]:
            members = members.filter(status=d["status"])
        else:
            members = members.living()
        return members


class LifeEventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Event"), choices=EventKind.choices)
    date = forms.DateField(label=_("Date"), widget=DATE)
    hospital = forms.CharField(label=_("Hospital"), max_length=100, required=False)
    ward = forms.CharField(label=_("Ward"), max_length=50, required=False)
    cause = forms.CharField(label=_("Cause (optional)"), max_length=200, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        d = super().clean()
        if d.get("kind") == EventKind.ADMITTED and not d.get("hospital"):
            self.add_error("hospital", _("Say which hospital."))
        return d

    def clean_date(self):
        from django.utils.timezone import localdate

        day = self.cleaned_data["date"]
        if day > localdate():
            raise ValidationError(_("The date is in the future."))
        return day
