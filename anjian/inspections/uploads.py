"""Checking uploaded photos and documents by their content, not their name."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
PDF_MAGIC = b"%PDF-"


def check_size(upload: Any) -> None:
    limit = settings.ANJIAN_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file “{name}” is {size}; files may be at most {limit}.").format(
                name=upload.name, size=filesizeformat(upload.size), limit=filesizeformat(limit)),
            code="too_large",
        )


def image_type(upload: Any) -> str | None:
    """The image's MIME type read from its content with Pillow, or None if it is not an image."""
    from PIL import Image, UnidentifiedImageError

    upload.seek(0)
    try:
        with Image.open(upload) as img:
            fmt = img.format
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        upload.seek(0)
    return IMAGE_FORMATS.get(fmt or "")


def validate_photo(upload: Any) -> str:
    """Refuse anything that is not a JPEG/PNG/GIF/WebP image or is too large; return its type."""
    check_size(upload)
    kind = image_type(upload)
    if kind is None:
        raise ValidationError(
            _("The file “{name}” is not a photo (JPEG, PNG, GIF or WebP), whatever its name says.").format(
                name=upload.name),
            code="not_an_image",
        )
    return kind


def validate_document(upload: Any) -> str:
    """A document of the inspection record: a PDF or a photo/scan."""
    check_size(upload)
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head == PDF_MAGIC:
        return "application/pdf"
    kind = image_type(upload)
    if kind is None:
        raise ValidationError(
            _("The file “{name}” is neither a PDF nor an image (JPEG, PNG, GIF or WebP).").format(name=upload.name),
            code="bad_document",
        )
    return kind
