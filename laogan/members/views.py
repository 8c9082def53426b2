from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from laogan.accounts.actions import client_ip, record_audit
from laogan.accounts.models import AuditAction
from laogan.lib.forms import add_errors

from . import actions
from .forms import ContactFormSet, LifeEventForm, MemberFilterForm, MemberForm, PhoneFormSet, formset_rows
from .models import Member, MemberPhone

PAGE_SIZE = 30


def _get_member_for_user(request, pk, *, for_update=False):
    """Return the member if the user may see it; anything outside their scope is a 404, never a 403."""
    members = Member.objects.visible_to(request.user).select_related("unit", "centre")
    try:
        member = members.get(pk=pk)
    except Member.DoesNotExist:
        raise Http404 from None
    if for_update and not request.user.can_edit_members:
        raise PermissionDenied
    return member


def _require_member_access(request):
    if not request.user.sees_personal_data:
        raise PermissionDenied


def member_list(request):
    _require_member_access(request)
    form = MemberFilterForm(request.GET or None, acting_user=request.user)
    # Only what a card shows: no encrypted field (decrypting them cost a tenth of the page; the phone is shown
    # masked), and a Member of 7 fields is made in a fraction of the time of one of 50.
    members = form.filter(Member.objects.visible_to(request.user)).select_related("unit").only(
        "name", "sex", "birth_date", "category", "status", "unit__name").prefetch_related(
        # A list, not the related manager: `m.phones.all.0` cloned a queryset for every card.
        Prefetch("phones", queryset=MemberPhone.objects.order_by("order", "id"), to_attr="phone_list")
    )
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": request.GET.urlencode()}
    template = "members/_results.html" if request.htmx and request.headers.get("HX-Target") == "results" else "members/member_list.html"
    return render(request, template, context)


def member_detail(request, pk):
    _require_member_access(request)
    member = _get_member_for_user(request, pk)
    events = member.events.select_related("recorded_by")
    context = {
        "member": member,
        "events": events,
        "phones": member.phones.all(),
        "contacts": member.contacts.all(),
        "event_form": LifeEventForm(),
    }
    return render(request, "members/member_detail.html", context)


def member_create(request):
    _require_member_access(request)
    if not request.user.can_edit_members:
        raise PermissionDenied
    form = MemberForm(request.POST or None, request.FILES or None, acting_user=request.user)
    phones = PhoneFormSet(request.POST or None, prefix="phones")
    contacts = ContactFormSet(request.POST or None, prefix="contacts")
    if request.method == "POST" and form.is_valid() and phones.is_valid() and contacts.is_valid():
        member = form.save(commit=False)
        try:
            actions.do_create_member(
                member, acting_user=request.user, ip=client_ip(request),
                phones=[(p["label"], p["number"]) for p in formset_rows(phones)],
                contacts=[_contact_fields(c) for c in formset_rows(contacts)],
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("%(name)s added to the archive.") % {"name": member.name})
            return redirect("member_detail", member.pk)
    return render(request, "members/member_form.html", {"form": form, "phones": phones, "contacts": contacts})


def member_edit(request, pk):
    member = _get_member_for_user(request, pk, for_update=True)
    before = actions.snapshot(member)
    version = member.version
    if request.method == "POST":
        # A missing or garbled version counts as stale (versions start at 1): refused, never a server error.
        raw_version = request.POST.get("version", "")
        version = int(raw_version) if raw_version.isdecimal() and len(raw_version) < 10 else 0
        form = MemberForm(request.POST, request.FILES, instance=member, acting_user=request.user)
        phones = PhoneFormSet(request.POST, prefix="phones")
        contacts = ContactFormSet(request.POST, prefix="contacts")
        if form.is_valid() and phones.is_valid() and contacts.is_valid():
            member = form.save(commit=False)
            try:
                actions.do_update_member(
                    member, acting_user=request.user, expected_version=version, before=before, ip=client_ip(request),
                    phones=[(p["label"], p["number"]) for p in formset_rows(phones)],
                    contacts=[_contact_fields(c) for c in formset_rows(contacts)],
                )
            except actions.StaleEdit as e:
                messages.error(request, str(e))
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(request, _("Changes to %(name)s saved.") % {"name": member.name})
                return redirect("member_detail", member.pk)
    else:
        form = MemberForm(instance=member, acting_user=request.user)
        phones = PhoneFormSet(prefix="phones", initial=[{"label": p.label, "number": p.number} for p in member.phones.all()])
        contacts = ContactFormSet(prefix="contacts", initial=[_contact_fields(c.__dict__) for c in member.contacts.all()])
        # The edit form shows phone numbers, contacts and the address in full: that is a reveal.
        record_audit(request.user, AuditAction.REVEAL, member, detail="edit form", ip=client_ip(request))
    return render(request, "members/member_form.html",
                  {"form": form, "phones": phones, "contacts": contacts, "member": member, "version": version})


def _contact_fields(data):
    return {k: data.get(k) or ("" if k in ("name", "relationship", "phone") else False)
            for k in ("name", "relationship", "phone", "lives_with_member", "is_emergency")}


@require_POST
def member_record_event(request, pk):
    member = _get_member_for_user(request, pk, for_update=True)
    form = LifeEventForm(request.POST)
    if form.is_valid():
        try:
            actions.do_record_life_event(member, acting_user=request.user, ip=client_ip(request), **form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Event recorded for %(name)s.") % {"name": member.name})
            return redirect("member_detail", member.pk)
    member = _get_member_for_user(request, pk)
    context = {"member": member, "events": member.events.all(), "phones": member.phones.all(),
               "contacts": member.contacts.all(), "event_form": form}
    return render(request, "members/member_detail.html", context, status=400)


@require_POST
def member_reveal(request, pk, field):
    member = _get_member_for_user(request, pk)
    if field not in ("id_number", "phones", "address"):
        raise Http404
    try:
        value = actions.do_reveal(member, field, acting_user=request.user, ip=client_ip(request))
    except PermissionError:
        raise PermissionDenied from None
    context = {"member": member, "field": field, "value": value}
    if request.htmx:
        return render(request, "members/_revealed.html", context)
    return render(request, "members/revealed.html", context)


def member_photo(request, pk):
    member = _get_member_for_user(request, pk)
    if not member.photo:
        raise Http404
    return FileResponse(member.photo.open("rb"), content_type="image/jpeg")
