"""Evaluating a target: its value, status, year-end projection and monthly trend.

Plain typed functions of (target, scope, as-of date); the dashboard, the API,
the assessment and the tests all use them.

Status (documented in docs/targets.md):

* A closed year (``as_of`` on or after 31 December): **met** if the final value
  satisfies the target, **missed** otherwise.
* A year in progress, for a *cumulative* indicator (counts, and rates over a
  fixed denominator such as deaths per 1亿元 GDP: they only grow during the
  year), projected linearly:
  **missed** when an upper bound (``<``, ``≤``, ``=``) is already exceeded
  (the value cannot come back); **at risk** when the current value satisfies
  the target but the projected year-end value does not, or a lower bound is not
  reached yet; **met** when both the current and the projected values satisfy it.
* A year in progress, for a *percentage* (a coverage or a rate that can rise or
  fall): the projection is the current value; **met** when it satisfies the
  target, **at risk** otherwise (it can still be reached by year end).
* **no data** when the indicator is not registered yet or has no denominator.

Projection methods:

* ``linear``: the year-to-date value × (days in the year ÷ days elapsed), i.e.
  the year-to-date count extrapolated at the same daily rate, over the same
  fixed denominator.
* ``current``: the current value is the best estimate of the year-end value.
* ``final``: the year is over; the projection is the final value.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from anjian.core import clock
from anjian.indicators import registry as registry
from anjian.indicators.registry import Indicator, IndicatorResult, IndicatorScope, Period

from .breakdown import Breakdown, Key, Request, breakdown
from .choices import Comparator, Status

LINEAR, CURRENT, FINAL = "linear", "current", "final"
METHOD_LABELS = {
    LINEAR: _("linear extrapolation of the year-to-date value by elapsed days"),
    CURRENT: _("current value (a percentage is not extrapolated)"),
    FINAL: _("final value (the year is over)"),
}


def compare(value: Decimal, comparator: str, threshold: Decimal) -> bool:
    """Whether ``value`` satisfies ``comparator threshold``."""
    value, threshold = Decimal(value), Decimal(threshold)
    return {
        Comparator.LT: value < threshold,
        Comparator.LE: value <= threshold,
        Comparator.GT: value > threshold,
        Comparator.GE: value >= threshold,
        Comparator.EQ: value == threshold,
    }[Comparator(comparator)]


def projection_method(ind: Indicator) -> str:
    """``linear`` for counts and rates over a fixed denominator, ``current`` for percentages.

    An indicator may say so itself with the tag ``projection:linear`` or ``projection:current``.
    """
    for tag in ind.tags:
        if tag.startswith("projection:"):
            return tag.split(":", 1)[1]
    return CURRENT if str(ind.unit) == "%" else LINEAR


def is_closed(year: int, as_of: date) -> bool:
    return as_of >= date(year, 12, 31)


def year_to_date(year: int, as_of: date) -> Period | None:
    """The part of ``year`` up to ``as_of``; None before the year begins."""
    if as_of < date(year, 1, 1):
        return None
    return Period(date(year, 1, 1), min(as_of, date(year, 12, 31)))


def elapsed_fraction(year: int, as_of: date) -> tuple[int, int]:
    """(days elapsed including ``as_of``, days in the year)."""
    total = 366 if calendar.isleap(year) else 365
    if as_of < date(year, 1, 1):
        return 0, total
    return min((as_of - date(year, 1, 1)).days + 1, total), total


@dataclass(frozen=True)
class Projection:
    value: Decimal | None
    method: str

    @property
    def method_label(self) -> Any:
        return METHOD_LABELS.get(self.method, self.method)


def project(ind: Indicator, value: Decimal | None, year: int, as_of: date) -> Projection:
    if is_closed(year, as_of):
        return Projection(value, FINAL)
    method = projection_method(ind)
    if value is None or method != LINEAR:
        return Projection(value, method)
    elapsed, total = elapsed_fraction(year, as_of)
    if not elapsed:
        return Projection(None, method)
    projected = (Decimal(value) * total / elapsed).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return Projection(projected, method)


def status_of(comparator: str, threshold: Decimal, value: Decimal | None, projection: Projection,
              closed: bool) -> str:
    if value is None:
        return Status.NO_DATA
    now = compare(value, comparator, threshold)
    if closed:
        return Status.MET if now else Status.MISSED
    if projection.method == LINEAR:
        if not now:
            upper = comparator in (Comparator.LT, Comparator.LE) or (
                comparator == Comparator.EQ and Decimal(value) > Decimal(threshold))
            return Status.MISSED if upper else Status.AT_RISK
        if projection.value is not None and not compare(projection.value, comparator, threshold):
            return Status.AT_RISK
        return Status.MET
    return Status.MET if now else Status.AT_RISK


@dataclass
class Evaluation:
    """A target (or an indicator with a comparator and threshold) evaluated in a scope."""

    code: str
    comparator: str
    threshold: Decimal
    year: int
    as_of: date
    indicator: Indicator | None
    result: IndicatorResult | None
    projection: Projection
    status: str
    target: Any = None
    period: Period | None = None
    trend: list[tuple[int, Decimal | None]] = field(default_factory=list)
    by_town: Breakdown | None = None
    by_department: Breakdown | None = None

    @property
    def value(self) -> Decimal | None:
        return self.result.value if self.result is not None else None

    @property
    def computable(self) -> bool:
        return self.indicator is not None


def default_as_of(year: int) -> date:
    today = clock.today()
    return min(today, date(year, 12, 31))


def evaluate_code(code: str, comparator: str, threshold: Decimal, scope: IndicatorScope, year: int,
                  as_of: date | None = None, *, result: IndicatorResult | None = None,
                  target: Any = None) -> Evaluation:
    """Evaluate ``code comparator threshold`` for ``year`` as of ``as_of`` within ``scope``."""
    as_of = as_of or default_as_of(year)
    ind = registry.registry().get(code)
    period = year_to_date(year, as_of)
    if ind is None or period is None:
        projection = Projection(None, CURRENT)
        return Evaluation(code, comparator, Decimal(threshold), year, as_of, ind, None, projection,
                          Status.NO_DATA, target, period)
    if result is None:
        result = ind.compute(scope, period)
    projection = project(ind, result.value, year, as_of)
    status = status_of(comparator, threshold, result.value, projection, is_closed(year, as_of))
    return Evaluation(code, comparator, Decimal(threshold), year, as_of, ind, result, projection, status,
                      target, period)


def target_scope(target: Any, scope: IndicatorScope) -> IndicatorScope:
    """The user's scope narrowed to the target's own area and department."""
    from dataclasses import replace

    area = target.area_code or target.plan.area_code
    narrowed = replace(scope, area_code=scope.area_code or area)
    if target.department_id and scope.department_id is None:
        narrowed = replace(narrowed, department_id=target.department_id)
    return narrowed


def evaluate(target: Any, scope: IndicatorScope, as_of: date | None = None, *,
             result: IndicatorResult | None = None) -> Evaluation:
    return evaluate_code(target.indicator_code, target.comparator, target.threshold,
                         target_scope(target, scope), target.plan.year, as_of, target=target, result=result)


def trend_request(ind: Indicator, scope: IndicatorScope, year: int, period: Period) -> Request:
    """The breakdown a trend reads: by ``ytd`` over the year to date for a cumulative
    indicator, by ``month`` over the whole year for a percentage; months up to ``period.end``."""
    months = tuple(range(1, period.end.month + 1))
    if projection_method(ind) == LINEAR:
        return Request(ind, scope, period, "ytd", months)
    return Request(ind, scope, Period.year(year), "month", months)


def trend_values(got: Breakdown) -> list[tuple[int, Decimal | None]]:
    return [(int(m), r.value if r is not None else None) for m, r in got.results.items()]


def trend(ev: Evaluation, scope: IndicatorScope) -> list[tuple[int, Decimal | None]]:
    """Month by month: the year-to-date value at each month's end for a cumulative indicator,
    the month's own value for a percentage; months up to ``as_of``."""
    if ev.indicator is None or ev.period is None:
        return []
    req = trend_request(ev.indicator, scope, ev.year, ev.period)
    return trend_values(breakdown(req.ind, req.scope, req.period, req.by, req.keys))  # type: ignore[arg-type]


def unit_statuses(ev: Evaluation, results: dict[Key, IndicatorResult | None]) -> dict[Key, str]:
    """The status of each unit of a breakdown against the same target."""
    out: dict[Key, str] = {}
    closed = is_closed(ev.year, ev.as_of)
    by_value: dict[Any, str] = {}  # units with the same value have the same status
    for key, r in results.items():
        value = r.value if r is not None else None
        if ev.indicator is None:
            out[key] = Status.NO_DATA
            continue
        if value not in by_value:
            proj = project(ev.indicator, value, ev.year, ev.as_of)
            by_value[value] = status_of(ev.comparator, ev.threshold, value, proj, closed)
        out[key] = by_value[value]
    return out
