from anjian.utilities.testing.scope import ScopeCase

from ..models import Area, AreaLevel, Department, Sector


def _community(world, i):  # type: ignore[no-untyped-def]
    return Area.objects.create(code=f"410199001{101 + i:03d}", name=f"北{i}村", level=AreaLevel.COMMUNITY,
                               parent=world.north)


def _sector(world, i):  # type: ignore[no-untyped-def]
    return Sector.objects.create(code=f"extra_{i}", name=f"其他行业{i}", parent=world.mines_sector)


def _department(world, i):  # type: ignore[no-untyped-def]
    department = Department.objects.create(code=f"extra-{i}", name=f"成员单位{i}", area=world.district)
    department.sectors.add(world.mines_sector)
    return department


# Reference data: every business role reads it; the system roles see none.
SCOPE_CASES = [
    ScopeCase(Area, "areas", None, make=lambda world, enterprise: enterprise.area, public=True, more=_community),
    ScopeCase(Sector, "sectors", None, make=lambda world, enterprise: enterprise.sectors.first(), public=True,
              more=_sector),
    ScopeCase(Department, "departments", None, make=lambda world, enterprise: world.dept_mines, public=True,
              more=_department),
]
