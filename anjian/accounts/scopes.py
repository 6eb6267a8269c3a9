"""How roles turn into data scopes: one ``RoleScope`` per role assignment, their union the user's
``Scope`` (``anjian.utilities.scoping``). ``User.data_scope`` computes it once per user object."""

from __future__ import annotations

from django.conf import settings

from anjian.utilities.scoping import RoleScope, Scope, area_prefix

from .models import BUSINESS_ROLES, Role, RoleAssignment, User
from .permissions import role_grants_one


def build_scope(user: User) -> Scope:
    from anjian.territory.supervision import reach_of

    assignments = list(user.role_assignments.all())
    reach = reach_of({a.department_id for a in assignments if a.department_id
                      and a.role in (Role.DEPARTMENT, Role.INSPECTOR)})
    return Scope(tuple(role_scope(a, reach) for a in assignments), grants=role_grants_one)


def role_scope(a: RoleAssignment, reach: dict) -> RoleScope:
    """The scope of one role assignment; ``reach``: {department: its ``territory.supervision.Reach``}."""
    prefixes: set[str] = set()
    departments: set[int] = set()
    sectors: set[int] = set()
    enterprises: set[int] = set()
    if a.role in (Role.DISTRICT_ADMIN, Role.LEADER):
        prefixes.add(area_prefix(a.area_id or settings.ANJIAN_DISTRICT_CODE))
    elif a.role == Role.TOWN and a.area_id:
        prefixes.add(area_prefix(a.area_id))
    elif a.role == Role.ENTERPRISE and a.enterprise_id:
        enterprises.add(a.enterprise_id)
    if a.role == Role.INSPECTOR and a.area_id:
        prefixes.add(area_prefix(a.area_id))
    if a.role in (Role.DEPARTMENT, Role.INSPECTOR) and a.department_id:
        departments.add(a.department_id)
        what = reach[a.department_id]
        prefixes.update(what.area_prefixes)  # the safety authority: its whole area
        sectors.update(what.sector_ids)
    return RoleScope(
        role=a.role, area_prefixes=tuple(sorted(prefixes)), department_ids=tuple(sorted(departments)),
        sector_ids=tuple(sorted(sectors)), enterprise_ids=tuple(sorted(enterprises)),
        business=a.role in BUSINESS_ROLES,
    )
