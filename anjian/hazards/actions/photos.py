"""Adding photos to a hazard still in the workflow."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from anjian.utilities.workflow import Refusal

from ..models import (
    ACTIVE_STATUSES,
    Hazard,
    PhotoKind,
)
from .base import (
    _alive,
    _check_photos,
    _event,
    _lock,
    _require,
    _save_photos,
)


def add_photos(*, actor: Any, hazard: Hazard | int, photos: Iterable[Any], kind: str = PhotoKind.BEFORE) -> int:
    """Add photos to a hazard still in the workflow (the reporter's "before", the enterprise's "after")."""
    photos = _check_photos(photos)
    if not photos:
        raise ValidationError({"photos": [_("Choose at least one photo.")]})
    with transaction.atomic():
        h = _lock(hazard)
        _alive(h)
        perm = "hazards.rectify_hazard" if kind == PhotoKind.AFTER else "hazards.add_hazard"
        _require(perm, actor, h, _("You may not add these photos."))
        if h.status not in ACTIVE_STATUSES:
            raise Refusal(_("The hazard is closed; its photos can no longer change."))
        event = _event(h, actor, "photos", data={"kind": kind, "count": len(photos)})
        _save_photos(h, photos, kind, actor, event)
    return len(photos)
