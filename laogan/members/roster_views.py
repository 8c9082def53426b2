"""Roster import (upload → preview → confirm → result) and the member-list download.

An uploaded file is kept on the server under DATA_DIR/imports/<user id>/<random token>/ between the preview and
the confirmation: the browser only ever sends the token back, so it can name neither a path nor another user's
upload. Uploads older than a day are removed at the next upload.
"""

import io
import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.timezone import localdate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from laogan.accounts.actions import client_ip
from laogan.accounts.models import Unit, UnitKind
from laogan.lib import idcard, spreadsheet

from . import roster
from .actions import do_export_roster, do_import_roster
from .forms import MemberFilterForm
from .models import Member, MemberPhone

TOKEN = re.compile(r"[A-Za-z0-9_-]{24}")
KEEP_SECONDS = 24 * 3600
SAMPLE_ROWS = 20
SHOWN_REJECTS = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _import_units(user):
    return Unit.objects.visible_to(user).filter(kind__in=[UnitKind.CENTRE, UnitKind.BRANCH])


def _require_importer(request):
    if not request.user.can_import:
        raise PermissionDenied


class RosterUploadForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("Import into"), queryset=Unit.objects.none())
    file = forms.FileField(
        label=gettext_lazy("Roster file"),
        help_text=gettext_lazy("Excel (.xlsx or .xls) or CSV (UTF-8 or GBK)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        units = _import_units(acting_user)
        self.fields["unit"].queryset = units
        if len(units) == 1:
            self.fields["unit"].initial = units[0].pk

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not spreadsheet.is_supported_name(upload.name):
            raise forms.ValidationError(_("Upload an .xlsx, .xls or .csv file."))
        if upload.size > settings.LAOGAN_MAX_ROSTER_BYTES:
            raise forms.ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": settings.LAOGAN_MAX_ROSTER_BYTES // (1024 * 1024)})
        return upload


@dataclass
class StoredUpload:
    """One uploaded roster waiting for confirmation, and what was found in it."""

    dir: Path
    token: str
    meta: dict

    @property
    def file(self):
        return self.dir / self.meta["stored"]

    @property
    def errors_path(self):
        return self.dir / "errors.xlsx"

    def read(self, name):
        path = self.dir / name
        return json.loads(path.read_text()) if path.exists() else None

    def write(self, name, data):
        (self.dir / name).write_text(json.dumps(data, ensure_ascii=False))

    def save_report(self, name, report):
        """Store the figures and first rows of a report as JSON, and its rejected rows as the error sheet."""
        rejected = report.of(roster.REJECTED)
        if rejected:
            header, rows = roster.error_sheet(report)
            with open(self.errors_path, "wb") as f:
                spreadsheet.write_xlsx(f, header, rows, title="导入错误")
        else:
            self.errors_path.unlink(missing_ok=True)
        self.write(name, {
            "counts": report.counts(),
            "header_row": report.header_row,
            "ignored": report.ignored,
            "samples": {outcome: [_sample(r) for r in report.of(outcome)[:SAMPLE_ROWS]]
                        for outcome in (roster.NEW, roster.UPDATE, roster.UNCHANGED)},
            "rejected": [{"row": r.row, "name": r.name, "reasons": "；".join(r.reasons)} for r in rejected[:SHOWN_REJECTS]],
        })


def _sample(result):
    member = result.member
    return {"row": result.row, "name": member.name, "id": idcard.mask(result.id_number),
            "unit": member.unit.name, "changed": "、".join(result.changed)}


def _user_dir(user):
    return Path(settings.DATA_DIR) / "imports" / str(user.pk)


def _store_upload(user, unit, upload):
    _remove_old_uploads()
    token = secrets.token_urlsafe(18)
    folder = _user_dir(user) / token
    folder.mkdir(parents=True)
    suffix = Path(upload.name).suffix.lower()
    with open(folder / f"upload{suffix}", "wb") as f:
        for chunk in upload.chunks():
            f.write(chunk)
    meta = {"unit": unit.pk, "filename": Path(upload.name).name[:200], "stored": f"upload{suffix}", "at": time.time()}
    stored = StoredUpload(dir=folder, token=token, meta=meta)
    stored.write("meta.json", meta)
    return stored


def _remove_old_uploads():
    root = Path(settings.DATA_DIR) / "imports"
    if not root.exists():
        return
    cutoff = time.time() - KEEP_SECONDS
    for folder in root.glob("*/*"):
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def _get_upload_for_user(request, token):
    """Return (upload, unit) for the user's own upload; anything else, or a unit now out of reach, is a 404."""
    _require_importer(request)
    if not TOKEN.fullmatch(token):
        raise Http404
    folder = _user_dir(request.user) / token
    meta_path = folder / "meta.json"
    if not meta_path.exists():
        raise Http404
    meta = json.loads(meta_path.read_text())
    unit = _import_units(request.user).filter(pk=meta["unit"]).first()
    if unit is None:
        raise Http404
    return StoredUpload(dir=folder, token=token, meta=meta), unit


def member_import(request):
    _require_importer(request)
    if request.method == "POST":
        wanted = request.POST.get("unit", "")
        # A unit outside the user's reach is a 404, as everywhere else, not a form error that confirms it exists.
        if wanted and (not wanted.isdecimal() or not _import_units(request.user).filter(pk=wanted).exists()):
            raise Http404
    form = RosterUploadForm(request.POST or None, request.FILES or None, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        unit, upload = form.cleaned_data["unit"], form.cleaned_data["file"]
        stored = _store_upload(request.user, unit, upload)
        try:
            report = do_import_roster(stored.file, org=unit, acting_user=request.user, name=stored.meta["filename"], dry_run=True)
        except spreadsheet.SpreadsheetError as e:
            shutil.rmtree(stored.dir, ignore_errors=True)
            form.add_error("file", str(e))
        else:
            stored.save_report("preview.json", report)
            return redirect("member_import_preview", stored.token)
    context = {"form": form, "columns": "、".join(c.header for c in roster.COLUMNS),
               "max_mb": settings.LAOGAN_MAX_ROSTER_BYTES // (1024 * 1024)}
    return render(request, "members/roster_import.html", context)


def member_import_preview(request, token):
    stored, unit = _get_upload_for_user(request, token)
    if stored.read("result.json") is not None:
        return redirect("member_import_result", token)
    preview = stored.read("preview.json")
    if preview is None:
        raise Http404
    context = {"unit": unit, "token": token, "filename": stored.meta["filename"], "report": preview,
               "has_errors": stored.errors_path.exists(),
               "to_write": preview["counts"][roster.NEW] + preview["counts"][roster.UPDATE]}
    return render(request, "members/roster_preview.html", context)


@require_POST
def member_import_confirm(request, token):
    stored, unit = _get_upload_for_user(request, token)
    if stored.read("result.json") is not None:
        return redirect("member_import_result", token)  # a second click on the button: already imported
    try:
        report = do_import_roster(stored.file, org=unit, acting_user=request.user, name=stored.meta["filename"], ip=client_ip(request))
    except spreadsheet.SpreadsheetError as e:
        messages.error(request, str(e))
        return redirect("member_import")
    stored.save_report("result.json", report)
    stored.file.unlink(missing_ok=True)
    return redirect("member_import_result", token)


@require_POST
def member_import_cancel(request, token):
    """Forget an upload that will not be imported: the file holds personal data and should not linger."""
    stored = _get_upload_for_user(request, token)[0]
    shutil.rmtree(stored.dir, ignore_errors=True)
    return redirect("member_import")


def member_import_result(request, token):
    stored, unit = _get_upload_for_user(request, token)
    result = stored.read("result.json")
    if result is None:
        raise Http404
    context = {"unit": unit, "filename": stored.meta["filename"], "report": result, "token": token,
               "has_errors": stored.errors_path.exists()}
    return render(request, "members/roster_result.html", context)


def member_import_errors(request, token):
    stored = _get_upload_for_user(request, token)[0]
    if not stored.errors_path.exists():
        raise Http404
    name = f"{Path(stored.meta['filename']).stem}-错误行.xlsx"
    return FileResponse(open(stored.errors_path, "rb"), as_attachment=True, filename=name, content_type=XLSX)


def member_export(request):
    """Download the member list, with its current filters, as an Excel roster; audited."""
    if not request.user.sees_personal_data:
        raise PermissionDenied
    form = MemberFilterForm(request.GET or None, acting_user=request.user)
    if form.is_bound and not form.is_valid():
        raise Http404  # e.g. a party group of another centre: not this user's to list
    members = (
        form.filter(Member.objects.visible_to(request.user)).select_related("unit")
        .prefetch_related(Prefetch("phones", queryset=MemberPhone.objects.order_by("order", "id")))
        .order_by("unit_path", "name_pinyin", "id")
    )
    unit = (form.cleaned_data.get("group") if form.is_bound else None) or request.user.unit
    out = io.BytesIO()
    do_export_roster(members.iterator(chunk_size=2000), out, fmt="xlsx", unit=unit, acting_user=request.user,
                     reveal_ids=request.user.can_reveal_id, ip=client_ip(request),
                     detail=f"member list {request.GET.urlencode()}"[:500])
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=f"members-{unit.code}-{localdate():%Y%m%d}.xlsx", content_type=XLSX)
