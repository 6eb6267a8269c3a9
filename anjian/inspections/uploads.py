"""Photos and documents of inspections: the platform's one checker (``anjian.files.checks``)."""

from __future__ import annotations

from typing import Any

from anjian.files import checks


def validate_photo(upload: Any) -> str:
    """Refuse (in words) anything but a JPEG/PNG/GIF/WebP picture within the limits; return its type."""
    return checks.check_upload(upload, checks.PHOTOS).content_type


def validate_document(upload: Any) -> str:
    """A document of the inspection record: a PDF or a photo/scan; return its type."""
    return checks.check_upload(upload, checks.DOCUMENTS).content_type
