from anjian.utilities.testing.scope import ScopeCase

from ..models import Enterprise

SCOPE_CASES = [
    ScopeCase(Enterprise, "enterprises", "enterprises:list", make=lambda world, enterprise: enterprise,
              detail_page="enterprises:detail", writable={"employees": 7}),
]
