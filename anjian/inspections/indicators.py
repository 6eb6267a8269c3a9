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
    CharField,
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
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from anjian.utilities.indicators import Family, IndicatorResult, IndicatorScope, Period, indicator
from anjian.utilities.scoping import area_prefix

from . import rules
from .coverage import months_of, operating_until, since
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
        path = f"{enterprise}sectors__departments"
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


def unit_scope(scope: IndicatorScope, by: str | None, key: Key) -> IndicatorScope:
    if by == "town":
        return replace(scope, area_code=str(key))
    if by == "department":
        return replace(scope, department_id=int(key))
    if by == "sector":
        return replace(scope, sector_id=int(key))
    return scope


def unit_period(period: Period, by: str | None, key: Key) -> Period:
    if by == "month":
        return Period.month(period.start.year, int(key))
    if by == "ytd":
        year, month = period.start.year, int(key)
        return Period(period.start, min(datetime.date(year, month, calendar.monthrange(year, month)[1]), period.end))
    return period


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
    ents, distinct = _group(_enterprises(inner).annotate(_until=operating_until()).filter(_until__gte=since(first)),
                            by, keys, "")
    cols = ["_g", "_until"] if "_g" in ents.query.annotations else ["_until"]
    operating: dict[Any, list[tuple[datetime.datetime, int]]] = defaultdict(list)
    for row in ents.values(*cols).annotate(_n=Count("pk", distinct=distinct)).order_by():
        operating[row.get("_g")].append((row["_until"], row["_n"]))
    # Covered: enterprises with a submitted self-inspection in a month they operated in.
    # One conditional count per month (no per-row date function: cheap on every backend).
    done = (_inspections(inner)
            .filter(kind=InspectionKind.SELF, status=InspectionStatus.SUBMITTED, date__gte=first, date__lte=last_day)
            .annotate(_until=operating_until("enterprise__")))
    done, _distinct = _group(done, by, keys, "enterprise__")
    per_month = {f"_c{i}": Count("enterprise_id", distinct=True,
                                 filter=Q(date__gte=m, date__lte=_month_end(m)) & Q(_until__gte=since(m)))
                 for i, m in enumerate(every)}
    if "_g" in done.query.annotations:
        rows = list(done.values("_g").annotate(**per_month).order_by())
    else:
        rows = [done.aggregate(**per_month)]
    covered = {row.get("_g"): {m: row[f"_c{i}"] or 0 for i, m in enumerate(every)} for row in rows}
    starts = {m: since(m) for m in every}
    by_group = {g: {m: sum(n for until, n in pairs if until >= starts[m]) for m in every}
                for g, pairs in operating.items()}
    return covered, by_group


def coverage_figures(scope: IndicatorScope, period: Period, by: str | None, keys: Sequence[Key],
                     today: datetime.date | None = None) -> dict[Key, tuple[int, int]]:
    """{key: (covered enterprise-months, operating enterprise-months)} in two grouped queries."""
    today = today or timezone.localdate()
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
    months = months_of(period, today)

    def rows(which: str) -> QuerySet:
        if not months:
            return Inspection.objects.none() if which == "rows" else _enterprises(scope).none()
        if which == "denominator":
            return _enterprises(scope).annotate(_until=operating_until()).filter(_until__gte=since(months[0].start))
        in_operating_month = Q(pk__in=[])
        for m in months:
            in_operating_month |= Q(date__gte=m.start, date__lte=m.end) & Q(_until__gte=since(m.start))
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
            .filter(kind__in=rules.special_filing_kinds(), date__gte=start, date__lte=min(end, timezone.localdate()))
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


def _answer_coverage(shape: Any, reqs: Sequence[Any], today: datetime.date) -> dict[Any, Any]:
    units = _shape_units(shape, reqs)
    months = {id(u): [m.start for m in months_of(u[2], today)] for u in units}
    every = sorted({m for ms in months.values() for m in ms})
    covered: dict[Any, dict[datetime.date, int]] = {}
    operating: dict[Any, dict[datetime.date, int]] = {}
    if every:
        covered, operating = coverage_table(shape.scope, "town", [], every)

    def total(table: dict[Any, dict[datetime.date, int]], town: str | None, ms: list[datetime.date]) -> int:
        groups = [table.get(town, {})] if town is not None else list(table.values())
        return sum(g.get(m, 0) for g in groups for m in ms)

    out: dict[Any, Any] = {}
    for u in units:
        r, key, period, town = u
        ms = months[id(u)]
        unit = unit_scope(shape.scope, "town", key) if town is not None else shape.scope
        _store(out, r, key, _ratio(total(covered, town, ms), total(operating, town, ms), coverage_rows(unit, period)))
    return out


def _answer_key_enforcement(shape: Any, reqs: Sequence[Any]) -> dict[Any, Any]:
    """Key enterprises by town, the moment they operated until and the month of their first
    inspection in P (one query); the months' own inspected enterprises (a second, if asked)."""
    from django.db.models.functions import ExtractMonth

    period = shape.period
    first_date = _key_inspections(period, OuterRef("pk")).order_by("date").values("date")[:1]
    rows = list(_enterprises(shape.scope).filter(key_enterprise=True)
                .annotate(_t=Substr("area_id", 1, 9), _until=operating_until(),
                          _first=ExtractMonth(Subquery(first_date, output_field=DateField())))
                .values("_t", "_until", "_first").annotate(_n=Count("pk")).order_by())
    start = since(period.start)
    month_keys = shape.keys("month")
    inspected: dict[str, int] = {}
    if any(r.by == "month" for r in reqs) and month_keys:
        periods = {int(k): Period.month(shape.year, int(k)) for k in month_keys}
        first, last = min(p.start for p in periods.values()), max(p.end for p in periods.values())
        inspected = (Inspection.objects
                     .filter(enterprise__in=_enterprises(shape.scope).filter(key_enterprise=True).values("pk"),
                             kind__in=rules.key_enforcement_kinds(), status=InspectionStatus.SUBMITTED,
                             date__gte=first, date__lte=last)
                     .annotate(_until=operating_until("enterprise__"))
                     .aggregate(**{f"_c{m}": Count("enterprise_id", distinct=True,
                                                    filter=Q(date__gte=p.start, date__lte=p.end)
                                                    & Q(_until__gte=since(p.start)))
                                   for m, p in periods.items()}))
    out: dict[Any, Any] = {}
    rows = [row for row in rows if row["_until"] is not None]  # closed with no recorded day: never operating
    by_town: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_town[row["_t"]].append(row)
    for r, key, unit_p, town in _shape_units(shape, reqs):
        mine = rows if town is None else by_town.get(town, [])
        if r.by == "month":
            num = inspected.get(f"_c{int(key)}") or 0
            unit_start = since(unit_p.start)
            den = sum(row["_n"] for row in mine if row["_until"] >= unit_start)
        else:
            last_month = unit_p.end.month if r.by == "ytd" else 12
            live = [row for row in mine if row["_until"] >= start]
            den = sum(row["_n"] for row in live)
            num = sum(row["_n"] for row in live if row["_first"] is not None and row["_first"] <= last_month)
        unit = unit_scope(shape.scope, "town", key) if town is not None else shape.scope
        _store(out, r, key, _ratio(num, den, key_enforcement_rows(unit, unit_p)))
    return out


def _answer_filing(shape: Any, reqs: Sequence[Any]) -> dict[Any, Any]:
    """Special/enforcement inspections of the span by town, month and "in P" (one query)."""
    from django.db.models import BooleanField, Case, Value, When
    from django.db.models.functions import ExtractMonth

    from anjian.utilities.batching import rollup

    period, span = shape.period, shape.span
    inside = Case(When(date__gte=period.start, date__lte=period.end, then=Value(True)), default=Value(False),
                  output_field=BooleanField())
    grid = (_held(shape.scope, span.start, span.end)
            .annotate(_t=Substr("enterprise__area_id", 1, 9), _m=ExtractMonth("date"), _p=inside)
            .values("_t", "_m", "_p").annotate(held=Count("pk"), filed=Count("pk", filter=filed_q())).order_by())
    roll = rollup(grid, ("held", "filed"), shape.months)
    out: dict[Any, Any] = {}
    for r, key, unit_p, town in _shape_units(shape, reqs):
        if r.by is None:
            figs = roll.value
        elif r.by == "town":
            figs = roll.town.get(town, {})  # type: ignore[arg-type]
        elif r.by == "month":
            figs = roll.month.get(int(key), {})  # type: ignore[arg-type]
        else:
            figs = roll.ytd.get(int(key), {})  # type: ignore[arg-type]
        unit = unit_scope(shape.scope, "town", key) if town is not None else shape.scope
        _store(out, r, key, _ratio(figs.get("filed", 0), figs.get("held", 0), filing_rows(unit, unit_p)))
    return out


def _operating_since(day: datetime.date) -> Q:
    """Q on an enterprise: operating at some moment since ``day``."""
    from django.db.models.lookups import GreaterThanOrEqual

    return Q(GreaterThanOrEqual(operating_until(), Value(since(day))))


def operating_months(enterprise: str, months: Sequence[datetime.date]) -> Any:
    """SQL: in how many of ``months`` (first days) an enterprise was operating, reading the change
    log once (the count is taken inside the subquery on the moment it left)."""
    from django.db.models import Case as Case_
    from django.db.models import IntegerField, Value, When
    from django.db.models.functions import Coalesce

    from anjian.core.models import AuditEntry
    from anjian.enterprises.models import EnterpriseStatus

    away = [s for s in EnterpriseStatus.values if s != EnterpriseStatus.OPERATING]
    ref = f"{enterprise}id" if enterprise else "pk"
    counted = sum((Case_(When(timestamp__gte=since(m), then=Value(1)), default=Value(0), output_field=IntegerField())
                   for m in months), Value(0))
    left = (AuditEntry.objects.filter(object_type="enterprises.enterprise",
                                      object_id=Cast(OuterRef(ref), output_field=CharField()),
                                      changes__status__1__in=away)
            .order_by("-id").annotate(_k=counted).values("_k")[:1])
    return Case_(When(**{f"{enterprise}status": EnterpriseStatus.OPERATING}, then=Value(len(months))),
                 default=Coalesce(Subquery(left, output_field=IntegerField()), Value(0)),
                 output_field=IntegerField())


def _answer_departments(shape: Any, today: datetime.date) -> dict[Any, Any]:
    """The three indicators by department in ONE query: figures per enterprise (from the registry
    and from its inspections) summed over each department's enterprises
    (``anjian.utilities.batching.by_department``)."""
    from dataclasses import replace

    from django.db.models import Case as Case_
    from django.db.models import IntegerField, Max, When

    from anjian.utilities.batching import by_department

    reqs = [r for r in shape.requests if r.by == "department"]
    if not reqs:
        return {}
    period = shape.period
    scope = replace(shape.scope, department_id=None)  # each unit is one department (as computed alone)
    keys = [int(k) for k in shape.keys("department")]
    ents = _enterprises(scope)

    def flag(q: Q) -> Case_:
        return Case_(When(q, then=Value(1)), default=Value(0), output_field=IntegerField())

    out: dict[Any, Any] = {}
    codes = {r.ind.code for r in reqs}
    months = [m.start for m in months_of(period, today)] if CODES[0] in codes else []
    # One row per enterprise of the scope: its operating months, whether it is a key enterprise
    # operating in P, and whether one of those was inspected.
    enterprise_figures: dict[str, Any] = {}
    if months:
        enterprise_figures["op"] = operating_months("", months)
    if CODES[1] in codes:
        live_key = Q(key_enterprise=True) & _operating_since(period.start)
        enterprise_figures["kn"] = flag(live_key)
        enterprise_figures["kc"] = flag(live_key & Q(Exists(_key_inspections(period, OuterRef("pk")))))
    # One row per enterprise with inspections: the months it self-inspected in while operating,
    # its special/enforcement inspections held and filed.
    inspection_figures: dict[str, Any] = {}
    for i, m in enumerate(months):
        inspection_figures[f"c{i}"] = Max(flag(Q(kind=InspectionKind.SELF, status=InspectionStatus.SUBMITTED,
                                                 date__gte=m, date__lte=_month_end(m)) & Q(_until__gte=since(m))))
    if CODES[2] in codes:
        held = Q(kind__in=rules.special_filing_kinds(), date__gte=period.start,
                 date__lte=min(period.end, timezone.localdate())) & ~Q(status=InspectionStatus.PLANNED)
        inspection_figures["held"] = Count("pk", filter=held)
        inspection_figures["filed"] = Count("pk", filter=held & filed_q())
    parts = []
    if enterprise_figures:
        parts.append((ents.values(_e=F("pk"), **enterprise_figures), list(enterprise_figures)))
    if inspection_figures:
        spans = [(months[0], _month_end(months[-1]))] if months else []
        if CODES[2] in codes:
            spans.append((period.start, period.end))
        first, last = min(a for a, _b in spans), max(b for _a, b in spans)
        insp = (_inspections(scope).filter(date__gte=first, date__lte=last)
                .annotate(_until=operating_until("enterprise__")).values(_e=F("enterprise_id"))
                .annotate(**inspection_figures))
        parts.append((insp, list(inspection_figures)))
    got = by_department(parts, [], keys, ents) if parts else {}
    figures: dict[str, dict[int, tuple[int, int]]] = {}
    for k in keys:
        g = got.get(k, {})
        figures.setdefault(CODES[0], {})[k] = (sum(g.get(f"c{i}", 0) for i in range(len(months))), g.get("op", 0))
        figures.setdefault(CODES[1], {})[k] = (g.get("kc", 0), g.get("kn", 0))
        figures.setdefault(CODES[2], {})[k] = (g.get("filed", 0), g.get("held", 0))
    rows = {CODES[0]: coverage_rows, CODES[1]: key_enforcement_rows, CODES[2]: filing_rows}
    for r in reqs:
        out[r] = {k: _ratio(*figures[r.ind.code][int(k)],
                            rows[r.ind.code](unit_scope(shape.scope, "department", k), period)) for k in r.keys}
    return out


def answer(requests: Sequence[Any]) -> dict[Any, Any]:
    """A dashboard's requests of the three indicators, each indicator's rows read once per scope
    for the value, towns, months and year to date, once more for the departments
    (``anjian/utilities/batching.py``); sector breakdowns go through the grouped breakdowns."""
    from anjian.utilities.batching import shapes

    today = timezone.localdate()
    out: dict[Any, Any] = {}
    for shape in shapes(requests)[0]:
        out.update(_answer_departments(shape, today))
        for code, fn in ((CODES[0], lambda s, rs: _answer_coverage(s, rs, today)),
                         (CODES[1], _answer_key_enforcement), (CODES[2], _answer_filing)):
            reqs = [r for r in shape.requests if r.ind.code == code and r.by in (None, "town", "month", "ytd")]
            if reqs:
                out.update(fn(shape, reqs))
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
