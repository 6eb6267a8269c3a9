from anjian.utilities.testing.scope import ScopeCase

from ..models import Area, Department, Sector

# Reference data: every business role reads it; the system roles see none.
SCOPE_CASES = [
    ScopeCase(Area, "areas", None, make=lambda world, enterprise: enterprise.area, public=True),
    ScopeCase(Sector, "sectors", None, make=lambda world, enterprise: enterprise.sectors.first(), public=True),
    ScopeCase(Department, "departments", None, make=lambda world, enterprise: world.dept_mines, public=True),
]
