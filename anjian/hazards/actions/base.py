"""The helpers every hazard action shares: the row lock, the event, the audit entry, the notification."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core import audit
from anjian.core.models import AuditAction
from anjian.core.notify import notify

from ..exceptions import TransitionNotAllowed
from ..models import (
    Hazard,
    HazardEvent,
    HazardPhoto,
    HazardSource,
    OrderStatus,
    SupervisionOrder,
)
from ..uploads import validate_photo

REPORT_FIELDS = {"source", "category", "found_on", "responsible_person", "measures", "funds"}


# --- helpers --------------------------------------------------------------------------------

def _lock(hazard: Hazard | int) -> Hazard:
    pk = getattr(hazard, "pk", hazard)
    try:
        return Hazard.all_objects.select_for_update().get(pk=pk)
    except Hazard.DoesNotExist as exc:
        raise TransitionNotAllowed(_("This hazard no longer exists.")) from exc


def _url(hazard: Hazard) -> str:
    return reverse("hazards:detail", args=[hazard.pk])


def _event(hazard: Hazard, actor: Any, action: str, *, from_status: str = "", to_status: str = "",
           comment: str = "", evidence: str = "", data: dict | None = None) -> HazardEvent:
    return HazardEvent.objects.create(
        hazard=hazard, actor=actor if getattr(actor, "pk", None) else None, action=action,
        from_status=from_status, to_status=to_status, comment=comment or "", evidence=evidence or "", data=data or {},
    )


def _audit(hazard: Hazard, action: str, before: str, after: str, comment: str = "") -> None:
    changes = {"status": [before, after]} if before != after else {}
    audit.record(AuditAction.TRANSITION, hazard, changes=changes, message=f"{action}: {comment}".strip(": ")[:2000])


def _tell(users: Iterable[Any], hazard: Hazard, title: str, body: str = "", actor: Any = None) -> None:
    notify([u for u in users if u is not None and getattr(u, "pk", None) != getattr(actor, "pk", None)],
           title, body, _url(hazard), kind="hazards")


def _check_photos(photos: Iterable[Any]) -> list[Any]:
    photos = [p for p in photos or () if p]
    errors = []
    for p in photos:
        try:
            validate_photo(p)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"photos": errors})
    return photos


def _save_photos(hazard: Hazard, photos: list[Any], kind: str, actor: Any, event: HazardEvent | None) -> None:
    for p in photos:
        photo = HazardPhoto(hazard=hazard, kind=kind, event=event, uploaded_by=actor if getattr(actor, "pk", None) else None)
        photo.image.save(getattr(p, "name", "photo.jpg") or "photo.jpg", p, save=False)
        photo.save()


def _require(perm: str, actor: Any, obj: Any, message: str) -> None:
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


def _alive(hazard: Hazard) -> None:
    if hazard.is_deleted:
        raise TransitionNotAllowed(_("This hazard has been withdrawn; nothing more can be done with it."))


def _close_orders(hazard: Hazard, reason: str, *, only_other_deadlines: bool = False) -> int:
    orders = SupervisionOrder.objects.filter(hazard=hazard).exclude(status=OrderStatus.CLOSED)
    if only_other_deadlines and hazard.deadline:
        orders = orders.exclude(deadline=hazard.deadline)
    return orders.update(status=OrderStatus.CLOSED, closed_at=timezone.now(), closed_reason=reason[:200])


def _finish(h: Hazard, actor: Any, action: str, before: str, *, comment: str = "", evidence: str = "",
            data: dict | None = None) -> HazardEvent:
    h.version += 1
    h.save()
    event = _event(h, actor, action, from_status=before, to_status=h.status, comment=comment, evidence=evidence,
                   data=data)
    _audit(h, action, before, h.status, comment)
    return event


def _default_source(actor: Any, inspection: Any) -> str:
    kind = getattr(inspection, "kind", None)
    if kind == "self":
        return HazardSource.SELF_INSPECTION
    if kind == "tipoff":
        return HazardSource.TIP_OFF
    if kind is None and actor.has_role("enterprise") and not actor.has_role(
            "district_admin", "town", "department", "inspector"):
        return HazardSource.SELF_INSPECTION
    return HazardSource.SUPERVISION
