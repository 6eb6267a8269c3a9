"""Hidden hazards (隐患) and their remediation, after 16号令 (see docs/hazards.md).

A hazard moves ``reported`` → ``rectifying`` → ``rectified`` → ``verified``
(销号), or from ``rectified`` back to ``rectifying`` when the re-inspection
does not accept the rectification; ``cancelled`` is a hazard withdrawn (soft
deleted) with a reason. The guards live here (``hazard.can_verify(user)``);
the transitions are the atomic functions of ``actions.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anjian.utilities.models import BaseModel
from anjian.utilities.scoping import ScopedQuerySet, ScopeRule

from . import rules
from .exceptions import TransitionNotAllowed


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


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    perm: str
    label: str | Promise
    style: str = "primary"


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("start_rectification", (HazardStatus.REPORTED,), HazardStatus.RECTIFYING,
                   "hazards.rectify_hazard", _("Start rectification")),
        Transition("submit_rectification", (HazardStatus.RECTIFYING,), HazardStatus.RECTIFIED,
                   "hazards.rectify_hazard", _("Submit rectification")),
        Transition("verify", (HazardStatus.RECTIFIED,), HazardStatus.VERIFIED,
                   "hazards.verify_hazard", _("Accept re-inspection (销号)"), "success"),
        Transition("reject", (HazardStatus.RECTIFIED,), HazardStatus.RECTIFYING,
                   "hazards.verify_hazard", _("Not accepted: back to rectification"), "warning"),
        Transition("cancel", ACTIVE_STATUSES, HazardStatus.CANCELLED,
                   "hazards.delete_hazard", _("Withdraw (soft delete)"), "outline-danger"),
    )
}


class HazardQuerySet(ScopedQuerySet):
    def found_in(self, start: date, end: date) -> HazardQuerySet:
        return self.filter(found_on__gte=start, found_on__lte=end)

    def overdue(self, today: date | None = None) -> HazardQuerySet:
        """Deadline passed while not rectified (SPEC §2)."""
        today = today or timezone.localdate()
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
        today = today or timezone.localdate()
        return bool(self.deadline and self.deadline < today and self.status in OPEN_STATUSES)

    def days_overdue(self, today: date | None = None) -> int:
        today = today or timezone.localdate()
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

    def check_transition(self, action: str, user: Any) -> None:
        """Raise if ``user`` may not make ``action`` now: 403 for the wrong user, 409 for the wrong state."""
        t = TRANSITIONS.get(action)
        if t is None:
            raise TransitionNotAllowed(gettext("Unknown action “{action}”.").format(action=action))
        refused = PermissionDenied(gettext("You may not “{action}” this hazard.").format(action=t.label))
        if not user.has_perm(t.perm):
            raise refused
        if self.is_deleted:
            raise TransitionNotAllowed(gettext("This hazard has been withdrawn; nothing more can be done with it."))
        if not user.has_perm(t.perm, self):
            raise refused
        if self.status not in t.sources:
            allowed = "、".join(str(HazardStatus(s).label) for s in t.sources)
            raise TransitionNotAllowed(
                gettext("Cannot “{action}”: the hazard is “{status}”; this is possible only when it is “{allowed}”.")
                .format(action=t.label, status=self.get_status_display(), allowed=allowed)
            )
        if action == "verify":
            blockers = self.verify_blockers()
            if blockers:
                raise TransitionNotAllowed(
                    gettext("This major hazard cannot be closed yet: {reasons}").format(reasons="；".join(blockers))
                )

    def verify_blockers(self) -> list[str]:
        """What keeps a major hazard from being closed (销号): its plan and a passed re-inspection."""
        if not self.is_major:
            return []
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
        try:
            self.check_transition(action, user)
        except (PermissionDenied, TransitionNotAllowed):
            return False
        return True

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
        out = []
        for t in TRANSITIONS.values():
            if self.status not in t.sources or self.is_deleted:
                continue
            if user.has_perm(t.perm, self):
                out.append(t)
        return out

    def can_supervise(self, user: Any) -> bool:
        return not self.is_deleted and user.has_perm("hazards.supervise_hazard", self)

    def can_plan(self, user: Any) -> bool:
        return (self.is_major and self.status in ACTIVE_STATUSES and not self.is_deleted
                and user.has_perm("hazards.plan_hazard", self))


class PhotoKind(models.TextChoices):
    BEFORE = "before", _("before rectification")
    AFTER = "after", _("after rectification")


def photo_path(instance: HazardPhoto, filename: str) -> str:
    today = timezone.localdate()
    ext = (filename.rsplit(".", 1)[-1] if "." in filename else "jpg").lower()[:5]
    return f"hazards/{today:%Y/%m}/{instance.hazard_id}-{instance.kind}-{timezone.now():%H%M%S%f}.{ext}"


class HazardEvent(BaseModel):
    """One step of a hazard's timeline: who did what, when, from which status to which."""

    hazard = models.ForeignKey(Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(_("from"), max_length=20, blank=True, choices=HazardStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, blank=True, choices=HazardStatus.choices)
    comment = models.TextField(_("comment"), blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    scope = ScopeRule(enterprise="hazard__enterprise")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("hazard event")
        verbose_name_plural = _("hazard events")

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def action_label(self) -> str:
        return str(EVENT_LABELS.get(self.action, self.action))


EVENT_LABELS: dict[str, str | Promise] = {
    "report": _("reported"),
    "start_rectification": _("rectification started"),
    "submit_rectification": _("rectification submitted"),
    "verify": _("re-inspection accepted, closed (销号)"),
    "reject": _("re-inspection not accepted"),
    "cancel": _("withdrawn"),
    "reinspection": _("on-site re-inspection recorded"),
    "plan": _("remediation plan saved"),
    "double_report": _("double report recorded (双报告)"),
    "listing": _("listed for supervision (挂牌督办)"),
    "delisting": _("supervision listing removed (摘牌)"),
    "extension_request": _("deadline extension requested"),
    "extension_approved": _("deadline extension approved"),
    "extension_refused": _("deadline extension refused"),
    "suspension": _("production suspended (停产停业)"),
    "resumption_application": _("resumption applied for"),
    "resumption_approved": _("resumption approved on site"),
    "resumption_refused": _("resumption refused on site"),
    "order_issued": _("supervision order issued (督办)"),
    "order_escalated": _("escalated to the district"),
    "order_answered": _("supervision order answered"),
    "order_closed": _("supervision order closed"),
    "photos": _("photos added"),
}


class HazardPhoto(BaseModel):
    hazard = models.ForeignKey(Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(_("kind"), max_length=10, choices=PhotoKind.choices, default=PhotoKind.BEFORE)
    image = models.ImageField(_("photo"), upload_to=photo_path, max_length=200)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    event = models.ForeignKey(HazardEvent, verbose_name=_("event"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="photos")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    scope = ScopeRule(enterprise="hazard__enterprise")

    class Meta:
        ordering = ["kind", "created", "id"]
        verbose_name = _("hazard photo")
        verbose_name_plural = _("hazard photos")

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.get_kind_display()}"


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
        today = today or timezone.localdate()
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
        today = today or timezone.localdate()
        return self.reviewed_on is None and self.review_due < today


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
        today = today or timezone.localdate()
        return self.status == OrderStatus.OPEN and self.due < today


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
            return timezone.localdate() > self.deadline
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
