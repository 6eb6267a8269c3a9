"""Supervision orders (督办) raised for overdue hazards."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anjian.core import clock
from anjian.utilities.models import BaseModel
from anjian.utilities.scoping import ScopedQuerySet, ScopeRule

from .hazard import Hazard


class OrderLevel(models.TextChoices):
    TOWN = "town", _("town (属地)")
    DEPARTMENT = "department", _("department (行业)")
    DISTRICT = "district", _("district (escalated)")


class OrderStatus(models.TextChoices):
    OPEN = "open", _("open")
    ANSWERED = "answered", _("answered")
    CLOSED = "closed", _("closed")


class SupervisionOrderQuerySet(ScopedQuerySet):
    def open(self) -> SupervisionOrderQuerySet:
        return self.exclude(status=OrderStatus.CLOSED)


class SupervisionOrder(BaseModel):
    """督办: issued automatically for an overdue hazard to its town and departments,
    escalated to the district when the hazard stays overdue."""

    hazard = models.ForeignKey(Hazard, verbose_name=_("hazard"), on_delete=models.PROTECT,
                               related_name="supervision_orders")
    number = models.CharField(_("number"), max_length=40, unique=True, null=True, blank=True)
    level = models.CharField(_("level"), max_length=12, choices=OrderLevel.choices)
    area = models.ForeignKey("territory.Area", verbose_name=_("issued to (area)"), to_field="code",
                             db_column="area_code", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("territory.Department", verbose_name=_("issued to (department)"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    recipient_key = models.CharField(max_length=40, editable=False)
    deadline = models.DateField(_("hazard deadline"),
                                help_text=_("The rectification deadline whose passing raised the order."))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    due = models.DateField(_("answer due"))
    status = models.CharField(_("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    escalated_from = models.ForeignKey("self", verbose_name=_("escalated from"), null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_reason = models.CharField(_("closed because"), max_length=200, blank=True)

    objects = SupervisionOrderQuerySet.as_manager()
    scope = ScopeRule(enterprise="hazard__enterprise")

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("supervision order (督办)")
        verbose_name_plural = _("supervision orders (督办)")
        permissions = [("answer_supervisionorder", _("Can answer supervision orders")),
                       ("close_supervisionorder", _("Can close supervision orders"))]
        constraints = [
            # One order per hazard, recipient and overdue episode: the job may run twice.
            models.UniqueConstraint(fields=["hazard", "recipient_key", "deadline"], name="supervision_order_once"),
        ]
        indexes = [models.Index(fields=["status", "due"], name="supervision_order_status_due")]

    def __str__(self) -> str:
        return self.number or gettext("supervision order #{pk}").format(pk=self.pk)

    @property
    def recipient_label(self) -> str:
        if self.department_id:
            return str(self.department)
        return str(self.area) if self.area_id else ""

    def is_late(self, today: date | None = None) -> bool:
        today = today or clock.today()
        return self.status == OrderStatus.OPEN and self.due < today
