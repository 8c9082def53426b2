"""Attachments are accepted for what their bytes are: photos (re-encoded), PDF and DOCX; everything else is refused."""

import io
import zipfile

import docx
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase
from openpyxl import Workbook
from PIL import Image

from laogan.lib.documents import DOCX, IMAGE, PDF, clean_attachment, safe_name

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MB = 1024 * 1024


def upload(name, content):
    return SimpleUploadedFile(name, content)


def docx_bytes():
    out = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("谈话记录")
    document.save(out)
    return out.getvalue()


def png_bytes():
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


class CleanAttachmentTest(SimpleTestCase):
    def test_a_pdf_is_kept_as_it_is(self):
        checked = clean_attachment(upload("死亡证明.pdf", PDF_BYTES), max_bytes=MB)
        self.assertEqual((checked.kind, checked.content, checked.name), (PDF, PDF_BYTES, "死亡证明.pdf"))
        self.assertEqual(checked.content_type, "application/pdf")

    def test_a_word_document_is_kept_as_it_is(self):
        content = docx_bytes()
        checked = clean_attachment(upload("记录.docx", content), max_bytes=MB)
        self.assertEqual((checked.kind, checked.content), (DOCX, content))

    def test_a_photo_is_re_encoded_as_jpeg_whatever_its_name(self):
        checked = clean_attachment(upload("photo.pdf", png_bytes()), max_bytes=MB)
        self.assertEqual((checked.kind, checked.name), (IMAGE, "photo.jpg"))
        self.assertTrue(checked.content.startswith(b"\xff\xd8\xff"))

    def test_files_that_are_not_photos_pdf_or_docx_are_refused_whatever_their_name(self):
        workbook = io.BytesIO()
        Workbook().save(workbook)
        plain_zip = io.BytesIO()
        with zipfile.ZipFile(plain_zip, "w") as z:
            z.writestr("readme.txt", "hello")
        refused = {
            "program.pdf": b"MZ\x90\x00" + b"\x00" * 100,
            "old.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "table.docx": workbook.getvalue(),
            "archive.docx": plain_zip.getvalue(),
            "page.pdf": b"<html><script>alert(1)</script></html>",
            "cut.pdf": PDF_BYTES[:20],
            "broken.docx": b"PK\x03\x04garbage",
            "fake.jpg": b"\xff\xd8\xff\xe0" + b"\x00" * 50,
        }
        for name, content in refused.items():
            with self.subTest(name=name), self.assertRaises(ValidationError):
                clean_attachment(upload(name, content), max_bytes=MB)

    def test_a_file_over_the_limit_is_refused(self):
        with self.assertRaises(ValidationError):
            clean_attachment(upload("big.pdf", PDF_BYTES + b" " * 2048), max_bytes=1024)

    def test_names_lose_paths_and_control_characters_and_get_the_real_extension(self):
        self.assertEqual(safe_name("..\\..\\etc/passwd.pdf", PDF), "passwd.pdf")
        self.assertEqual(safe_name("a\x00b\u202ecod.docx", DOCX), "abcod.docx")
        self.assertEqual(safe_name("", IMAGE), "附件.jpg")
        self.assertEqual(safe_name("报告.exe", PDF), "报告.pdf")
