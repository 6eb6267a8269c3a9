"""Test helpers shared by every app: a small two-town world with one persona per
role, the generic data-scope cases, query counting.

Personas (all with password ``Demo@2017``):

=============  ==========================================  ========================
persona        role                                        sees enterprises
=============  ==========================================  ========================
district       district_admin                              north, south
leader         leader                                      north, south
dept_mines     department "mines" (supervises 非煤矿山)    north (非煤矿山)
town_north     town 北镇                                    north
inspector      inspector of 北镇                            north
ent_north      enterprise "north"                          north
ent_leader     enterprise "north" + leader of the district north, south (changes north)
town_inspector town 北镇 + inspector of 南镇                 north, south (changes north)
sysadmin       sysadmin                                    none
auditor        auditor                                     none
=============  ==========================================  ========================

The two last business personas hold several roles (SPEC §0): they see the union of their
roles' scopes, and a permission on a row comes from one role whose own scope holds it
(``World.ROLES``: each role with the enterprises its own scope holds).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

PASSWORD = "Demo@2017"  # noqa: S105
DISTRICT = "410199000000"
NORTH = "410199001000"
NORTH_COMMUNITY = "410199001001"
SOUTH = "410199002000"
SOUTH_COMMUNITY = "410199002001"

# Credit codes with valid check characters (GB 32100-2015).
NORTH_CODE = "91410199MA0000001B"
SOUTH_CODE = "91410199MA0000002E"


def valid_credit_code(serial: int, prefix: str = "91410199MA") -> str:
    """A valid 18-character credit code for a test or demo serial number."""
    from anjian.enterprises.validators import ALPHABET, check_character

    body = prefix
    n = serial
    digits = []
    for _ in range(17 - len(prefix)):
        digits.append(ALPHABET[n % 31])
        n //= 31
    body += "".join(reversed(digits))
    return body + check_character(body)


@dataclass
class World:
    district: Any
    north: Any
    south: Any
    north_community: Any
    south_community: Any
    mines_sector: Any
    retail_sector: Any
    dept_mines: Any
    dept_commerce: Any
    ent_north: Any
    ent_south: Any
    users: dict[str, Any] = field(default_factory=dict)

    # persona -> enterprises (attribute names) the persona may see
    VISIBLE = {
        "district": {"ent_north", "ent_south"},
        "leader": {"ent_north", "ent_south"},
        "dept_mines": {"ent_north"},
        "town_north": {"ent_north"},
        "inspector": {"ent_north"},
        "ent_north": {"ent_north"},
        "ent_leader": {"ent_north", "ent_south"},
        "town_inspector": {"ent_north", "ent_south"},
        "sysadmin": set(),
        "auditor": set(),
    }

    # persona -> [(role, enterprises that role's own scope holds)]; one entry for a single role.
    ROLES = {
        "ent_leader": [("enterprise", {"ent_north"}), ("leader", {"ent_north", "ent_south"})],
        "town_inspector": [("town", {"ent_north"}), ("inspector", {"ent_south"})],
    }
    MULTI_ROLE = tuple(ROLES)

    def acting_on(self, persona: str, perm: str) -> set[str]:
        """The enterprises (attribute names) whose rows ``persona`` may act on with ``perm``: the
        union of the scopes of its roles that grant ``perm`` (the role table decides which)."""
        from anjian.accounts.permissions import role_grants_one

        roles = self.ROLES.get(persona)
        if roles is None:
            role = self.users[persona].role_assignments.get().role
            roles = [(role, self.VISIBLE[persona])]
        return {name for role, names in roles if role_grants_one(role, perm) for name in names}

    def visible_enterprises(self, persona: str) -> set[Any]:
        return {getattr(self, name) for name in self.VISIBLE[persona]}


def make_world() -> World:
    from anjian.accounts.models import Role, RoleAssignment, User
    from anjian.enterprises.models import Enterprise
    from anjian.territory.models import Area, AreaLevel, Department, Sector

    district = Area.objects.create(code=DISTRICT, name="示范区", level=AreaLevel.COUNTY)
    north = Area.objects.create(code=NORTH, name="北镇", level=AreaLevel.TOWN, parent=district)
    south = Area.objects.create(code=SOUTH, name="南镇", level=AreaLevel.TOWN, parent=district)
    north_c = Area.objects.create(code=NORTH_COMMUNITY, name="北一社区", level=AreaLevel.COMMUNITY, parent=north)
    south_c = Area.objects.create(code=SOUTH_COMMUNITY, name="南一社区", level=AreaLevel.COMMUNITY, parent=south)
    mines = Sector.objects.get(code="non_coal_mine")
    retail = Sector.objects.get(code="retail")
    dept_mines = Department.objects.create(code="mines", name="矿山监管局", area=district)
    dept_mines.sectors.add(mines)
    dept_commerce = Department.objects.create(code="commerce", name="商务局", area=district)
    dept_commerce.sectors.add(Sector.objects.get(code="commerce"))
    ent_north = Enterprise.objects.create(credit_code=NORTH_CODE, name="北方矿业有限公司", area=north_c, employees=120,
                                          key_enterprise=True, above_scale=True)
    ent_north.sectors.add(mines)
    ent_south = Enterprise.objects.create(credit_code=SOUTH_CODE, name="南方商贸有限公司", area=south_c, employees=30)
    ent_south.sectors.add(retail)
    world = World(district, north, south, north_c, south_c, mines, retail, dept_mines, dept_commerce,
                  ent_north, ent_south)
    specs = {
        "district": dict(role=Role.DISTRICT_ADMIN, area=district),
        "leader": dict(role=Role.LEADER, area=district),
        "dept_mines": dict(role=Role.DEPARTMENT, department=dept_mines),
        "town_north": dict(role=Role.TOWN, area=north),
        "inspector": dict(role=Role.INSPECTOR, area=north),
        "ent_north": dict(role=Role.ENTERPRISE, enterprise=ent_north),
        "ent_leader": [dict(role=Role.ENTERPRISE, enterprise=ent_north), dict(role=Role.LEADER, area=district)],
        "town_inspector": [dict(role=Role.TOWN, area=north), dict(role=Role.INSPECTOR, area=south)],
        "sysadmin": dict(role=Role.SYSADMIN),
        "auditor": dict(role=Role.AUDITOR),
    }
    for name, spec in specs.items():
        user = User.objects.create_user(username=name, password=PASSWORD, full_name=name)
        for one in spec if isinstance(spec, list) else [spec]:
            RoleAssignment.objects.create(user=user, **one)
        world.users[name] = user
    return world


class CountQueries(CaptureQueriesContext):
    """``with CountQueries() as q: ...; q.count``"""

    def __init__(self) -> None:
        super().__init__(connection)

    @property
    def count(self) -> int:
        return len(self.captured_queries)
