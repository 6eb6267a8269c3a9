"""Accidents (生产安全事故), their reports and investigation, and the statistics base (统计基数)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from anjian.core import clock
from anjian.files import checks
from anjian.files.fields import AttachmentField
from anjian.utilities.bounds import PEOPLE, text_validators
from anjian.utilities.models import BaseModel, ScopedQuerySet
from anjian.utilities.scoping import ScopeRule
from anjian.utilities.workflow import Transition, TransitionTable, WorkflowEvent

from .rules import Grade, grade_rules_for, reporting_rules_for

ACCIDENT_SCOPE = ScopeRule(enterprise="enterprise", area="area__code", sectors="sector")


def _scope_through(path: str) -> ScopeRule:
    """The accident's scope rule, reached from a child row through ``path``."""
    return ScopeRule(enterprise=f"{path}__enterprise", area=f"{path}__area__code", sectors=f"{path}__sector")


class AccidentTypeCode(BaseModel):
    """One accident type (事故类别) of a versioned code table: GB 6441-86 (20) or GB 6441-2025 (27)."""

    scheme = models.CharField(_("scheme"), max_length=30, help_text=_("The standard, e.g. GB 6441-86."))
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force until"), null=True, blank=True)
    source = models.TextField(_("source"), help_text=_("The standard, its clause and where its text was read."))

    scope = ScopeRule(public=True)

    class Meta:
        ordering = ["-effective_from", "sort_order", "code"]
        verbose_name = _("accident type")
        verbose_name_plural = _("accident types")
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="accident_type_scheme_code")]

    def __str__(self) -> str:
        return f"{self.label} ({self.scheme})"

    @property
    def label(self) -> str:
        if self.name_en and not (get_language() or "zh").startswith("zh"):
            return self.name_en
        return self.name

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


class AccidentQuerySet(ScopedQuerySet):
    def occurred_between(self, start, end):  # type: ignore[no-untyped-def]
        """Accidents with ``start <= occurred_at < end`` (aware datetimes)."""
        return self.filter(occurred_at__gte=start, occurred_at__lt=end)

    def in_year(self, year: int):  # type: ignore[no-untyped-def]
        from anjian.indicators.registry import Period

        period = Period.year(year)
        return self.occurred_between(period.start_dt, period.end_dt)


class Accident(BaseModel):
    number = models.CharField(_("accident number"), max_length=30, unique=True, blank=True,
                              help_text=_("Given when the accident is recorded (SG + year + 5-digit serial)."))
    occurred_at = models.DateTimeField(_("time of the accident"), db_index=True)
    place = models.CharField(_("place"), max_length=200)
    area = models.ForeignKey(
        "territory.Area", verbose_name=_("town / community"), to_field="code", db_column="area_code",
        on_delete=models.PROTECT, related_name="accidents",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("enterprise"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="accidents", help_text=_("Leave empty for an accident without an enterprise (on a road, say)."),
    )
    sector = models.ForeignKey("territory.Sector", verbose_name=_("sector"), on_delete=models.PROTECT,
                               related_name="accidents")
    accident_type = models.ForeignKey(AccidentTypeCode, verbose_name=_("accident type"), on_delete=models.PROTECT,
                                      related_name="accidents")
    deaths = models.PositiveIntegerField(_("deaths (incl. missing)"), default=0, validators=PEOPLE.validators())
    serious_injuries = models.PositiveIntegerField(_("serious injuries (incl. acute poisoning)"), default=0,
                                                   validators=PEOPLE.validators())
    minor_injuries = models.PositiveIntegerField(_("minor injuries"), default=0, validators=PEOPLE.validators())
    direct_loss = models.DecimalField(_("direct economic loss (yuan)"), max_digits=16, decimal_places=2,
                                      default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])
    special_equipment = models.BooleanField(_("special-equipment accident"), default=False)
    description = models.TextField(_("description"), validators=text_validators())
    causes = models.TextField(_("causes"), blank=True, validators=text_validators())
    reported_at = models.DateTimeField(_("first report received"))
    reported_by = models.CharField(_("reported by"), max_length=100, blank=True,
                                   help_text=_("The unit or person who made the first report."))
    # Computed on save from the versioned rules (stored so that lists and indicators can filter on it).
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices, default=Grade.GENERAL,
                             editable=False, db_index=True)
    grade_rule_set = models.CharField(_("grade rules"), max_length=40, blank=True, editable=False)
    reported_late = models.BooleanField(_("first report late"), default=False, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)

    scope = ACCIDENT_SCOPE
    objects = AccidentQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("accident")
        verbose_name_plural = _("accidents")
        permissions = [
            ("import_accident", _("Can import accidents from Excel")),
            ("export_accident", _("Can export accidents to Excel")),
        ]
        indexes = [
            models.Index(fields=["area"], name="accident_area_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["area", "occurred_at"], name="accident_area_time"),
            models.Index(fields=["sector", "occurred_at"], name="accident_sector_time"),
        ]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def next_number(year: int, taken: set[str] | None = None) -> str:
        """The next free number SG<year><5-digit serial> (a unique constraint guards against races)."""
        prefix = f"SG{year}"
        last = (Accident.objects.filter(number__startswith=prefix, number__regex=r"^SG\d{9}$")
                .order_by("-number").values_list("number", flat=True).first())
        serial = int(last[len(prefix):]) if last else 0
        while True:
            serial += 1
            number = f"{prefix}{serial:05d}"
            if not taken or number not in taken:
                return number

    @property
    def title(self) -> str:
        when = timezone.localtime(self.occurred_at) if self.occurred_at else None
        who = self.enterprise.name if self.enterprise_id and self.enterprise else self.place
        mark = f"“{when.month}·{when.day}”" if when else ""
        kind = self.accident_type.name if self.accident_type_id and self.accident_type else ""
        return _("{who} {mark} {kind} accident").format(who=who, mark=mark, kind=kind)

    @property
    def occurred_on(self) -> date:
        return timezone.localtime(self.occurred_at).date()

    # --- rules -----------------------------------------------------------------------------------------------
    def compute_grade(self) -> str:
        return grade_rules_for(self.occurred_at).grade(self.deaths, self.serious_injuries, self.direct_loss)

    @property
    def grade_rules_title(self) -> str:
        """The regulation the stored grade was computed by (its rule set's title)."""
        from .rules import grade_rule_set

        rules = grade_rule_set(self.grade_rule_set)
        return rules.title if rules else self.grade_rule_set

    @property
    def reporting_rules(self):  # type: ignore[no-untyped-def]
        return reporting_rules_for(self.occurred_at)

    @property
    def first_report_deadline(self):  # type: ignore[no-untyped-def]
        return self.occurred_at + timedelta(hours=self.reporting_rules.first_report_hours)

    @property
    def report_delay(self) -> timedelta | None:
        if not (self.reported_at and self.occurred_at):
            return None
        return self.reported_at - self.occurred_at

    @property
    def follow_up_window_days(self) -> int:
        t = self.accident_type
        return self.reporting_rules.follow_up_window_days(self.sector.code if self.sector_id else None,
                                                          t.scheme if t else None, t.code if t else None)

    @property
    def follow_up_last_day(self) -> date:
        """The last day on which a change of the toll is a 续报 (补报) that counts (第十三条)."""
        return self.occurred_on + timedelta(days=self.follow_up_window_days)

    def in_follow_up_window(self, at) -> bool:  # type: ignore[no-untyped-def]
        return timezone.localtime(at).date() <= self.follow_up_last_day

    @property
    def investigation_due(self) -> date:
        return self.occurred_on + timedelta(days=self.reporting_rules.investigation_days)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        from anjian.territory.models import AreaLevel

        if self.area_id and self.area.level not in (AreaLevel.TOWN, AreaLevel.COMMUNITY):
            errors.setdefault("area", []).append(_("An accident happens in a town or a community."))
        if self.occurred_at and self.occurred_at > clock.now() + timedelta(minutes=5):
            errors.setdefault("occurred_at", []).append(_("The time of the accident is in the future."))
        if self.occurred_at and self.reported_at and self.reported_at < self.occurred_at:
            errors.setdefault("reported_at", []).append(_("The first report cannot come before the accident."))
        if self.occurred_at and self.accident_type_id and not self.accident_type.in_force_on(self.occurred_on):
            errors.setdefault("accident_type", []).append(
                _("{scheme} is not in force on {day}; choose a type of the code table in force then.").format(
                    scheme=self.accident_type.scheme, day=self.occurred_on.isoformat())
            )
        if errors:
            raise ValidationError(errors)

    def apply_rules(self) -> None:
        """Set the computed fields (grade, its rule set, a late first report); ``save`` calls it,
        bulk writers (imports, the demo, the benchmark) call it themselves."""
        rules = grade_rules_for(self.occurred_at)
        self.grade = rules.grade(self.deaths, self.serious_injuries, self.direct_loss)
        self.grade_rule_set = rules.id
        self.reported_late = bool(self.reported_at and self.occurred_at and self.reported_at > self.first_report_deadline)

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.apply_rules()
        if not self.number and self.occurred_at:
            self.number = self.next_number(timezone.localtime(self.occurred_at).year)
        if "update_fields" in kwargs and kwargs["update_fields"] is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "grade", "grade_rule_set", "reported_late"}
        super().save(*args, **kwargs)


class ReportKind(models.TextChoices):
    FIRST = "first", _("first report (首报)")
    FOLLOW_UP = "follow_up", _("follow-up report (续报)")


class AccidentReport(BaseModel):
    """A report of the accident: the first one, and each 续报 with the toll at that time."""

    accident = models.ForeignKey(Accident, verbose_name=_("accident"), on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices)
    reported_at = models.DateTimeField(_("time of the report"))
    deaths = models.PositiveIntegerField(_("deaths (incl. missing)"), validators=PEOPLE.validators())
    serious_injuries = models.PositiveIntegerField(_("serious injuries (incl. acute poisoning)"),
                                                   validators=PEOPLE.validators())
    minor_injuries = models.PositiveIntegerField(_("minor injuries"), validators=PEOPLE.validators())
    direct_loss = models.DecimalField(_("direct economic loss (yuan)"), max_digits=16, decimal_places=2, null=True,
                                      blank=True, validators=[MinValueValidator(Decimal("0"))])
    text = models.TextField(_("text of the report"), blank=True, validators=text_validators())
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    within_window = models.BooleanField(
        _("within the follow-up window"), default=True,
        help_text=_("A change of the toll after the window is recorded but does not change the accident's figures."),
    )
    toll_changed = models.BooleanField(_("toll changed"), default=False)

    scope = _scope_through("accident")

    class Meta:
        ordering = ["reported_at", "id"]
        verbose_name = _("accident report")
        verbose_name_plural = _("accident reports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {timezone.localtime(self.reported_at):%Y-%m-%d %H:%M}"


class InvestigationStatus(models.TextChoices):
    ONGOING = "ongoing", _("under investigation")
    REPORTED = "reported", _("report submitted")
    APPROVED = "approved", _("report approved (批复)")
    CLOSED = "closed", _("closed (measures checked)")


class AccidentNature(models.TextChoices):
    LIABILITY = "liability", _("liability accident (责任事故)")
    NON_LIABILITY = "non_liability", _("non-liability accident (非责任事故)")


class Investigation(BaseModel):
    """The investigation (事故调查) of one accident, its report, 批复 and follow-up."""

    accident = models.OneToOneField(Accident, verbose_name=_("accident"), on_delete=models.CASCADE,
                                    related_name="investigation")
    status = models.CharField(_("status"), max_length=20, choices=InvestigationStatus.choices,
                              default=InvestigationStatus.ONGOING, db_index=True)
    organised_by = models.CharField(_("organised by"), max_length=100, blank=True,
                                    help_text=_("The government or the department it authorised (第十九条)."))
    leader = models.CharField(_("team leader"), max_length=50)
    members = models.TextField(_("team members"), blank=True)
    started_on = models.DateField(_("start date"))
    due_on = models.DateField(_("report due"), help_text=_("60 days from the accident (第二十九条), plus any extension."))
    extension_days = models.PositiveSmallIntegerField(_("extension (days)"), default=0)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    report_submitted_on = models.DateField(_("report submitted"), null=True, blank=True)
    report_file = AttachmentField(_("investigation report"), upload_to="accidents/reports/%Y/", blank=True,
                                  accept=checks.REPORTS)
    report_summary = models.TextField(_("summary of the report"), blank=True)
    direct_cause = models.TextField(_("direct cause"), blank=True)
    indirect_cause = models.TextField(_("indirect causes"), blank=True)
    nature = models.CharField(_("nature"), max_length=20, choices=AccidentNature.choices, blank=True)
    approved_on = models.DateField(_("approved (批复) on"), null=True, blank=True)
    approval_reference = models.CharField(_("approval document"), max_length=100, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    scope = _scope_through("accident")

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("investigation")
        verbose_name_plural = _("investigations")
        permissions = [("manage_investigation", _("Can conduct accident investigations"))]

    def __str__(self) -> str:
        return _("Investigation of {accident}").format(accident=self.accident)

    @property
    def rules(self):  # type: ignore[no-untyped-def]
        return self.accident.reporting_rules

    @property
    def is_overdue(self) -> bool:
        return self.status == InvestigationStatus.ONGOING and clock.today() > self.due_on

    @property
    def approval_due(self) -> date | None:
        if not self.report_submitted_on:
            return None
        return self.report_submitted_on + timedelta(days=self.rules.approval_window_days(self.accident.grade))

    # --- guards (the transition table below) ----------------------------------------------------------------
    def can_extend(self, days: int) -> bool:
        return (INVESTIGATION_TRANSITIONS.can(self, "extend", None)
                and 0 < days <= self.rules.investigation_max_extension_days - self.extension_days)

    def can_submit_report(self) -> bool:
        return INVESTIGATION_TRANSITIONS.can(self, "submit_report", None)

    def can_approve(self) -> bool:
        return INVESTIGATION_TRANSITIONS.can(self, "approve", None)

    def can_close(self) -> bool:
        return INVESTIGATION_TRANSITIONS.can(self, "close", None)

    def can_edit_findings(self) -> bool:
        return INVESTIGATION_TRANSITIONS.can(self, "edit_findings", None)

    def can_check_measures(self) -> bool:
        return INVESTIGATION_TRANSITIONS.can(self, "check_measures", None)


def _measures_checked(investigation: Investigation, user: object) -> str | None:
    if all(m.done for m in investigation.measures.all()):
        return None
    return _("Every rectification measure must be checked as carried out first.")


# The steps of an investigation. The role permission (accidents.manage_investigation, on the
# accident) is checked when the action locks the investigation; "" here.
INVESTIGATION_TRANSITIONS = TransitionTable(
    Transition("extend", (InvestigationStatus.ONGOING,), refused=_("Only an ongoing investigation can be extended.")),
    Transition("submit_report", (InvestigationStatus.ONGOING,), InvestigationStatus.REPORTED,
               refused=_("The report of this investigation has already been submitted.")),
    Transition("approve", (InvestigationStatus.REPORTED,), InvestigationStatus.APPROVED,
               refused=_("Only a submitted report can be approved.")),
    Transition("close", (InvestigationStatus.APPROVED,), InvestigationStatus.CLOSED, guards=(_measures_checked,),
               refused=_("Only an investigation whose report is approved can be closed.")),
    Transition("edit_findings", (InvestigationStatus.ONGOING, InvestigationStatus.REPORTED),
               refused=_("The findings of an approved report cannot be changed.")),
    Transition("check_measures", (InvestigationStatus.REPORTED, InvestigationStatus.APPROVED),
               refused=_("Measures are checked once the report is submitted and until the case is closed.")),
)


class MeasureKind(models.TextChoices):
    CRIMINAL = "criminal", _("transferred to the judiciary")
    PARTY = "party", _("party discipline")
    ADMINISTRATIVE = "administrative", _("administrative sanction")
    FINE = "fine", _("fine")
    ORGANISATIONAL = "organisational", _("organisational measure")
    OTHER = "other", _("other")


class Accountability(BaseModel):
    """One person or unit held responsible (责任追究) and the measure proposed or taken."""

    investigation = models.ForeignKey(Investigation, verbose_name=_("investigation"), on_delete=models.CASCADE,
                                      related_name="accountabilities")
    person = models.CharField(_("person or unit"), max_length=100)
    position = models.CharField(_("position"), max_length=100, blank=True)
    measure = models.CharField(_("measure"), max_length=20, choices=MeasureKind.choices)
    details = models.TextField(_("details"), blank=True)
    fine_yuan = models.DecimalField(_("fine (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True,
                                    validators=[MinValueValidator(Decimal("0"))])

    scope = _scope_through("investigation__accident")

    class Meta:
        ordering = ["id"]
        verbose_name = _("accountability")
        verbose_name_plural = _("accountability")

    def __str__(self) -> str:
        return f"{self.person}: {self.get_measure_display()}"


class RectificationMeasure(BaseModel):
    """A preventive / rectification measure of the report (防范和整改措施) and its follow-up check."""

    investigation = models.ForeignKey(Investigation, verbose_name=_("investigation"), on_delete=models.CASCADE,
                                      related_name="measures")
    measure = models.TextField(_("measure"))
    responsible = models.CharField(_("responsible unit"), max_length=100, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    done = models.BooleanField(_("carried out"), default=False)
    checked_on = models.DateField(_("checked on"), null=True, blank=True)
    check_result = models.TextField(_("result of the check"), blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checked by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scope = _scope_through("investigation__accident")

    class Meta:
        ordering = ["id"]
        verbose_name = _("rectification measure")
        verbose_name_plural = _("rectification measures")

    def __str__(self) -> str:
        return self.measure[:60]

    @property
    def is_overdue(self) -> bool:
        return not self.done and self.deadline is not None and clock.today() > self.deadline


class EventKind(models.TextChoices):
    RECORDED = "recorded", _("accident recorded")
    FOLLOW_UP = "follow_up", _("follow-up report")
    GRADE_CHANGED = "grade_changed", _("grade changed")
    INVESTIGATION_STARTED = "investigation_started", _("investigation started")
    INVESTIGATION_EXTENDED = "investigation_extended", _("investigation extended")
    REPORT_SUBMITTED = "report_submitted", _("investigation report submitted")
    REPORT_APPROVED = "report_approved", _("investigation report approved")
    ACCOUNTABILITY_ADDED = "accountability_added", _("accountability recorded")
    MEASURE_ADDED = "measure_added", _("rectification measure recorded")
    MEASURE_CHECKED = "measure_checked", _("rectification measure checked")
    CLOSED = "closed", _("investigation closed")


class AccidentEvent(WorkflowEvent):
    """One line of an accident's timeline, written by the domain actions (``AccidentEvent.record``)."""

    subject_field = "accident"

    accident = models.ForeignKey(Accident, verbose_name=_("accident"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("event"), max_length=40, choices=EventKind.choices)

    scope = _scope_through("accident")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("accident event")
        verbose_name_plural = _("accident events")

    def __str__(self) -> str:
        return self.action_label


# The figures of a statistics base: (field, unit) in the order forms, lists and Excel show them.
BASE_FIGURES = (
    ("gdp", "gdp_source"),
    ("industrial_employees", "industrial_employees_source"),
    ("special_equipment_units", "special_equipment_units_source"),
    ("schools", "schools_source"),
    ("villages_communities", "villages_communities_source"),
    ("above_scale_enterprises", "above_scale_enterprises_source"),
)


class StatisticsBase(BaseModel):
    """统计基数: the denominators of the year's rates for one area (the district or a town)."""

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990)])
    area = models.ForeignKey("territory.Area", verbose_name=_("area"), to_field="code", db_column="area_code",
                             on_delete=models.PROTECT, related_name="statistics_bases")
    gdp = models.DecimalField(_("GDP (100 million yuan, 亿元)"), max_digits=14, decimal_places=4, null=True,
                              blank=True, validators=[MinValueValidator(Decimal("0"))])
    gdp_source = models.CharField(_("source of the GDP"), max_length=200, blank=True)
    industrial_employees = models.PositiveIntegerField(_("employees in industry, mining and commerce (工矿商贸)"),
                                                       null=True, blank=True)
    industrial_employees_source = models.CharField(_("source of the employees"), max_length=200, blank=True)
    special_equipment_units = models.PositiveIntegerField(_("special-equipment units"), null=True, blank=True)
    special_equipment_units_source = models.CharField(_("source of the special-equipment units"), max_length=200,
                                                      blank=True)
    schools = models.PositiveIntegerField(_("schools"), null=True, blank=True)
    schools_source = models.CharField(_("source of the schools"), max_length=200, blank=True)
    villages_communities = models.PositiveIntegerField(_("villages and communities"), null=True, blank=True)
    villages_communities_source = models.CharField(_("source of the villages and communities"), max_length=200,
                                                   blank=True)
    above_scale_enterprises = models.PositiveIntegerField(_("above-scale enterprises (规模以上)"), null=True,
                                                          blank=True)
    above_scale_enterprises_source = models.CharField(_("source of the above-scale enterprises"), max_length=200,
                                                      blank=True)
    note = models.TextField(_("note"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    # Published statistics: every business role may read them; only the district office edits them.
    scope = ScopeRule(public=True)

    class Meta:
        ordering = ["-year", "area"]
        verbose_name = _("statistics base")
        verbose_name_plural = _("statistics bases")
        permissions = [("import_statisticsbase", _("Can import statistics bases from Excel"))]
        constraints = [models.UniqueConstraint(fields=["year", "area"], name="statistics_base_year_area")]

    def __str__(self) -> str:
        return _("{area} {year} statistics base").format(area=self.area, year=self.year)
