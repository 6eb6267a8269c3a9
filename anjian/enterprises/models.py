"""The enterprise registry (生产经营单位)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.accounts.models import Role
from anjian.utilities.bounds import EMPLOYEES
from anjian.utilities.models import BaseModel
from anjian.utilities.scoping import ScopeRule
from anjian.utilities.writable import WritableFields

from .validators import validate_credit_code, validate_phone


class EnterpriseStatus(models.TextChoices):
    OPERATING = "operating", _("operating")
    SUSPENDED = "suspended", _("suspended")
    CLOSED = "closed", _("closed")


class StandardisationGrade(models.TextChoices):
    NONE = "", _("none")
    GRADE1 = "grade1", _("grade 1 (一级)")
    GRADE2 = "grade2", _("grade 2 (二级)")
    GRADE3 = "grade3", _("grade 3 (三级)")
    SMALL = "small", _("small and micro (小微)")


# What an enterprise's own safety manager may correct in its record.
CONTACT_FIELDS = ("safety_manager", "safety_manager_phone", "address", "employees")
# The whole record, kept by the district office, the towns and the supervising departments.
REGISTRY_FIELDS = (
    "credit_code", "name", "address", "area", "sectors", "departments", "above_scale", "key_enterprise",
    "employees", "legal_representative", "safety_manager", "safety_manager_phone", "latitude", "longitude",
    "status", "standardisation_grade", "established_on",
)


class Enterprise(BaseModel):
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    name = models.CharField(_("name"), max_length=200, db_index=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    area = models.ForeignKey(
        "territory.Area", verbose_name=_("town / community"), to_field="code", db_column="area_code",
        on_delete=models.PROTECT, related_name="enterprises",
    )
    sectors = models.ManyToManyField("territory.Sector", verbose_name=_("sectors"), related_name="enterprises")
    departments = models.ManyToManyField(
        "territory.Department", verbose_name=_("supervising departments"), blank=True, related_name="enterprises"
    )
    above_scale = models.BooleanField(_("above designated size (规模以上)"), default=False)
    key_enterprise = models.BooleanField(_("key enterprise (重点企业)"), default=False)
    employees = models.PositiveIntegerField(_("employees"), default=0, validators=EMPLOYEES.validators())
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    safety_manager = models.CharField(_("safety manager"), max_length=50, blank=True)
    safety_manager_phone = models.CharField(_("safety manager's phone"), max_length=20, blank=True,
                                            validators=[validate_phone])
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
                                   validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
                                    validators=[MinValueValidator(-180), MaxValueValidator(180)])
    status = models.CharField(_("status"), max_length=20, choices=EnterpriseStatus.choices,
                              default=EnterpriseStatus.OPERATING, db_index=True)
    standardisation_grade = models.CharField(_("standardisation grade"), max_length=10,
                                             choices=StandardisationGrade.choices, blank=True, default="")
    # 成立日期: the months before it do not count in the enterprise's coverage (inspections.coverage).
    # Unknown (empty): it counts in every month, as before the field existed.
    established_on = models.DateField(_("established on (成立日期)"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    scope = ScopeRule(enterprise="pk", area="area__code", sectors="sectors", departments="departments")
    # The fields each role writes, on the form and through the API (anjian.utilities.writable).
    writable = WritableFields({
        Role.DISTRICT_ADMIN: REGISTRY_FIELDS, Role.TOWN: REGISTRY_FIELDS, Role.DEPARTMENT: REGISTRY_FIELDS,
        Role.ENTERPRISE: CONTACT_FIELDS,
    })

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        permissions = [
            ("import_enterprise", _("Can import enterprises from Excel")),
            ("export_enterprise", _("Can export enterprises to Excel")),
        ]
        indexes = [
            # Prefix scans on the area code (town scope, district filter) on PostgreSQL.
            models.Index(fields=["area"], name="enterprise_area_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["area", "name"], name="enterprise_area_name"),
        ]

    def __str__(self) -> str:
        return self.name
