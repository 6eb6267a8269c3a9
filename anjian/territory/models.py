"""Areas (by 12-digit statistical division code), departments and the sector catalogue."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.utilities.models import BaseModel
from anjian.utilities.scoping import ScopeRule, area_prefix


class AreaLevel(models.IntegerChoices):
    PROVINCE = 1, _("province")
    CITY = 2, _("city")
    COUNTY = 3, _("district / county")
    TOWN = 4, _("town / sub-district")
    COMMUNITY = 5, _("village / community")


class Area(BaseModel):
    """A node of the territory tree (统计用区划代码). Scope is a prefix match on the code."""

    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # GeoJSON geometry (Polygon/MultiPolygon, WGS84) for maps; towns of the demo district have one.
    geometry = models.JSONField(_("geometry"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    scope = ScopeRule(public=True)  # the territory tree is reference data

    class Meta:
        ordering = ["code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return area_prefix(self.code)

    @staticmethod
    def level_of(code: str) -> int:
        prefix = area_prefix(code)
        return {2: AreaLevel.PROVINCE, 4: AreaLevel.CITY, 6: AreaLevel.COUNTY, 9: AreaLevel.TOWN}.get(
            len(prefix), AreaLevel.COMMUNITY
        )


class Sector(BaseModel):
    """A sector of the catalogue (行业领域); hierarchical, maintained as data."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    industrial_commercial = models.BooleanField(
        _("industrial, mining and commerce (工矿商贸)"), default=False,
        help_text=_("Counts towards the deaths-per-100,000-workers indicator."),
    )
    high_risk = models.BooleanField(
        _("high-risk (高危)"), default=False, help_text=_("Compulsory safety-liability insurance."),
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    scope = ScopeRule(public=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        return self.name


class Department(BaseModel):
    """A member unit of the safety committee (安委会成员单位) or sector authority."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    area = models.ForeignKey(
        Area, verbose_name=_("area"), to_field="code", db_column="area_code", on_delete=models.PROTECT,
        related_name="departments",
    )
    sectors = models.ManyToManyField(Sector, verbose_name=_("supervised sectors"), blank=True, related_name="departments")
    is_safety_authority = models.BooleanField(
        _("comprehensive safety authority (应急管理/安监)"), default=False,
        help_text=_("Supervises every sector in its area."),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    scope = ScopeRule(public=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.short_name or self.name


class Supervision(models.Model):
    """The sectors each department supervises in effect: the sectors it names with all their
    sub-sectors; for a comprehensive safety authority, every sector of the catalogue.

    Derived from ``Department.sectors``, ``Department.is_safety_authority`` and the sector tree
    (``anjian.territory.supervision.rebuild``, run by signals on every change of those), never
    edited by hand. Every count "by department" and a department user's data scope go through it,
    so that a department's number on the dashboard, its breakdown cell and its own lists agree.
    """

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="supervision")
    sector = models.ForeignKey(Sector, on_delete=models.CASCADE, related_name="supervisions")

    class Meta:
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["department", "sector"], name="supervision_unique")]
        indexes = [models.Index(fields=["sector", "department"], name="supervision_sector")]
        verbose_name = _("supervised sector (in effect)")
        verbose_name_plural = _("supervised sectors (in effect)")

    def __str__(self) -> str:
        return f"{self.department_id}:{self.sector_id}"
