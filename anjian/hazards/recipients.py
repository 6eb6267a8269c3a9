"""Who is told about a hazard, and who answers for it: the enterprise's users, the
town of its area (属地), the departments of its sectors (行业), the district."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from anjian.accounts.models import Role, User


def town_code(area_code: str) -> str:
    """The town (镇办) a 12-digit area code belongs to: 410199001001 → 410199001000."""
    return area_code[:9] + "000"


def district_code(area_code: str) -> str:
    return area_code[:6] + "000000"


def enterprise_users(enterprise_id: int) -> QuerySet[User]:
    return User.objects.filter(is_active=True, role_assignments__role=Role.ENTERPRISE,
                               role_assignments__enterprise_id=enterprise_id).distinct()


def town_users(code: str) -> QuerySet[User]:
    return User.objects.filter(is_active=True, role_assignments__role=Role.TOWN,
                               role_assignments__area_id=code).distinct()


def department_users(department_id: int) -> QuerySet[User]:
    return User.objects.filter(is_active=True, role_assignments__role=Role.DEPARTMENT,
                               role_assignments__department_id=department_id).distinct()


def district_users(code: str) -> QuerySet[User]:
    return User.objects.filter(is_active=True, role_assignments__role=Role.DISTRICT_ADMIN).filter(
        Q(role_assignments__area_id=code) | Q(role_assignments__area__isnull=True)).distinct()


def responsible_departments(enterprise: Any) -> list[Any]:
    """The departments answering for an enterprise: its named supervising departments, or
    else those supervising its sectors (or their parent sectors); never the comprehensive
    authority, which is the district's own office (``territory.supervision.departments_supervising``,
    the reverse of what a department's users see)."""
    from anjian.territory.supervision import departments_supervising

    named = list(enterprise.departments.filter(is_safety_authority=False))
    if named:
        return named
    return list(departments_supervising([s.pk for s in enterprise.sectors.all()], authority=False))


def officials_for(hazard: Any) -> list[User]:
    """Officials to tell when an enterprise acts: the reporter if an official, else the town's users."""
    reporter = hazard.reporter
    if reporter is not None and not reporter.has_role(Role.ENTERPRISE):
        return [reporter]
    return list(town_users(town_code(hazard.enterprise.area_id)))
