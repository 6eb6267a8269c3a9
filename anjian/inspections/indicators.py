"""The plan's hazard-investigation indicators that rest on inspections (二、主要目标（二）).

Definitions and their sources: docs/inspections.md and data/inspection_rules.json.

Every number is computed in SQL (joins and subqueries, never lists of ids): an enterprise's
"operating until" day comes from a correlated subquery into the change log
(``coverage.operating_until``), read only for the enterprises not operating now.

Breakdowns
==========

Each indicator function carries a grouped ``breakdown(scope, period, by, keys)`` (the
convention of ``anjian.targets.breakdown``) for ``by`` in ``town`` (12-digit town codes),
``department`` (department ids), ``sector`` (sector ids), ``month`` (1–12: each month of
the year of ``period.start`` on its own) and ``ytd`` (1–12: from ``period.start`` to the end
of that month). It answers ``{key: IndicatorResult}`` from a constant number of grouped
queries (one or two) whatever the number of keys, with the very numbers the indicator gives
for each unit computed on its own (``anjian/inspections/tests/test_breakdowns.py`` checks it).
The drill-down rows of a unit are built only when they are read.

A unit of a breakdown is the scope with its area (``town``), department or sector
replaced by the key, as ``anjian.targets.breakdown.unit_scope`` does; the user's bound is
kept. An enterprise in two sectors counts in each of them (and in each department
supervising either) but once in its town and once in the total.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Substr, TruncMonth
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from anjian.core import clock
from anjian.indicators.registry import (
    Family,
    IndicatorResult,
    IndicatorScope,
    Period,
    indicator,
    unit_period,
    unit_scope,
)
from anjian.utilities.scoping import area_prefix

from . import rules
from .coverage import existed_by, first_month_existed, months_of, operating_until, since
from .models import (
    AttachmentKind,
    Inspection,
    InspectionAttachment,
    InspectionKind,
    InspectionStatus,
)

Key = str | int
GROUPINGS = ("town", "department", "sector")
TIME = ("month", "ytd")


# --- scopes and groups --------------------------------------------------------------------------

def _enterprises(scope: IndicatorScope) -> QuerySet:
    from anjian.enterprises.models import Enterprise

    return scope.restrict(Enterprise.objects.all(), enterprise="pk")


def _inspections(scope: IndicatorScope) -> QuerySet:
    return scope.restrict(Inspection.objects.all(), enterprise="enterprise")


def grouping_scope(scope: IndicatorScope, by: str | None, keys: Sequence[Key]) -> IndicatorScope:
    """The scope a grouped query runs in so that each group is exactly the unit's own scope:
    the dimension grouped on is dropped (each unit replaces it with its key), except an area
    that holds every key town (then it bounds the scan and changes nothing)."""
    if by == "town":
        if scope.area_code and all(area_prefix(str(k)).startswith(area_prefix(scope.area_code)) for k in keys):
            return scope
        return replace(scope, area_code=None)
    if by == "department":
        return replace(scope, department_id=None)
    if by == "sector":
        return replace(scope, sector_id=None)
    return scope


def _group(qs: QuerySet, by: str | None, keys: Sequence[Key], enterprise: str) -> tuple[QuerySet, bool]:
    """``qs`` annotated with ``_g`` (the group of each row) and narrowed to the keys; the bool says
    whether a row may fall in several groups (then counts must be DISTINCT)."""
    if by is None or by in TIME:
        return qs, False
    if by == "town":
        return qs.annotate(_g=Substr(f"{enterprise}area_id", 1, 9)), False
    if by == "department":
        path = f"{enterprise}sectors__supervisions__department"
    else:
        path = f"{enterprise}sectors"
    return qs.annotate(_g=F(path)).filter(_g__in=[int(k) for k in keys]), True


def _norm(by: str | None, key: Key) -> Key:
    """The key as the ``_g`` column holds it."""
    if by == "town":
        return str(key)[:9]
    if by in ("department", "sector"):
        return int(key)
    return key


def _as_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    return value  # type: ignore[no-any-return]


def _as_datetime(value: str) -> datetime.datetime:
    """A timestamp read back as text (SQLite): stored in UTC."""
    moment = datetime.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _month(value: Any) -> datetime.date:
    return _as_date(value).replace(day=1)


def _month_end(first: datetime.date) -> datetime.date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _lazy(make: Callable[[], QuerySet]) -> QuerySet:
    """A queryset built only when read (a breakdown has many units and few are opened)."""
    return SimpleLazyObject(make)  # type: ignore[return-value]


def _ratio(numerator: int, denominator: int, rows: Callable[[str], QuerySet]) -> IndicatorResult:
    return IndicatorResult.ratio(numerator, denominator, scale=100, places=2,
                                 rows=_lazy(lambda: rows("rows")), denominator_rows=_lazy(lambda: rows("denominator")))


def _check(by: str | None) -> bool:
    return by is None or by in GROUPINGS or by in TIME


# --- monthly self-inspection coverage -----------------------------------------------------------

def _coverage_months(period: Period, by: str | None, keys: Sequence[Key], today: datetime.date
                     ) -> dict[Key, list[datetime.date]]:
    """{key: the first days of the months that count for the unit} (months begun by today)."""
    return {k: [m.start for m in months_of(unit_period(period, by, k), today)] for k in keys}


def coverage_table(inner: IndicatorScope, by: str | None, keys: Sequence[Key], every: Sequence[datetime.date]
                   ) -> tuple[dict[Any, dict[datetime.date, int]], dict[Any, dict[datetime.date, int]]]:
    """({group: {month: covered enterprises}}, {group: {month: operating enterprises}}) for the
    months ``every`` (their first days), in two grouped queries; group None when ``by`` is None."""
    first, last_day = every[0], _month_end(every[-1])
    # Operating enterprises: by group and by the moment they operated until.
    # Operating enterprises: by group, by the moment they operated until and by the first of the
    # months ``every`` they existed in (成立日期).
    ents, distinct = _group(_enterprises(inner).filter(existed_by(last_day))
                            .annotate(_until=operating_until(), _from=first_month_existed(every))
                            .filter(_until__gte=since(first)), by, keys, "")
    cols = ["_g", "_until", "_from"] if "_g" in ents.query.annotations else ["_until", "_from"]
    operating: dict[Any, list[tuple[datetime.datetime, int, int]]] = defaultdict(list)
    for row in ents.values(*cols).annotate(_n=Count("pk", distinct=distinct)).order_by():
        operating[row.get("_g")].append((row["_until"], row["_from"], row["_n"]))
    # Covered: enterprises with a submitted self-inspection in a month they operated in.
    # One conditional count per month (no per-row date function: cheap on every backend).
    done = (_inspections(inner)
            .filter(kind=InspectionKind.SELF, status=InspectionStatus.SUBMITTED, date__gte=first, date__lte=last_day)
            .annotate(_until=operating_until("enterprise__")))
    done, _distinct = _group(done, by, keys, "enterprise__")
    per_month = {f"_c{i}": Count("enterprise_id", distinct=True,
                                 filter=Q(date__gte=m, date__lte=_month_end(m)) & Q(_until__gte=since(m))
                                 & existed_by(_month_end(m), "enterprise__"))
                 for i, m in enumerate(every)}
    if "_g" in done.query.annotations:
        rows = list(done.values("_g").annotate(**per_month).order_by())
    else:
        rows = [done.aggregate(**per_month)]
    covered = {row.get("_g"): {m: row[f"_c{i}"] or 0 for i, m in enumerate(every)} for row in rows}
    starts = {m: since(m) for m in every}
    by_group = {g: {m: sum(n for until, since_i, n in rows if until >= starts[m] and since_i <= i)
                    for i, m in enumerate(every)}
                for g, rows in operating.items()}
    return covered, by_group


def coverage_figures(scope: IndicatorScope, period: Period, by: str | None, keys: Sequence[Key],
                     today: datetime.date | None = None) -> dict[Key, tuple[int, int]]:
    """{key: (covered enterprise-months, operating enterprise-months)} in two grouped queries."""
    today = today or clock.today()
    months = _coverage_months(period, by, keys, today)
    every = sorted({m for ms in months.values() for m in ms})
    if not every:
        return {k: (0, 0) for k in keys}
    covered, operating = coverage_table(grouping_scope(scope, by, keys), by, keys, every)
    out: dict[Key, tuple[int, int]] = {}
    for key in keys:
        g = _norm(by, key) if by in GROUPINGS else None
        cov, op = covered.get(g, {}), operating.get(g, {})
        out[key] = (sum(cov.get(m, 0) for m in months[key]), sum(op.get(m, 0) for m in months[key]))
    return out


def coverage_rows(scope: IndicatorScope, period: Period, today: datetime.date | None = None
                  ) -> Callable[[str], QuerySet]:
    """The rows behind the coverage: the self-inspections counted (submitted, in a month their
    enterprise operated in), and the enterprises operating in at least one of the months."""
    def rows(which: str) -> QuerySet:
        months = months_of(period, today)
        if not months:
            return Inspection.objects.none() if which == "rows" else _enterprises(scope).none()
        if which == "denominator":
            return (_enterprises(scope).filter(existed_by(months[-1].end)).annotate(_until=operating_until())
                    .filter(_until__gte=since(months[0].start)))
        in_operating_month = Q(pk__in=[])
        for m in months:
            in_operating_month |= (Q(date__gte=m.start, date__lte=m.end) & Q(_until__gte=since(m.start))
                                   & existed_by(m.end, "enterprise__"))
        return (_inspections(scope)
                .filter(kind=InspectionKind.SELF, status=InspectionStatus.SUBMITTED)
                .annotate(_until=operating_until("enterprise__")).filter(in_operating_month))

    return rows


def _coverage_results(scope: IndicatorScope, period: Period, by: str | None, keys: Sequence[Key]
                      ) -> dict[Key, IndicatorResult]:
    figures = coverage_figures(scope, period, by, keys)
    return {k: _ratio(*figures[k], coverage_rows(unit_scope(scope, by, k), unit_period(period, by, k)))
            for k in keys}


@indicator(
    "inspections.self_inspection_coverage", _("Monthly self-inspection coverage (每月自查覆盖率)"), unit="%",
    description=_("Enterprises operating in a month that filed a self-inspection in it, over the enterprises "
                  "operating in it; for a longer period, covered enterprise-months over operating "
                  "enterprise-months of the months that have begun."),
    rows_label=_("self-inspections"), feeds=_("Submitted enterprise self-inspections (企业自查)."),
    tags=("plan_2017", "hazards"),
)
def self_inspection_coverage(scope: IndicatorScope, period: Period) -> IndicatorResult:
    return _coverage_results(scope, period, None, [None])[None]  # type: ignore[index]


def self_inspection_coverage_breakdown(scope: IndicatorScope, period: Period, by: str, keys: Sequence[Key]
                                       ) -> dict[Key, IndicatorResult] | None:
    if by not in GROUPINGS and by not in TIME:
        return None
    return _coverage_results(scope, period, by, list(keys))


self_inspection_coverage.breakdown = self_inspection_coverage_breakdown  # type: ignore[attr-defined]


# --- key-enterprise enforcement coverage --------------------------------------------------------

def _key_inspections(period: Period, enterprise: Any) -> QuerySet:
    return Inspection.objects.filter(enterprise=enterprise, kind__in=rules.key_enforcement_kinds(),
                                     status=InspectionStatus.SUBMITTED, date__gte=period.start,
                                     date__lte=period.end)


def key_enforcement_figures(scope: IndicatorScope, period: Period, by: str | None, keys: Sequence[Key]
                            ) -> dict[Key, tuple[int, int]]:
    """{key: (key enterprises inspected, key enterprises operating)} for each unit's period, in one
    query (two by month)."""
    inner = grouping_scope(scope, by, keys)
    key_ents = _enterprises(inner).filter(key_enterprise=True)
    periods = {k: unit_period(period, by, k) for k in keys}
    if by == "month":
        # Each month its own period: operating key enterprises by the moment they operated until,
        # and one conditional count of the inspected ones per month.
        first, last = min(p.start for p in periods.values()), max(p.end for p in periods.values())
        until_counts = [(r["_until"], r["_n"]) for r in
                        key_ents.annotate(_until=operating_until()).filter(_until__gte=since(first))
                        .values("_until").annotate(_n=Count("pk")).order_by()]
        per_month = {f"_c{i}": Count("enterprise_id", distinct=True,
                                     filter=Q(date__gte=p.start, date__lte=p.end) & Q(_until__gte=since(p.start)))
                     for i, p in enumerate(periods.values())}
        got = (Inspection.objects.filter(enterprise__in=key_ents.values("pk"), kind__in=rules.key_enforcement_kinds(),
                                         status=InspectionStatus.SUBMITTED, date__gte=first, date__lte=last)
               .annotate(_until=operating_until("enterprise__")).aggregate(**per_month))
        starts = {k: since(p.start) for k, p in periods.items()}
        return {k: (got[f"_c{i}"] or 0, sum(n for until, n in until_counts if until >= starts[k]))
                for i, (k, p) in enumerate(periods.items())}
    # Every unit starts with the period: the key enterprises operating since then.
    operating = key_ents.annotate(_until=operating_until()).filter(_until__gte=since(period.start))
    if by == "ytd":
        # The first inspection of each enterprise in the span decides from which month on it is covered.
        span = Period(period.start, max(p.end for p in periods.values()))
        first_date = _key_inspections(span, OuterRef("pk")).order_by("date").values("date")[:1]
        rows = (operating.annotate(_first=Subquery(first_date, output_field=DateField()))
                .values("_first").annotate(_n=Count("pk")).order_by())
        counts = [(r["_first"] and _as_date(r["_first"]), r["_n"]) for r in rows]
        total = sum(n for _f, n in counts)
        return {k: (sum(n for f, n in counts if f is not None and f <= p.end), total) for k, p in periods.items()}
    qs, distinct = _group(operating.annotate(_covered=Exists(_key_inspections(period, OuterRef("pk")))),
                          by, keys, "")
    if by is None:
        got = qs.aggregate(_n=Count("pk"), _c=Count("pk", filter=Q(_covered=True)))
        return {k: (got["_c"], got["_n"]) for k in keys}
    rows = qs.values("_g").annotate(_n=Count("pk", distinct=distinct),
                                    _c=Count("pk", filter=Q(_covered=True), distinct=distinct)).order_by()
    by_group = {r["_g"]: (r["_c"], r["_n"]) for r in rows}
    return {k: by_group.get(_norm(by, k), (0, 0)) for k in keys}


def key_enforcement_rows(scope: IndicatorScope, period: Period) -> Callable[[str], QuerySet]:
    def rows(which: str) -> QuerySet:
        operating = (_enterprises(scope).filter(key_enterprise=True).annotate(_until=operating_until())
                     .filter(_until__gte=since(period.start)))
        if which == "denominator":
            return operating
        return operating.filter(Exists(_key_inspections(period, OuterRef("pk"))))

    return rows


@indicator(
    "inspections.key_enforcement_coverage", _("Key-enterprise enforcement coverage (重点企业执法检查覆盖率)"),
    unit="%",
    description=_("Key enterprises operating in the period with at least one submitted enforcement or routine "
                  "inspection in it, over the key enterprises operating in it."),
    rows_label=_("enterprises"), feeds=_("Submitted enforcement and routine inspections of key enterprises."),
    tags=("plan_2017", "hazards"),
)
def key_enforcement_coverage(scope: IndicatorScope, period: Period) -> IndicatorResult:
    return key_enforcement_coverage_breakdown(scope, period, None, [None])[None]  # type: ignore[index]


def key_enforcement_coverage_breakdown(scope: IndicatorScope, period: Period, by: str | None,
                                       keys: Sequence[Key]) -> dict[Key, IndicatorResult] | None:
    if not _check(by):
        return None
    keys = list(keys)
    figures = key_enforcement_figures(scope, period, by, keys)
    return {k: _ratio(*figures[k], key_enforcement_rows(unit_scope(scope, by, k), unit_period(period, by, k)))
            for k in keys}


key_enforcement_coverage.breakdown = key_enforcement_coverage_breakdown  # type: ignore[attr-defined]


# --- special (enforcement) filing rate ----------------------------------------------------------

def filed_q() -> Q:
    """A filed record: submitted, with a conclusion and at least one document attached."""
    documents = InspectionAttachment.objects.filter(inspection=OuterRef("pk"), kind=AttachmentKind.DOCUMENT)
    return Q(Exists(documents), status=InspectionStatus.SUBMITTED) & ~Q(conclusion="")


def _held(scope: IndicatorScope, start: datetime.date, end: datetime.date) -> QuerySet:
    """Special-campaign and enforcement inspections dated in [start, end] up to today, carried out."""
    return (_inspections(scope)
            .filter(kind__in=rules.special_filing_kinds(), date__gte=start, date__lte=min(end, clock.today()))
            .exclude(status=InspectionStatus.PLANNED))


def filing_figures(scope: IndicatorScope, period: Period, by: str | None, keys: Sequence[Key]
                   ) -> dict[Key, tuple[int, int]]:
    """{key: (filed, held)} in one grouped query."""
    periods = {k: unit_period(period, by, k) for k in keys}
    start, end = min(p.start for p in periods.values()), max(p.end for p in periods.values())
    qs = _held(grouping_scope(scope, by, keys), start, end)
    filed = Count("pk", filter=filed_q())
    if by in TIME:
        rows = qs.annotate(_m=TruncMonth("date")).values("_m").annotate(_n=Count("pk"), _f=filed).order_by()
        per_month = [(_month(r["_m"]), r["_f"], r["_n"]) for r in rows]
        out = {}
        for k, p in periods.items():
            inside = [(f, n) for m, f, n in per_month if p.start <= m <= p.end]
            out[k] = (sum(f for f, _n in inside), sum(n for _f, n in inside))
        return out
    qs, distinct = _group(qs, by, keys, "enterprise__")
    if by is None:
        got = qs.aggregate(_n=Count("pk"), _f=filed)
        return {k: (got["_f"], got["_n"]) for k in keys}
    rows = qs.values("_g").annotate(_n=Count("pk", distinct=distinct),
                                    _f=Count("pk", filter=filed_q(), distinct=distinct)).order_by()
    by_group = {r["_g"]: (r["_f"], r["_n"]) for r in rows}
    return {k: by_group.get(_norm(by, k), (0, 0)) for k in keys}


def filing_rows(scope: IndicatorScope, period: Period) -> Callable[[str], QuerySet]:
    def rows(which: str) -> QuerySet:
        held = _held(scope, period.start, period.end)
        return held if which == "denominator" else held.filter(filed_q())

    return rows


@indicator(
    "inspections.special_filing_rate", _("Special (enforcement) filing rate (专项(执法)登记建档率)"), unit="%",
    description=_("Special-campaign and enforcement inspections held in the period whose record is filed "
                  "(submitted, with a conclusion and at least one document), over those inspections."),
    rows_label=_("inspections"), feeds=_("Special-campaign and enforcement inspections."),
    tags=("plan_2017", "hazards"),
)
def special_filing_rate(scope: IndicatorScope, period: Period) -> IndicatorResult:
    return special_filing_rate_breakdown(scope, period, None, [None])[None]  # type: ignore[index]


def special_filing_rate_breakdown(scope: IndicatorScope, period: Period, by: str | None, keys: Sequence[Key]
                                  ) -> dict[Key, IndicatorResult] | None:
    if not _check(by):
        return None
    keys = list(keys)
    figures = filing_figures(scope, period, by, keys)
    return {k: _ratio(*figures[k], filing_rows(unit_scope(scope, by, k), unit_period(period, by, k))) for k in keys}


special_filing_rate.breakdown = special_filing_rate_breakdown  # type: ignore[attr-defined]


# --- the family: a dashboard's requests at once ---------------------------------------------------

CODES = ("inspections.self_inspection_coverage", "inspections.key_enforcement_coverage",
         "inspections.special_filing_rate")


def _shape_units(shape: Any, reqs: Sequence[Any]) -> list[tuple[Any, Key, Period, str | None]]:
    """(request, key, the unit's period, its town prefix or None) for the value, town, month and
    year-to-date requests of a shape."""
    units = []
    for r in reqs:
        if r.by is None:
            units.append((r, None, shape.period, None))
        else:
            period = Period.year(shape.year) if r.by == "month" else shape.period
            for k in r.keys:
                units.append((r, k, unit_period(period, r.by, k), str(k)[:9] if r.by == "town" else None))
    return units


def _store(out: dict[Any, Any], r: Any, key: Key, result: IndicatorResult) -> None:
    if r.by is None:
        out[r] = result
    else:
        out.setdefault(r, {})[key] = result


def last_operating_month(year: int) -> Any:
    """SQL, on an enterprise: the last month of ``year`` (1–12) in which it operated, 0 if none.

    12 while it operates; otherwise how many months of the year had begun at the moment it left
    (the latest change-log entry whose new status is not operating, as ``operating_until``), 0 when
    no change is recorded. The enterprise operated in month ``m`` of the year exactly when this is
    ≥ ``m`` (``operating_until`` ≥ ``since`` of the month's first day), so one integer per
    enterprise answers every month, and the change log is read once per closed enterprise."""
    from django.db.models import Case, IntegerField, When
    from django.db.models.functions import Coalesce

    from anjian.enterprises.models import EnterpriseStatus

    from .coverage import leaving_entries

    begun = sum((Case(When(timestamp__gte=since(datetime.date(year, m, 1)), then=Value(1)), default=Value(0),
                      output_field=IntegerField()) for m in range(1, 13)), Value(0))
    left = leaving_entries().annotate(_k=begun).values("_k")[:1]
    return Case(When(status=EnterpriseStatus.OPERATING, then=Value(12)),
                default=Coalesce(Subquery(left, output_field=IntegerField()), Value(0)), output_field=IntegerField())


def _flag(q: Q) -> Any:
    from django.db.models import Case, IntegerField, When

    return Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField())


# The statement of a shape. ``e``: one row per enterprise of the scope (its town, whether it is a
# key enterprise, the last month of the year it operated in); ``i``: one row per inspection of the
# span (its enterprise, month, whether it lies in P, and what it is: a submitted self-inspection, a
# submitted key-enforcement inspection, a special/enforcement inspection held, filed); ``em``: one
# row per enterprise and month. Three groupings read them, each row tagged:
#   g  town, month: enterprises covered while operating, key enterprises inspected while operating,
#      inspections held / held in P, filed / filed in P
#   e  town, key, last operating month, month of the first key inspection in P: enterprises
#   d  department: per-enterprise figures summed over each department's enterprises (the pairs)
_STATEMENT = """
WITH e AS ({ents}), i AS {materialized}({insp}),
em AS (SELECT i._e, i._m, MAX(i._s) AS s, MAX(i._k) AS k, MAX(i._k * i._p) AS kp, SUM(i._h) AS h,
              SUM(i._h * i._p) AS hp, SUM(i._f) AS f, SUM(i._f * i._p) AS fp
       FROM i GROUP BY i._e, i._m){pairs}
SELECT 'g', e._t, em._m, SUM(CASE WHEN em.s = 1 AND e._f <= em._m AND e._l >= em._m THEN 1 ELSE 0 END),
       SUM(CASE WHEN em.k = 1 AND e._k = 1 AND e._l >= em._m THEN 1 ELSE 0 END),
       SUM(em.h), SUM(em.hp), SUM(em.f), SUM(em.fp)
FROM em JOIN e ON e._e = em._e GROUP BY e._t, em._m
UNION ALL
SELECT 'e', e._t, e._k, e._l, f.fm, COUNT(*), e._f, 0, 0
FROM e LEFT JOIN (SELECT em._e, MIN(em._m) AS fm FROM em WHERE em.kp = 1 GROUP BY em._e) f ON f._e = e._e
GROUP BY e._t, e._k, e._l, f.fm, e._f{departments}
"""
_DEPARTMENTS = """
UNION ALL
SELECT 'd', CAST(p._d AS TEXT),
       SUM(CASE WHEN (CASE WHEN e._l < %s THEN e._l ELSE %s END) >= (CASE WHEN e._f > %s THEN e._f ELSE %s END)
                THEN (CASE WHEN e._l < %s THEN e._l ELSE %s END) - (CASE WHEN e._f > %s THEN e._f ELSE %s END) + 1
                ELSE 0 END),
       SUM(x.cov), SUM(CASE WHEN e._k = 1 AND e._l >= %s THEN 1 ELSE 0 END),
       SUM(CASE WHEN e._k = 1 AND e._l >= %s AND x.kp = 1 THEN 1 ELSE 0 END), SUM(x.hp), SUM(x.fp), 0
FROM pairs p JOIN e ON e._e = p._e
LEFT JOIN (SELECT em._e, SUM(CASE WHEN em._m >= %s AND em._m <= %s AND em.s = 1 AND e._f <= em._m AND e._l >= em._m
                                  THEN 1 ELSE 0 END) AS cov,
                  MAX(em.kp) AS kp, SUM(em.hp) AS hp, SUM(em.fp) AS fp
           FROM em JOIN e ON e._e = em._e GROUP BY em._e) x ON x._e = p._e
GROUP BY p._d"""


def _read_shape(shape: Any, today: datetime.date, departments: Sequence[int]) -> tuple[
        dict[tuple[str, int], list[int]], list[tuple[str, int, int, int | None, int, int]], dict[int, list[int]]]:
    """The figures of a shape from ONE statement: ({(town, month): [covered, key inspected, held,
    held in P, filed, filed in P]}, [(town, key, last operating month, first key month, n)],
    {department: [operating months, covered months, key, key inspected, held, filed]})."""
    from django.db import connection
    from django.db.models import IntegerField
    from django.db.models.functions import ExtractMonth

    from anjian.indicators.batching import pairs_cte, representatives

    period = shape.period
    span_end = max(shape.span.end, _month_end(period.end))
    ents = _enterprises(shape.scope).values(_e=F("pk"), _t=Substr("area_id", 1, 9),
                                            _k=_flag(Q(key_enterprise=True)), _l=last_operating_month(shape.year),
                                            _f=first_month_existed([datetime.date(shape.year, m, 1)
                                                                    for m in range(1, 13)], first=1))
    key_kinds, filing_kinds = rules.key_enforcement_kinds(), rules.special_filing_kinds()
    held = Q(kind__in=filing_kinds, date__lte=today) & ~Q(status=InspectionStatus.PLANNED)
    insp = (_inspections(shape.scope)
            .filter(date__gte=shape.span.start, date__lte=span_end,
                    kind__in=sorted({InspectionKind.SELF, *key_kinds, *filing_kinds}))
            .values(_e=F("enterprise_id"), _m=Cast(ExtractMonth("date"), output_field=IntegerField()),
                    _p=_flag(Q(date__gte=period.start, date__lte=period.end)),
                    _s=_flag(Q(kind=InspectionKind.SELF, status=InspectionStatus.SUBMITTED)),
                    _k=_flag(Q(kind__in=key_kinds, status=InspectionStatus.SUBMITTED)),
                    _h=_flag(held), _f=_flag(held & filed_q())))
    e_sql, e_params = ents.order_by().query.sql_with_params()
    i_sql, i_params = insp.order_by().query.sql_with_params()
    params: list[Any] = [*e_params, *i_params]
    representative = representatives(departments) if departments else {}
    pairs = departments_sql = ""
    if representative:
        p_sql, p_params = pairs_cte(sorted(set(representative.values())), "e")
        pairs = f", pairs AS ({p_sql})"
        params.extend(p_params)
        a = period.start.month
        months = [m.start.month for m in months_of(period, today)]
        b = months[-1] if months else a - 1
        departments_sql = _DEPARTMENTS
        params.extend([b, b, a, a, b, b, a, a, a, a, a, b])
    # PostgreSQL would inline ``i`` (read once) into ``em`` and evaluate its flags, the record-document
    # EXISTS among them, once per reference; materialised, each is evaluated once per inspection.
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    sql = _STATEMENT.format(ents=e_sql, insp=i_sql, pairs=pairs, departments=departments_sql,
                            materialized=materialized)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    grid: dict[tuple[str, int], list[int]] = {}
    groups: list[tuple[str, int, int, int | None, int, int]] = []
    by_rep: dict[int, list[int]] = {}
    for kind, key, *values in rows:
        if kind == "g":
            grid[(key, int(values[0]))] = [int(v or 0) for v in values[1:]]
        elif kind == "e":
            k, last, first, n, since_month = values[:5]
            groups.append((key, int(k), int(last), None if first is None else int(first), int(n), int(since_month)))
        else:
            by_rep[int(key)] = [int(v or 0) for v in values[:6]]
    return grid, groups, {d: by_rep.get(rep, [0] * 6) for d, rep in representative.items()}


class _Unit:
    """The figures of a town (or of the whole scope) as arrays indexed by month (1–12)."""

    def __init__(self) -> None:
        self.months: dict[int, list[int]] = {}  # month -> the grid's figures
        self.by_last = [0] * 13  # enterprises by the last month they operated in
        self.key_by_last = [0] * 13  # key enterprises, likewise
        self.key_first: dict[tuple[int, int | None], int] = {}  # (last month, first key month) -> n
        self.spans: dict[tuple[int, int], int] = {}  # (first month it existed in, last operating month) -> n

    def add_group(self, key: int, last: int, first: int | None, n: int, since_month: int = 1) -> None:
        self.by_last[last] += n
        self.spans[(since_month, last)] = self.spans.get((since_month, last), 0) + n
        if key:
            self.key_by_last[last] += n
            self.key_first[(last, first)] = self.key_first.get((last, first), 0) + n

    def add(self, other: _Unit) -> None:
        for m, figs in other.months.items():
            into = self.months.setdefault(m, [0] * 6)
            for i, v in enumerate(figs):
                into[i] += v
        for i in range(13):
            self.by_last[i] += other.by_last[i]
            self.key_by_last[i] += other.key_by_last[i]
        for k, n in other.key_first.items():
            self.key_first[k] = self.key_first.get(k, 0) + n
        for k, n in other.spans.items():
            self.spans[k] = self.spans.get(k, 0) + n

    def cell(self, m: int, i: int) -> int:
        figs = self.months.get(m)
        return figs[i] if figs else 0

    def operating(self, m: int, key: bool = False) -> int:
        """Enterprises that existed and operated in month ``m`` (key enterprises: that operated in it)."""
        if key:
            return sum(self.key_by_last[m:])
        return sum(n for (since_month, last), n in self.spans.items() if since_month <= m <= last)


def _answer_shape(shape: Any, today: datetime.date) -> dict[Any, Any]:
    """Every value, town, month, year-to-date and department request of a shape from one statement
    (``_read_shape``); the numbers are those each unit gives computed on its own."""
    period = shape.period
    departments = [] if shape.scope.department_id is not None else [int(k) for k in shape.keys("department")]
    grid, groups, depts = _read_shape(shape, today, departments)
    reqs = [r for r in shape.requests if r.by in (None, "town", "month", "ytd")]
    a = period.start.month
    towns: dict[str, _Unit] = defaultdict(_Unit)
    for (t, m), figs in grid.items():
        towns[t].months[m] = figs
    for t, k, last, first, n, since_month in groups:
        towns[t].add_group(k, last, first, n, since_month)
    total = _Unit()
    for unit in towns.values():
        total.add(unit)
    empty = _Unit()
    months_cache: dict[Period, list[int]] = {}

    def months_in(p: Period) -> list[int]:
        if p not in months_cache:
            months_cache[p] = [m.start.month for m in months_of(p, today)]
        return months_cache[p]

    out: dict[Any, Any] = {}
    for r, key, unit_p, town in _shape_units(shape, reqs):
        mine = total if town is None else towns.get(town, empty)
        unit = unit_scope(shape.scope, "town", key) if town is not None else shape.scope
        code = r.ind.code
        if code == CODES[0]:
            ms = months_in(unit_p)
            num = sum(mine.cell(m, 0) for m in ms)
            den = sum(mine.operating(m) for m in ms)
            _store(out, r, key, _ratio(num, den, coverage_rows(unit, unit_p)))
        elif code == CODES[1]:
            if r.by == "month":
                m = int(key)
                num, den = mine.cell(m, 1), mine.operating(m, key=True)
            else:
                until = unit_p.end.month if r.by == "ytd" else 12
                den = mine.operating(a, key=True)
                num = sum(n for (last, first), n in mine.key_first.items()
                          if last >= a and first is not None and first <= until)
            _store(out, r, key, _ratio(num, den, key_enforcement_rows(unit, unit_p)))
        else:
            if r.by == "month":
                held, filed = mine.cell(int(key), 2), mine.cell(int(key), 4)
            else:
                until = int(key) if r.by == "ytd" else 12
                held = sum(mine.cell(m, 3) for m in range(1, until + 1))
                filed = sum(mine.cell(m, 5) for m in range(1, until + 1))
            _store(out, r, key, _ratio(filed, held, filing_rows(unit, unit_p)))
    rows_of = {CODES[0]: coverage_rows, CODES[1]: key_enforcement_rows, CODES[2]: filing_rows}
    pick = {CODES[0]: (1, 0), CODES[1]: (3, 2), CODES[2]: (5, 4)}
    for r in shape.requests:
        if r.by != "department" or not departments:
            continue
        num_i, den_i = pick[r.ind.code]
        out[r] = {k: _ratio(depts[int(k)][num_i], depts[int(k)][den_i],
                            rows_of[r.ind.code](unit_scope(shape.scope, "department", k), period)) for k in r.keys}
    return out


def answer(requests: Sequence[Any]) -> dict[Any, Any]:
    """A dashboard's requests of the three indicators: for each scope, ONE statement reads the
    enterprises and the inspections once and answers the value, the towns, the months, the year to
    date and the departments (``_read_shape``). A period that does not start on the first of a month,
    the departments of a department's own dashboard and sector breakdowns are left to the grouped
    breakdowns (``breakdown_many``)."""
    from anjian.indicators.batching import shapes

    today = clock.today()
    out: dict[Any, Any] = {}
    for shape in shapes(requests)[0]:
        if shape.period.start.day == 1:
            out.update(_answer_shape(shape, today))
    return out


def compute_many(codes: Sequence[str], scope: IndicatorScope, period: Period) -> dict[str, IndicatorResult]:
    return {code: COMPUTE[code](scope, period) for code in codes}


def breakdown_many(codes: Sequence[str], scope: IndicatorScope, period: Period, by: str, keys: Sequence[Key]
                   ) -> dict[str, dict[Key, IndicatorResult]] | None:
    got = {code: BREAKDOWNS[code](scope, period, by, keys) for code in codes}
    return None if any(v is None for v in got.values()) else got  # type: ignore[return-value]


COMPUTE = {CODES[0]: self_inspection_coverage, CODES[1]: key_enforcement_coverage, CODES[2]: special_filing_rate}
BREAKDOWNS = {CODES[0]: self_inspection_coverage_breakdown, CODES[1]: key_enforcement_coverage_breakdown,
              CODES[2]: special_filing_rate_breakdown}
FAMILY = Family("inspections", compute_many, breakdown_many, answer)
for _fn in (self_inspection_coverage, key_enforcement_coverage, special_filing_rate):
    _fn.family = FAMILY  # type: ignore[attr-defined]
