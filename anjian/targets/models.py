"""Plans and their targets (二、主要目标), and the annual assessment (考核) of towns and units.

A ``Target`` names an indicator of the registry (``anjian.indicators.registry``)
by its code; the code may name an indicator that no app registers yet, in which
case the target shows "no data yet" and what will feed it (``feeds``), never an
invented value. Plans, targets and assessment schemes are public reference data
of the district (every business role reads them); the numbers computed for them
are always computed within the reader's data scope.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anjian.utilities.models import BaseModel
from anjian.utilities.scoping import ScopeRule

from .choices import COMPARATOR_SYMBOLS, Comparator, ItemKind, ScoringRule, UnitKind


def default_area_code() -> str:
    return settings.ANJIAN_DISTRICT_CODE


class Plan(BaseModel):
    """A year's work-safety plan (工作要点) as issued, with its targets."""

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    title = models.CharField(_("title"), max_length=200)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    document_date = models.DateField(_("document date"), null=True, blank=True)
    # The area the plan covers (a 12-digit code; kept as a code so the plan loads before the territory).
    area_code = models.CharField(_("area code"), max_length=12, default=default_area_code)
    source_text = models.TextField(_("source text"), blank=True, help_text=_("The plan's text as issued."))
    source = models.CharField(_("data source"), max_length=300, blank=True)

    scope = ScopeRule(public=True)

    class Meta:
        ordering = ["-year", "area_code"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        permissions = [("import_plan", _("Can import a plan and its targets from Excel"))]
        constraints = [models.UniqueConstraint(fields=["year", "area_code"], name="targets_plan_unique_year_area")]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("targets:plan_detail", args=[self.pk])


class Target(BaseModel):
    """One target of a plan: indicator ⟨comparator⟩ threshold, within a scope."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="targets")
    key = models.SlugField(_("key"), max_length=60, help_text=_("Stable identifier of the target within its plan."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    section = models.CharField(_("section"), max_length=100, blank=True)
    label = models.CharField(_("label"), max_length=200, help_text=_("The target's name as written in the plan."))
    wording = models.TextField(_("plan wording"), blank=True, help_text=_("The plan's own sentence."))
    indicator_code = models.CharField(_("indicator code"), max_length=100, db_index=True)
    comparator = models.CharField(_("comparator"), max_length=2, choices=Comparator.choices)
    threshold = models.DecimalField(_("threshold"), max_digits=14, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    area_code = models.CharField(_("area code"), max_length=12, blank=True,
                                 help_text=_("Empty: the plan's area."))
    department = models.ForeignKey("territory.Department", verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    feeds = models.TextField(_("fed by"), blank=True,
                             help_text=_("What will feed the indicator while it cannot be computed yet."))
    note = models.TextField(_("note"), blank=True, help_text=_("How the plan's wording was encoded, and why."))

    scope = ScopeRule(public=True)

    class Meta:
        ordering = ["plan", "order", "pk"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="targets_target_unique_key")]

    def __str__(self) -> str:
        return f"{self.label} {self.comparator_symbol} {self.threshold_display}{self.unit}"

    def get_absolute_url(self) -> str:
        return reverse("targets:target_detail", args=[self.pk])

    @property
    def comparator_symbol(self) -> str:
        return COMPARATOR_SYMBOLS.get(self.comparator, self.comparator)

    @property
    def threshold_display(self) -> str:
        return format_decimal(self.threshold)

    @property
    def scope_area_code(self) -> str:
        return self.area_code or self.plan.area_code

    def clean(self) -> None:
        if self.comparator not in Comparator.values:
            raise ValidationError({"comparator": _("Unknown comparator.")})


def format_decimal(value: Decimal | None) -> str:
    """1.2300 -> "1.23", 100.0000 -> "100"; None -> ""."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text


class AssessmentScheme(BaseModel):
    """A year's assessment (考核) of towns and target-management units: weighted items."""

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    title = models.CharField(_("title"), max_length=200)
    plan = models.ForeignKey(Plan, verbose_name=_("plan"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="assessment_schemes")
    area_code = models.CharField(_("area code"), max_length=12, default=default_area_code)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("data source"), max_length=300, blank=True)
    assess_towns = models.BooleanField(_("assess towns"), default=True)
    # Empty: every department of the area is assessed.
    departments = models.ManyToManyField("territory.Department", verbose_name=_("assessed departments"), blank=True,
                                         related_name="+")

    scope = ScopeRule(public=True)

    class Meta:
        ordering = ["-year", "area_code"]
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        permissions = [("export_assessmentscheme", _("Can export the assessment ranking"))]
        constraints = [
            models.UniqueConstraint(fields=["year", "area_code"], name="targets_scheme_unique_year_area")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("targets:assessment_detail", args=[self.pk])


class AssessmentItem(BaseModel):
    """One item of a scheme: computed from an indicator, scored by hand, or a veto."""

    scheme = models.ForeignKey(AssessmentScheme, verbose_name=_("scheme"), on_delete=models.CASCADE,
                               related_name="items")
    key = models.SlugField(_("key"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    max_score = models.DecimalField(_("maximum score"), max_digits=6, decimal_places=2, default=Decimal(0))
    indicator_code = models.CharField(_("indicator code"), max_length=100, blank=True)
    comparator = models.CharField(_("comparator"), max_length=2, choices=Comparator.choices, blank=True)
    threshold = models.DecimalField(_("threshold"), max_digits=14, decimal_places=4, null=True, blank=True)
    scoring_rule = models.CharField(_("scoring rule"), max_length=20, choices=ScoringRule.choices,
                                    default=ScoringRule.MET_FULL, blank=True)
    applies_to = models.CharField(_("applies to"), max_length=10, blank=True,
                                  choices=UnitKind.choices, help_text=_("Empty: towns and departments."))
    description = models.TextField(_("description"), blank=True)

    scope = ScopeRule(public=True)

    class Meta:
        ordering = ["scheme", "order", "pk"]
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items")
        constraints = [models.UniqueConstraint(fields=["scheme", "key"], name="targets_item_unique_key")]

    def __str__(self) -> str:
        return self.name

    def applies(self, unit_kind: str) -> bool:
        return not self.applies_to or self.applies_to == unit_kind

    def clean(self) -> None:
        if self.kind == ItemKind.COMPUTED and not (self.indicator_code and self.comparator and self.threshold is not None):
            raise ValidationError(_("A computed item needs an indicator, a comparator and a threshold."))
        if self.kind == ItemKind.VETO and self.indicator_code and not self.comparator:
            raise ValidationError(_("An automatic veto needs the comparator its indicator must satisfy."))


class AssessmentScore(BaseModel):
    """A hand-given score (or a hand-applied veto) of one unit on one item, with its note and scorer."""

    item = models.ForeignKey(AssessmentItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="scores")
    unit_kind = models.CharField(_("unit kind"), max_length=10, choices=UnitKind.choices)
    area = models.ForeignKey("territory.Area", verbose_name=_("town"), to_field="code", db_column="area_code",
                             null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("territory.Department", verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    vetoed = models.BooleanField(_("vetoed"), default=False)
    note = models.TextField(_("note"), blank=True)
    scorer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("scorer"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")

    # Assessment results are published to the units (通报); the pages are for government roles.
    scope = ScopeRule(public=True)

    class Meta:
        ordering = ["item", "unit_kind", "area", "department"]
        verbose_name = _("assessment score")
        verbose_name_plural = _("assessment scores")
        constraints = [
            models.UniqueConstraint(fields=["item", "area", "department"], name="targets_score_unique_unit",
                                    nulls_distinct=False),
            models.CheckConstraint(
                condition=(models.Q(unit_kind="town", area__isnull=False, department__isnull=True)
                           | models.Q(unit_kind="department", area__isnull=True, department__isnull=False)),
                name="targets_score_one_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.area or self.department}"

    def clean(self) -> None:
        if self.score is not None and self.item_id and not (0 <= self.score <= self.item.max_score):
            raise ValidationError({"score": _("The score must be between 0 and the item's maximum score.")})
