"""Answering and closing supervision orders (督办). Issuing is the overdue job's (overdue.py)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from anjian.core import audit, clock
from anjian.core.models import AuditAction
from anjian.utilities.workflow import Refusal, lock, notify_on_commit

from . import recipients
from .models import HazardEvent, OrderStatus, SupervisionOrder


def _lock(order: SupervisionOrder | int) -> SupervisionOrder:
    return lock(SupervisionOrder.objects.all(), order, missing=_("This supervision order no longer exists."))


def _finish(o: SupervisionOrder, actor: Any, action: str, before: str, comment: str) -> None:
    """The order's event on its hazard's timeline, and the order's audit entry."""
    o.save()
    HazardEvent.record(o.hazard, action, actor=actor, comment=comment, data={"order": o.number}, audit=False)
    audit.record(AuditAction.TRANSITION, o, changes={"status": [before, o.status]}, message=comment[:2000])


def answer_order(*, actor: Any, order: SupervisionOrder | int, answer: str) -> SupervisionOrder:
    """The town, department or district office answers the order: what it did about the hazard."""
    with transaction.atomic():
        o = _lock(order)
        if not actor.has_perm("hazards.answer_supervisionorder", o):
            raise PermissionDenied(_("You may not answer this supervision order."))
        if o.status == OrderStatus.CLOSED:
            raise Refusal(_("This supervision order is closed."))
        if not (answer or "").strip():
            raise ValidationError({"answer": [_("Write what was done about the hazard.")]})
        before = o.status
        o.status, o.answer, o.answered_by, o.answered_at = OrderStatus.ANSWERED, answer.strip(), actor, clock.now()
        _finish(o, actor, "order_answered", before, answer)
        notify_on_commit(recipients.district_users(recipients.district_code(o.hazard.enterprise.area_id)),
                         _("Supervision order {number} answered").format(number=o.number), answer,
                         reverse("hazards:order_detail", args=[o.pk]), kind="hazards.order")
    return o


def close_order(*, actor: Any, order: SupervisionOrder | int, reason: str) -> SupervisionOrder:
    """The district office closes an order (satisfied with the answer)."""
    with transaction.atomic():
        o = _lock(order)
        if not actor.has_perm("hazards.close_supervisionorder", o):
            raise PermissionDenied(_("Only the district safety committee office closes supervision orders."))
        if o.status == OrderStatus.CLOSED:
            raise Refusal(_("This supervision order is already closed."))
        if not (reason or "").strip():
            raise ValidationError({"reason": [_("Say why the order is closed.")]})
        before = o.status
        o.status, o.closed_at, o.closed_reason = OrderStatus.CLOSED, clock.now(), reason.strip()[:200]
        _finish(o, actor, "order_closed", before, reason)
    return o
