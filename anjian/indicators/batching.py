"""Answering a dashboard's requests of one indicator family together.

A dashboard asks, for each indicator, the value over the year to date ``P``, a monthly trend
(each month of the year on its own, or year to date at each month's end), and the breakdowns
of ``P`` by town and by department. Asked one by one, every request scans the same rows again.
A family (``anjian.indicators.registry.Family``) with an ``answer`` function receives them all
at once; ``shapes`` sorts them into ``Shape`` s (one scope and one ``P``), so that the family can
read its rows once on a *grid* — grouped by town, month and "inside ``P``" — and roll every
number up from it (``rollup``), plus one grouped query for the departments (a many-to-many
grouping cannot be rolled up from towns).

A request is any object with ``ind`` (its ``code``), ``scope``, ``period``, ``by`` (None for the
number itself, else ``town``, ``department``, ``sector``, ``month`` or ``ytd``) and ``keys``
(``anjian.targets.breakdown.Request``). Requests that fit no shape are left to the family's
``compute_many``/``breakdown_many``.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import F

from anjian.enterprises.models import Enterprise
from anjian.territory.models import Supervision
from anjian.territory.supervision import sectors_of
from anjian.utilities.scoping import area_prefix

from .registry import IndicatorScope, Period


@dataclass
class Shape:
    scope: IndicatorScope
    period: Period  # P: the value, the town and department breakdowns, year to date
    requests: list[Any] = field(default_factory=list)

    def of(self, by: str | None) -> list[Any]:
        return [r for r in self.requests if r.by == by]

    def codes(self, by: str | None = "*") -> list[str]:
        reqs = self.requests if by == "*" else self.of(by)
        return list(dict.fromkeys(r.ind.code for r in reqs))

    def keys(self, *by: str) -> list[Any]:
        return list(dict.fromkeys(k for r in self.requests if r.by in by for k in r.keys))

    @property
    def year(self) -> int:
        return self.period.start.year

    @property
    def months(self) -> list[int]:
        """Every month a month or year-to-date request names."""
        return sorted({int(k) for k in self.keys("month", "ytd")})

    @property
    def span(self) -> Period:
        """The dates the grid must cover: P, and the whole months asked for."""
        start, end = self.period.start, self.period.end
        months = self.keys("month")
        if months:
            start = min(start, date(self.year, min(int(m) for m in months), 1))
            last = max(int(m) for m in months)
            end = max(end, date(self.year, last, calendar.monthrange(self.year, last)[1]))
        return Period(start, end)


def shapes(requests: Iterable[Any]) -> tuple[list[Shape], list[Any]]:
    """Sort requests into shapes; the rest (a sector breakdown, a month request of another year,
    towns outside the scope's area, a ``P`` spanning two years) are returned apart."""
    found: dict[tuple[Any, Period], Shape] = {}
    rest: list[Any] = []
    months: list[Any] = []
    for r in requests:
        if r.by == "month":
            months.append(r)
        elif r.by in (None, "town", "department", "ytd") and r.period.start.year == r.period.end.year \
                and (r.by != "town" or _towns_inside(r.scope, r.keys)):
            shape = found.setdefault((r.scope, r.period), Shape(r.scope, r.period))
            shape.requests.append(r)
        else:
            rest.append(r)
    for r in months:
        shape = next((s for (scope, p), s in found.items()
                      if scope == r.scope and r.period == Period.year(p.start.year)), None)
        if shape is None:
            rest.append(r)
        else:
            shape.requests.append(r)
    return list(found.values()), rest


def _towns_inside(scope: IndicatorScope, keys: Sequence[Any]) -> bool:
    if not scope.area_code:
        return True
    prefix = area_prefix(scope.area_code)
    return all(area_prefix(str(k)).startswith(prefix) for k in keys)


@dataclass
class Rollup:
    """The figures of a grid summed up for every unit a shape asks for."""

    value: dict[str, int]
    town: dict[str, dict[str, int]]  # by the town's 9-digit prefix
    month: dict[int, dict[str, int]]
    ytd: dict[int, dict[str, int]]


def rollup(rows: Iterable[dict[str, Any]], figures: Sequence[str], months: Sequence[int]) -> Rollup:
    """Sum grid rows (``_t`` town prefix, ``_m`` month, ``_p`` inside P, and the figures) into
    the value, each town, each month (all of it) and each year-to-date month (inside P)."""
    n = len(figures)
    value = [0] * n
    town: dict[str, list[int]] = {}
    month: dict[int, list[int]] = {}
    inside: dict[int, list[int]] = {}
    for row in rows:
        got = [row.get(f) or 0 for f in figures]
        m = int(row["_m"])
        into = month.setdefault(m, [0] * n)
        for i in range(n):
            into[i] += got[i]
        if row["_p"]:
            for target in (value, town.setdefault(row["_t"], [0] * n), inside.setdefault(m, [0] * n)):
                for i in range(n):
                    target[i] += got[i]
    ytd: dict[int, dict[str, int]] = {}
    running = [0] * n
    for m in range(1, max(months, default=0) + 1):
        for i, v in enumerate(inside.get(m, ())):
            running[i] += v
        ytd[m] = dict(zip(figures, running, strict=True))

    def named(values: list[int]) -> dict[str, int]:
        return dict(zip(figures, values, strict=True))

    return Rollup(named(value), {t: named(v) for t, v in town.items()}, {m: named(v) for m, v in month.items()}, ytd)


def by_department(per_enterprise: Any, figures: Sequence[str], departments: Sequence[int],
                  enterprises: Any) -> dict[int, dict[str, int]]:
    """Per-enterprise figures summed over each department's enterprises, in ONE query.

    ``per_enterprise``: a queryset of ``values(_e=<enterprise id>)`` annotated with the
    ``figures`` (one row per enterprise), or a list of ``(queryset, figures)`` parts (each
    joined on the enterprise: several tables read in the same query); ``enterprises``: the
    enterprises of the scope. A department's enterprises are those with a sector it supervises in effect
    (with its sub-sectors; ``anjian.territory.models.Supervision``)
    (the meaning of ``IndicatorScope(department_id=…)``); an enterprise in two of its sectors
    counts once. The distinct (enterprise, department) pairs are joined to the per-enterprise
    rows, so no COUNT(DISTINCT) over a row per hazard and department is needed::

        SELECT p._d, SUM(a0.f) … FROM (<pairs>) p LEFT JOIN (<per_enterprise>) a0 ON a0._e = p._e …
        GROUP BY p._d

    Departments that supervise the same sectors have the same figures: each such set of sectors is
    computed once (a province repeats its districts' departments a hundred times).
    """
    if not departments:
        return {}
    parts = per_enterprise if isinstance(per_enterprise, list) else [(per_enterprise, figures)]
    representative = representatives(departments)
    pairs = (Enterprise.sectors.through.objects
             .filter(sector__supervisions__department__in=sorted(set(representative.values())),
                     enterprise__in=enterprises.values("pk"))
             .values(_e=F("enterprise_id"), _d=F("sector__supervisions__department")).distinct().order_by())
    qn = connection.ops.quote_name
    sql, params = pairs.query.sql_with_params()
    joins, sums, names = [], [], []
    all_params: list[Any] = list(params)
    for i, (qs, figs) in enumerate(parts):
        a_sql, a_params = qs.order_by().query.sql_with_params()
        joins.append(f" LEFT JOIN ({a_sql}) a{i} ON a{i}.{qn('_e')} = p.{qn('_e')}")
        all_params.extend(a_params)
        sums.extend(f"SUM(a{i}.{qn(f)})" for f in figs)
        names.extend(figs)
    # Composed of ORM-compiled SQL (its parameters kept apart) and quoted names from code.
    composed = (f"SELECT p.{qn('_d')}, {', '.join(sums)} FROM ({sql}) p{''.join(joins)} "  # noqa: S608
                f"GROUP BY p.{qn('_d')}")
    with connection.cursor() as cur:
        cur.execute(composed, all_params)
        rows = cur.fetchall()
    represented: dict[int, list[int]] = {}
    for d, rep in representative.items():
        represented.setdefault(rep, []).append(d)
    out: dict[int, dict[str, int]] = {}
    for rep, *values in rows:
        figs = {f: int(v or 0) for f, v in zip(names, values, strict=True)}
        for d in represented.get(int(rep), ()):
            out[d] = dict(figs)
    return out


def pairs_cte(departments: Sequence[int], enterprises: str) -> tuple[str, list[int]]:
    """SQL (and its parameters) of the distinct (enterprise ``_e``, department ``_d``) pairs of the
    ``departments``, for the enterprises of the relation named ``enterprises`` (a common table
    expression with an ``_e`` column, written before it): an enterprise belongs to a department
    when one of its sectors is among those the department supervises, as
    ``IndicatorScope(department_id=…)`` counts it: the sectors it supervises in effect, with their
    sub-sectors, every sector for the safety authority (``anjian.territory.models.Supervision``)."""
    qn = connection.ops.quote_name
    es, ds = Enterprise.sectors.through._meta, Supervision._meta
    es_e, es_s = qn(es.get_field("enterprise").column), qn(es.get_field("sector").column)
    ds_d, ds_s = qn(ds.get_field("department").column), qn(ds.get_field("sector").column)
    marks = ", ".join(["%s"] * len(departments))
    # Table and column names from the models' metadata, quoted; the values are parameters.
    sql = (f"SELECT DISTINCT es.{es_e} AS _e, ds.{ds_d} AS _d FROM {qn(es.db_table)} es "  # noqa: S608
           f"JOIN {enterprises} ON {enterprises}._e = es.{es_e} "
           f"JOIN {qn(ds.db_table)} ds ON ds.{ds_s} = es.{es_s} WHERE ds.{ds_d} IN ({marks})")
    return sql, [int(d) for d in departments]


def representatives(departments: Sequence[int]) -> dict[int, int]:
    """{department: the first department supervising exactly the same sectors} (those have the
    same figures: each such set of sectors is computed once)."""
    sectors = sectors_of(departments)
    first: dict[frozenset[int], int] = {}
    return {d: first.setdefault(frozenset(sectors[d]), d) for d in sorted(sectors)}


def grid_and_departments(per_enterprise_grid: Any, figures: Sequence[str], departments: Sequence[int]
                         ) -> tuple[list[dict[str, Any]], dict[int, dict[str, int]]]:
    """A grid (``_t``, ``_m``, ``_p`` and the figures) and the departments' figures (inside P) from
    ONE statement reading the rows once: ``per_enterprise_grid`` is a queryset of
    ``values(_e=…, _t=…, _m=…, _p=…)`` annotated with the figures; it becomes a common table
    expression that both groupings read::

        WITH h AS (<per_enterprise_grid>)
        SELECT 'g', _t, _m, _p, SUM(f) … FROM h GROUP BY _t, _m, _p
        UNION ALL
        SELECT 'd', p._d, NULL, NULL, SUM(f) … FROM h JOIN pairs p ON p._e = h._e WHERE h._p GROUP BY p._d

    where ``pairs`` are the (enterprise, department) pairs of the enterprises in ``h``
    (``pairs_cte``).
    """
    qn = connection.ops.quote_name
    representative = representatives(departments) if departments else {}
    a_sql, a_params = per_enterprise_grid.order_by().query.sql_with_params()
    sums = ", ".join(f"SUM(h.{qn(f)})" for f in figures)
    t, m, p_, e = qn("_t"), qn("_m"), qn("_p"), qn("_e")
    params = list(a_params)
    ctes = f"WITH h AS ({a_sql})"
    if departments:
        p_sql, p_params = pairs_cte(sorted(set(representative.values())), "he")
        ctes += f", he AS (SELECT DISTINCT h.{e} AS _e FROM h), pairs AS ({p_sql})"  # noqa: S608
        params.extend(p_params)
    sql = (f"{ctes} SELECT 'g', h.{t}, h.{m}, h.{p_}, {sums} FROM h "  # noqa: S608
           f"GROUP BY h.{t}, h.{m}, h.{p_}")
    if departments:
        sql += (f" UNION ALL SELECT 'd', CAST(p._d AS TEXT), NULL, NULL, {sums} FROM h "  # noqa: S608
                f"JOIN pairs p ON p._e = h.{e} WHERE h.{p_} GROUP BY p._d")
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    grid: list[dict[str, Any]] = []
    by_rep: dict[int, dict[str, int]] = {}
    for kind, key, month, inside, *values in rows:
        figs = {f: int(v or 0) for f, v in zip(figures, values, strict=True)}
        if kind == "g":
            grid.append({"_t": key, "_m": month, "_p": bool(inside), **figs})
        else:
            by_rep[int(key)] = figs
    return grid, {dep: dict(by_rep[rep]) for dep, rep in representative.items() if rep in by_rep}

