"""The members app's part of the authorisation matrix (laogan/tests/test_access_matrix.py)."""

import io
import secrets
import shutil
from datetime import date
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from laogan.members.models import Member
from laogan.test import make_member
from laogan.tests.matrix import Route, expect, post_only

from .roster_files import csv_bytes, ident


def jpeg(name="photo.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def build(world):
    world.member = make_member("覃矩阵", date(1929, 4, 8), unit=world.group_a1, phones=[("mobile", "13977100999")],
                               address="民族大道矩阵小区1号")
    Member.objects.filter(pk=world.member.pk).update(liaison=world.liaison)
    world.member.refresh_from_db()
    world.member.photo.save("matrix.jpg", jpeg(), save=True)
    world.deceased = make_member("蒙矩阵", date(1924, 2, 2), unit=world.group_a1, status="deceased")
    world.secrets += [world.member.name, world.deceased.name, "13977100999", "民族大道矩阵小区"]
    # A roster upload of the secretary's, waiting for confirmation (one good row, one refused), kept as a template:
    # every request gets a fresh copy, since confirming imports and cancelling deletes it.
    rows = [["姓名", "公民身份号码", "所在党小组"], ["黄矩阵", ident(date(1931, 3, 3), 977, "M"), "第一党小组"],
            ["李矩阵", "450107193001150000", "第一党小组"]]
    client = Client()
    client.force_login(world.secretary)
    response = client.post(reverse("member_import"), {"unit": world.centre_a.pk,
                                                       "file": SimpleUploadedFile("花名册.csv", csv_bytes(rows))})
    assert response.status_code == 302, response
    world.import_dir = Path(world.files) / "data" / "imports" / str(world.secretary.pk)
    world.import_template = response.url.rstrip("/").split("/")[-1]
    world.secrets += ["黄矩阵", "李矩阵"]


def fresh_upload(world, *, done=False):
    """Copy the secretary's upload under a new token; `done` makes it an imported one (with its result)."""
    token = secrets.token_urlsafe(18)
    shutil.copytree(world.import_dir / world.import_template, world.import_dir / token)
    if done:
        shutil.copy(world.import_dir / token / "preview.json", world.import_dir / token / "result.json")
    return {"token": token}


def _member(w):
    return {"pk": w.member.pk}


# An upload is its uploader's alone: another importer (the admin) gets 404 for it.
UPLOAD = expect("managers", admin=404)

ROUTES = [
    Route("member_list", get=expect("personal-data", obj=False), htmx=True),
    Route("member_create", get=expect("staff-only", obj=False), post=expect("staff-only", obj=False)),
    Route("member_detail", kwargs=_member, get=expect("personal-data")),
    # The object is looked up first: the bureau viewer sees no member, so it is a 404 for them. Opening the edit
    # form shows everything in full, which is an audited reveal.
    Route("member_edit", kwargs=_member, get=expect("staff-only", viewer=404), post=expect("staff-only", viewer=404),
          writes=True),
    Route("member_record_event", kwargs=_member, get=post_only(), post=expect("staff-only", 400, viewer=404)),
    Route("member_reveal", kwargs=lambda w: {"pk": w.member.pk, "field": "id_number"}, get=post_only(),
          post=expect("managers", viewer=404, outsider=404), htmx=True, writes=True,
          note="ID numbers: secretaries and admins, or staff allowed to reveal them; audited"),
    Route("member_photo", kwargs=_member, get=expect("personal-data", viewer=404)),
    Route("member_import", get=expect("managers", obj=False), post=expect("managers", obj=False)),
    Route("member_import_preview", kwargs=fresh_upload, get=UPLOAD),
    Route("member_import_confirm", kwargs=fresh_upload, get=post_only(), post=expect("managers", 302, admin=404),
          writes=True, note="confirming needs no data: the secretary's upload is imported"),
    Route("member_import_cancel", kwargs=fresh_upload, get=post_only(), post=expect("managers", 302, admin=404)),
    Route("member_import_result", kwargs=lambda w: fresh_upload(w, done=True), get=UPLOAD),
    Route("member_import_errors", kwargs=fresh_upload, get=UPLOAD),
    Route("member_export", get=expect("personal-data", obj=False), writes=True),
]
