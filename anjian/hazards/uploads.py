"""Photo uploads of hazards: the platform's one checker (``anjian.files.checks``) for pictures."""

from __future__ import annotations

from typing import Any

from anjian.files import checks


def validate_photo(upload: Any) -> str:
    """Raise ``ValidationError`` (in words) unless ``upload`` is a picture within the limits; return its
    extension (``jpg``, ``png``, ``gif`` or ``webp``)."""
    return checks.check_upload(upload, checks.PHOTOS).extension
