"""The indicator registry: every number the plan's targets and the dashboards show.

An app registers its indicators in its own ``indicators.py``::

    @indicator("hazards.rectification_rate", _("Hazard rectification rate"), unit="%", better="higher")
    def rectification_rate(scope: IndicatorScope, period: Period) -> IndicatorResult:
        found = Hazard.objects.in_scope(scope).found_in(period)
        done = found.filter(...)
        return IndicatorResult.ratio(done.count(), found.count(), percent=True, rows=found)

A function returns numerator, denominator, value and the queryset of the rows
behind the number (the drill-down). A zero denominator gives ``value=None``
("no data"), never 100% or an error. Indicators are plain typed functions of
(scope, period), tested against hand-computed fixtures.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any, Literal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise

from anjian.enterprises.models import Enterprise
from anjian.territory.supervision import supervised_sector_ids
from anjian.utilities.discovery import app_modules
from anjian.utilities.scoping import area_prefix, scope_for


@dataclass(frozen=True)
class Period:
    """A closed range of dates [start, end]."""

    start: date
    end: date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = 3 * (quarter - 1) + 1
        return cls(date(year, first, 1), date(year, first + 2, calendar.monthrange(year, first + 2)[1]))

    @property
    def start_dt(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_dt(self) -> datetime:
        """Exclusive upper bound as an aware datetime (midnight after ``end``)."""
        from datetime import timedelta

        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def previous_year(self) -> Period:
        return Period(self.start.replace(year=self.start.year - 1), self.end.replace(year=self.end.year - 1))


@dataclass(frozen=True)
class IndicatorScope:
    """Where an indicator is computed: an area (prefix of its code), optionally narrowed
    to a department's or a sector's enterprises; ``user`` bounds it to what the user may see."""

    area_code: str | None = None
    department_id: int | None = None
    sector_id: int | None = None
    user: Any = None

    def restrict(self, queryset: QuerySet, *, enterprise: str | None = "enterprise",
                 area: str | None = None, sector: str | None = None) -> QuerySet:
        """Apply this scope to ``queryset``.

        ``enterprise``: path to the row's enterprise ("pk" for Enterprise itself);
        ``area``: path to the row's area code when it has one of its own (accidents);
        ``sector``: path to the row's own sector, if any.
        """
        qs = queryset
        ent = "" if enterprise in (None, "pk") else f"{enterprise}__"
        path = area or f"{ent}area__code"
        if self.user is not None and not self._visibility_implied(queryset.model, path):
            qs = qs.visible_to(self.user)  # type: ignore[attr-defined]
        if self.area_code:
            qs = qs.filter(**{f"{path}__startswith": area_prefix(self.area_code)})
        if self.department_id is not None:
            # The department's sectors in effect (with their sub-sectors; every sector for the
            # safety authority): anjian.territory.supervision, as a department user's data scope.
            sector_ids = supervised_sector_ids([self.department_id])
            ents = Enterprise.objects.filter(sectors__in=sector_ids).values("pk")
            if sector:
                qs = qs.filter(**{f"{sector}__in": sector_ids})
            elif enterprise == "pk":
                qs = qs.filter(pk__in=ents)
            elif enterprise:
                qs = qs.filter(**{f"{enterprise}__in": ents})
        if self.sector_id is not None:
            if sector:
                qs = qs.filter(**{sector: self.sector_id})
            elif enterprise == "pk":
                qs = qs.filter(sectors=self.sector_id)
            elif enterprise:
                qs = qs.filter(**{f"{enterprise}__sectors": self.sector_id})
        return qs

    def _visibility_implied(self, model: Any, area_path: str) -> bool:
        """Whether the user's data scope adds nothing to this scope's area filter: a scope made of
        areas only (no department, no enterprise), one of which holds this area, matched on the
        same path. The same prefix filtered twice misleads the database's row estimates."""
        if not self.area_code:
            return False
        scope = scope_for(self.user)
        if not scope.business or scope.department_ids or scope.enterprise_ids or not scope.area_prefixes:
            return False
        rule = getattr(model, "scope", None)
        if rule is None or rule.public:
            return False
        rule_path = rule.area or (f"{rule.enterprise}__area__code" if rule.enterprise not in (None, "pk") else None)
        if rule_path != area_path:
            return False
        mine = area_prefix(self.area_code)
        return any(mine.startswith(p) for p in scope.area_prefixes)


@dataclass
class IndicatorResult:
    numerator: Decimal | int | None
    denominator: Decimal | int | None
    value: Decimal | None  # None: no data (e.g. zero denominator)
    rows: QuerySet | None = None  # the records behind the number (drill-down)
    denominator_rows: QuerySet | None = None
    note: str = ""

    @classmethod
    def ratio(cls, numerator: int | Decimal, denominator: int | Decimal, *, scale: int | Decimal = 1,
              places: int = 4, rows: QuerySet | None = None, denominator_rows: QuerySet | None = None,
              note: str = "") -> IndicatorResult:
        """numerator / denominator × scale (100 for a percentage); no data when the denominator is 0."""
        if not denominator:
            return cls(numerator, denominator, None, rows, denominator_rows, note)
        value = (Decimal(numerator) * Decimal(scale) / Decimal(denominator)).quantize(
            Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
        )
        return cls(numerator, denominator, value, rows, denominator_rows, note)

    @classmethod
    def count(cls, n: int, rows: QuerySet | None = None, note: str = "") -> IndicatorResult:
        return cls(n, None, Decimal(n), rows, None, note)

    @property
    def has_data(self) -> bool:
        return self.value is not None


Compute = Callable[[IndicatorScope, Period], IndicatorResult]


@dataclass(frozen=True)
class Family:
    """Indicators an app computes together: several codes of one scope and period from the
    same query. An indicator joins its family with ``func.family = Family(...)``:

    ``compute_many(codes, scope, period) -> {code: IndicatorResult}``;
    ``breakdown_many(codes, scope, period, by, keys) -> {code: {key: IndicatorResult}}`` or None
    when it does not support ``by`` (the convention of ``anjian/targets/breakdown.py``).
    The dashboard asks each family once per scope, period and breakdown instead of once per code.
    ``answer(requests) -> {request: IndicatorResult | {key: IndicatorResult}}`` (optional) takes
    all of a dashboard's requests of the family at once and answers those it can, reading its
    rows once for all of them (``anjian/indicators/batching.py``); the others go through the two
    functions above.
    """

    name: str
    compute_many: Callable[..., dict[str, IndicatorResult]]
    breakdown_many: Callable[..., dict[str, dict[Any, IndicatorResult]] | None]
    answer: Callable[..., dict[Any, Any]] | None = None


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str | Promise
    unit: str | Promise
    better: Literal["higher", "lower"]
    compute: Compute
    description: str | Promise = ""
    # The model whose rows the drill-down lists, and the URL name of its list page.
    rows_label: str | Promise = ""
    feeds: str | Promise = ""  # what feeds it, shown when it has no data yet
    tags: tuple[str, ...] = field(default_factory=tuple)


REGISTRY: dict[str, Indicator] = {}


def indicator(code: str, name: str | Promise, *, unit: str | Promise = "", better: Literal["higher", "lower"] = "higher",
              description: str | Promise = "", rows_label: str | Promise = "", feeds: str | Promise = "",
              tags: tuple[str, ...] = ()) -> Callable[[Compute], Compute]:
    def register(func: Compute) -> Compute:
        REGISTRY[code] = Indicator(code, name, unit, better, func, description, rows_label, feeds, tags)
        return func

    return register


@cache
def _discover() -> None:
    app_modules("indicators")  # each app's indicators.py registers its indicators on import


def registry() -> dict[str, Indicator]:
    _discover()
    return REGISTRY


def get(code: str) -> Indicator:
    return registry()[code]


def compute(code: str, scope: IndicatorScope, period: Period) -> IndicatorResult:
    return get(code).compute(scope, period)


# --- the units of a breakdown ------------------------------------------------------------------

def unit_scope(scope: IndicatorScope, by: str | None, key: Any) -> IndicatorScope:
    """The scope of one unit of a breakdown (``by`` = town, department or sector), inside ``scope``
    (the user's bound is kept); ``scope`` itself for a time breakdown."""
    from dataclasses import replace

    if by == "town":
        return replace(scope, area_code=str(key))
    if by == "department":
        return replace(scope, department_id=int(key))
    if by == "sector":
        return replace(scope, sector_id=int(key))
    return scope


def unit_period(period: Period, by: str | None, key: Any) -> Period:
    """The period of one unit: a month of the period's year (``month``), the period up to the end of
    a month (``ytd``), or ``period`` itself."""
    if by == "month":
        return Period.month(period.start.year, int(key))
    if by == "ytd":
        year, month = period.start.year, int(key)
        return Period(period.start, min(date(year, month, calendar.monthrange(year, month)[1]), period.end))
    return period
