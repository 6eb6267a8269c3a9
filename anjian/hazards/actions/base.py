"""The helpers every hazard action shares: the row lock, the event, the audit entry, the notification."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from anjian.core import clock
from anjian.utilities.workflow import Refusal, lock, notify_on_commit

from ..models import (
    Hazard,
    HazardEvent,
    HazardPhoto,
    HazardSource,
    OrderStatus,
    SupervisionOrder,
    not_withdrawn,
)
from ..uploads import validate_photo

REPORT_FIELDS = {"source", "category", "found_on", "responsible_person", "measures", "funds"}


# --- helpers --------------------------------------------------------------------------------

def _lock(hazard: Hazard | int) -> Hazard:
    return lock(Hazard.all_objects, hazard, missing=_("This hazard no longer exists."))


def _lock_with_hazard(queryset: Any, obj: Any, hazard_field: str) -> tuple[Hazard, Any]:
    """A row that belongs to a hazard and the hazard, both locked: the hazard first, as every
    hazard action takes it, so two actions on one hazard never wait for each other crosswise."""
    pk = getattr(obj, "pk", obj)
    hazard_id = queryset.filter(pk=pk).values_list(hazard_field, flat=True).first()
    if hazard_id is None:
        raise Refusal(_("This record no longer exists."))
    return _lock(hazard_id), lock(queryset, pk)


def _url(hazard: Hazard) -> str:
    return reverse("hazards:detail", args=[hazard.pk])


def _event(hazard: Hazard, actor: Any, action: str, *, from_status: str = "", to_status: str = "",
           comment: str = "", evidence: str = "", data: dict | None = None,
           audit: bool | str = False) -> HazardEvent:
    """The timeline event (and, with ``audit``, the audit entry: True, or the message)."""
    return HazardEvent.record(hazard, action, actor=actor, from_status=from_status, to_status=to_status,
                              comment=comment, data=data, audit=audit, evidence=evidence or "")


def _tell(users: Iterable[Any], hazard: Hazard, title: str, body: str = "", actor: Any = None) -> None:
    notify_on_commit(users, title, body, _url(hazard), kind="hazards", actor=actor)


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
    problem = not_withdrawn(hazard)
    if problem:
        raise Refusal(problem)


def _close_orders(hazard: Hazard, reason: str, *, only_other_deadlines: bool = False) -> int:
    orders = SupervisionOrder.objects.filter(hazard=hazard).exclude(status=OrderStatus.CLOSED)
    if only_other_deadlines and hazard.deadline:
        orders = orders.exclude(deadline=hazard.deadline)
    return orders.update(status=OrderStatus.CLOSED, closed_at=clock.now(), closed_reason=reason[:200])


def _finish(h: Hazard, actor: Any, action: str, before: str, *, comment: str = "", evidence: str = "",
            data: dict | None = None) -> HazardEvent:
    h.version += 1
    h.save()
    return _event(h, actor, action, from_status=before, to_status=h.status, comment=comment, evidence=evidence,
                  data=data, audit=True)


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
