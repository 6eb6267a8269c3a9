"""Indicators the targets app computes itself from the enterprise registry.

安全生产标准化创建 (plan 二(四)): the share of enterprises holding a
standardisation grade (一级/二级/三级/小微). The grade is the registry's current
value (the period is not used: a grade is a state, not an event).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from anjian.utilities.indicators import IndicatorResult, IndicatorScope, Period, indicator

HAZCHEM_SECTORS = ("chem_production", "chem_operation")  # 危险化学品生产 / 经营 (territory/data/sectors.json)


def _enterprises(scope: IndicatorScope, *, hazchem: bool = False, above_scale: bool = False) -> Any:
    from anjian.enterprises.models import Enterprise, EnterpriseStatus

    qs = Enterprise.objects.filter(status=EnterpriseStatus.OPERATING)
    if hazchem:
        through = Enterprise.sectors.through
        qs = qs.filter(pk__in=through.objects.filter(sector__code__in=HAZCHEM_SECTORS).values("enterprise_id"))
    if above_scale:
        qs = qs.filter(above_scale=True)
    return scope.restrict(qs, enterprise="pk")


GRADED = ~Q(standardisation_grade="")


def _rate(population: Any) -> IndicatorResult:
    graded = population.filter(GRADED)
    return IndicatorResult.ratio(graded.count(), population.count(), scale=100, places=2,
                                 rows=graded, denominator_rows=population)


def _grouped(population_of: Any) -> Any:
    """A grouped breakdown by town or department for a registry share (see targets/breakdown.py)."""

    def grouped(scope: IndicatorScope, period: Period, by: str, keys: Sequence[Any]) -> dict | None:
        from anjian.territory.models import Department

        if by in ("month", "ytd"):
            # A state, not events: every month shows the current share.
            r = _rate(population_of(scope))
            return {k: r for k in keys}
        if by == "town":
            counts = (population_of(scope).annotate(town=Substr("area_id", 1, 9))
                      .values("town").annotate(n=Count("pk"), done=Count("pk", filter=GRADED)))
            by_prefix = {row["town"]: row for row in counts}
            out = {}
            for code in keys:
                row = by_prefix.get(str(code)[:9], {"n": 0, "done": 0})
                out[code] = IndicatorResult.ratio(row["done"], row["n"], scale=100, places=2)
            return out
        if by == "department":
            from anjian.enterprises.models import Enterprise

            pop = population_of(scope)
            links = (Department.sectors.through.objects.filter(department_id__in=list(keys))
                     .values_list("department_id", "sector_id"))
            sectors_of: dict[int, set[int]] = {}
            for dept, sector in links:
                sectors_of.setdefault(dept, set()).add(sector)
            rows = (Enterprise.sectors.through.objects.filter(enterprise__in=pop.values("pk"))
                    .values_list("enterprise_id", "sector_id", "enterprise__standardisation_grade"))
            ents_of_sector: dict[int, set[int]] = {}
            graded: set[int] = set()
            for ent, sector, grade in rows:
                ents_of_sector.setdefault(sector, set()).add(ent)
                if grade:
                    graded.add(ent)
            out = {}
            for key in keys:
                ents: set[int] = set()
                for s in sectors_of.get(int(key), ()):
                    ents |= ents_of_sector.get(s, set())
                out[key] = IndicatorResult.ratio(len(ents & graded), len(ents), scale=100, places=2)
            return out
        return None

    return grouped


def _hazchem_population(scope: IndicatorScope) -> Any:
    return _enterprises(scope, hazchem=True)


def _above_scale_population(scope: IndicatorScope) -> Any:
    return _enterprises(scope, above_scale=True)


@indicator("targets.hazchem_standardisation_rate", _("Standardisation rate of hazardous-chemical producers and traders"),
           unit="%", better="higher", rows_label=_("enterprises"),
           description=_("Operating enterprises of 危险化学品生产/经营 holding a standardisation grade ÷ all of them."),
           tags=("projection:current",))
def hazchem_standardisation_rate(scope: IndicatorScope, period: Period) -> IndicatorResult:
    return _rate(_hazchem_population(scope))


@indicator("targets.above_scale_standardisation_rate", _("Standardisation rate of above-scale enterprises"),
           unit="%", better="higher", rows_label=_("enterprises"),
           description=_("Operating above-scale enterprises holding a standardisation grade ÷ all of them."),
           tags=("projection:current",))
def above_scale_standardisation_rate(scope: IndicatorScope, period: Period) -> IndicatorResult:
    return _rate(_above_scale_population(scope))


hazchem_standardisation_rate.breakdown = _grouped(_hazchem_population)  # type: ignore[attr-defined]
above_scale_standardisation_rate.breakdown = _grouped(_above_scale_population)  # type: ignore[attr-defined]
