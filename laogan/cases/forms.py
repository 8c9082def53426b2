from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laogan.lib.documents import clean_attachment
from laogan.members.models import Member
from laogan.lib.forms import DATE
from laogan.lib.locking import VersionedFormMixin

from .actions import case_workers, grantable_users
from .models import Asks, CareService, CaseType, HelpKind, Kind, NoteKind, Outcome, PartyRole, Satisfaction

TEXT = forms.Textarea(attrs={"rows": 3})
MAX_ATTACHMENT_BYTES = getattr(settings, "LAOGAN_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class OpenCaseForm(forms.Form):
    case_type = forms.ModelChoiceField(queryset=CaseType.objects.none(), label=_("Kind of case"), empty_label=None,
                                       widget=forms.RadioSelect, to_field_name="code")
    summary = forms.CharField(label=_("What it is about"), max_length=200)
    assessment = forms.CharField(label=_("Assessment and background"), required=False, widget=TEXT)
    opened_on = forms.DateField(label=_("Opened on"), widget=DATE)
    owner = UserChoiceField(queryset=None, label=_("Owner"), required=False, empty_label=_("The member's liaison"))
    confidential = forms.BooleanField(label=_("Confidential (only the owner, the secretary and those granted see it)"),
                                      required=False, help_text=_("Grievance mediation is always confidential."))
    station = forms.CharField(label=_("Home-care station"), max_length=100, required=False)
    station_phone = forms.CharField(label=_("Station phone"), max_length=40, required=False)
    service = forms.ChoiceField(label=_("Service"), choices=[("", "—")] + CareService.choices, required=False)
    check_every_days = forms.IntegerField(label=_("Check the service every (days)"), min_value=7, max_value=180,
                                          initial=30, required=False)

    def __init__(self, *args, member, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("opened_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        # An after-death case is opened by recording the death, never by hand.
        self.fields["case_type"].queryset = CaseType.objects.filter(active=True).exclude(code=Kind.AFTER_DEATH)
        self.fields["owner"].queryset = case_workers(member.centre_id)
        self.fields["summary"].widget.attrs.update(placeholder=_("e.g. spouse in hospital, nobody to look after him"))

    def clean(self):
        data = super().clean()
        case_type = data.get("case_type")
        if case_type is not None and case_type.code == Kind.HOME_CARE:
            if not data.get("station"):
                self.add_error("station", _("Say which home-care station."))
            if not data.get("service"):
                self.add_error("service", _("Choose the service."))
        return data

    def referral(self):
        d = self.cleaned_data
        if d["case_type"].code != Kind.HOME_CARE:
            return None
        return {"station": d["station"], "station_phone": d["station_phone"], "service": d["service"],
                "check_every_days": d.get("check_every_days") or 30}


class EditCaseForm(VersionedFormMixin, forms.Form):
    """The case's description; carries the case's version (`version_of=case`) so a stale save is refused."""

    summary = forms.CharField(label=_("What it is about"), max_length=200)
    assessment = forms.CharField(label=_("Assessment and background"), required=False, widget=TEXT)


class StepDoneForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DATE)
    result = forms.CharField(label=_("Result"), max_length=500, required=False)
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=10, decimal_places=2, min_value=0, required=False)
    recipient = forms.CharField(label=_("Received by"), max_length=60, required=False)
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), choices=Satisfaction.choices, required=False,
                                     widget=forms.RadioSelect)

    def __init__(self, *args, step, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("done_on", timezone.localdate())
        kwargs.setdefault("prefix", f"step{step.pk}")
        super().__init__(*args, **kwargs)
        if step.asks != Asks.MONEY:
            del self.fields["amount"], self.fields["recipient"]
        if step.asks != Asks.SATISFACTION:
            del self.fields["satisfaction"]
        if step.result_label:
            self.fields["result"].label = step.result_label
        self.fields["result"].required = step.asks == Asks.TEXT


class SkipStepForm(forms.Form):
    reason = forms.CharField(label=_("Why it is not needed"), max_length=200)


class AddStepForm(forms.Form):
    title = forms.CharField(label=_("Step"), max_length=100)
    due_date = forms.DateField(label=_("Due"), widget=DATE, required=False)
    assignee = UserChoiceField(queryset=None, label=_("Done by"), required=False, empty_label=_("The owner"))
    required = forms.BooleanField(label=_("Required to close the case"), required=False, initial=True)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = case_workers(case.centre_id)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), widget=forms.RadioSelect,
                                choices=[c for c in Outcome.choices if c[0] != Outcome.MEMBER_DIED])
    closed_on = forms.DateField(label=_("Closed on"), widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, widget=TEXT)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("closed_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why reopen"), max_length=300, widget=TEXT)


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), initial=NoteKind.NOTE, widget=forms.RadioSelect, choices=[
        (NoteKind.NOTE, NoteKind.NOTE.label), (NoteKind.CONVERSATION, NoteKind.CONVERSATION.label),
        (NoteKind.ATTEMPT, NoteKind.ATTEMPT.label), (NoteKind.CHECK, NoteKind.CHECK.label)])
    happened_on = forms.DateField(label=_("Date"), widget=DATE)
    with_whom = forms.CharField(label=_("With whom"), max_length=100, required=False)
    text = forms.CharField(label=_("What happened"), widget=TEXT)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("happened_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class PartyForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=PartyRole.choices)
    user = UserChoiceField(queryset=None, label=_("Staff member"), required=False)
    member = forms.ModelChoiceField(queryset=None, label=_("Mediator from among the members"), required=False)
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    relationship = forms.CharField(label=_("Relationship or post"), max_length=30, required=False)
    organisation = forms.CharField(label=_("Unit"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=200, required=False)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = case_workers(case.centre_id)
        self.fields["member"].queryset = (Member.objects.filter(centre_id=case.centre_id).living()
                                          .exclude(pk=case.member_id).order_by("name_pinyin"))


class HelpForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=HelpKind.choices, widget=forms.RadioSelect, initial=HelpKind.MONEY)
    given_on = forms.DateField(label=_("Date"), widget=DATE)
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=10, decimal_places=2, min_value=0, required=False)
    description = forms.CharField(label=_("What"), max_length=200, required=False)
    recipient = forms.CharField(label=_("Received by"), max_length=60, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("given_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Photo, PDF or Word document"))

    def clean_file(self):
        """Return the upload checked by its content (a lib.documents.CheckedFile)."""
        return clean_attachment(self.cleaned_data["file"], max_bytes=MAX_ATTACHMENT_BYTES)


class GrantForm(forms.Form):
    user = UserChoiceField(queryset=None, label=_("Allow to see this case"))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = grantable_users(case).exclude(pk=case.owner_id)


class OwnerForm(forms.Form):
    owner = UserChoiceField(queryset=None, label=_("New owner"))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = case_workers(case.centre_id).exclude(pk=case.owner_id)


STATES = [("open", _("Open")), ("overdue", _("With overdue steps")), ("mine", _("Mine")), ("closed", _("Closed")),
          ("all", _("All"))]


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Member"), required=False, widget=forms.TextInput(attrs={"type": "search"}))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds"))] + Kind.choices)
    state = forms.ChoiceField(label=_("State"), required=False, choices=STATES)
    # Set by the links of the figures page: the cases opened (or closed) in one year.
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100, widget=forms.HiddenInput)
    by = forms.ChoiceField(required=False, choices=[("opened", "opened"), ("closed", "closed")], widget=forms.HiddenInput)


class SurvivorForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    relationship = forms.CharField(label=_("Relationship"), max_length=20, initial="配偶")
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=200, required=False)


class SurvivorVisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=DATE)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("visited_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class SurvivorStopForm(forms.Form):
    reason = forms.CharField(label=_("Why no longer visited"), max_length=100)

