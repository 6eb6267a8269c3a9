"""Breaking an indicator down by town, by department and by month.

Convention for apps (documented in docs/targets.md): an indicator may offer a
*grouped* breakdown by giving its compute function a ``breakdown`` attribute::

    def rectification_rate_breakdown(scope, period, by, keys):
        # by: "town" (keys: 12-digit town codes), "department" (keys: department ids),
        #     "month" (keys: 1..12, each month's own result) or
        #     "ytd" (keys: 1..12, the result from period.start to the end of that month)
        # returns {key: IndicatorResult} for every key, from a constant number of
        # queries (GROUP BY), or None when it does not support ``by``.
    rectification_rate.breakdown = rectification_rate_breakdown

Where an indicator has none, the breakdown falls back to one computation per
unit (its query count then grows with the number of units); ``Breakdown.grouped``
says which path was taken, and the dashboard and the benchmark report it.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

from anjian.utilities.indicators import Indicator, IndicatorResult, IndicatorScope, Period

By = Literal["town", "department", "month", "ytd"]
Key = str | int


@dataclass
class Breakdown:
    by: By
    results: dict[Key, IndicatorResult | None]
    grouped: bool  # True: computed by the indicator's grouped function; False: per unit


def grouped_function(ind: Indicator) -> Callable[..., Any] | None:
    return getattr(ind, "breakdown", None) or getattr(ind.compute, "breakdown", None)


def unit_scope(scope: IndicatorScope, by: By, key: Key) -> IndicatorScope:
    """The scope of one unit of a breakdown, inside ``scope`` (the user's bound is kept)."""
    if by == "town":
        return replace(scope, area_code=str(key))
    if by == "department":
        return replace(scope, department_id=int(key))
    return scope


def unit_period(period: Period, by: By, key: Key) -> Period:
    if by == "month":
        return Period.month(period.start.year, int(key))
    if by == "ytd":
        year, month = period.start.year, int(key)
        end = min(date(year, month, calendar.monthrange(year, month)[1]), period.end)
        return Period(period.start, end)
    return period


def breakdown(ind: Indicator, scope: IndicatorScope, period: Period, by: By, keys: Sequence[Key]) -> Breakdown:
    """``{key: result}`` for every key; grouped when the indicator can, per unit otherwise."""
    fn = grouped_function(ind)
    if fn is not None:
        try:
            got = fn(scope, period, by, list(keys))
        except TypeError:
            got = None
        if got is not None:
            return Breakdown(by, {k: got.get(k) for k in keys}, grouped=True)
    results: dict[Key, IndicatorResult | None] = {}
    for key in keys:
        results[key] = ind.compute(unit_scope(scope, by, key), unit_period(period, by, key))
    return Breakdown(by, results, grouped=False)
