"""Photo uploads: checked by content (Pillow), not by name, and by size."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}


def max_bytes() -> int:
    return int(getattr(settings, "ANJIAN_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def validate_photo(upload: Any) -> str:
    """Raise ``ValidationError`` unless ``upload`` is an image within the size limit; return its format."""
    from PIL import Image, UnidentifiedImageError

    name = getattr(upload, "name", "") or _("the file")
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    limit = max_bytes()
    if size > limit:
        raise ValidationError(
            _("The photo “{name}” is {size}; a photo may be at most {limit}.").format(
                name=name, size=filesizeformat(size), limit=filesizeformat(limit)),
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("The photo “{name}” is empty.").format(name=name), code="empty")
    try:
        upload.seek(0)
        with Image.open(upload) as img:
            fmt = img.format
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("“{name}” is not a picture (JPEG, PNG, GIF or WebP), whatever its name says.").format(name=name),
            code="not_image",
        ) from exc
    finally:
        upload.seek(0)
    if fmt not in ALLOWED_FORMATS:
        raise ValidationError(
            _("“{name}” is a {format} image; upload JPEG, PNG, GIF or WebP.").format(name=name, format=fmt),
            code="format",
        )
    return ALLOWED_FORMATS[fmt]
