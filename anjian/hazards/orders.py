"""Answering and closing supervision orders (督办). Issuing is the overdue job's (overdue.py)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from anjian.core import audit, clock
from anjian.core.models import AuditAction
from anjian.core.notify import notify
from anjian.utilities.workflow import Refusal

from . import recipients
from .models import HazardEvent, OrderStatus, SupervisionOrder


def _lock(order: SupervisionOrder | int) -> SupervisionOrder:
    return SupervisionOrder.objects.select_for_update().get(pk=getattr(order, "pk", order))


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
        o.save()
        HazardEvent.objects.create(hazard_id=o.hazard_id, actor=actor, action="order_answered", comment=answer,
                                   data={"order": o.number})
        audit.record(AuditAction.TRANSITION, o, changes={"status": [before, o.status]}, message=answer[:2000])
        hazard = o.hazard
        notify(recipients.district_users(recipients.district_code(hazard.enterprise.area_id)),
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
        o.save()
        HazardEvent.objects.create(hazard_id=o.hazard_id, actor=actor, action="order_closed", comment=reason,
                                   data={"order": o.number})
        audit.record(AuditAction.TRANSITION, o, changes={"status": [before, o.status]}, message=reason[:2000])
    return o
