"""The hazard itself: its levels, statuses, transitions and guards.

A hazard moves ``reported`` → ``rectifying`` → ``rectified`` → ``verified``
(销号), or from ``rectified`` back to ``rectifying`` when the re-inspection
does not accept the rectification; ``cancelled`` is a hazard withdrawn (soft
deleted) with a reason. The guards live here (``hazard.can_verify(user)``);
the transitions are the atomic functions of ``hazards.actions``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anjian.core import clock
from anjian.utilities.models import BaseModel
from anjian.utilities.scoping import ScopedQuerySet, ScopeRule
from anjian.utilities.workflow import Transition, TransitionTable

from .. import rules

if TYPE_CHECKING:
    from .major import Reinspection, Suspension


class HazardLevel(models.TextChoices):
    GENERAL = "general", _("general (一般)")
    MAJOR = "major", _("major (重大)")


class HazardStatus(models.TextChoices):
    REPORTED = "reported", _("reported")
    RECTIFYING = "rectifying", _("rectifying")
    RECTIFIED = "rectified", _("rectified, awaiting re-inspection")
    VERIFIED = "verified", _("verified and closed (销号)")
    CANCELLED = "cancelled", _("cancelled")


# Not yet rectified: these count as overdue once the deadline has passed.
OPEN_STATUSES = (HazardStatus.REPORTED, HazardStatus.RECTIFYING)
# Rectification submitted (and not sent back) or accepted.
DONE_STATUSES = (HazardStatus.RECTIFIED, HazardStatus.VERIFIED)
# Still in the workflow.
ACTIVE_STATUSES = (HazardStatus.REPORTED, HazardStatus.RECTIFYING, HazardStatus.RECTIFIED)


class HazardSource(models.TextChoices):
    SUPERVISION = "supervision", _("supervision inspection (监督检查)")
    SELF_INSPECTION = "self_inspection", _("enterprise self-inspection (企业自查)")
    TIP_OFF = "tip_off", _("tip-off (举报)")
    OTHER = "other", _("other")


def category_choices() -> list[tuple[str, str]]:
    return rules.category_choices()


def not_withdrawn(hazard: Hazard, user: Any = None) -> str | None:
    """Precondition of every hazard action: a withdrawn (soft-deleted) hazard takes none."""
    if hazard.is_deleted:
        return gettext("This hazard has been withdrawn; nothing more can be done with it.")
    return None


def _closable(hazard: Hazard, user: Any) -> str | None:
    """Guard of ``verify``: a major hazard closes only with its plan and a passed re-inspection."""
    blockers = hazard.verify_blockers()
    if blockers:
        return gettext("This major hazard cannot be closed yet: {reasons}").format(reasons="；".join(blockers))
    return None


TRANSITIONS = TransitionTable(
    Transition("start_rectification", (HazardStatus.REPORTED,), HazardStatus.RECTIFYING,
               "hazards.rectify_hazard", _("Start rectification")),
    Transition("submit_rectification", (HazardStatus.RECTIFYING,), HazardStatus.RECTIFIED,
               "hazards.rectify_hazard", _("Submit rectification")),
    Transition("verify", (HazardStatus.RECTIFIED,), HazardStatus.VERIFIED,
               "hazards.verify_hazard", _("Accept re-inspection (销号)"), "success", guards=(_closable,)),
    Transition("reject", (HazardStatus.RECTIFIED,), HazardStatus.RECTIFYING,
               "hazards.verify_hazard", _("Not accepted: back to rectification"), "warning"),
    Transition("cancel", ACTIVE_STATUSES, HazardStatus.CANCELLED,
               "hazards.delete_hazard", _("Withdraw (soft delete)"), "outline-danger"),
    preconditions=(not_withdrawn,),
    wrong_state=_("Cannot “{action}”: the hazard is “{status}”; this is possible only when it is “{allowed}”."),
    denied=_("You may not “{action}” this hazard."),
)


class HazardQuerySet(ScopedQuerySet):
    def found_in(self, start: date, end: date) -> HazardQuerySet:
        return self.filter(found_on__gte=start, found_on__lte=end)

    def overdue(self, today: date | None = None) -> HazardQuerySet:
        """Deadline passed while not rectified (SPEC §2)."""
        today = today or clock.today()
        return self.filter(deadline__lt=today, status__in=OPEN_STATUSES)

    def major(self) -> HazardQuerySet:
        return self.filter(level=HazardLevel.MAJOR)

    def open_major(self) -> HazardQuerySet:
        return self.filter(level=HazardLevel.MAJOR, status__in=ACTIVE_STATUSES)


class LiveHazardManager(models.Manager.from_queryset(HazardQuerySet)):  # type: ignore[misc]
    """The default manager: soft-deleted (withdrawn) hazards are left out of every list."""

    def get_queryset(self) -> HazardQuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class Hazard(BaseModel):
    number = models.CharField(_("number"), max_length=30, unique=True, null=True, blank=True,
                              help_text=_("The ledger number, e.g. YH2017000123."))
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="hazards")
    inspection = models.ForeignKey("inspections.Inspection", verbose_name=_("finding inspection"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="hazards")
    checklist_item = models.ForeignKey("inspections.ChecklistItem", verbose_name=_("checklist item"), null=True,
                                       blank=True, on_delete=models.SET_NULL, related_name="hazards")
    source = models.CharField(_("found by"), max_length=20, choices=HazardSource.choices,
                              default=HazardSource.SUPERVISION)
    description = models.TextField(_("hazard description"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=HazardLevel.choices, default=HazardLevel.GENERAL)
    category = models.CharField(_("category"), max_length=40, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    found_on = models.DateField(_("found on"), default=timezone.localdate)
    deadline = models.DateField(_("rectification deadline"), null=True, blank=True)
    responsible_person = models.CharField(_("person responsible"), max_length=50, blank=True)
    measures = models.TextField(_("rectification measures"), blank=True)
    funds = models.DecimalField(_("funds (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reporter"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=HazardStatus.choices,
                              default=HazardStatus.REPORTED)
    rectified_on = models.DateField(_("rectified on"), null=True, blank=True,
                                    help_text=_("Date of the rectification submission under review or accepted."))
    verified_on = models.DateField(_("verified on (销号)"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("verified by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    # Claims of the overdue job (compare-and-swap): the deadline for which orders
    # were issued, and for which the matter was escalated to the district.
    orders_issued_for = models.DateField(null=True, blank=True, editable=False)
    escalated_for = models.DateField(null=True, blank=True, editable=False)
    deleted_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    deleted_reason = models.TextField(_("reason for withdrawal"), blank=True)

    objects = LiveHazardManager()
    all_objects = HazardQuerySet.as_manager()

    scope = ScopeRule(enterprise="enterprise")
    changelog_exclude = ("created", "last_updated", "version", "orders_issued_for", "escalated_for")
    # Columns of the generic drill-down table (anjian.targets.drilldown).
    drilldown_fields = ("number", "enterprise", "description", "level", "status", "found_on", "deadline",
                        "rectified_on")

    class Meta:
        ordering = ["-found_on", "-id"]
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        base_manager_name = "all_objects"
        permissions = [
            ("rectify_hazard", _("Can rectify hazards of the own enterprise")),
            ("verify_hazard", _("Can accept or reject a hazard's rectification")),
            ("supervise_hazard", _("Can re-inspect, suspend and decide extensions")),
            ("list_hazard", _("Can list a major hazard for supervision (挂牌督办)")),
            ("plan_hazard", _("Can write a major hazard's remediation plan and reports")),
            ("export_hazard", _("Can export the hazard ledger")),
        ]
        indexes = [
            models.Index(fields=["enterprise", "found_on"], name="hazard_enterprise_found"),
            models.Index(fields=["found_on"], name="hazard_found_on"),
            models.Index(fields=["status", "deadline"], name="hazard_status_deadline"),
        ]

    def __str__(self) -> str:
        text = self.description if len(self.description) <= 40 else self.description[:39] + "…"
        return f"{self.number or '#' + str(self.pk)} {text}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("hazards:detail", args=[self.pk])

    # --- derived facts ---------------------------------------------------------

    @property
    def is_major(self) -> bool:
        return self.level == HazardLevel.MAJOR

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or clock.today()
        return bool(self.deadline and self.deadline < today and self.status in OPEN_STATUSES)

    def days_overdue(self, today: date | None = None) -> int:
        today = today or clock.today()
        return (today - self.deadline).days if self.is_overdue(today) and self.deadline else 0

    @property
    def category_name(self) -> str:
        return rules.category_name(self.category) if self.category else ""

    @property
    def active_suspension(self) -> Suspension | None:
        return self.suspensions.filter(lifted_on__isnull=True).order_by("-ordered_on", "-pk").first()

    def latest_reinspection(self) -> Reinspection | None:
        return self.reinspections.order_by("-inspected_on", "-pk").first()

    # --- guards ----------------------------------------------------------------

    def check_transition(self, action: str, user: Any) -> Transition:
        """Raise if ``user`` may not make ``action`` now: 403 for the wrong user, 409 for the wrong state."""
        return TRANSITIONS.check(self, action, user)

    def verify_blockers(self) -> list[str]:
        """What keeps a major hazard from being closed (销号): its plan and a passed re-inspection."""
        if not self.is_major:
            return []
        from .major import RemediationPlan

        blockers: list[str] = []
        plan = RemediationPlan.objects.filter(hazard=self).first()
        if plan is None:
            blockers.append(gettext("it has no remediation plan (治理方案, 16号令第十五条)"))
        elif plan.missing_parts():
            blockers.append(gettext("its remediation plan lacks: {parts}").format(parts="、".join(plan.missing_parts())))
        passed = self.reinspections.filter(passed=True)
        if self.rectified_on:
            passed = passed.filter(inspected_on__gte=self.rectified_on)
        if not passed.exists():
            blockers.append(gettext("no on-site re-inspection has passed its rectification"))
        suspension = self.active_suspension
        if suspension is not None:
            blockers.append(gettext("production is suspended and resumption has not been approved on site"))
        return blockers

    def can(self, action: str, user: Any) -> bool:
        return TRANSITIONS.can(self, action, user)

    def can_start_rectification(self, user: Any) -> bool:
        return self.can("start_rectification", user)

    def can_submit_rectification(self, user: Any) -> bool:
        return self.can("submit_rectification", user)

    def can_verify(self, user: Any) -> bool:
        return self.can("verify", user)

    def can_reject(self, user: Any) -> bool:
        return self.can("reject", user)

    def can_cancel(self, user: Any) -> bool:
        return self.can("cancel", user)

    def available_transitions(self, user: Any) -> list[Transition]:
        """The transitions ``user`` may make now (a major hazard's verify shows even when blocked,
        so the page can say what is missing)."""
        return TRANSITIONS.available(self, user)

    def can_supervise(self, user: Any) -> bool:
        return not self.is_deleted and user.has_perm("hazards.supervise_hazard", self)

    def can_plan(self, user: Any) -> bool:
        return (self.is_major and self.status in ACTIVE_STATUSES and not self.is_deleted
                and user.has_perm("hazards.plan_hazard", self))
