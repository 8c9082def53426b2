"""Attachments on a case: checked by content, stored under a random name, always downloaded, never shown inline."""

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ..models import CaseAttachment, Kind
from .base import CaseTestCase, at

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@time_machine.travel(at(2026, 5, 20, 9), tick=False)
class AttachmentTest(CaseTestCase):
    def setUp(self):
        self.case = self.open_case(Kind.HARDSHIP)
        self.login(self.liaison)

    def post(self, name, content):
        return self.client.post(reverse("case_attach", args=[self.case.pk]),
                                {"attach-file": SimpleUploadedFile(name, content)})

    def test_a_pdf_is_attached_and_downloaded_as_a_file(self):
        self.assertEqual(self.post("困难证明.pdf", PDF).status_code, 302)
        row = CaseAttachment.objects.get()
        self.assertEqual((row.name, row.kind, row.size), ("困难证明.pdf", "pdf", len(PDF)))
        self.assertNotIn("困难证明", row.file.name)
        response = self.client.get(reverse("case_attachment", args=[self.case.pk, row.pk]))
        self.assertEqual(b"".join(response.streaming_content), PDF)
        self.assertIn("attachment;", response["Content-Disposition"])
        self.assertEqual(response["Content-Type"], "application/pdf")

    def test_a_file_that_is_not_a_photo_or_document_is_refused_and_nothing_is_stored(self):
        response = self.post("说明.pdf", b"MZ\x90\x00 this is a program")
        self.assertEqual(response.status_code, 400)
        self.assertIn("file", response.context["attach_form"].errors)
        self.assertFalse(CaseAttachment.objects.exists())

    def test_an_attachment_of_another_case_is_404(self):
        self.post("a.pdf", PDF)
        row = CaseAttachment.objects.get()
        other = self.open_case(Kind.HOME_CARE)
        self.assertEqual(self.client.get(reverse("case_attachment", args=[other.pk, row.pk])).status_code, 404)
        self.login(self.outsider)
        self.assertEqual(self.client.get(reverse("case_attachment", args=[self.case.pk, row.pk])).status_code, 404)
