"""Hazard indicators (registered in ``anjian.indicators.registry``).

Definitions
===========

*Cohort* indicators judge the hazards **found** in the period (``found_on``
between the period's first and last day) by their state **now**:

``hazards.found`` (and ``hazards.found_general``, ``hazards.found_major``)
    hazards found in the period.
``hazards.rectification_rate``
    of those, the ones rectified (rectification submitted and not sent back, or
    verified) ÷ found, in %.
``hazards.on_time_rectification_rate``
    of those whose timeliness is decided — rectified, or still open with the
    deadline passed — the ones rectified on or before their (possibly extended)
    deadline ÷ decided, in %. A hazard without a deadline is on time when
    rectified and undecided while open.
``hazards.reinspection_acceptance_rate``
    of those rectified (submitted, not sent back), the ones whose re-inspection
    was accepted (verified, 销号) ÷ rectified, in %.

So a hazard found on 20 December and rectified on 10 January counts in
December's (and the year's) *found*, and — from 10 January on — in their
*rectified*; it never counts in January. The rate of a closed period can still
rise as late rectifications come in: it measures what became of the period's
findings. (The enterprise's statistics report freezes its figures when it is
submitted.)

*Snapshot* indicators count at the period's last day, or today while the period
runs (``d = min(period.end, today)``):

``hazards.major_open``
    major hazards found by ``d`` and not verified by ``d``.
``hazards.major_overdue``
    of those, the ones whose deadline was before ``d`` and which had not been
    rectified by ``d`` (rectification date after ``d``, or none).

Common rules: withdrawn (soft-deleted) hazards never count. A hazard belongs to
its enterprise's area and sectors as they are now; an enterprise closed in the
middle of the year keeps its hazards in every figure (its open hazards stay open
until they are verified or withdrawn with a reason). An enterprise in two sectors
counts once in an area's figure and once in each of its sectors' (and
departments') figures, so sector figures may add up to more than the area's.
A zero denominator gives no value ("no data"), never 100 % or an error.

Breakdowns
==========

Every indicator function here has a ``breakdown`` attribute following the
convention of ``anjian.targets.breakdown``::

    rectification_rate.breakdown(scope, period, by, keys) -> {key: IndicatorResult}

``by`` is ``"town"`` (keys: 12-digit town codes), ``"department"`` (department
ids), ``"sector"`` (sector ids), ``"month"`` (1–12: each month's own result in
the year of ``period.start``) or ``"ytd"`` (1–12: from ``period.start`` to the
end of that month). It is ONE grouped query whatever the number of keys.
``breakdown_many(codes, scope, period, by, keys)`` computes several hazard
indicators in that same single query (the dashboard and the benchmark use it).
"""

from __future__ import annotations

import calendar
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import ExtractMonth, Substr
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from anjian.core import clock
from anjian.indicators.registry import Family, IndicatorResult, IndicatorScope, Period, indicator
from anjian.utilities.scoping import scope_for

from .models import DONE_STATUSES, OPEN_STATUSES, Hazard, HazardLevel, HazardStatus

Key = str | int

COHORT_CODES = ("hazards.found", "hazards.found_general", "hazards.found_major", "hazards.rectification_rate",
                "hazards.on_time_rectification_rate", "hazards.reinspection_acceptance_rate")
SNAPSHOT_CODES = ("hazards.major_open", "hazards.major_overdue")
CODES = COHORT_CODES + SNAPSHOT_CODES


# --- the conditions -------------------------------------------------------------------------

def as_of(period: Period, today: date | None = None) -> date:
    return min(period.end, today or clock.today())


def cohort_q(period: Period) -> Q:
    return Q(found_on__gte=period.start, found_on__lte=period.end)


def done_q() -> Q:
    return Q(status__in=DONE_STATUSES)


def decided_q(today: date) -> Q:
    return done_q() | Q(status__in=OPEN_STATUSES, deadline__lt=today)


def on_time_q() -> Q:
    return done_q() & (Q(deadline__isnull=True) | Q(rectified_on__lte=F("deadline")))


def major_open_q(d: date) -> Q:
    closed = Q(status=HazardStatus.VERIFIED) & (Q(verified_on__isnull=True) | Q(verified_on__lte=d))
    return Q(level=HazardLevel.MAJOR, found_on__lte=d) & ~closed


def major_overdue_q(d: date) -> Q:
    rectified = Q(status__in=DONE_STATUSES) & (Q(rectified_on__isnull=True) | Q(rectified_on__lte=d))
    return Q(level=HazardLevel.MAJOR, found_on__lte=d, deadline__lt=d) & ~rectified


# figure name -> condition, for the cohort (applied together with cohort_q)
def cohort_conditions(today: date) -> dict[str, Q]:
    return {
        "found": Q(),
        "found_general": Q(level=HazardLevel.GENERAL),
        "found_major": Q(level=HazardLevel.MAJOR),
        "done": done_q(),
        "verified": Q(status=HazardStatus.VERIFIED),
        "decided": decided_q(today),
        "on_time": on_time_q(),
    }


# code -> (numerator figure, denominator figure or None)
DERIVE: dict[str, tuple[str, str | None]] = {
    "hazards.found": ("found", None),
    "hazards.found_general": ("found_general", None),
    "hazards.found_major": ("found_major", None),
    "hazards.rectification_rate": ("done", "found"),
    "hazards.on_time_rectification_rate": ("on_time", "decided"),
    "hazards.reinspection_acceptance_rate": ("verified", "done"),
    "hazards.major_open": ("major_open", None),
    "hazards.major_overdue": ("major_overdue", None),
}


def base(scope: IndicatorScope) -> QuerySet:
    return scope.restrict(Hazard.objects.all())


def _result(code: str, figs: dict[str, int], rows: Callable[[str], QuerySet]) -> IndicatorResult:
    num, den = DERIVE[code]
    if den is None:
        return IndicatorResult.count(figs.get(num, 0) or 0, rows=rows(num))
    return IndicatorResult.ratio(figs.get(num, 0) or 0, figs.get(den, 0) or 0, scale=100, places=2,
                                 rows=rows(num), denominator_rows=rows(den))


def _rows_for(qs: QuerySet, period: Period, today: date, d: date) -> Callable[[str], QuerySet]:
    conditions = cohort_conditions(today)

    def rows(figure: str) -> QuerySet:
        if figure == "major_open":
            return qs.filter(major_open_q(d))
        if figure == "major_overdue":
            return qs.filter(major_overdue_q(d))
        return qs.filter(cohort_q(period) & conditions[figure])

    return rows


def _lazy_rows(make_qs: Callable[[], QuerySet], period: Period, today: date, d: date) -> Callable[[str], Any]:
    """Rows of a breakdown unit, built only when someone drills into them (a breakdown has many
    units and few are opened; building their querysets would cost more than the query itself)."""

    def rows(figure: str) -> Any:
        return SimpleLazyObject(lambda: _rows_for(make_qs(), period, today, d)(figure))

    return rows


def _aggregates(codes: Sequence[str], period: Period, today: date, d: date, *, distinct: bool,
                suffix: str = "") -> dict[str, Any]:
    figures = set()
    for code in codes:
        figures.update(f for f in DERIVE[code] if f)
    conditions = cohort_conditions(today)
    out: dict[str, Any] = {}
    for f in figures:
        if f == "major_open":
            q = major_open_q(d)
        elif f == "major_overdue":
            q = major_overdue_q(d)
        else:
            q = cohort_q(period) & conditions[f]
        out[f + suffix] = Count("pk", filter=q, distinct=distinct) if q else Count("pk", distinct=distinct)
    return out


def _where(codes: Sequence[str], period: Period, d: date) -> Q:
    """Only the rows any requested figure can count (keeps the scan small)."""
    q = Q(pk__in=[])
    if any(c in COHORT_CODES for c in codes):
        q |= cohort_q(period)
    if any(c in SNAPSHOT_CODES for c in codes):
        q |= Q(level=HazardLevel.MAJOR, found_on__lte=d)
    return q


# --- one number -------------------------------------------------------------------------------

# --- the figures query, compiled once per shape --------------------------------------------------
#
# Building and compiling the conditional aggregates costs the ORM more than PostgreSQL needs to run
# them on a district's hazards. The query's SQL depends only on its *shape* (the codes, the grouping,
# the scope) and its dates; so it is compiled once with sentinel dates standing for the period's
# bounds, "today" and the as-of day, kept, and run again with the real dates bound in their place.
# Scopes that read the database while they are built (a department's sectors) are not cached.

_SENTINELS = (date(1111, 1, 1), date(1111, 1, 2), date(1111, 1, 3), date(1111, 1, 4))
_CACHE: OrderedDict[tuple[Any, ...], tuple[str, tuple[Any, ...], list[str]]] = OrderedDict()
_CACHE_SIZE = 256


def _scope_key(scope: IndicatorScope) -> tuple[Any, ...] | None:
    if scope.department_id is not None:
        return None
    user_scope = scope_for(scope.user) if scope.user is not None else None
    return (scope.area_code, scope.sector_id, user_scope)


def _figures_query(codes: Sequence[str], scope: IndicatorScope, period: Period, today: date, d: date,
                   by: str | None, keys: tuple[Key, ...] | None = None) -> QuerySet:
    qs = base(scope).filter(_where(codes, period, d))
    if by is None:
        qs = qs.values(_all=Value(1))
        distinct = False
    else:
        expr, distinct = GROUPS[by]
        qs = qs.annotate(group=expr)
        if distinct and keys is not None:
            # A many-valued grouping (sectors, departments) joins every hazard to each of its groups:
            # keep only the groups asked for (a province has hundreds of departments).
            qs = qs.filter(group__in=[int(k) for k in keys])
        qs = qs.values("group")
    return qs.annotate(**_aggregates(codes, period, today, d, distinct=distinct)).order_by()


def figure_rows(codes: Sequence[str], scope: IndicatorScope, period: Period, today: date,
                by: str | None = None, keys: Sequence[Key] | None = None) -> list[dict[str, Any]]:
    """The rows of the figures query (one per group, or one), as dicts."""
    d = as_of(period, today)
    key = _scope_key(scope)
    wanted = tuple(keys) if keys is not None and by in ("sector", "department") else None
    if key is None:
        return list(_figures_query(codes, scope, period, today, d, by, wanted))
    key = (connection.alias, tuple(codes), by, wanted, *key)
    hit = _CACHE.get(key)
    if hit is None:
        s_start, s_end, s_today, s_d = _SENTINELS
        query = _figures_query(codes, scope, Period(s_start, s_end), s_today, s_d, by, wanted)
        try:
            sql, params = query.query.sql_with_params()
        except EmptyResultSet:  # a scope that sees nothing
            return []
        names = [*query.query.values_select, *query.query.annotation_select]
        hit = (sql, tuple(params), names)
        _CACHE[key] = hit
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(key)
    sql, params, names = hit
    adapt = connection.ops.adapt_datefield_value  # SQLite binds dates as text, PostgreSQL as dates
    bind = {adapt(s): adapt(v) for s, v in zip(_SENTINELS, (period.start, period.end, today, d), strict=True)}
    values = [bind.get(p, p) if isinstance(p, date | str) else p for p in params]
    with connection.cursor() as cur:
        cur.execute(sql, values)
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


# --- one number -------------------------------------------------------------------------------

def compute_many(codes: Sequence[str], scope: IndicatorScope, period: Period,
                 today: date | None = None) -> dict[str, IndicatorResult]:
    """Several hazard indicators for one scope and period, in one query."""
    today = today or clock.today()
    d = as_of(period, today)
    got = figure_rows(codes, scope, period, today)
    figs = got[0] if got else {}
    rows = _lazy_rows(lambda: base(scope), period, today, d)
    return {code: _result(code, figs, rows) for code in codes}


# --- breakdowns ------------------------------------------------------------------------------

GROUPS = {
    "town": (Substr("enterprise__area__code", 1, 9), False),
    "sector": (F("enterprise__sectors"), True),
    "department": (F("enterprise__sectors__supervisions__department"), True),
}


def _group_key(by: str, raw: Any) -> Key:
    if by == "town":
        return f"{raw}000"
    return raw


def _unit_filter(by: str, key: Key) -> Q:
    if by == "town":
        return Q(enterprise__area__code__startswith=str(key)[:9])
    if by == "sector":
        return Q(enterprise__sectors=key)
    if by == "department":
        return Q(enterprise__sectors__supervisions__department=key)
    raise ValueError(by)


def breakdown_many(codes: Sequence[str], scope: IndicatorScope, period: Period, by: str, keys: Sequence[Key],
                   today: date | None = None) -> dict[str, dict[Key, IndicatorResult]] | None:
    """``{code: {key: result}}`` for the hazard indicators ``codes``, in ONE grouped query.

    Returns None for an unsupported ``by``.
    """
    today = today or clock.today()
    if by in ("month", "ytd"):
        return _by_month(codes, scope, period, by, keys, today)
    if by not in GROUPS:
        return None
    distinct = GROUPS[by][1]
    d = as_of(period, today)
    figs_by_key = {_group_key(by, row.pop("group")): row for row in figure_rows(codes, scope, period, today, by, keys)}
    out: dict[str, dict[Key, IndicatorResult]] = {code: {} for code in codes}
    for key in keys:
        norm: Key = str(key) if by == "town" else int(key)
        figs = figs_by_key.get(norm, {})

        def unit(norm: Key = norm) -> QuerySet:
            u = base(scope).filter(_unit_filter(by, norm))
            return u.distinct() if distinct else u

        rows = _lazy_rows(unit, period, today, d)
        for code in codes:
            out[code][key] = _result(code, figs, rows)
    return out


def _month_period(year: int, month: int) -> Period:
    return Period.month(year, month)


def _by_month(codes: Sequence[str], scope: IndicatorScope, period: Period, by: str, keys: Sequence[Key],
              today: date) -> dict[str, dict[Key, IndicatorResult]]:
    """Months: cohort figures grouped by month of finding (cumulated for ``ytd``); snapshot
    figures as conditional aggregates per month-end, all in one query."""
    year = period.start.year
    months = [int(k) for k in keys]
    cohort = [c for c in codes if c in COHORT_CODES]
    snapshot = [c for c in codes if c in SNAPSHOT_CODES]
    qs = base(scope)

    def unit_period(m: int) -> Period:
        if by == "month":
            return _month_period(year, m)
        end = min(date(year, m, calendar.monthrange(year, m)[1]), period.end)
        return Period(period.start, end)

    span = Period(date(year, 1, 1), date(year, 12, 31)) if by == "month" else period
    per_month: dict[int, dict[str, int]] = {}
    if cohort:
        rows = (qs.filter(cohort_q(span)).annotate(m=ExtractMonth("found_on")).values("m")
                .annotate(**_aggregates(cohort, span, today, as_of(span, today), distinct=False)).order_by())
        per_month = {row.pop("m"): row for row in rows}
    snap: dict[str, int] = {}
    if snapshot:
        aggs: dict[str, Any] = {}
        for m in months:
            d = as_of(unit_period(m), today)
            aggs.update(_aggregates(snapshot, unit_period(m), today, d, distinct=False, suffix=f"__{m}"))
        last = max((as_of(unit_period(m), today) for m in months), default=period.end)
        snap = qs.filter(level=HazardLevel.MAJOR, found_on__lte=last).aggregate(**aggs)
    out: dict[str, dict[Key, IndicatorResult]] = {code: {} for code in codes}
    for key, m in zip(keys, months, strict=True):
        p = unit_period(m)
        d = as_of(p, today)
        if by == "month":
            figs = dict(per_month.get(m, {}))
        else:
            figs = {}
            for mm in range(period.start.month, m + 1):
                for name, value in per_month.get(mm, {}).items():
                    figs[name] = figs.get(name, 0) + (value or 0)
        for code in snapshot:
            name = DERIVE[code][0]
            figs[name] = snap.get(f"{name}__{m}", 0)
        rows = _lazy_rows(lambda: qs, p, today, d)
        for code in codes:
            out[code][key] = _result(code, figs, rows)
    return out


# --- registration ----------------------------------------------------------------------------

# --- a dashboard's requests at once ---------------------------------------------------------

def answer(requests: Sequence[Any], today: date | None = None) -> dict[Any, Any]:
    """The cohort indicators' values, town, month and year-to-date breakdowns of a dashboard
    (``anjian/indicators/batching.py``) from ONE query per scope: the hazards of the months asked
    for, grouped by town, month of finding and "found in P", rolled up in Python. Department
    breakdowns and the snapshot indicators are left to ``breakdown_many``/``compute_many``."""
    from django.db.models import BooleanField, Case, When

    from anjian.indicators.batching import rollup, shapes

    today = today or clock.today()
    conditions = cohort_conditions(today)
    out: dict[Any, Any] = {}
    for shape in shapes(requests)[0]:
        reqs = [r for r in shape.requests if r.ind.code in COHORT_CODES and r.by in (None, "town", "month", "ytd")]
        departments = [r for r in shape.requests if r.ind.code in COHORT_CODES and r.by == "department"]
        if not reqs or shape.scope.department_id is not None:
            out.update(_answer_departments(shape, today))
            departments = []
        if not reqs:
            continue
        period = shape.period
        figures = sorted({f for r in reqs + departments for f in DERIVE[r.ind.code] if f})
        inside = Case(When(cohort_q(period), then=Value(True)), default=Value(False), output_field=BooleanField())
        counts = {f: Count("pk", filter=conditions[f]) if conditions[f] else Count("pk") for f in figures}
        rows_of = (base(shape.scope).filter(cohort_q(shape.span))
                   .annotate(_t=Substr("enterprise__area__code", 1, 9), _m=ExtractMonth("found_on"), _p=inside))
        if departments:
            # One statement: the hazards read once, grouped per enterprise, town, month and "in P", then
            # rolled up into the grid and into the departments (anjian.indicators.batching).
            from anjian.indicators.batching import grid_and_departments

            grid, by_department = grid_and_departments(
                rows_of.values("_t", "_m", "_p", _e=F("enterprise_id")).annotate(**counts), figures,
                [int(k) for k in shape.keys("department")])
            out.update(_department_results(shape, departments, by_department, today))
        else:
            grid = list(rows_of.values("_t", "_m", "_p").annotate(**counts).order_by())
        roll = rollup(grid, figures, shape.months)
        def rows(unit_period: Period, town: Any = None, scope: IndicatorScope = shape.scope) -> Callable[[str], Any]:
            def make() -> QuerySet:
                qs = base(scope)
                return qs.filter(_unit_filter("town", str(town))) if town is not None else qs
            return _lazy_rows(make, unit_period, today, as_of(unit_period, today))

        for r in reqs:
            code, year = r.ind.code, period.start.year
            if r.by is None:
                out[r] = _result(code, roll.value, rows(period))
            elif r.by == "town":
                out[r] = {k: _result(code, roll.town.get(str(k)[:9], {}), rows(period, k)) for k in r.keys}
            elif r.by == "month":
                out[r] = {k: _result(code, roll.month.get(int(k), {}), rows(_month_period(year, int(k))))
                          for k in r.keys}
            else:
                out[r] = {k: _result(code, roll.ytd.get(int(k), {}), rows(Period(
                    period.start, min(_month_period(year, int(k)).end, period.end)))) for k in r.keys}
    return out


def _answer_departments(shape: Any, today: date) -> dict[Any, Any]:
    """The cohort indicators by department: hazards counted per enterprise, summed over each
    department's enterprises (``anjian.indicators.batching.by_department``, one query)."""
    from dataclasses import replace

    from anjian.enterprises.models import Enterprise
    from anjian.indicators.batching import by_department

    reqs = [r for r in shape.requests if r.ind.code in COHORT_CODES and r.by == "department"]
    if not reqs:
        return {}
    period, conditions = shape.period, cohort_conditions(today)
    scope = replace(shape.scope, department_id=None)  # each unit is one department (as computed alone)
    figures = sorted({f for r in reqs for f in DERIVE[r.ind.code] if f})
    per_enterprise = (base(scope).filter(cohort_q(period)).values(_e=F("enterprise_id"))
                      .annotate(**{f: Count("pk", filter=conditions[f]) if conditions[f] else Count("pk")
                                   for f in figures}))
    got = by_department(per_enterprise, figures, [int(k) for k in shape.keys("department")],
                        scope.restrict(Enterprise.objects.all(), enterprise="pk"))
    return _department_results(shape, reqs, got, today)


def _department_results(shape: Any, reqs: Sequence[Any], got: dict[int, dict[str, int]], today: date
                        ) -> dict[Any, Any]:
    from dataclasses import replace

    period = shape.period
    scope = replace(shape.scope, department_id=None)
    d = as_of(period, today)

    def rows(key: int) -> Callable[[str], Any]:
        return _lazy_rows(lambda: base(scope).filter(_unit_filter("department", key)).distinct(), period, today, d)

    return {r: {k: _result(r.ind.code, got.get(int(k), {}), rows(int(k))) for k in r.keys} for r in reqs}


FAMILY = Family("hazards", compute_many, breakdown_many, answer)


def _register(code: str, name: Any, *, unit: Any, better: str, description: Any, rows_label: Any) -> Callable:
    def compute(scope: IndicatorScope, period: Period) -> IndicatorResult:
        return compute_many([code], scope, period)[code]

    def grouped(scope: IndicatorScope, period: Period, by: str, keys: Sequence[Key]) -> dict[Key, IndicatorResult] | None:
        got = breakdown_many([code], scope, period, by, keys)
        return None if got is None else got[code]

    compute.__name__ = code.split(".", 1)[1]
    compute.__doc__ = str(description)
    compute.breakdown = grouped  # type: ignore[attr-defined]
    compute.family = FAMILY  # type: ignore[attr-defined]  # several codes in one query (targets.breakdown.run)
    return indicator(code, name, unit=unit, better=better,  # type: ignore[arg-type]
                     description=description, rows_label=rows_label,
                     feeds=_("hazards recorded by inspections, self-inspections and tip-offs"),
                     tags=("hazards",))(compute)


found = _register("hazards.found", _("Hazards found"), unit=_("hazards"), better="higher",
                  description=_("Hazards found in the period (all levels)."), rows_label=_("hazards found"))
found_general = _register("hazards.found_general", _("General hazards found"), unit=_("hazards"), better="higher",
                          description=_("General (一般) hazards found in the period."),
                          rows_label=_("general hazards found"))
found_major = _register("hazards.found_major", _("Major hazards found"), unit=_("hazards"), better="lower",
                        description=_("Major (重大) hazards found in the period."),
                        rows_label=_("major hazards found"))
rectification_rate = _register(
    "hazards.rectification_rate", _("Hazard rectification rate"), unit="%", better="higher",
    description=_("Hazards found in the period that are rectified or verified now ÷ hazards found in the period."),
    rows_label=_("rectified hazards"))
on_time_rectification_rate = _register(
    "hazards.on_time_rectification_rate", _("On-time rectification rate"), unit="%", better="higher",
    description=_("Of the period's hazards rectified or past their deadline, those rectified by the deadline."),
    rows_label=_("hazards rectified on time"))
reinspection_acceptance_rate = _register(
    "hazards.reinspection_acceptance_rate", _("Re-inspection acceptance rate"), unit="%", better="higher",
    description=_("Of the period's hazards whose rectification was submitted, those accepted on re-inspection (销号)."),
    rows_label=_("hazards verified"))
major_open = _register(
    "hazards.major_open", _("Major hazards open"), unit=_("hazards"), better="lower",
    description=_("Major hazards found and not closed at the end of the period (or today)."),
    rows_label=_("open major hazards"))
major_overdue = _register(
    "hazards.major_overdue", _("Major hazards overdue"), unit=_("hazards"), better="lower",
    description=_("Open major hazards past their deadline and not rectified at the end of the period (or today)."),
    rows_label=_("overdue major hazards"))
