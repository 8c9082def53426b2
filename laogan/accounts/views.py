from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import actions
from .forms import AuditFilterForm, LoginForm, UnitForm, UserForm
from .models import AuditAction, AuditEntry, Unit, User


@login_not_required
def login_view(request):
    view = AuditedLoginView.as_view(template_name="accounts/login.html", authentication_form=LoginForm, redirect_authenticated_user=True)
    return view(request)


class AuditedLoginView(auth_views.LoginView):
    def form_valid(self, form):
        from . import totp, totp_views

        user = form.get_user()
        if totp.needs_code(user):
            # The password was right; the session is not logged in until the one-time code is too.
            totp_views.start_pending(self.request, user, self.get_success_url())
            return redirect("login_code")
        response = super().form_valid(form)
        actions.record_audit(form.get_user(), AuditAction.LOGIN, ip=actions.client_ip(self.request))
        return response

    def form_invalid(self, form):
        username = (form.data.get("username") or "")[:150]
        user = User.objects.filter(username=username).first()
        actions.record_audit(None, AuditAction.LOGIN_FAILED, object_type="accounts.user", object_repr=username,
                             unit_path=user.unit.path if user and user.unit_id else "", ip=actions.client_ip(self.request))
        return super().form_invalid(form)


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        actions.record_audit(request.user, AuditAction.LOGOUT, ip=actions.client_ip(request))
    return auth_views.LogoutView.as_view()(request)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = "/"

    def form_valid(self, form):
        response = super().form_valid(form)
        user = self.request.user
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
        actions.record_audit(user, AuditAction.PASSWORD, user, detail="changed by the user", ip=actions.client_ip(self.request))
        messages.success(self.request, _("Your password has been changed."))
        return response


# -- users ---------------------------------------------------------------------------------------------------------
def _require_admin(request):
    if not request.user.can_manage_users:
        raise PermissionDenied


def _get_user_for_admin(request, pk):
    _require_admin(request)
    try:
        return User.objects.visible_to(request.user).select_related("unit").get(pk=pk)
    except User.DoesNotExist:
        raise Http404 from None


def user_list(request):
    _require_admin(request)
    users = User.objects.visible_to(request.user).select_related("unit").order_by("unit__path", "role", "username")
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "q": q})


def user_create(request):
    _require_admin(request)
    form = UserForm(request.POST or None, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        user, temporary = actions.do_create_user(
            username=d["username"], full_name=d["full_name"], unit=d["unit"], role=d["role"],
            mobile=d["mobile"], work_phone=d["work_phone"], acting_user=request.user,
        )
        flags = {k: True for k in ("may_reveal_id", "totp_required") if d.get(k)}
        if flags:
            actions.do_update_user(user, acting_user=request.user, **flags)
        messages.success(request, _("User %(name)s created. Temporary password: %(password)s — it must be changed at first log-in.") % {"name": user.username, "password": temporary})
        return redirect("user_list")
    return render(request, "accounts/user_form.html", {"form": form})


def user_edit(request, pk):
    target = _get_user_for_admin(request, pk)
    form = UserForm(request.POST or None, instance=target, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in form.changed_data if k != "username"}
        if fields:
            target.refresh_from_db()
            actions.do_update_user(target, acting_user=request.user, **fields)
        messages.success(request, _("Changes to %(name)s saved.") % {"name": target.username})
        return redirect("user_list")
    from . import totp

    return render(request, "accounts/user_form.html", {"form": form, "target": target, "target_totp": totp.is_enrolled(target)})


@require_POST
def user_set_active(request, pk):
    target = _get_user_for_admin(request, pk)
    active = request.POST.get("active") == "1"
    if target == request.user and not active:
        messages.error(request, _("You cannot disable your own account."))
    else:
        actions.do_set_user_active(target, active, acting_user=request.user)
        messages.success(request, (_("%(name)s enabled.") if active else _("%(name)s disabled.")) % {"name": target.username})
    return redirect("user_list")


@require_POST
def user_unlock(request, pk):
    from . import lockout

    target = _get_user_for_admin(request, pk)
    lockout.clear_account(target.username)
    actions.record_audit(request.user, AuditAction.UPDATE, target, unit_path=target.unit.path if target.unit_id else "",
                         detail="log-in unlocked", ip=actions.client_ip(request))
    messages.success(request, _("%(name)s can log in again.") % {"name": target.username})
    return redirect("user_list")


@require_POST
def user_reset_password(request, pk):
    target = _get_user_for_admin(request, pk)
    temporary = actions.do_reset_password(target, acting_user=request.user)
    messages.success(request, _("New temporary password for %(name)s: %(password)s — it must be changed at the next log-in.") % {"name": target.username, "password": temporary})
    return redirect("user_list")


# -- units ---------------------------------------------------------------------------------------------------------
def unit_list(request):
    _require_admin(request)
    units = Unit.objects.visible_to(request.user)
    return render(request, "accounts/unit_list.html", {"units": units})


def unit_create(request):
    _require_admin(request)
    form = UnitForm(request.POST or None, acting_user=request.user, initial={"parent": request.GET.get("parent")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.do_create_unit(acting_user=request.user, **{k: d[k] for k in ("code", "name", "kind", "parent", "hotline", "address")})
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, _("Unit %(name)s created.") % {"name": d["name"]})
            return redirect("unit_list")
    return render(request, "accounts/unit_form.html", {"form": form})


def unit_edit(request, pk):
    _require_admin(request)
    try:
        unit = Unit.objects.visible_to(request.user).get(pk=pk)
    except Unit.DoesNotExist:
        raise Http404 from None
    form = UnitForm(request.POST or None, instance=unit, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in form.changed_data if k in ("name", "hotline", "address")}
        if fields:
            unit.refresh_from_db()
            actions.do_update_unit(unit, acting_user=request.user, **fields)
        messages.success(request, _("Unit %(name)s saved.") % {"name": unit.name})
        return redirect("unit_list")
    return render(request, "accounts/unit_form.html", {"form": form, "unit": unit})


# -- audit ---------------------------------------------------------------------------------------------------------
def audit_log(request):
    if not request.user.can_read_audit:
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.visible_to(request.user).select_related("actor")
    if form.is_valid():
        d = form.cleaned_data
        if d["q"]:
            entries = entries.filter(Q(object_repr__icontains=d["q"]) | Q(actor_name__icontains=d["q"]))
        if d["action"]:
            entries = entries.filter(action=d["action"])
        tz = timezone.get_current_timezone()
        if d["since"]:
            entries = entries.filter(at__gte=datetime.combine(d["since"], time.min, tz))
        if d["until"]:
            entries = entries.filter(at__lt=datetime.combine(d["until"] + timedelta(days=1), time.min, tz))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/audit_log.html", {"form": form, "page": page})
