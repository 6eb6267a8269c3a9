"""How roles turn into data scopes (used by ``anjian.utilities.scoping.scope_for``)."""

from __future__ import annotations

from django.conf import settings

from anjian.utilities.scoping import Scope, area_prefix

from .models import BUSINESS_ROLES, Role, User


def build_scope(user: User) -> Scope:
    from anjian.territory.models import Department

    prefixes: set[str] = set()
    departments: set[int] = set()
    enterprises: set[int] = set()
    roles: set[str] = set()
    for a in user.role_assignments.all():
        roles.add(a.role)
        if a.role in (Role.DISTRICT_ADMIN, Role.LEADER):
            prefixes.add(area_prefix(a.area_id or settings.ANJIAN_DISTRICT_CODE))
        elif a.role == Role.TOWN and a.area_id:
            prefixes.add(area_prefix(a.area_id))
        elif a.role == Role.DEPARTMENT and a.department_id:
            departments.add(a.department_id)
        elif a.role == Role.INSPECTOR:
            if a.area_id:
                prefixes.add(area_prefix(a.area_id))
            if a.department_id:
                departments.add(a.department_id)
        elif a.role == Role.ENTERPRISE and a.enterprise_id:
            enterprises.add(a.enterprise_id)
    sector_ids: set[int] = set()
    if departments:
        from anjian.territory.supervision import sectors_of

        authorities = set(Department.objects.filter(pk__in=departments, is_safety_authority=True)
                          .values_list("pk", "area_id"))
        # The comprehensive authority supervises every sector of its area.
        for _pk, area in authorities:
            prefixes.add(area_prefix(area))
        # Other departments: the sectors they supervise in effect, sub-sectors included
        # (anjian.territory.models.Supervision, as every count by department).
        others = departments - {pk for pk, _area in authorities}
        for sectors in sectors_of(others).values():
            sector_ids |= sectors
    return Scope(
        area_prefixes=tuple(sorted(prefixes)),
        department_ids=tuple(sorted(departments)),
        sector_ids=tuple(sorted(sector_ids)),
        enterprise_ids=tuple(sorted(enterprises)),
        business=bool(roles & BUSINESS_ROLES),
        roles=frozenset(roles),
    )
