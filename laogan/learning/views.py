"""Pages of 三个一 and study materials. Every lookup is scoped; anything outside the user's subtree is a 404."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from laogan.accounts.actions import client_ip, record_audit
from laogan.accounts.models import AuditAction, Unit, UnitKind
from laogan.lib.forms import add_errors
from laogan.members.models import Member
from laogan.reports.scope import year_for

from . import actions, booklet, grid
from .forms import ConsentForm, GoodDeedForm, HandOutForm, MaterialForm, ReadingForm, ReflectionForm
from .models import (
    BookReading, GoodDeed, MaterialHandout, Reflection, StudyMaterial, ancestor_paths, may_keep_materials, may_record,
    may_see,
)

RECORD_KINDS = {"reading": BookReading, "reflection": Reflection, "deed": GoodDeed}


def _require_see(request):
    if not may_see(request.user):
        raise PermissionDenied


def _require_record(request):
    if not may_record(request.user):
        raise PermissionDenied


def _units(request):
    return Unit.objects.visible_to(request.user).exclude(kind=UnitKind.BUREAU)


def _unit_for(request):
    """Return the unit named by ?unit=CODE, else the user's own (a bureau user's first centre); 404 outside scope."""
    code = request.GET.get("unit") or request.POST.get("unit")
    units = _units(request)
    if code:
        unit = units.filter(code=code).first()
    elif request.user.unit.kind != UnitKind.BUREAU:
        unit = request.user.unit
    else:
        unit = units.filter(kind=UnitKind.CENTRE).order_by("path").first()
    if unit is None:
        raise Http404
    return unit


def _years():
    this = timezone.localdate().year
    return list(range(this, this - 6, -1))


def _get_member(request, pk):
    try:
        return Member.objects.visible_to(request.user).select_related("unit", "centre").get(pk=pk)
    except (Member.DoesNotExist, ValueError):
        raise Http404 from None


def _get_reflection(request, pk):
    try:
        return Reflection.objects.visible_to(request.user).select_related("member__unit", "recorded_by").get(pk=pk)
    except Reflection.DoesNotExist:
        raise Http404 from None


def _get_material(request, pk):
    try:
        return StudyMaterial.objects.visible_to(request.user).select_related("unit").with_on_hand().get(pk=pk)
    except StudyMaterial.DoesNotExist:
        raise Http404 from None


def _materials_for(member, user):
    """Return the materials a member could have received: those of the member's group, branch or centre."""
    return StudyMaterial.objects.visible_to(user).filter(unit_path__in=ancestor_paths(member.unit_path)).order_by("-received_on", "-id")


# -- the grid and a member's year --------------------------------------------------------------------------------------

def grid_view(request):
    """The year's 三个一 for a centre, branch or party group: one row per member, in group and name order."""
    _require_see(request)
    unit, year = _unit_for(request), year_for(request)
    result = grid.build(request.user, unit, year)
    context = {"grid": result, "totals": result.totals, "unit": unit, "year": year, "years": _years(),
               "units": _units(request), "may_record": may_record(request.user)}
    return render(request, "learning/grid.html", context)


def member_year(request, pk):
    _require_see(request)
    member, year = _get_member(request, pk), year_for(request)
    context = {
        "member": member, "year": year, "years": _years(), "may_record": may_record(request.user),
        "readings": BookReading.objects.filter(member=member, year=year).select_related("material"),
        "reflections": Reflection.objects.filter(member=member, year=year),
        "deeds": GoodDeed.objects.filter(member=member, year=year),
        "handouts": MaterialHandout.objects.filter(member=member).select_related("material").order_by("-handed_on")[:20],
    }
    return render(request, "learning/member.html", context)


def _after(member, row):
    return redirect(reverse("learning_member", args=[member.pk]) + f"?year={row.year}")


def record_reading(request, pk):
    _require_record(request)
    member = _get_member(request, pk)
    form = ReadingForm(request.POST or None, materials=_materials_for(member, request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            row = actions.do_record_reading(member, book_title=d["book_title"], material=d["material"], read_on=d["read_on"],
                                            notes=d["notes"], acting_user=request.user, ip=client_ip(request))
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Recorded: %(name)s read %(book)s.") % {"name": member.name, "book": row})
            return _after(member, row)
    return render(request, "learning/record_form.html", {"form": form, "member": member, "kind": "reading",
                                                         "heading": _("A book read")})


def record_reflection(request, pk):
    _require_record(request)
    member = _get_member(request, pk)
    form = ReflectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            row = actions.do_record_reflection(
                member, title=d["title"], written_on=d["written_on"], text=d["text"], checked_file=d["file"],
                dictated=d["dictated"], scribe=d["scribe"], consent_to_publish=d["consent_to_publish"],
                consent_on=d["consent_on"], acting_user=request.user, ip=client_ip(request))
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Recorded: reflection “%(title)s” by %(name)s.") % {"title": row.title, "name": member.name})
            return _after(member, row)
    return render(request, "learning/record_form.html", {"form": form, "member": member, "kind": "reflection",
                                                         "heading": _("A reflection"), "multipart": True})


def record_deed(request, pk):
    _require_record(request)
    member = _get_member(request, pk)
    form = GoodDeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            row = actions.do_record_good_deed(member, what=d["what"], for_whom=d["for_whom"], done_on=d["done_on"],
                                              acting_user=request.user, ip=client_ip(request))
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Recorded: a good deed by %(name)s.") % {"name": member.name})
            return _after(member, row)
    return render(request, "learning/record_form.html", {"form": form, "member": member, "kind": "deed",
                                                         "heading": _("A good deed")})


@require_POST
def delete_record(request, kind, pk):
    _require_record(request)
    model = RECORD_KINDS.get(kind)
    row = model.objects.visible_to(request.user).filter(pk=pk).first() if model else None
    if row is None:
        raise Http404
    actions.do_delete_record(row, acting_user=request.user, ip=client_ip(request))
    messages.success(request, _("The record is deleted."))
    return redirect(reverse("learning_member", args=[row.member_id]) + f"?year={row.year}")


# -- reflections and the special issue ---------------------------------------------------------------------------------

def reflection_list(request):
    """The year's reflections of a unit, with consent, and the special issue built from the ticked ones."""
    _require_see(request)
    unit, year = _unit_for(request), year_for(request)
    rows = (Reflection.objects.visible_to(request.user).in_unit(unit).in_year(year).select_related("member__unit")
            .order_by("unit_path", "member__name_pinyin", "written_on", "pk"))
    rows = list(rows)
    context = {"rows": rows, "unit": unit, "year": year, "years": _years(), "units": _units(request),
               "consented": sum(1 for r in rows if r.consent_to_publish), "default_title": booklet.default_title(unit, year)}
    return render(request, "learning/reflections.html", context)


def reflection_detail(request, pk):
    _require_see(request)
    reflection = _get_reflection(request, pk)
    form = ConsentForm(initial={"consent": reflection.consent_to_publish,
                                "consent_on": reflection.consent_on or timezone.localdate()})
    return render(request, "learning/reflection.html", {"r": reflection, "form": form, "may_record": may_record(request.user)})


@require_POST
def reflection_consent(request, pk):
    _require_record(request)
    reflection = _get_reflection(request, pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            actions.do_set_consent(reflection, consent=form.cleaned_data["consent"], on=form.cleaned_data["consent_on"],
                                   acting_user=request.user, ip=client_ip(request))
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("Consent recorded.") if reflection.consent_to_publish else _("Consent withdrawn."))
    else:
        messages.error(request, _("Give the date as YYYY-MM-DD."))
    return redirect("learning_reflection", reflection.pk)


def reflection_file(request, pk):
    _require_see(request)
    reflection = _get_reflection(request, pk)
    if not reflection.file:
        raise Http404
    content_type = {"image": "image/jpeg", "pdf": "application/pdf"}.get(
        reflection.file_kind, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    # A member's own handwriting: who opened it is in the audit log and the member's access report.
    record_audit(request.user, AuditAction.REVEAL, reflection, unit_path=reflection.member.unit_path,
                 detail=f"reflection scan ({reflection.file_kind})", ip=client_ip(request), subjects=[reflection.member_id])
    return FileResponse(reflection.file.open("rb"), content_type=content_type, filename=reflection.file_name,
                        as_attachment=reflection.file_kind == "docx")


def special_issue(request):
    """Download the special issue of a unit's year as a PDF (the ticked reflections, or all consented ones)."""
    _require_see(request)
    unit, year = _unit_for(request), year_for(request)
    ids = [int(i) for i in request.GET.getlist("r") if i.isdigit()] or None
    rows = booklet.reflections_for(unit, year, user=request.user, ids=ids)
    title = (request.GET.get("title") or "").strip()[:60]
    try:
        content = booklet.render(unit, year, rows, title=title)
    except booklet.NothingToPrint:
        messages.error(request, _("No reflection of %(year)s has the author's consent to publication yet.") % {"year": year})
        return redirect(reverse("learning_reflections") + "?" + urlencode({"unit": unit.code, "year": year}))
    record_audit(request.user, AuditAction.EXPORT, unit, detail=f"special issue {year} pdf ({len(rows)} reflections)",
                 ip=client_ip(request))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{unit.code}-{year}-special-issue.pdf"'
    return response


# -- materials -------------------------------------------------------------------------------------------------------

def material_list(request):
    _require_see(request)
    materials = StudyMaterial.objects.visible_to(request.user).select_related("unit").with_on_hand()
    return render(request, "learning/materials.html", {"materials": materials,
                                                       "may_keep": may_keep_materials(request.user)})


def material_new(request):
    if not may_keep_materials(request.user):
        raise PermissionDenied
    units = _units(request).exclude(kind=UnitKind.GROUP)
    form = MaterialForm(request.POST or None, units=units, initial={"unit": request.user.unit_id})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            material = actions.do_receive_material(unit=d["unit"], title=d["title"], edition=d["edition"],
                                                   copies_received=d["copies_received"], received_on=d["received_on"],
                                                   notes=d["notes"], acting_user=request.user, ip=client_ip(request))
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Material recorded: %(n)s copies of %(title)s.") % {"n": material.copies_received, "title": material})
            return redirect(material)
    return render(request, "learning/material_form.html", {"form": form})


def material_detail(request, pk):
    """A material's stock and who received it, with the form to hand it out to ticked members."""
    _require_see(request)
    material = _get_material(request, pk)
    units = _units(request).filter(path__startswith=material.unit_path).exclude(kind=UnitKind.CENTRE)
    unit = units.filter(code=request.GET.get("group")).first() if request.GET.get("group") else None
    # Members who already have a copy are not offered again; the action refuses them anyway.
    members = (Member.objects.visible_to(request.user).living().in_unit(unit or material.unit).select_related("unit")
               .exclude(pk__in=MaterialHandout.objects.filter(material=material).values("member_id")))
    form = HandOutForm(request.POST or None, members=members)
    if request.method == "POST":
        if not may_keep_materials(request.user):
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                rows = actions.do_hand_out(material, list(d["members"]), handed_on=d["handed_on"], copies=d["copies"],
                                           delivered_home=d["delivered_home"], acting_user=request.user, ip=client_ip(request))
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(request, ngettext("Handed out to %(n)s member.", "Handed out to %(n)s members.",
                                                   len(rows)) % {"n": len(rows)})
                return redirect(material)
    handouts = MaterialHandout.objects.visible_to(request.user).filter(material=material).select_related("member__unit", "handed_by").order_by("-handed_on", "member__name_pinyin")
    context = {"material": material, "form": form, "handouts": handouts, "units": units, "unit": unit,
               "may_keep": may_keep_materials(request.user)}
    return render(request, "learning/material.html", context)
