"""Accident indicators: the plan's 二、主要目标 (一) computed live from the accident records.

* death rates -- deaths / a figure of the statistics base (统计基数) of the scope's area
  and the period's year: per 1亿元 GDP, per 100,000 工矿商贸 employees (deaths in
  sectors flagged ``industrial_commercial``), per 10,000 special-equipment units
  (deaths in special-equipment accidents). No base, or the figure empty or 0 -> no data.
* counts -- accidents, deaths, 较大 / 重大+ / 较大+ accidents (一杜绝).
* year on year -- the change of the count and of the deaths on the same period a year
  earlier, in per cent (双下降: below 0). No accident a year earlier -> no data.

An accident belongs to a period by ``occurred_at`` (local time) and to an area by its own
area code (where it happened, not where its enterprise is registered). A department
narrows to accidents of the sectors it supervises (with their sub-sectors; all sectors for
the comprehensive safety authority); the denominator stays the area's, so a department's
rate is its share of the area's rate (the shares add up to the area's rate).

Every indicator has a grouped breakdown (the convention of ``anjian/targets/breakdown.py``):
``fn.breakdown(scope, period, by, keys)`` for ``by`` in town / department / month / ytd
returns ``{key: IndicatorResult}`` from a constant number of queries (GROUP BY). All of them
belong to the family ``FAMILY`` (``anjian.indicators.registry.Family``): ``compute_many`` and
``breakdown_many`` answer several codes from the same queries (the dashboard asks them once).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth, Substr
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from anjian.indicators.registry import (
    Family,
    IndicatorResult,
    IndicatorScope,
    Period,
    indicator,
    unit_period,
)

from .models import Accident, StatisticsBase
from .rules import Grade

LARGER_AND_ABOVE = (Grade.LARGER, Grade.MAJOR, Grade.ESPECIALLY_MAJOR)
MAJOR_AND_ABOVE = (Grade.MAJOR, Grade.ESPECIALLY_MAJOR)


@dataclass(frozen=True)
class Measure:
    """What an indicator counts over the accidents of a scope and period."""

    aggregate: Callable[[], Any]  # a fresh aggregate expression
    rows: Q  # the accidents behind the number (drill-down)


MEASURES: dict[str, Measure] = {
    "count": Measure(lambda: Count("pk"), Q()),
    "deaths": Measure(lambda: Sum("deaths"), Q(deaths__gt=0)),
    "industrial_deaths": Measure(lambda: Sum("deaths", filter=Q(sector__industrial_commercial=True)),
                                 Q(deaths__gt=0, sector__industrial_commercial=True)),
    "special_equipment_deaths": Measure(lambda: Sum("deaths", filter=Q(special_equipment=True)),
                                        Q(deaths__gt=0, special_equipment=True)),
    "larger_and_above": Measure(lambda: Count("pk", filter=Q(grade__in=LARGER_AND_ABOVE)),
                                Q(grade__in=LARGER_AND_ABOVE)),
    "larger": Measure(lambda: Count("pk", filter=Q(grade=Grade.LARGER)), Q(grade=Grade.LARGER)),
    "major_and_above": Measure(lambda: Count("pk", filter=Q(grade__in=MAJOR_AND_ABOVE)),
                               Q(grade__in=MAJOR_AND_ABOVE)),
}


# --- scope ---------------------------------------------------------------------------------------------------

def department_sector_ids(department_ids: Sequence[int]) -> dict[int, set[int] | None]:
    """{department: the sectors it supervises in effect, with their sub-sectors
    (``anjian.territory.models.Supervision``)}; None = every sector, also accidents recorded
    without one (the comprehensive safety authority)."""
    from anjian.territory.models import Department
    from anjian.territory.supervision import sectors_of

    ids = list(department_ids)
    authorities = set(Department.objects.filter(pk__in=ids, is_safety_authority=True).values_list("pk", flat=True))
    supervised = sectors_of(ids)
    return {d: None if d in authorities else supervised.get(d, set()) for d in ids}


def accidents(scope: IndicatorScope, period: Period | None = None) -> QuerySet:
    """The accidents of ``scope`` (area, department, sector, user bound) in ``period``."""
    qs = replace(scope, department_id=None).restrict(
        Accident.objects.all(), enterprise="enterprise", area="area__code", sector="sector")
    if scope.department_id is not None:
        sectors = department_sector_ids([scope.department_id]).get(scope.department_id, set())
        if sectors is not None:
            qs = qs.filter(sector__in=sectors)
    if period is not None:
        qs = qs.filter(occurred_at__gte=period.start_dt, occurred_at__lt=period.end_dt)
    return qs


def area_code_of(scope: IndicatorScope) -> str:
    return scope.area_code or settings.ANJIAN_DISTRICT_CODE


def base_of(area_code: str, year: int) -> StatisticsBase | None:
    return StatisticsBase.objects.filter(area_id=area_code, year=year).first()


def _measure(qs: QuerySet, name: str) -> int:
    return qs.aggregate(v=MEASURES[name].aggregate())["v"] or 0


# --- results -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RateSpec:
    measure: str
    figure: str  # a field of StatisticsBase
    scale: int


def _rate_result(spec: RateSpec, numerator: int, base: StatisticsBase | None, area_code: str, year: int,
                 rows: QuerySet | None) -> IndicatorResult:
    base_rows = SimpleLazyObject(lambda: StatisticsBase.objects.filter(area_id=area_code, year=year))
    denominator = getattr(base, spec.figure) if base is not None else None
    if base is None:
        note = _gettext("No statistics base for {area} in {year}.").format(area=area_code, year=year)
        return IndicatorResult(numerator, None, None, rows, base_rows, note)
    if not denominator:
        note = _gettext("The statistics base of {area} in {year} has no {figure}.").format(
            area=area_code, year=year, figure=StatisticsBase._meta.get_field(spec.figure).verbose_name)
        return IndicatorResult(numerator, denominator, None, rows, base_rows, note)
    return IndicatorResult.ratio(numerator, denominator, scale=spec.scale, places=4, rows=rows,
                                 denominator_rows=base_rows)


def _yoy_result(this: int, last: int, rows: QuerySet | None, last_rows: QuerySet | None) -> IndicatorResult:
    """The change on a year earlier in per cent; no data when a year earlier was 0."""
    if not last:
        note = _gettext("Nothing a year earlier to compare with.")
        return IndicatorResult(this, last, None, rows, last_rows, note)
    value = (Decimal(this - last) * 100 / Decimal(last)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return IndicatorResult(this, last, value, rows, last_rows)


def _count_result(n: int, rows: QuerySet | None) -> IndicatorResult:
    return IndicatorResult.count(int(n), rows)


# --- grouped breakdown ---------------------------------------------------------------------------------------

def _group(qs: QuerySet, by: str, measure: str, keys: Sequence[Any]) -> dict[Any, int]:
    """{key: measure} in one GROUP BY query (month keys 1..12; ytd cumulative)."""
    return _group_many(qs, by, [measure], keys)[measure]


def _group_many(qs: QuerySet, by: str, measures: Sequence[str], keys: Sequence[Any],
                sectors: dict[int, set[int] | None] | None = None) -> dict[str, dict[Any, int]]:
    """{measure: {key: value}} for several measures in ONE grouped query."""
    aggs = {f"_v_{m}": MEASURES[m].aggregate() for m in measures}
    if by == "town":
        grouped = qs.annotate(_town=Substr("area_id", 1, 9)).values("_town").annotate(**aggs).order_by()
        by_prefix = {row["_town"]: row for row in grouped}
        return {m: {k: by_prefix.get(str(k)[:9], {}).get(f"_v_{m}") or 0 for k in keys} for m in measures}
    if by == "department":
        grouped = list(qs.values("sector_id").annotate(**aggs).order_by())
        sectors = sectors if sectors is not None else department_sector_ids([int(k) for k in keys])
        out: dict[str, dict[Any, int]] = {m: {} for m in measures}
        for k in keys:
            mine = sectors.get(int(k), set())
            rows = [row for row in grouped if mine is None or row["sector_id"] in mine]
            for m in measures:
                out[m][k] = sum(row[f"_v_{m}"] or 0 for row in rows)
        return out
    if by in ("month", "ytd"):
        grouped = qs.annotate(_month=ExtractMonth("occurred_at")).values("_month").annotate(**aggs).order_by()
        by_month = {row["_month"]: row for row in grouped}
        out = {m: {} for m in measures}
        for m in measures:
            values = {month: row[f"_v_{m}"] or 0 for month, row in by_month.items()}
            if by == "month":
                out[m] = {k: values.get(int(k), 0) for k in keys}
            else:
                out[m] = {k: sum(v for month, v in values.items() if month <= int(k)) for k in keys}
        return out
    raise ValueError(by)


def _units_qs(scope: IndicatorScope, period: Period, by: str) -> QuerySet:
    """The accidents a grouped breakdown groups: the period (the whole year for by=month)."""
    if by == "month":
        period = Period.year(period.start.year)
    return accidents(scope, period)


def _rows_for(scope: IndicatorScope, period: Period, by: str, key: Any, measure: str) -> QuerySet:
    """The drill-down rows of one unit, built only when read: a breakdown of many units then costs
    no queryset construction for the units nobody drills into (``SimpleLazyObject`` passes as the
    queryset it wraps, ``isinstance`` included)."""
    return SimpleLazyObject(lambda: _unit_rows(scope, period, by, key, measure))  # type: ignore[return-value]


def _unit_rows(scope: IndicatorScope, period: Period, by: str, key: Any, measure: str) -> QuerySet:
    if by == "town":
        unit_scope, unit = replace(scope, area_code=str(key)), period
    elif by == "department":
        unit_scope, unit = replace(scope, department_id=int(key)), period
    else:
        unit_scope, unit = scope, unit_period(period, by, key)
    return accidents(unit_scope, unit).filter(MEASURES[measure].rows)


def count_breakdown(measure: str) -> Callable[..., dict | None]:
    def grouped(scope: IndicatorScope, period: Period, by: str, keys: Sequence[Any]) -> dict | None:
        if by not in ("town", "department", "month", "ytd"):
            return None
        values = _group(_units_qs(scope, period, by), by, measure, keys)
        return {k: _count_result(values[k], _rows_for(scope, period, by, k, measure)) for k in keys}

    return grouped


def rate_breakdown(spec: RateSpec) -> Callable[..., dict | None]:
    def grouped(scope: IndicatorScope, period: Period, by: str, keys: Sequence[Any]) -> dict | None:
        if by not in ("town", "department", "month", "ytd"):
            return None
        year = period.start.year
        values = _group(_units_qs(scope, period, by), by, spec.measure, keys)
        if by == "town":
            bases = {b.area_id: b for b in StatisticsBase.objects.filter(year=year, area_id__in=[str(k) for k in keys])}
            return {k: _rate_result(spec, values[k], bases.get(str(k)), str(k), year,
                                    _rows_for(scope, period, by, k, spec.measure)) for k in keys}
        code = area_code_of(scope)
        base = base_of(code, year)
        return {k: _rate_result(spec, values[k], base, code, year, _rows_for(scope, period, by, k, spec.measure))
                for k in keys}

    return grouped


def yoy_breakdown(measure: str) -> Callable[..., dict | None]:
    def grouped(scope: IndicatorScope, period: Period, by: str, keys: Sequence[Any]) -> dict | None:
        if by not in ("town", "department", "month", "ytd"):
            return None
        last_period = period.previous_year()
        this = _group(_units_qs(scope, period, by), by, measure, keys)
        last = _group(_units_qs(scope, last_period, by), by, measure, keys)
        return {k: _yoy_result(this[k], last[k], _rows_for(scope, period, by, k, measure),
                               _rows_for(scope, last_period, by, k, measure)) for k in keys}

    return grouped


# --- the family: several codes from one query --------------------------------------------------------------

@dataclass(frozen=True)
class Spec:
    kind: str  # "rate" | "count" | "yoy"
    measure: str
    rate: RateSpec | None = None


SPECS: dict[str, Spec] = {}


def compute_many(codes: Sequence[str], scope: IndicatorScope, period: Period) -> dict[str, IndicatorResult]:
    """Several accident indicators for one scope and period: one aggregate query for this period,
    one for the year before (year-on-year codes), one for the statistics base (rates)."""
    specs = {c: SPECS[c] for c in codes}
    qs = accidents(scope, period)
    this = qs.aggregate(**{f"_v_{m}": MEASURES[m].aggregate() for m in {s.measure for s in specs.values()}})
    yoy = {s.measure for s in specs.values() if s.kind == "yoy"}
    last_period = period.previous_year()
    last_qs = accidents(scope, last_period)
    last = last_qs.aggregate(**{f"_v_{m}": MEASURES[m].aggregate() for m in yoy}) if yoy else {}
    year, area = period.start.year, area_code_of(scope)
    base = base_of(area, year) if any(s.kind == "rate" for s in specs.values()) else None
    out = {}
    for code, spec in specs.items():
        value = this[f"_v_{spec.measure}"] or 0
        rows = qs.filter(MEASURES[spec.measure].rows)
        if spec.kind == "rate":
            out[code] = _rate_result(spec.rate, value, base, area, year, rows)  # type: ignore[arg-type]
        elif spec.kind == "count":
            out[code] = _count_result(value, rows)
        else:
            out[code] = _yoy_result(value, last[f"_v_{spec.measure}"] or 0, rows,
                                    last_qs.filter(MEASURES[spec.measure].rows))
    return out


def breakdown_many(codes: Sequence[str], scope: IndicatorScope, period: Period, by: str,
                   keys: Sequence[Any]) -> dict[str, dict[Any, IndicatorResult]] | None:
    """Several accident indicators broken down: one grouped query for this period, one for the
    year before (year-on-year codes), one for the statistics bases (rates)."""
    if by not in ("town", "department", "month", "ytd"):
        return None
    specs = {c: SPECS[c] for c in codes}
    sectors = department_sector_ids([int(k) for k in keys]) if by == "department" else None
    this = _group_many(_units_qs(scope, period, by), by, sorted({s.measure for s in specs.values()}), keys, sectors)
    yoy = sorted({s.measure for s in specs.values() if s.kind == "yoy"})
    last_period = period.previous_year()
    last = _group_many(_units_qs(scope, last_period, by), by, yoy, keys, sectors) if yoy else {}
    year = period.start.year
    rates = any(s.kind == "rate" for s in specs.values())
    town_bases: dict[str, StatisticsBase] = {}
    area_base = None
    if rates and by == "town":
        town_bases = {b.area_id: b for b in StatisticsBase.objects.filter(year=year, area_id__in=[str(k) for k in keys])}
    elif rates:
        area_base = base_of(area_code_of(scope), year)
    out: dict[str, dict[Any, IndicatorResult]] = {}
    for code, spec in specs.items():
        results = {}
        for k in keys:
            rows = _rows_for(scope, period, by, k, spec.measure)
            value = this[spec.measure][k]
            if spec.kind == "rate":
                area = str(k) if by == "town" else area_code_of(scope)
                base = town_bases.get(str(k)) if by == "town" else area_base
                results[k] = _rate_result(spec.rate, value, base, area, year, rows)  # type: ignore[arg-type]
            elif spec.kind == "count":
                results[k] = _count_result(value, rows)
            else:
                results[k] = _yoy_result(value, last[spec.measure][k], rows,
                                         _rows_for(scope, last_period, by, k, spec.measure))
        out[code] = results
    return out


def _grids(scope: IndicatorScope, spans: Sequence[tuple[Period, Period]], measures: Sequence[str]
           ) -> list[list[dict[str, Any]]]:
    """For each (span, inside) of ``spans`` (disjoint): the accidents of the span grouped by town,
    sector, month and "inside the period", from ONE query (the span a row falls in is a column)."""
    from django.db.models import BooleanField, Case, IntegerField, Value, When

    def within(p: Period) -> Q:
        return Q(occurred_at__gte=p.start_dt, occurred_at__lt=p.end_dt)

    which = Case(*(When(within(span), then=Value(i)) for i, (span, _inside) in enumerate(spans)),
                 output_field=IntegerField())
    flag = Case(*(When(within(inside), then=Value(True)) for _span, inside in spans), default=Value(False),
                output_field=BooleanField())
    any_span = Q(pk__in=[])
    for span, _inside in spans:
        any_span |= within(span)
    rows = list(accidents(scope).filter(any_span)
                .annotate(_s=which, _t=Substr("area_id", 1, 9), _m=ExtractMonth("occurred_at"), _p=flag)
                .values("_s", "_t", "sector_id", "_m", "_p")
                .annotate(**{f"_v_{m}": MEASURES[m].aggregate() for m in measures}).order_by())
    out: list[list[dict[str, Any]]] = [[] for _ in spans]
    for row in rows:
        for m in measures:
            row[m] = row.pop(f"_v_{m}") or 0
        out[row.pop("_s")].append(row)
    return out


def answer(requests: Sequence[Any]) -> dict[Any, Any]:
    """A dashboard's requests (value, towns, departments, months, year to date) from one grouped
    query for the period and one for the year before (year-on-year codes), plus the statistics
    bases: accidents by town, sector, month and "inside P", rolled up in Python (a department
    adds up the sectors it supervises: an accident has one sector)."""
    from anjian.indicators.batching import shapes

    out: dict[Any, Any] = {}
    for shape in shapes(requests)[0]:
        out.update(_answer_shape(shape))
    return out


def _answer_shape(shape: Any) -> dict[Any, Any]:
    from anjian.indicators.batching import rollup

    reqs = shape.requests
    specs = {r.ind.code: SPECS[r.ind.code] for r in reqs}
    measures = sorted({spec.measure for spec in specs.values()})
    yoy = sorted({spec.measure for spec in specs.values() if spec.kind == "yoy"})
    scope, period, span, year = shape.scope, shape.period, shape.span, shape.year
    spans = [(span, period)]
    if yoy:
        spans.append((Period(span.start.replace(year=year - 1), span.end.replace(year=year - 1)),
                      period.previous_year()))
    this, *rest = _grids(scope, spans, measures)
    last = rest[0] if rest else []
    rolled, rolled_last = rollup(this, measures, shape.months), rollup(last, yoy, shape.months)
    departments = [int(k) for k in shape.keys("department")]
    sectors = department_sector_ids(departments) if departments else {}
    area = area_code_of(scope)
    rates = any(spec.kind == "rate" for spec in specs.values())
    town_keys = [str(k) for k in shape.keys("town")]
    bases = ({b.area_id: b for b in StatisticsBase.objects.filter(year=year, area_id__in=[area, *town_keys])}
             if rates else {})
    area_base = bases.get(area)
    town_bases = {k: bases[k] for k in town_keys if k in bases}

    def by_sector(rows: list[dict[str, Any]], names: Sequence[str]) -> dict[int, dict[str, int]]:
        got: dict[int, dict[str, int]] = {}
        for row in rows:
            if row["_p"]:
                into = got.setdefault(row["sector_id"], {})
                for n in names:
                    into[n] = into.get(n, 0) + (row[n] or 0)
        return got

    sector_this, sector_last = (by_sector(this, measures), by_sector(last, yoy)) if departments else ({}, {})

    def per_department(per_sector: dict[int, dict[str, int]], names: Sequence[str], key: int) -> dict[str, int]:
        mine = sectors.get(key, set())
        got: dict[str, int] = {}
        for sector, figs in per_sector.items():
            if mine is None or sector in mine:
                for n in names:
                    got[n] = got.get(n, 0) + figs.get(n, 0)
        return got

    department_figures: dict[int, tuple[dict[str, int], dict[str, int]]] = {}

    def figures(by: str | None, key: Any) -> tuple[dict[str, int], dict[str, int]]:
        if by is None:
            return rolled.value, rolled_last.value
        if by == "town":
            return rolled.town.get(str(key)[:9], {}), rolled_last.town.get(str(key)[:9], {})
        if by == "department":
            if int(key) not in department_figures:
                department_figures[int(key)] = (per_department(sector_this, measures, int(key)),
                                                per_department(sector_last, yoy, int(key)))
            return department_figures[int(key)]
        if by == "month":
            return rolled.month.get(int(key), {}), rolled_last.month.get(int(key), {})
        return rolled.ytd.get(int(key), {}), rolled_last.ytd.get(int(key), {})

    def rows_of(by: str | None, key: Any, measure: str, unit: Period) -> QuerySet:
        if by is None:
            return SimpleLazyObject(lambda: accidents(scope, unit).filter(MEASURES[measure].rows))  # type: ignore[return-value]
        return _rows_for(scope, unit, by, key, measure)

    def one(spec: Spec, by: str | None, key: Any) -> IndicatorResult:
        now, before = figures(by, key)
        value = now.get(spec.measure, 0) or 0
        breakdown_period = Period.year(year) if by == "month" else period
        rows = rows_of(by, key, spec.measure, breakdown_period)
        if spec.kind == "count":
            return _count_result(value, rows)
        if spec.kind == "rate":
            code = str(key) if by == "town" else area
            base = town_bases.get(str(key)) if by == "town" else area_base
            return _rate_result(spec.rate, value, base, code, year, rows)  # type: ignore[arg-type]
        last_rows = rows_of(by, key, spec.measure, breakdown_period.previous_year())
        return _yoy_result(value, before.get(spec.measure, 0) or 0, rows, last_rows)

    out: dict[Any, Any] = {}
    for r in reqs:
        spec = specs[r.ind.code]
        out[r] = one(spec, None, None) if r.by is None else {k: one(spec, r.by, k) for k in r.keys}
    return out


FAMILY = Family("accidents", compute_many, breakdown_many, answer)


# --- the indicators ------------------------------------------------------------------------------------------

def _register_rate(code: str, name: Any, unit: Any, spec: RateSpec, description: Any) -> None:
    def compute(scope: IndicatorScope, period: Period) -> IndicatorResult:
        qs = accidents(scope, period)
        year, area = period.start.year, area_code_of(scope)
        return _rate_result(spec, _measure(qs, spec.measure), base_of(area, year), area, year,
                            qs.filter(MEASURES[spec.measure].rows))

    compute.breakdown = rate_breakdown(spec)  # type: ignore[attr-defined]
    compute.family = FAMILY  # type: ignore[attr-defined]
    SPECS[code] = Spec("rate", spec.measure, spec)
    compute.__name__ = code.split(".", 1)[1]
    indicator(code, name, unit=unit, better="lower", description=description, rows_label=_("accidents"),
              feeds=_("Accidents and the statistics base (统计基数) of the area and year."),
              tags=("accidents", "projection:linear"))(compute)


def _register_count(code: str, name: Any, unit: Any, measure: str, description: Any) -> None:
    def compute(scope: IndicatorScope, period: Period) -> IndicatorResult:
        qs = accidents(scope, period)
        return _count_result(_measure(qs, measure), qs.filter(MEASURES[measure].rows))

    compute.breakdown = count_breakdown(measure)  # type: ignore[attr-defined]
    compute.family = FAMILY  # type: ignore[attr-defined]
    SPECS[code] = Spec("count", measure)
    compute.__name__ = code.split(".", 1)[1]
    indicator(code, name, unit=unit, better="lower", description=description, rows_label=_("accidents"),
              feeds=_("Accident records."), tags=("accidents", "projection:linear"))(compute)


def _register_yoy(code: str, name: Any, measure: str, description: Any) -> None:
    def compute(scope: IndicatorScope, period: Period) -> IndicatorResult:
        this_qs, last_qs = accidents(scope, period), accidents(scope, period.previous_year())
        return _yoy_result(_measure(this_qs, measure), _measure(last_qs, measure),
                           this_qs.filter(MEASURES[measure].rows), last_qs.filter(MEASURES[measure].rows))

    compute.breakdown = yoy_breakdown(measure)  # type: ignore[attr-defined]
    compute.family = FAMILY  # type: ignore[attr-defined]
    SPECS[code] = Spec("yoy", measure)
    compute.__name__ = code.split(".", 1)[1]
    indicator(code, name, unit="%", better="lower", description=description, rows_label=_("accidents"),
              feeds=_("Accident records of this year and the year before."),
              tags=("accidents", "projection:current"))(compute)


_register_rate(
    "accidents.deaths_per_100m_gdp", _("Deaths per 100 million yuan of GDP"), _("deaths / 100 million yuan"),
    RateSpec("deaths", "gdp", 1),
    _("亿元国内生产总值死亡率: deaths in the period / GDP of the statistics base (亿元)."),
)
_register_rate(
    "accidents.deaths_per_100k_workers", _("Deaths per 100,000 workers in industry, mining and commerce"),
    _("deaths / 100,000 workers"), RateSpec("industrial_deaths", "industrial_employees", 100_000),
    _("工矿商贸十万从业人员死亡率: deaths in 工矿商贸 sectors / 工矿商贸 employees × 100,000."),
)
_register_rate(
    "accidents.deaths_per_10k_special_equipment", _("Deaths per 10,000 special-equipment units"),
    _("deaths / 10,000 units"), RateSpec("special_equipment_deaths", "special_equipment_units", 10_000),
    _("特种设备万台死亡率: deaths in special-equipment accidents / special-equipment units × 10,000."),
)
_register_count("accidents.count", _("Accidents"), _("accidents"), "count", _("事故起数: accidents in the period."))
_register_count("accidents.deaths", _("Deaths"), _("deaths"), "deaths", _("死亡人数: deaths (incl. missing)."))
_register_count(
    "accidents.larger_and_above_count", _("Larger and above accidents"), _("accidents"), "larger_and_above",
    _("较大以上事故起数 (一杜绝): accidents graded 较大, 重大 or 特别重大."),
)
_register_count("accidents.larger_count", _("Larger accidents"), _("accidents"), "larger",
                _("较大事故起数: accidents graded 较大."))
_register_count("accidents.major_and_above_count", _("Major and above accidents"), _("accidents"),
                "major_and_above", _("重特大事故起数: accidents graded 重大 or 特别重大."))
_register_yoy("accidents.count_yoy", _("Accidents, change on the year before"), "count",
              _("事故起数同比 (双下降): (this period − the same period a year earlier) / a year earlier × 100."))
_register_yoy("accidents.deaths_yoy", _("Deaths, change on the year before"), "deaths",
              _("死亡人数同比 (双下降): (this period − the same period a year earlier) / a year earlier × 100."))
