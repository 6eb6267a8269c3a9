"""What a major hazard (重大事故隐患) adds: re-inspections, the remediation plan, the double
report, supervision listing, deadline extensions, suspension and resumption (16号令)."""

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
from anjian.utilities.scoping import ScopedQuerySet, ScopeRule

from .. import rules
from .hazard import Hazard


class Reinspection(BaseModel):
    """An on-site re-inspection (复查) of a rectification; for a suspended major
    hazard it is the on-site review of the resumption application (16号令第二十三条)."""

    hazard = models.ForeignKey(Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE,
                               related_name="reinspections")
    inspected_on = models.DateField(_("re-inspected on"), default=timezone.localdate)
    inspectors = models.CharField(_("inspectors"), max_length=200, blank=True)
    passed = models.BooleanField(_("passed"))
    opinion = models.TextField(_("opinion"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    scope = ScopeRule(enterprise="hazard__enterprise")

    class Meta:
        ordering = ["-inspected_on", "-id"]
        verbose_name = _("re-inspection")
        verbose_name_plural = _("re-inspections")

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.inspected_on} {'✓' if self.passed else '✗'}"


class RemediationPlan(BaseModel):
    """The six-part remediation plan of a major hazard (16号令第十五条)."""

    hazard = models.OneToOneField(Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="plan")
    objectives = models.TextField(_("objectives and tasks (治理的目标和任务)"), blank=True)
    methods = models.TextField(_("methods and measures (采取的方法和措施)"), blank=True)
    funds_and_materials = models.TextField(_("funds and materials (经费和物资的落实)"), blank=True)
    funds = models.DecimalField(_("funds (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    organisation = models.TextField(_("organisation and people responsible (负责治理的机构和人员)"), blank=True)
    time_and_requirements = models.TextField(_("time limit and requirements (治理的时限和要求)"), blank=True)
    target_date = models.DateField(_("completion date"), null=True, blank=True)
    safety_and_emergency = models.TextField(_("safety measures and emergency plan (安全措施和应急预案)"), blank=True)
    principal = models.CharField(_("principal in charge (主要负责人)"), max_length=50, blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("prepared by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    scope = ScopeRule(enterprise="hazard__enterprise")

    class Meta:
        verbose_name = _("remediation plan")
        verbose_name_plural = _("remediation plans")

    def __str__(self) -> str:
        return gettext("Remediation plan of hazard #{pk}").format(pk=self.hazard_id)

    def missing_parts(self) -> list[str]:
        return [p["name"] for p in rules.plan_parts() if not (getattr(self, p["field"]) or "").strip()]

    @property
    def is_complete(self) -> bool:
        return not self.missing_parts()


class DoubleReportKind(models.TextChoices):
    DEPARTMENT = "department", _("to the supervising department")
    WORKERS_CONGRESS = "workers_congress", _("to the workers' congress (职代会)")


class DoubleReport(BaseModel):
    """One half of the double report (双报告) of a major hazard's remediation."""

    hazard = models.ForeignKey(Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE,
                               related_name="double_reports")
    kind = models.CharField(_("reported"), max_length=20, choices=DoubleReportKind.choices)
    reported_on = models.DateField(_("reported on"))
    recipient = models.CharField(_("recipient"), max_length=100, blank=True)
    department = models.ForeignKey("territory.Department", verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    summary = models.TextField(_("summary"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    scope = ScopeRule(enterprise="hazard__enterprise")

    class Meta:
        ordering = ["reported_on", "id"]
        verbose_name = _("double report")
        verbose_name_plural = _("double reports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reported_on}"


class ListingLevel(models.TextChoices):
    DISTRICT = "district", _("district (区级)")
    CITY = "city", _("city (市级)")
    PROVINCE = "province", _("province (省级)")


class SupervisionListing(BaseModel):
    """挂牌督办: a major hazard listed for supervision by a government level."""

    hazard = models.ForeignKey(Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="listings")
    level = models.CharField(_("level"), max_length=10, choices=ListingLevel.choices)
    issuing_body = models.CharField(_("issuing body"), max_length=100)
    document_number = models.CharField(_("document number"), max_length=60)
    listed_on = models.DateField(_("listed on"))
    delisted_on = models.DateField(_("delisted on (摘牌)"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    scope = ScopeRule(enterprise="hazard__enterprise")

    class Meta:
        ordering = ["-listed_on", "-id"]
        verbose_name = _("supervision listing (挂牌督办)")
        verbose_name_plural = _("supervision listings (挂牌督办)")

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.document_number}"


class DecisionStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class DeadlineExtension(BaseModel):
    hazard = models.ForeignKey(Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_on = models.DateField(_("requested on"), default=timezone.localdate)
    old_deadline = models.DateField(_("current deadline"), null=True, blank=True)
    new_deadline = models.DateField(_("requested deadline"))
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=DecisionStatus.choices,
                              default=DecisionStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_comment = models.TextField(_("decision"), blank=True)

    scope = ScopeRule(enterprise="hazard__enterprise")

    class Meta:
        ordering = ["-requested_on", "-id"]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        constraints = [
            models.UniqueConstraint(fields=["hazard"], condition=Q(status="pending"),
                                    name="hazard_one_pending_extension"),
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id} → {self.new_deadline} ({self.get_status_display()})"


class SuspensionExtent(models.TextChoices):
    FULL = "full", _("full suspension (全部停产停业)")
    PARTIAL = "partial", _("partial suspension (局部停产停业)")


class Suspension(BaseModel):
    """停产停业 ordered for a major hazard; lifted when resumption is approved on site."""

    hazard = models.ForeignKey(Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="suspensions")
    extent = models.CharField(_("extent"), max_length=10, choices=SuspensionExtent.choices,
                              default=SuspensionExtent.PARTIAL)
    issuing_body = models.CharField(_("ordered by"), max_length=100)
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    ordered_on = models.DateField(_("ordered on"))
    lifted_on = models.DateField(_("lifted on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    scope = ScopeRule(enterprise="hazard__enterprise")

    class Meta:
        ordering = ["-ordered_on", "-id"]
        verbose_name = _("suspension (停产停业)")
        verbose_name_plural = _("suspensions (停产停业)")

    def __str__(self) -> str:
        return f"{self.get_extent_display()} {self.ordered_on}"


class ResumptionApplicationQuerySet(ScopedQuerySet):
    def review_overdue(self, today: date | None = None) -> ResumptionApplicationQuerySet:
        today = today or clock.today()
        return self.filter(reviewed_on__isnull=True, review_due__lt=today)


class ResumptionApplication(BaseModel):
    """The written application to resume production (16号令第十八条), reviewed on site
    within the review period (第二十三条: 10 days, ``data/hazard_rules.json``)."""

    suspension = models.ForeignKey(Suspension, verbose_name=_("suspension"), on_delete=models.CASCADE,
                                   related_name="applications")
    applied_on = models.DateField(_("applied on"), default=timezone.localdate)
    content = models.TextField(_("remediation done"))
    assessment = models.TextField(_("assessment of the remediation (评估)"), blank=True)
    assessor = models.CharField(_("assessed by"), max_length=100, blank=True,
                                help_text=_("The enterprise's own experts or a qualified safety assessment body."))
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("applicant"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    review_due = models.DateField(_("on-site review due"))
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    opinion = models.TextField(_("review opinion"), blank=True)

    objects = ResumptionApplicationQuerySet.as_manager()
    scope = ScopeRule(enterprise="suspension__hazard__enterprise")

    class Meta:
        ordering = ["-applied_on", "-id"]
        verbose_name = _("resumption application")
        verbose_name_plural = _("resumption applications")

    def __str__(self) -> str:
        return gettext("Resumption application of {date}").format(date=self.applied_on)

    def is_review_overdue(self, today: date | None = None) -> bool:
        today = today or clock.today()
        return self.reviewed_on is None and self.review_due < today
