"""The enterprise's quarterly and annual hazard statistics reports (16号令第十四条)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anjian.core import clock
from anjian.utilities.models import BaseModel
from anjian.utilities.scoping import ScopeRule

from .. import rules


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("not submitted")
    SUBMITTED = "submitted", _("submitted")


class HazardReport(BaseModel):
    """An enterprise's quarterly or annual hazard statistics report (16号令第十四条).

    The figures are generated from the enterprise's hazard records and frozen when
    the enterprise submits the report, signed by its principal (主要负责人).
    ``quarter`` 0 is the annual report.
    """

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="hazard_reports")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), default=0, help_text=_("0 for the annual report"))
    general_found = models.PositiveIntegerField(_("general hazards found"), default=0)
    general_rectified = models.PositiveIntegerField(_("general hazards rectified"), default=0)
    major_found = models.PositiveIntegerField(_("major hazards found"), default=0)
    major_closed = models.PositiveIntegerField(_("major hazards rectified and closed"), default=0)
    major_in_plan = models.PositiveIntegerField(_("major hazards with a remediation plan"), default=0)
    major_listed = models.PositiveIntegerField(_("major hazards listed for supervision (挂牌督办)"), default=0)
    funds = models.DecimalField(_("remediation funds (yuan)"), max_digits=16, decimal_places=2, default=0)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    principal = models.CharField(_("signed by the principal (主要负责人)"), max_length=50, blank=True)
    notes = models.TextField(_("analysis"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    scope = ScopeRule(enterprise="enterprise")

    class Meta:
        ordering = ["-year", "-quarter", "enterprise_id"]
        verbose_name = _("hazard statistics report")
        verbose_name_plural = _("hazard statistics reports")
        permissions = [("submit_hazardreport", _("Can submit hazard statistics reports"))]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year", "quarter"], name="hazard_report_once"),
            models.CheckConstraint(condition=Q(quarter__gte=0, quarter__lte=4), name="hazard_report_quarter"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.period_label}"

    @property
    def period_label(self) -> str:
        if self.quarter:
            return gettext("{year} Q{quarter}").format(year=self.year, quarter=self.quarter)
        return gettext("{year} annual").format(year=self.year)

    @property
    def deadline(self) -> date:
        return rules.report_deadline(self.year, self.quarter or None)

    @property
    def submitted_on(self) -> date | None:
        return timezone.localdate(self.submitted_at) if self.submitted_at else None

    @property
    def is_late(self) -> bool:
        if self.submitted_on is None:
            return clock.today() > self.deadline
        return self.submitted_on > self.deadline

    @staticmethod
    def rate(done: int, found: int) -> str:
        return f"{100 * done / found:.1f}%" if found else "—"

    @property
    def general_rate(self) -> str:
        return self.rate(self.general_rectified, self.general_found)

    @property
    def major_rate(self) -> str:
        return self.rate(self.major_closed, self.major_found)
