"""Uploaded photos: checked by content, not by name, and re-encoded so nothing but pixels is kept."""

import io

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000


def clean_photo(upload, *, max_bytes, max_side=1600):
    """Return a JPEG re-encoding of an uploaded image, or raise ValidationError saying why it was refused."""
    if upload.size > max_bytes:
        raise ValidationError(_("The photo is larger than %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)})
    try:
        image = Image.open(upload)
        if image.width * image.height > MAX_PIXELS:
            raise ValidationError(_("The photo has too many pixels."))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationError(_("The file is not a photo (JPEG, PNG or similar).")) from None
    image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail((max_side, max_side))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return SimpleUploadedFile("photo.jpg", out.getvalue(), content_type="image/jpeg")
