"""Users and their roles. A person may hold several roles; each role carries its scope."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.utilities.models import ChangeLoggedModel


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("District safety committee office (区安委办)")
    LEADER = "leader", _("District leader (区领导)")
    DEPARTMENT = "department", _("Member department (成员单位/行业主管部门)")
    TOWN = "town", _("Town / sub-district office (镇办)")
    INSPECTOR = "inspector", _("Inspector (执法人员)")
    ENTERPRISE = "enterprise", _("Enterprise safety manager (生产经营单位)")
    SYSADMIN = "sysadmin", _("System administrator (系统管理员)")
    SECADMIN = "secadmin", _("Security administrator (安全管理员)")
    AUDITOR = "auditor", _("Security auditor (安全审计员)")


BUSINESS_ROLES = frozenset(
    {Role.DISTRICT_ADMIN, Role.LEADER, Role.DEPARTMENT, Role.TOWN, Role.INSPECTOR, Role.ENTERPRISE}
)
SYSTEM_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})


class User(ChangeLoggedModel, AbstractUser):
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    changelog_exclude = ("password", "last_login")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def role_codes(self) -> frozenset[str]:
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            cached = frozenset(self.role_assignments.values_list("role", flat=True))
            self._role_codes = cached
        return cached

    @property
    def data_scope(self) -> Any:
        """The user's ``anjian.utilities.scoping.Scope``: one scope per role, computed once per
        user object (i.e. per request); read it through ``scope_for(user)``."""
        cached = getattr(self, "_data_scope", None)
        if cached is None:
            from .scopes import build_scope

            cached = self._data_scope = build_scope(self)
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_codes.intersection(roles))


class RoleAssignment(ChangeLoggedModel):
    """One role of a user, with the unit that bounds its data scope."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    area = models.ForeignKey(
        "territory.Area", verbose_name=_("area"), to_field="code", db_column="area_code",
        null=True, blank=True, on_delete=models.PROTECT,
    )
    department = models.ForeignKey(
        "territory.Department", verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("enterprise"), null=True, blank=True, on_delete=models.CASCADE
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "area", "department", "enterprise"], name="unique_role_assignment",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        unit = self.enterprise or self.department or self.area
        return f"{self.get_role_display()}: {unit}" if unit else str(self.get_role_display())

    def clean(self) -> None:
        need = {
            Role.TOWN: ("area", _("A town role needs its area.")),
            Role.DEPARTMENT: ("department", _("A department role needs its department.")),
            Role.ENTERPRISE: ("enterprise", _("An enterprise role needs its enterprise.")),
        }.get(self.role)  # type: ignore[call-overload]
        if need and getattr(self, need[0] + "_id") is None:
            raise ValidationError({need[0]: need[1]})
        if self.role == Role.INSPECTOR and not (self.area_id or self.department_id):
            raise ValidationError(_("An inspector belongs to a department or a town."))
