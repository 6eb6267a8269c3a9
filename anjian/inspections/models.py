"""Checklists (检查表), inspections of every kind, their per-item results and
attachments, and recurring inspection plans.

An inspection follows a checklist template; each item gets a result (pass /
fail / not applicable). On submit every failed item becomes a hazard in the
hazards app (``anjian.inspections.actions.submit_inspection``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from anjian.files.checks import DOCUMENTS
from anjian.files.fields import AttachmentField
from anjian.utilities.models import BaseModel
from anjian.utilities.scoping import ScopeRule
from anjian.utilities.workflow import Transition, TransitionTable, WorkflowEvent

from . import rules


class ChecklistTemplate(BaseModel):
    """A versioned checklist (检查表) for one or more sectors, citing its standard."""

    code = models.CharField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    # "version" is BaseModel's row version (optimistic concurrency); this is the checklist's edition.
    template_version = models.CharField(_("version"), max_length=30)
    sectors = models.ManyToManyField("territory.Sector", verbose_name=_("sectors"), blank=True,
                                     related_name="checklist_templates")
    source = models.TextField(_("source / standard cited"), blank=True)
    description = models.TextField(_("description"), blank=True)
    is_general = models.BooleanField(
        _("general template"), default=False,
        help_text=_("Used for an enterprise's self-inspection when no template matches its sectors."),
    )
    effective_from = models.DateField(_("in force from"), null=True, blank=True)
    effective_to = models.DateField(_("in force until"), null=True, blank=True,
                                    help_text=_("Last day the cited standard applied (it was repealed or replaced)."))
    active = models.BooleanField(_("active"), default=True)

    scope = ScopeRule(public=True)  # checklists are reference data

    class Meta:
        ordering = ["code", "-template_version"]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        constraints = [models.UniqueConstraint(fields=["code", "template_version"], name="checklist_code_version")]
        permissions = [
            ("import_checklisttemplate", _("Can import checklist templates from Excel")),
            ("export_checklisttemplate", _("Can export checklist templates to Excel")),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.template_version})"


class ChecklistItem(BaseModel):
    """One line of a checklist: what to check and on what legal or standard basis."""

    template = models.ForeignKey(ChecklistTemplate, verbose_name=_("template"), on_delete=models.CASCADE,
                                 related_name="items")
    order = models.PositiveIntegerField(_("order"), default=0)
    section = models.CharField(_("section"), max_length=200, blank=True)
    content = models.TextField(_("what to check"))
    basis = models.TextField(_("legal / standard basis"), blank=True)
    major_criterion = models.BooleanField(
        _("major-hazard criterion"), default=False,
        help_text=_("A failed item is a major hazard (重大事故隐患) under the cited criterion."),
    )
    criterion_ref = models.CharField(_("criterion reference"), max_length=200, blank=True)
    unconfirmed = models.BooleanField(
        _("wording unconfirmed"), default=False,
        help_text=_("Reconstructed rather than read in the official text; check before relying on it."),
    )

    scope = ScopeRule(public=True)

    class Meta:
        ordering = ["template", "order", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return self.content[:60]


class InspectionKind(models.TextChoices):
    SELF = "self", _("enterprise self-inspection (企业自查)")
    ROUTINE = "routine", _("routine supervision (日常检查)")
    ENFORCEMENT = "enforcement", _("enforcement inspection (执法检查)")
    SPECIAL = "special", _("special campaign (专项检查)")
    RANDOM = "random", _("random inspection (双随机)")
    TIPOFF = "tipoff", _("tip-off verification (举报核查)")
    PATROL = "patrol", _("patrol (巡查)")


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")


class Inspection(BaseModel):
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("enterprise"),
                                   on_delete=models.PROTECT, related_name="inspections")
    kind = models.CharField(_("kind"), max_length=20, choices=InspectionKind.choices, db_index=True)
    date = models.DateField(_("date"), db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=InspectionStatus.choices,
                              default=InspectionStatus.DRAFT, db_index=True)
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("inspectors"), blank=True,
                                        related_name="inspections")
    template = models.ForeignKey(ChecklistTemplate, verbose_name=_("checklist"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="inspections")
    plan = models.ForeignKey("InspectionPlan", verbose_name=_("plan"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="inspections")
    plan_period = models.DateField(_("plan period"), null=True, blank=True,
                                   help_text=_("First day of the plan period this inspection is due for."))
    campaign = models.CharField(_("campaign"), max_length=200, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
                                   validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
                                    validators=[MinValueValidator(-180), MaxValueValidator(180)])
    record_number = models.CharField(_("record number (文书编号)"), max_length=80, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    is_demo = models.BooleanField(_("demo data"), default=False)

    scope = ScopeRule(enterprise="enterprise")

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [
            models.Index(fields=["kind", "date"], name="inspection_kind_date"),
            models.Index(fields=["enterprise", "kind", "date"], name="inspection_ent_kind_date"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["plan", "enterprise", "plan_period"], name="inspection_plan_period",
                                    condition=Q(plan__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.date}"

    # Guards -----------------------------------------------------------------
    @property
    def is_editable(self) -> bool:
        return self.status in (InspectionStatus.PLANNED, InspectionStatus.DRAFT)

    def timeline(self) -> models.QuerySet:
        """The inspection's events, oldest first, with who acted (one query)."""
        return self.events.select_related("actor").order_by("at", "id")

    def can_submit(self) -> bool:
        """The status allows submitting (the guards, checked on submit, may still refuse)."""
        return self.status in INSPECTION_TRANSITIONS["submit"].sources


def inspector_count_error(kind: str, count: int) -> str | None:
    """The message refusing too few inspectors for ``kind``, or None."""
    needed = rules.min_inspectors(kind)
    if count < needed:
        return ngettext(
            "An {kind} needs at least {n} inspector; {count} given.",
            "An {kind} needs at least {n} inspectors (执法人员不得少于两人); {count} given.",
            needed,
        ).format(kind=InspectionKind(kind).label, n=needed, count=count)
    return None


def _enough_inspectors(inspection: Inspection, user: object) -> str | None:
    if inspection.kind == InspectionKind.SELF:
        return None
    return inspector_count_error(inspection.kind, inspection.inspectors.count())


def _every_item_answered(inspection: Inspection, user: object) -> str | None:
    unanswered = inspection.results.filter(outcome="").count()
    if not unanswered:
        return None
    return ngettext(
        "{n} checklist item has no result yet; mark it pass, fail or not applicable before submitting.",
        "{n} checklist items have no result yet; mark each pass, fail or not applicable before submitting.",
        unanswered).format(n=unanswered)


# The status of an inspection. The permission (inspections.change_inspection on the row) is the
# view's; the actions check the status and the guards here.
INSPECTION_TRANSITIONS = TransitionTable(
    Transition("begin", (InspectionStatus.PLANNED,), InspectionStatus.DRAFT),
    Transition("submit", (InspectionStatus.PLANNED, InspectionStatus.DRAFT), InspectionStatus.SUBMITTED,
               guards=(_enough_inspectors, _every_item_answered),
               refused=_("This inspection was already submitted.")),
)


class Outcome(models.TextChoices):
    PASS = "pass", _("pass")
    FAIL = "fail", _("fail")
    NOT_APPLICABLE = "na", _("not applicable")


class InspectionResult(BaseModel):
    """The result of one checklist item (or a free finding) in one inspection."""

    inspection = models.ForeignKey(Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE,
                                   related_name="results")
    item = models.ForeignKey(ChecklistItem, verbose_name=_("checklist item"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="results")
    order = models.PositiveIntegerField(_("order"), default=0)
    content = models.TextField(_("what was checked"), blank=True,
                               help_text=_("For a finding outside the checklist."))
    outcome = models.CharField(_("result"), max_length=10, choices=Outcome.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    location = models.CharField(_("location"), max_length=300, blank=True)

    scope = ScopeRule(enterprise="inspection__enterprise")

    class Meta:
        ordering = ["inspection", "order", "id"]
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="inspection_result_item",
                                    condition=Q(item__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def text(self) -> str:
        return self.content or (self.item.content if self.item_id else "")


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("photo")
    DOCUMENT = "document", _("document")


def attachment_path(instance: InspectionAttachment, filename: str) -> str:
    from django.utils import timezone

    return f"inspections/{timezone.now():%Y/%m}/{filename}"


class InspectionAttachment(BaseModel):
    """A photo of an item or a document of the inspection record (现场检查记录 etc.)."""

    inspection = models.ForeignKey(Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE,
                                   related_name="attachments")
    result = models.ForeignKey(InspectionResult, verbose_name=_("result"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind.choices, default=AttachmentKind.PHOTO)
    file = AttachmentField(_("file"), upload_to=attachment_path, max_length=300, accept=DOCUMENTS)
    original_name = models.CharField(_("original name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")

    scope = ScopeRule(enterprise="inspection__enterprise")

    class Meta:
        ordering = ["inspection", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name or self.file.name


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("monthly")
    QUARTERLY = "quarterly", _("quarterly")
    YEARLY = "yearly", _("yearly")


class InspectionPlan(BaseModel):
    """A recurring plan: the enterprises it names, or those matching its filter, are due
    one inspection of its kind per period (generated by ``generate_planned_inspections``)."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=InspectionKind.choices)
    frequency = models.CharField(_("frequency"), max_length=20, choices=Frequency.choices,
                                 default=Frequency.MONTHLY)
    template = models.ForeignKey(ChecklistTemplate, verbose_name=_("checklist"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="plans")
    # Responsible unit: a department, or the town/district of ``area``.
    responsible_department = models.ForeignKey(
        "territory.Department", verbose_name=_("responsible department"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="inspection_plans",
    )
    area = models.ForeignKey(
        "territory.Area", verbose_name=_("area"), to_field="code", db_column="area_code", on_delete=models.PROTECT,
        related_name="inspection_plans",
        help_text=_("The plan covers enterprises under this area (the district, a town or a community)."),
    )
    enterprises = models.ManyToManyField("enterprises.Enterprise", verbose_name=_("enterprises"), blank=True,
                                         related_name="inspection_plans",
                                         help_text=_("Named enterprises; leave empty to use the filter."))
    sectors = models.ManyToManyField("territory.Sector", verbose_name=_("sectors"), blank=True,
                                     related_name="inspection_plans")
    key_only = models.BooleanField(_("key enterprises only"), default=False)
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("inspectors"), blank=True,
                                        related_name="inspection_plans")
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    is_demo = models.BooleanField(_("demo data"), default=False)

    scope = ScopeRule(enterprise="enterprises", area="area__code", sectors="sectors",
                      departments="responsible_department")

    class Meta:
        ordering = ["-start_date", "name", "id"]
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")

    def __str__(self) -> str:
        return self.name


class SelfInspectionReminder(models.Model):
    """One row per (enterprise, month) reminded, so the reminder job is idempotent."""

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("self-inspection reminder")
        verbose_name_plural = _("self-inspection reminders")
        constraints = [models.UniqueConstraint(fields=["enterprise", "month"], name="self_inspection_reminder_once")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.month:%Y-%m}"


class InspectionEvent(WorkflowEvent):
    """One step of an inspection's timeline (started, opened, finding, attachment, submitted)."""

    subject_field = "inspection"
    labels = {
        "start": _("inspection started"),
        "begin": _("planned inspection opened"),
        "finding": _("finding recorded"),
        "attachment": _("file attached"),
        "submit": _("inspection submitted"),
    }

    inspection = models.ForeignKey(Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE,
                                   related_name="events")
    from_status = models.CharField(_("from"), max_length=20, blank=True, choices=InspectionStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, blank=True, choices=InspectionStatus.choices)

    scope = ScopeRule(enterprise="inspection__enterprise")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("inspection event")
        verbose_name_plural = _("inspection events")
