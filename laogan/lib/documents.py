"""Uploaded attachments: photos and office documents, checked by what the bytes are, never by the file's name.

A photo goes through images.clean_photo (re-encoded, so nothing but pixels is kept). A PDF must start with the PDF
signature; a Word document (DOCX) must be a ZIP container holding the parts every DOCX has. Anything else — old
binary .doc files, spreadsheets, executables renamed to .pdf — is refused with a message saying why.
"""

import io
import os
import unicodedata
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import images

PDF = "pdf"
DOCX = "docx"
IMAGE = "image"

CONTENT_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    IMAGE: "image/jpeg",
}
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", IMAGE: ".jpg"}
# A DOCX is a ZIP of XML parts; a ZIP bomb would be expanded by whoever opens it, so its stated size is bounded too.
MAX_DOCX_EXPANDED = 100 * 1024 * 1024
IMAGE_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM")


@dataclass(frozen=True)
class CheckedFile:
    kind: str  # PDF, DOCX or IMAGE
    content: bytes
    name: str  # a safe display name ending in the kind's extension

    @property
    def content_type(self):
        return CONTENT_TYPES[self.kind]


def sniff(head):
    """Return PDF, DOCX (a ZIP, to be confirmed), IMAGE or None for the first bytes of a file."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return DOCX
    if head.startswith(IMAGE_SIGNATURES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return IMAGE
    return None


def clean_attachment(upload, *, max_bytes):
    """Return a CheckedFile for an uploaded photo, PDF or DOCX, or raise ValidationError saying why it was refused."""
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head)
    if kind == IMAGE:
        photo = images.clean_photo(upload, max_bytes=max_bytes)
        return CheckedFile(IMAGE, photo.read(), safe_name(upload.name, IMAGE))
    if kind is None:
        raise ValidationError(_("Only photos, PDF files and Word documents (.docx) can be attached."))
    content = upload.read()
    if len(content) > max_bytes:
        raise ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)})
    if kind == PDF and b"%%EOF" not in content[-2048:]:
        raise ValidationError(_("The PDF file is incomplete or damaged."))
    if kind == DOCX:
        _check_docx(content)
    return CheckedFile(kind, content, safe_name(upload.name, kind))


def _check_docx(content):
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValidationError(_("The Word document is damaged.")) from None
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        raise ValidationError(_("Only photos, PDF files and Word documents (.docx) can be attached."))
    if expanded > MAX_DOCX_EXPANDED:
        raise ValidationError(_("The Word document is too large when unpacked."))


def safe_name(name, kind):
    """Return the upload's base name without path or control characters, with the extension of what it really is."""
    base = os.path.basename((name or "").replace("\\", "/"))
    stem = os.path.splitext(base)[0]
    stem = "".join(ch for ch in unicodedata.normalize("NFC", stem) if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    stem = stem.strip(" .")[:80] or "附件"
    return stem + EXTENSIONS[kind]
