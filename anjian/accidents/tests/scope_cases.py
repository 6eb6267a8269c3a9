from anjian.utilities.testing.scope import ScopeCase

from ..models import (
    Accident,
    AccidentEvent,
    AccidentReport,
    AccidentTypeCode,
    Accountability,
    Investigation,
    RectificationMeasure,
    StatisticsBase,
)
from . import factories as f


def _type(world, enterprise):
    return AccidentTypeCode.objects.create(scheme="TEST", code=f"T{enterprise.pk}", name="测试",
                                           effective_from="2000-01-01", source="test")


def _base(world, enterprise):
    return f.make_base(enterprise.area, year=2000 + enterprise.pk % 50)


SCOPE_CASES = [
    ScopeCase(Accident, "accidents", "accidents:list", make=lambda world, e: f.make_accident(enterprise=e),
              detail_page="accidents:detail", writable={"place": "elsewhere"}),
    ScopeCase(StatisticsBase, "statistics-bases", "accidents:bases", make=_base, detail_page="accidents:base_detail",
              public=True),
    ScopeCase(AccidentTypeCode, "accident-types", None, make=_type, public=True),
    # Rows shown only on the accident's detail page (their visibility is proven in test_child_scope.py).
    ScopeCase(AccidentReport, None, None, make=lambda world, e: f.make_accident(enterprise=e).reports.get()),
    ScopeCase(Investigation, None, None, make=lambda world, e: f.make_investigation(f.make_accident(enterprise=e))),
    ScopeCase(Accountability, None, None, make=lambda world, e: f.make_accountability(f.make_accident(enterprise=e))),
    ScopeCase(RectificationMeasure, None, None, make=lambda world, e: f.make_measure(f.make_accident(enterprise=e))),
    ScopeCase(AccidentEvent, None, None, make=lambda world, e: f.make_event(f.make_accident(enterprise=e))),
]
