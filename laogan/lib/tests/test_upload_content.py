"""Every upload is judged by its bytes, never its name: an executable renamed .jpg/.xlsx/.pdf is refused, clearly.

Upload points (issue 10 audit): member photo (members.forms.MemberForm → images.clean_photo), visit photos
(visits.forms.MultiplePhotoField), partner-activity photos (liaison.forms.PhotosField), case attachments
(cases.forms.AttachmentForm → documents.clean_attachment), learning reflections (learning.forms.ReflectionForm →
documents.clean_attachment) and the roster import (members.roster_views → spreadsheet.read_rows).
"""

import io

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, override_settings
from django.urls import reverse
from PIL import Image

from laogan.cases.forms import AttachmentForm
from laogan.learning.forms import ReflectionForm
from laogan.lib import documents, images, spreadsheet
from laogan.liaison.forms import PhotoForm
from laogan.members.models import Member
from laogan.test import BaseTestCase
from laogan.visits.forms import MultiplePhotoField

# The start of a Windows executable: "MZ", a DOS stub, then the PE header.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode.\r\n" + b"PE\x00\x00" + bytes(range(256)) * 8


def upload(name, content=EXE, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def png_with_text():
    image = Image.new("RGB", (40, 30), "red")
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


class RenamedExecutableTest(SimpleTestCase):
    def test_photo_checker_refuses_exe_named_jpg(self):
        with self.assertRaisesMessage(ValidationError, "The file is not a photo"):
            images.clean_photo(upload("photo.jpg"), max_bytes=8 * 1024 * 1024)

    def test_attachment_checker_refuses_exe_whatever_the_name(self):
        for name in ("scan.jpg", "letter.pdf", "report.docx", "table.xlsx"):
            with self.subTest(name), self.assertRaisesMessage(ValidationError, "Only photos, PDF files and Word documents"):
                documents.clean_attachment(upload(name), max_bytes=8 * 1024 * 1024)

    def test_spreadsheet_reader_refuses_exe_named_xlsx_or_xls_or_csv(self):
        for name in ("roster.xlsx", "roster.xls", "roster.csv"):
            with self.subTest(name), self.assertRaises(spreadsheet.SpreadsheetError) as caught:
                spreadsheet.read_rows(EXE, name)
            self.assertIn("不是表格文件", str(caught.exception))

    def test_visit_and_activity_photo_fields_refuse_exe(self):
        with self.assertRaisesMessage(ValidationError, "The file is not a photo"):
            MultiplePhotoField(required=False).clean([upload("visit.jpg")])
        form = PhotoForm(data={}, files={"photos": upload("activity.jpg")})
        self.assertFalse(form.is_valid())
        self.assertIn("The file is not a photo", str(form.errors["photos"]))

    def test_case_attachment_form_refuses_exe(self):
        form = AttachmentForm(data={}, files={"attach-file": upload("agreement.pdf")}, prefix="attach")
        self.assertFalse(form.is_valid())
        self.assertIn("Only photos, PDF files and Word documents", str(form.errors["file"]))

    def test_learning_reflection_form_refuses_exe(self):
        form = ReflectionForm(data={"title": "心得", "written_on": "2026-06-01"}, files={"file": upload("page.jpg")})
        self.assertFalse(form.is_valid())
        self.assertIn("Only photos, PDF files and Word documents", str(form.errors["file"]))

    def test_sizes_are_limited(self):
        big = upload("big.jpg", png_with_text() + b"\x00" * (1024 * 1024))
        with self.assertRaisesMessage(ValidationError, "larger than 1 MB"):
            images.clean_photo(big, max_bytes=1024 * 1024)
        with self.assertRaisesMessage(ValidationError, "larger than 1 MB"):
            documents.clean_attachment(big, max_bytes=1024 * 1024)

    def test_photos_are_re_encoded_so_only_pixels_survive(self):
        cleaned = images.clean_photo(upload("photo.png", png_with_text(), "image/png"), max_bytes=8 * 1024 * 1024)
        data = cleaned.read()
        self.assertTrue(data.startswith(b"\xff\xd8\xff"))  # a JPEG now
        self.assertNotIn(b"<script>", data)
        self.assertEqual(Image.open(io.BytesIO(data)).size, (40, 30))


@override_settings(LANGUAGE_CODE="en")
class UploadViewsTest(BaseTestCase):
    def test_roster_import_refuses_exe_named_xlsx_and_writes_nothing(self):
        self.login(self.secretary)
        before = Member.objects.count()
        response = self.client.post(reverse("member_import"), {"unit": self.branch_a.pk, "file": upload("名册.xlsx")})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "不是表格文件")
        self.assertEqual(Member.objects.count(), before)

    def test_member_photo_refuses_exe_named_jpg(self):
        from laogan.members.forms import MemberForm

        form = MemberForm(data={}, files={"photo": upload("photo.jpg")}, acting_user=self.secretary)
        form.is_valid()
        # Django's image field refuses it first (Pillow cannot open it); clean_photo would then re-encode a real one.
        self.assertIn("Upload a valid image", str(form.errors.get("photo")))
