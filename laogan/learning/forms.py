from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laogan.lib.documents import clean_attachment
from laogan.members.models import Member
from laogan.lib.forms import DATE

MAX_SCAN_BYTES = getattr(settings, "LAOGAN_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)


class TodayForm(forms.Form):
    date_fields = ()

    def __init__(self, *args, **kwargs):
        initial = kwargs.setdefault("initial", {})
        for name in self.date_fields:
            initial.setdefault(name, timezone.localdate())
        super().__init__(*args, **kwargs)


class MaterialChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj}{'（' + obj.edition + '）' if obj.edition else ''}"


class ReadingForm(TodayForm):
    date_fields = ("read_on",)
    material = MaterialChoiceField(label=_("A material handed out"), queryset=None, required=False,
                                   empty_label=_("— another book —"))
    book_title = forms.CharField(label=_("Book"), max_length=150, required=False,
                                 help_text=_("Leave empty to use the material's title."))
    read_on = forms.DateField(label=_("Finished on"), widget=DATE)
    notes = forms.CharField(label=_("Notes"), max_length=200, required=False)

    def __init__(self, *args, materials, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"].queryset = materials

    def clean(self):
        data = super().clean()
        if not data.get("book_title") and not data.get("material"):
            self.add_error("book_title", _("Say which book was read."))
        return data


class ReflectionForm(TodayForm):
    date_fields = ("written_on",)
    title = forms.CharField(label=_("Title"), max_length=100)
    written_on = forms.DateField(label=_("Written on"), widget=DATE)
    text = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("Typed by staff or by the member. Or attach the handwritten page below."))
    file = forms.FileField(label=_("Scan, photo or document (optional)"), required=False,
                           help_text=_("A photo of the handwritten page, a PDF or a Word document (.docx)."))
    dictated = forms.BooleanField(label=_("Dictated by the member (口述代笔)"), required=False)
    scribe = forms.CharField(label=_("Written down by"), max_length=50, required=False)
    consent_to_publish = forms.BooleanField(label=_("The member agrees to print it in the special issue"), required=False)
    consent_on = forms.DateField(label=_("Consent given on"), required=False, widget=DATE)

    def clean_file(self):
        """Return the upload checked by its content (a lib.documents.CheckedFile), or None."""
        upload = self.cleaned_data.get("file")
        return clean_attachment(upload, max_bytes=MAX_SCAN_BYTES) if upload else None

    def clean(self):
        data = super().clean()
        if not data.get("text", "").strip() and not data.get("file") and "file" not in self.errors:
            self.add_error("text", _("Type the text or attach a scan, photo or document of it."))
        if data.get("dictated") and not data.get("scribe", "").strip():
            self.add_error("scribe", _("Say who wrote down the dictated reflection."))
        if data.get("consent_to_publish") and not data.get("consent_on"):
            self.add_error("consent_on", _("Say on which day the member agreed."))
        return data


class ConsentForm(forms.Form):
    consent = forms.BooleanField(label=_("The member agrees to print it in the special issue"), required=False)
    consent_on = forms.DateField(label=_("Consent given on"), required=False, widget=DATE)


class GoodDeedForm(TodayForm):
    date_fields = ("done_on",)
    what = forms.CharField(label=_("What was done"), max_length=200)
    for_whom = forms.CharField(label=_("For whom"), max_length=100)
    done_on = forms.DateField(label=_("Date"), widget=DATE)


class MaterialForm(TodayForm):
    date_fields = ("received_on",)
    title = forms.CharField(label=_("Title"), max_length=150)
    edition = forms.CharField(label=_("Edition"), max_length=100, required=False,
                              help_text=_("Publisher and edition, e.g. 学习出版社 2023年版."))
    copies_received = forms.IntegerField(label=_("Copies received"), min_value=1, max_value=100000)
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    unit = forms.ModelChoiceField(label=_("Received by"), queryset=None, empty_label=None)
    notes = forms.CharField(label=_("Notes"), max_length=200, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class HandOutForm(TodayForm):
    """Hand one material to the ticked members at once."""

    date_fields = ("handed_on",)
    members = forms.ModelMultipleChoiceField(label=_("Members who received a copy"), queryset=Member.objects.none(),
                                             widget=forms.CheckboxSelectMultiple)
    handed_on = forms.DateField(label=_("Handed out on"), widget=DATE)
    copies = forms.IntegerField(label=_("Copies each"), min_value=1, max_value=20, initial=1)
    delivered_home = forms.BooleanField(label=_("Brought to the home (送学上门)"), required=False)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members
        self.fields["members"].label_from_instance = lambda m: f"{m.name}（{m.unit.name}）"
