from django import forms
from django.core.exceptions import ValidationError
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import Role, Unit, UnitKind, User


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The user name or password is wrong. Passwords are case-sensitive."),
        "inactive": _("This account is disabled. Ask your centre's administrator."),
        "locked_account": _("This account is locked after %(n)s wrong passwords. Try again in 15 minutes, or ask your administrator to unlock it."),
        "locked_address": _("Too many wrong passwords from this computer. Try again in 15 minutes."),
    }

    def clean(self):
        from . import lockout

        username = self.cleaned_data.get("username") or ""
        ip = self.request.META.get("REMOTE_ADDR") if self.request else None
        # Checked before the password: a locked account answers the same whether the password is right or not.
        reason = lockout.locked(username, ip)
        if reason == "account":
            raise ValidationError(self.error_messages["locked_account"] % {"n": lockout.ACCOUNT_LIMIT}, code="locked")
        if reason == "address":
            raise ValidationError(self.error_messages["locked_address"], code="locked")
        try:
            cleaned = super().clean()
        except ValidationError:
            lockout.note_failure(username, ip)
            raise
        lockout.clear_account(username)
        return cleaned


class UserForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["username", "full_name", "unit", "role", "mobile", "work_phone", "may_reveal_id", "totp_required"]

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(acting_user)
        self.fields["unit"].required = True
        self.fields["full_name"].required = True
        if self.instance.pk:
            self.fields["username"].disabled = True


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["code", "name", "kind", "parent", "hotline", "address"]

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Unit.objects.visible_to(acting_user).exclude(kind=UnitKind.GROUP)
        self.fields["parent"].required = True
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["kind"].disabled = True
            self.fields["parent"].disabled = True


class AuditFilterForm(forms.Form):
    q = forms.CharField(label=_("Record or user"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        from .models import AuditAction

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All"))] + list(AuditAction.choices)


__all__ = ["LoginForm", "UserForm", "UnitForm", "AuditFilterForm", "Role"]
