from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laogan.accounts.models import Role, User, subtree_q
from laogan.members.models import Member
from laogan.lib.forms import DATE

from .models import Caller, Category, Partner, Policy, ServiceRequest

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXT = forms.Textarea(attrs={"rows": 2})
# A call entered late may be dated back this far; older ones are typos.
MAX_BACKDATE = timedelta(days=7)


def staff_choices(user, centre=None):
    """Return the active staff and secretaries a request may be assigned to: in the centre, else in the user's scope."""
    users = User.objects.visible_to(user) if centre is None else User.objects.filter(subtree_q(centre.path, "unit__path"))
    return users.filter(is_active=True, role__in=[Role.STAFF, Role.SECRETARY]).order_by("role", "full_name", "id")


def categories_for(user):
    own = subtree_q(user.unit.path, "unit__path") if user.unit_id else Q(pk__in=[])
    return Category.objects.filter(Q(unit__isnull=True) | own, active=True).order_by("order", "id")


class IntakeForm(forms.ModelForm):
    member = forms.ModelChoiceField(queryset=Member.objects.none(), label=_("Member"),
                                    error_messages={"required": _("Find and pick the member first.")})
    opened_at = forms.DateTimeField(label=_("Time of the call"), required=False, widget=DATETIME,
                                    help_text=_("Leave as it is for a call just now."))
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Assign to"), required=False,
                                      empty_label=_("The member's liaison"))
    handle_now = forms.BooleanField(label=_("I am handling it now"), required=False)

    class Meta:
        model = ServiceRequest
        fields = ["member", "category", "summary", "location", "caller", "caller_name", "channel", "urgent", "opened_at"]
        widgets = {"category": forms.RadioSelect, "caller": forms.RadioSelect, "channel": forms.RadioSelect}

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.acting_user = acting_user
        self.fields["member"].queryset = Member.objects.visible_to(acting_user).living()
        self.fields["category"].queryset = categories_for(acting_user)
        self.fields["category"].empty_label = None
        self.fields["assignee"].queryset = staff_choices(acting_user)
        self.fields["summary"].widget.attrs.update(placeholder=_("e.g. kitchen pipe leaking"))
        self.fields["location"].widget.attrs.update(placeholder=_("e.g. at home, kitchen"))
        self.fields["caller_name"].widget.attrs.update(placeholder=_("e.g. daughter 李红"))

    def clean_opened_at(self):
        value = self.cleaned_data.get("opened_at")
        now = timezone.now()
        if value is None:
            return None
        if value > now + timedelta(minutes=5):
            raise ValidationError(_("The time of the call cannot be in the future."))
        if value < now - MAX_BACKDATE:
            raise ValidationError(_("The call is more than a week ago: check the date."))
        return value

    def clean(self):
        data = super().clean()
        member, category = data.get("member"), data.get("category")
        if member and category and category.unit_id not in (None, member.centre_id):
            self.add_error("category", _("This category belongs to another centre."))
        if data.get("caller") in (Caller.FAMILY, Caller.OTHER) and not data.get("caller_name"):
            self.add_error("caller_name", _("Say who called, e.g. daughter 李红."))
        return data


class VersionedForm(forms.Form):
    """An action on the request as the person saw it: the version travels with the form."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    @property
    def expected_version(self):
        raw = (self.data.get(self.add_prefix("version")) or "").strip()
        # A missing or garbled version counts as stale (versions start at 1): refused, never a server error.
        return int(raw) if raw.isdigit() else 0


class NoteOnlyForm(VersionedForm):
    note = forms.CharField(label=_("Note"), required=False, widget=TEXT, max_length=2000)


class AssignForm(VersionedForm):
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Assign to"))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args, acting_user, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_choices(acting_user, centre)


class DispatchForm(VersionedForm):
    partner = forms.ModelChoiceField(queryset=Partner.objects.none(), label=_("Partner"))
    reference = forms.CharField(label=_("Their reference"), required=False, max_length=60,
                                help_text=_("The job number the partner gave, if any."))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.filter(centre=centre, active=True)


WAIT_REASONS = [("member_away", _("Member away")), ("member_deciding", _("Member deciding")),
                ("no_answer", _("Member not answering")), ("other", _("Other"))]


class WaitForm(VersionedForm):
    reason = forms.ChoiceField(label=_("Waiting because"), choices=WAIT_REASONS, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def reason_text(self):
        return str(dict(WAIT_REASONS)[self.cleaned_data["reason"]])


class ResolveForm(VersionedForm):
    resolution = forms.CharField(label=_("What was done"), widget=TEXT, max_length=2000)
    delay_reason = forms.CharField(label=_("Reason for the delay"), required=False, max_length=200,
                                   help_text=_("Needed when the deadline has passed."))


class CallbackForm(VersionedForm):
    satisfied = forms.TypedChoiceField(label=_("Satisfied?"), choices=[("yes", _("Satisfied")), ("no", _("Not satisfied"))],
                                       coerce=lambda v: v == "yes", widget=forms.RadioSelect)
    answered_by = forms.CharField(label=_("Who answered"), required=False, max_length=50,
                                  widget=forms.TextInput(attrs={"placeholder": _("e.g. the member, son 王伟")}))
    comment = forms.CharField(label=_("What they said"), required=False, max_length=300, widget=TEXT)

    def clean(self):
        data = super().clean()
        if data.get("satisfied") is False and not data.get("comment"):
            self.add_error("comment", _("Write down what is still wrong: the request is reopened with it."))
        return data


class ReopenForm(VersionedForm):
    reason = forms.CharField(label=_("Why reopen"), widget=TEXT, max_length=2000)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=TEXT, max_length=2000)


STATE_CHOICES = [("open", _("Open")), ("at_risk", _("At risk")), ("overdue", _("Overdue")),
                 ("waiting", _("Waiting on member")), ("mine", _("Mine")), ("resolved", _("Awaiting callback")),
                 ("late", _("Done late")), ("all", _("All"))]


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Member"), required=False,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("name or pinyin initials")}))
    state = forms.ChoiceField(label=_("Show"), choices=STATE_CHOICES, required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("To"), required=False, widget=DATE)

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        # By code: two centres may each have their own category with the same code, and a bureau sees both.
        codes = {}
        for code, name in categories_for(acting_user).values_list("code", "name"):
            codes.setdefault(code, name)
        self.fields["category"].choices = [("", _("All categories")), *codes.items()]


class PolicyForm(forms.ModelForm):
    class Meta:
        model = Policy
        fields = ["respond_anchor", "respond_minutes", "resolve_anchor", "resolve_minutes", "clock",
                  "morning_start", "morning_end", "afternoon_start", "afternoon_end"]
        widgets = {f: forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
                   for f in ("morning_start", "morning_end", "afternoon_start", "afternoon_end")}
        help_texts = {"respond_minutes": _("30 = half an hour, 180 = 3 h, 1440 = 24 h. With “end of day”, the least time allowed."),
                      "resolve_minutes": _("With “end of day”, the least time allowed, e.g. 180: reported at 22:30, due 01:30.")}

    def clean(self):
        data = super().clean()
        if (data.get("morning_start") and data.get("morning_end") and data.get("afternoon_start")
                and data.get("afternoon_end")):
            if not data["morning_start"] < data["morning_end"] <= data["afternoon_start"] < data["afternoon_end"]:
                raise ValidationError(_("Working hours must run morning then afternoon, each starting before it ends."))
        for field in ("respond_minutes", "resolve_minutes"):
            if data.get(field) == 0:
                self.add_error(field, _("A target needs at least one minute."))
        return data


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "code", "order"]
        help_texts = {"code": _("Short Latin letters, e.g. garden. Used by sla_preview --category.")}


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = ["name", "kind", "phone"]
