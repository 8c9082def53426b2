"""Two-step log-in: the code page after the password, the user's own set-up page, and the admin reset."""

import time

from django import forms
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import actions, lockout, totp
from .models import AuditAction, User

PENDING = "laogan_totp_pending"  # {user, backend, next, at}: the password was right, the code is still to come
VERIFIED = "laogan_totp_verified"  # set in the session after a log-in with a code (or right after enrolment)
PENDING_SECONDS = 5 * 60


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("6-digit code"), max_length=20,
        help_text=gettext_lazy("Open the authenticator app on your phone and type the 6 digits it shows now."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True,
                                      "class": "otp-input", "autocapitalize": "off", "spellcheck": "false"}),
    )


def start_pending(request, user, next_url):
    """Called by the log-in view when the password was right and a code is still needed."""
    request.session[PENDING] = {"user": user.pk, "backend": user.backend, "next": next_url, "at": time.time()}


def mark_verified(request):
    request.session[VERIFIED] = True


@login_not_required
def login_code(request):
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        messages.error(request, _("Please log in again: the code was not entered within five minutes."))
        return redirect("login")
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING, None)
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = actions.client_ip(request)
        code = form.cleaned_data["code"]
        if lockout.locked(user.username, ip):
            form.add_error("code", _("Too many wrong codes. Try again in 15 minutes, or ask your administrator."))
        elif totp.looks_like_recovery_code(code) and totp.use_recovery_code(user, code):
            return _finish(request, user, pending, "password and recovery code")
        elif not totp.looks_like_recovery_code(code) and _code_ok(user, code):
            return _finish(request, user, pending, "password and one-time code")
        else:
            lockout.note_failure(user.username, ip)
            actions.record_audit(None, AuditAction.LOGIN_FAILED, object_type="accounts.user", object_repr=user.username,
                                 unit_path=user.unit.path if user.unit_id else "", ip=ip, detail="wrong one-time code")
            form.add_error("code", _("That code is wrong or was already used. Wait for the next code and try again."))
    return render(request, "accounts/login_code.html", {"form": form})


def _code_ok(user, code):
    device = totp.confirmed_device(user)
    return device is not None and totp.verify(device, code)


def _finish(request, user, pending, how):
    request.session.pop(PENDING, None)
    auth_login(request, user, backend=pending["backend"])
    mark_verified(request)
    lockout.clear_account(user.username)
    actions.record_audit(user, AuditAction.LOGIN, ip=actions.client_ip(request), detail=how)
    target = pending.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "/"
    return redirect(target)


def totp_setup(request):
    """The user's own two-step log-in page: enrol (QR code, confirm a code), new recovery codes, switch off."""
    user = request.user
    device = totp.confirmed_device(user)
    form = CodeForm(request.POST or None)
    action = request.POST.get("action", "")
    ip = actions.client_ip(request)
    if device is None:
        pending = totp.pending_device(user)
        if request.method == "POST" and form.is_valid():
            codes = actions.do_confirm_totp(pending, form.cleaned_data["code"], acting_user=user, ip=ip)
            if codes is not None:
                mark_verified(request)
                return render(request, "accounts/totp_codes.html", {"codes": codes, "new": True})
            form.add_error("code", _("That code is wrong. Check the phone's time and type the code it shows now."))
        uri = totp.provisioning_uri(pending.secret, user.get_username())
        return render(request, "accounts/totp_setup.html", {
            "form": form, "qr": totp.qr_data_uri(uri), "secret": totp.grouped(pending.secret),
            "required": user.must_use_totp,
        })
    if request.method == "POST" and form.is_valid():
        if not totp.verify(device, form.cleaned_data["code"]):
            form.add_error("code", _("That code is wrong or was already used. Wait for the next code and try again."))
        elif action == "recovery":
            codes = actions.do_new_recovery_codes(user, acting_user=user, ip=ip)
            return render(request, "accounts/totp_codes.html", {"codes": codes})
        elif action == "off" and not user.must_use_totp:
            actions.do_reset_totp(user, acting_user=user, ip=ip, detail="two-step log-in switched off by the user")
            request.session.pop(VERIFIED, None)
            messages.success(request, _("Two-step log-in is off."))
            return redirect("totp_setup")
    return render(request, "accounts/totp_status.html", {
        "form": form, "device": device, "left": totp.recovery_codes_left(user), "required": user.must_use_totp,
    })


@require_POST
def user_reset_totp(request, pk):
    from .views import _get_user_for_admin

    target = _get_user_for_admin(request, pk)
    actions.do_reset_totp(target, acting_user=request.user, ip=actions.client_ip(request))
    messages.success(request, _("Two-step log-in of %(name)s was reset; they set it up again at their next log-in.") % {"name": target.username})
    return redirect("user_edit", target.pk)


def enforce(request):
    """For the middleware: a response sending a user who must use a code but has not to the right page, or None."""
    user = request.user
    if not user.must_use_totp or request.session.get(VERIFIED):
        return None
    if totp.is_enrolled(user):
        # A session from before the requirement (or before enrolment elsewhere): log in again, with the code.
        auth_logout(request)
        return redirect("login")
    return redirect("totp_setup")
