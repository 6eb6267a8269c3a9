"""Indicators the targets app computes itself from the enterprise registry.

安全生产标准化创建 (plan 二(四)): the share of enterprises holding a
standardisation grade (一级/二级/三级/小微). The grade is the registry's current
value (the period is not used: a grade is a state, not an event), so every month of
a trend shows the current share.

Both indicators form one family (``FAMILY``): one query counts both populations, by
town in one GROUP BY, by department or sector in another (DISTINCT: an enterprise in
two sectors counts once in a department supervising both).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from anjian.indicators.registry import (
    Family,
    IndicatorResult,
    IndicatorScope,
    Period,
    indicator,
    unit_scope,
)

HAZCHEM_SECTORS = ("chem_production", "chem_operation")  # 危险化学品生产 / 经营 (territory/data/sectors.json)
HAZCHEM = "targets.hazchem_standardisation_rate"
ABOVE_SCALE = "targets.above_scale_standardisation_rate"
GRADED = ~Q(standardisation_grade="")


def _hazchem_q() -> Q:
    from anjian.enterprises.models import Enterprise

    through = Enterprise.sectors.through
    return Q(Exists(through.objects.filter(enterprise=OuterRef("pk"), sector__code__in=HAZCHEM_SECTORS)))


# code -> which operating enterprises count
POPULATIONS: dict[str, Callable[[], Q]] = {HAZCHEM: _hazchem_q, ABOVE_SCALE: lambda: Q(above_scale=True)}


def _operating(scope: IndicatorScope) -> QuerySet:
    from anjian.enterprises.models import Enterprise, EnterpriseStatus

    return scope.restrict(Enterprise.objects.filter(status=EnterpriseStatus.OPERATING), enterprise="pk")


def population(code: str, scope: IndicatorScope) -> QuerySet:
    return _operating(scope).filter(POPULATIONS[code]())


def _counts(codes: Sequence[str], distinct: bool = False) -> dict[str, Count]:
    out = {}
    for code in codes:
        q = _in_population(code)
        out[f"{code}:n"] = Count("pk", filter=q, distinct=distinct)
        out[f"{code}:done"] = Count("pk", filter=q & GRADED, distinct=distinct)
    return out


def _result(code: str, figures: dict[str, int], scope: IndicatorScope) -> IndicatorResult:
    return IndicatorResult.ratio(
        figures.get(f"{code}:done") or 0, figures.get(f"{code}:n") or 0, scale=100, places=2,
        rows=SimpleLazyObject(lambda: population(code, scope).filter(GRADED)),  # type: ignore[arg-type]
        denominator_rows=SimpleLazyObject(lambda: population(code, scope)))  # type: ignore[arg-type]


def compute_many(codes: Sequence[str], scope: IndicatorScope, period: Period) -> dict[str, IndicatorResult]:
    figures = _operating(scope).aggregate(**_counts(codes))
    return {code: _result(code, figures, scope) for code in codes}


def _within(scope: IndicatorScope, keys: Sequence[Any]) -> bool:
    from anjian.utilities.scoping import area_prefix

    return not scope.area_code or all(
        area_prefix(str(k)).startswith(area_prefix(scope.area_code)) for k in keys)


def breakdown_many(codes: Sequence[str], scope: IndicatorScope, period: Period, by: str,
                   keys: Sequence[Any]) -> dict[str, dict[Any, IndicatorResult]] | None:
    """By town, department or sector: one GROUP BY; by month or ytd: the current share."""
    if by in ("month", "ytd"):
        now = compute_many(codes, scope, period)
        return {code: dict.fromkeys(keys, now[code]) for code in codes}
    if by not in ("town", "department", "sector"):
        return None
    if by == "town":
        inner = scope if _within(scope, keys) else replace(scope, area_code=None)
        rows = (_operating(inner).annotate(_g=Substr("area_id", 1, 9)).values("_g")
                .annotate(**_counts(codes)).order_by())
        norm: Callable[[Any], Any] = lambda k: str(k)[:9]  # noqa: E731
    else:
        path = "sectors__supervisions__department" if by == "department" else "sectors"
        inner = replace(scope, **{f"{by}_id": None})
        rows = (_operating(inner).annotate(_g=F(path)).filter(_g__in=[int(k) for k in keys]).values("_g")
                .annotate(**_counts(codes, distinct=True)).order_by())
        norm = int
    by_group = {row["_g"]: row for row in rows}
    return {code: {k: _result(code, by_group.get(norm(k), {}), unit_scope(scope, by, k)) for k in keys}
            for code in codes}


def _answer_departments(shape: Any, reqs: Sequence[Any]) -> dict[Any, Any]:
    """By department: one flag row per operating enterprise, summed over each department's
    enterprises (``anjian.indicators.batching.by_department``): no COUNT(DISTINCT)."""
    from django.db.models import Case, IntegerField, Value, When

    from anjian.indicators.batching import by_department

    codes = list(dict.fromkeys(r.ind.code for r in reqs))
    scope = replace(shape.scope, department_id=None)

    def flag(q: Q) -> Case:
        return Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField())

    columns = {}
    for code in codes:
        q = _in_population(code)
        columns[f"n{codes.index(code)}"] = flag(q)
        columns[f"d{codes.index(code)}"] = flag(q & GRADED)
    per_enterprise = _operating(scope).values(_e=F("pk"), **columns)
    got = by_department(per_enterprise, list(columns), [int(k) for k in shape.keys("department")], _operating(scope))
    out: dict[Any, Any] = {}
    for r in reqs:
        i = codes.index(r.ind.code)
        out[r] = {k: _result(r.ind.code, {f"{r.ind.code}:n": got.get(int(k), {}).get(f"n{i}", 0),
                                          f"{r.ind.code}:done": got.get(int(k), {}).get(f"d{i}", 0)},
                             unit_scope(shape.scope, "department", k)) for k in r.keys}
    return out


def _in_population(code: str) -> Q:
    """The population as a condition a database can hash (IN a subquery, not a correlated EXISTS)."""
    if code == HAZCHEM:
        from anjian.enterprises.models import Enterprise

        through = Enterprise.sectors.through
        return Q(pk__in=through.objects.filter(sector__code__in=HAZCHEM_SECTORS).values("enterprise_id"))
    return POPULATIONS[code]()


def answer(requests: Sequence[Any]) -> dict[Any, Any]:
    """A dashboard's value, town, month, ytd and department requests from ONE statement per scope:
    a flag row per operating enterprise (a common table expression) grouped by town, and summed
    over each department's enterprises (``anjian.indicators.batching.grid_and_departments``); the
    value is the sum over every town, months show the current value. The departments of a
    department's own dashboard (its scope already narrowed to one department) are counted apart."""
    from django.db.models import BooleanField, Case, IntegerField, Value, When

    from anjian.indicators.batching import grid_and_departments, shapes

    def flag(q: Q) -> Case:
        return Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField())

    out: dict[Any, Any] = {}
    for shape in shapes(requests)[0]:
        codes = shape.codes()
        departments = [r for r in shape.requests if r.by == "department"]
        own_department = shape.scope.department_id is not None
        if departments and own_department:
            out.update(_answer_departments(shape, departments))
        columns: dict[str, Any] = {}
        for i, code in enumerate(codes):
            q = _in_population(code)
            columns[f"n{i}"], columns[f"d{i}"] = flag(q), flag(q & GRADED)
        per_enterprise = _operating(shape.scope).values(
            _e=F("pk"), _t=Substr("area_id", 1, 9), _m=Value(0, output_field=IntegerField()),
            _p=Value(True, output_field=BooleanField()), **columns)
        keys = [] if own_department else [int(k) for k in shape.keys("department")]
        grid, by_department = grid_and_departments(per_enterprise, list(columns), keys)

        def figures(i: int, code: str, got: dict[str, int]) -> dict[str, int]:
            return {f"{code}:n": got.get(f"n{i}", 0), f"{code}:done": got.get(f"d{i}", 0)}

        by_town: dict[str, dict[str, int]] = {}
        for row in grid:
            into = by_town.setdefault(row["_t"], {})
            for name in columns:
                into[name] = into.get(name, 0) + row[name]
        total = {name: sum(t.get(name, 0) for t in by_town.values()) for name in columns}
        for r in shape.requests:
            code = r.ind.code
            i = codes.index(code)
            if r.by is None:
                out[r] = _result(code, figures(i, code, total), shape.scope)
            elif r.by == "town":
                out[r] = {k: _result(code, figures(i, code, by_town.get(str(k)[:9], {})),
                                     unit_scope(shape.scope, "town", k)) for k in r.keys}
            elif r.by == "department":
                if not own_department:
                    out[r] = {k: _result(code, figures(i, code, by_department.get(int(k), {})),
                                         unit_scope(shape.scope, "department", k)) for k in r.keys}
            else:
                out[r] = dict.fromkeys(r.keys, _result(code, figures(i, code, total), shape.scope))
    return out


FAMILY = Family("standardisation", compute_many, breakdown_many, answer)


def _register(code: str) -> Callable[..., Any]:
    def compute(scope: IndicatorScope, period: Period) -> IndicatorResult:
        return compute_many([code], scope, period)[code]

    def grouped(scope: IndicatorScope, period: Period, by: str, keys: Sequence[Any]) -> dict | None:
        got = breakdown_many([code], scope, period, by, keys)
        return None if got is None else got[code]

    compute.breakdown = grouped  # type: ignore[attr-defined]
    compute.family = FAMILY  # type: ignore[attr-defined]
    compute.__name__ = code.split(".", 1)[1]
    return compute


hazchem_standardisation_rate = indicator(
    HAZCHEM, _("Standardisation rate of hazardous-chemical producers and traders"), unit="%", better="higher",
    rows_label=_("enterprises"),
    description=_("Operating enterprises of 危险化学品生产/经营 holding a standardisation grade ÷ all of them."),
    tags=("projection:current",))(_register(HAZCHEM))
above_scale_standardisation_rate = indicator(
    ABOVE_SCALE, _("Standardisation rate of above-scale enterprises"), unit="%", better="higher",
    rows_label=_("enterprises"),
    description=_("Operating above-scale enterprises holding a standardisation grade ÷ all of them."),
    tags=("projection:current",))(_register(ABOVE_SCALE))
