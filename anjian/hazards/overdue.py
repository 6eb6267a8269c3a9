"""Overdue hazards and supervision orders (督办), run periodically.

``run_overdue()`` (management command ``anjian hazards_overdue``, Celery beat
entry ``hazards-overdue``):

1. closes the open orders of hazards that are no longer overdue for the
   deadline the order was about (rectified, closed, withdrawn, deadline extended);
2. issues orders for hazards overdue (deadline passed, not rectified): one to
   the town of the enterprise's area (属地) and one to each department supervising
   its sectors (行业), answer due in a few days (data);
3. escalates to the district safety committee office a hazard still overdue
   ``ANJIAN_SUPERVISION_ESCALATE_DAYS`` (default 7) after its first order.

Idempotent: a hazard is *claimed* for a deadline with a compare-and-swap update
(``orders_issued_for`` / ``escalated_for`` set from NULL or an older deadline to
the current one, in the transaction that creates the orders), and the orders
table has a unique constraint per hazard, recipient and deadline. Running the
job twice, or two jobs at once, issues each order once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core import clock
from anjian.territory.models import Area
from anjian.utilities.workflow import notify_on_commit

from . import recipients, rules
from .models import OPEN_STATUSES, Hazard, HazardEvent, OrderLevel, OrderStatus, SupervisionOrder


@dataclass
class OverdueSummary:
    issued: int = 0
    escalated: int = 0
    closed: int = 0
    hazards: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def escalate_days() -> int:
    return int(getattr(settings, "ANJIAN_SUPERVISION_ESCALATE_DAYS", 7))


def _number(order: SupervisionOrder) -> str:
    return _("Supervision 〔{year}〕 No. {n:06d}").format(year=timezone.localtime(order.issued_at).year, n=order.pk)


def _create(hazard: Hazard, *, level: str, key: str, area: Area | None, department: Any, now: datetime,
            today: date, parent: SupervisionOrder | None = None) -> SupervisionOrder:
    order = SupervisionOrder.objects.create(
        hazard=hazard, level=level, recipient_key=key, area=area, department=department, deadline=hazard.deadline,
        issued_at=now, due=today + timedelta(days=rules.order_answer_days()), escalated_from=parent,
    )
    order.number = _number(order)
    SupervisionOrder.objects.filter(pk=order.pk).update(number=order.number)
    return order


def _url(hazard: Hazard) -> str:
    from django.urls import reverse

    return reverse("hazards:detail", args=[hazard.pk])


def close_resolved(now: datetime | None = None, today: date | None = None) -> int:
    """Close open orders whose hazard is no longer overdue for the order's deadline."""
    now = now or clock.now()
    today = today or timezone.localdate(now)
    still_overdue = Q(hazard__deleted_at__isnull=True, hazard__status__in=OPEN_STATUSES,
                      hazard__deadline=F("deadline"), hazard__deadline__lt=today)
    return (SupervisionOrder.objects.exclude(status=OrderStatus.CLOSED).exclude(still_overdue)
            .update(status=OrderStatus.CLOSED, closed_at=now, closed_reason=_("the hazard is no longer overdue")))


def issue_orders(hazard_id: int, now: datetime, today: date) -> int:
    """Claim one overdue hazard and issue its orders; 0 when another run already did."""
    with transaction.atomic():
        hazard = Hazard.objects.select_related("enterprise").filter(pk=hazard_id).first()
        if hazard is None or not hazard.is_overdue(today):
            return 0
        claimed = (Hazard.objects.filter(pk=hazard.pk, deadline=hazard.deadline, status__in=OPEN_STATUSES)
                   .filter(Q(orders_issued_for__isnull=True) | ~Q(orders_issued_for=hazard.deadline))
                   .update(orders_issued_for=hazard.deadline))
        if not claimed:
            return 0
        enterprise = hazard.enterprise
        town = Area.objects.filter(code=recipients.town_code(enterprise.area_id)).first()
        made: list[tuple[SupervisionOrder, list[Any]]] = []
        if town is not None:
            order = _create(hazard, level=OrderLevel.TOWN, key=f"town:{town.code}", area=town, department=None,
                            now=now, today=today)
            made.append((order, list(recipients.town_users(town.code))))
        for dept in recipients.responsible_departments(enterprise):
            order = _create(hazard, level=OrderLevel.DEPARTMENT, key=f"dept:{dept.pk}", area=None, department=dept,
                            now=now, today=today)
            made.append((order, list(recipients.department_users(dept.pk))))
        if not made:
            # Neither a town nor a department answers for it: the district does, at once.
            district = Area.objects.filter(code=recipients.district_code(enterprise.area_id)).first()
            order = _create(hazard, level=OrderLevel.DISTRICT, key=f"district:{recipients.district_code(enterprise.area_id)}",
                            area=district, department=None, now=now, today=today)
            made.append((order, list(recipients.district_users(recipients.district_code(enterprise.area_id)))))
            Hazard.objects.filter(pk=hazard.pk).update(escalated_for=hazard.deadline)
        days = (today - hazard.deadline).days
        HazardEvent.record(hazard, "order_issued", at=now, data={
            "orders": [o.number for o, _u in made], "days_overdue": days})
        for order, users in made:
            notify_on_commit(users, _("Supervision order {number}: hazard overdue at {enterprise}").format(
                number=order.number, enterprise=enterprise), str(hazard), _url(hazard), kind="hazards.order")
        notify_on_commit(recipients.enterprise_users(enterprise.pk),
               _("Your hazard is {days} day(s) past its rectification deadline").format(days=days),
               str(hazard), _url(hazard), kind="hazards.order")
        return len(made)


def escalate(hazard_id: int, now: datetime, today: date) -> int:
    """Escalate one hazard still overdue after the escalation period to the district; 0 if done before."""
    with transaction.atomic():
        hazard = Hazard.objects.select_related("enterprise").filter(pk=hazard_id).first()
        if hazard is None or not hazard.is_overdue(today):
            return 0
        claimed = (Hazard.objects.filter(pk=hazard.pk, deadline=hazard.deadline, orders_issued_for=hazard.deadline)
                   .filter(Q(escalated_for__isnull=True) | ~Q(escalated_for=hazard.deadline))
                   .update(escalated_for=hazard.deadline))
        if not claimed:
            return 0
        parent = (SupervisionOrder.objects.filter(hazard=hazard, deadline=hazard.deadline)
                  .exclude(level=OrderLevel.DISTRICT).order_by("issued_at", "pk").first())
        district = Area.objects.filter(code=recipients.district_code(hazard.enterprise.area_id)).first()
        order = _create(hazard, level=OrderLevel.DISTRICT, key=f"district:{recipients.district_code(hazard.enterprise.area_id)}",
                        area=district, department=None, now=now, today=today, parent=parent)
        HazardEvent.record(hazard, "order_escalated", at=now, data={
            "order": order.number, "from": parent.number if parent else None})
        users = list(recipients.district_users(recipients.district_code(hazard.enterprise.area_id)))
        notify_on_commit(users, _("Escalated supervision order {number}: hazard still overdue at {enterprise}").format(
            number=order.number, enterprise=hazard.enterprise), str(hazard), _url(hazard), kind="hazards.order")
        lower = SupervisionOrder.objects.filter(hazard=hazard, deadline=hazard.deadline).exclude(pk=order.pk)
        for o in lower.select_related("area", "department"):
            who = (recipients.department_users(o.department_id) if o.department_id
                   else recipients.town_users(o.area_id) if o.area_id else [])
            notify_on_commit(who, _("Supervision order {number} escalated to the district").format(number=o.number),
                   str(hazard), _url(hazard), kind="hazards.order")
        return 1


def run_overdue(today: date | None = None, now: datetime | None = None) -> OverdueSummary:
    now = now or clock.now()
    today = today or timezone.localdate(now)
    summary = OverdueSummary()
    summary.closed = close_resolved(now, today)
    overdue = Hazard.objects.overdue(today)
    to_issue = overdue.filter(Q(orders_issued_for__isnull=True) | ~Q(orders_issued_for=F("deadline")))
    for pk in to_issue.values_list("pk", flat=True).iterator():
        n = issue_orders(pk, now, today)
        summary.issued += n
        summary.hazards += 1 if n else 0
    # Escalate when the first order of the current deadline is older than the escalation period.
    cutoff = now - timedelta(days=escalate_days())
    candidates = (overdue.filter(orders_issued_for=F("deadline"))
                  .filter(Q(escalated_for__isnull=True) | ~Q(escalated_for=F("deadline")))
                  .annotate(first=Min("supervision_orders__issued_at",
                                      filter=Q(supervision_orders__deadline=F("deadline"))))
                  .filter(first__lte=cutoff))
    for pk in candidates.values_list("pk", flat=True):
        summary.escalated += escalate(pk, now, today)
    return summary
