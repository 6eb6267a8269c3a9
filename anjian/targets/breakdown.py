"""Breaking an indicator down by town, by department, by sector and by month; computing
several indicators together.

Convention for apps (documented in docs/targets.md): an indicator may offer a
*grouped* breakdown by giving its compute function a ``breakdown`` attribute::

    def rectification_rate_breakdown(scope, period, by, keys):
        # by: "town" (keys: 12-digit town codes), "department" (keys: department ids),
        #     "sector" (keys: sector ids), "month" (keys: 1..12, each month's own result) or
        #     "ytd" (keys: 1..12, the result from period.start to the end of that month)
        # returns {key: IndicatorResult} for every key, from a constant number of
        # queries (GROUP BY), or None when it does not support ``by``.
    rectification_rate.breakdown = rectification_rate_breakdown

Each unit's result must be exactly what the indicator computes for the unit on its own
(``unit_scope`` and ``unit_period`` below); ``anjian/targets/tests/test_breakdowns.py``
checks it for every registered indicator. The drill-down rows of a unit should be built
only when read (``SimpleLazyObject``): a breakdown has many units and few are opened.

Where an indicator has none, the breakdown falls back to one computation per
unit (its query count then grows with the number of units); ``Breakdown.grouped``
says which path was taken, and the dashboard and the benchmark report it.

An indicator may also belong to a *family* (``func.family = Family(...)``, see
``anjian.indicators.registry.Family``) that computes several of its codes for one scope,
period and breakdown in the same query; ``run`` answers a batch of requests that way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from anjian.indicators.registry import (
    Family,
    Indicator,
    IndicatorResult,
    IndicatorScope,
    Period,
    unit_period,
    unit_scope,
)

By = Literal["town", "department", "sector", "month", "ytd"]
Key = str | int


@dataclass
class Breakdown:
    by: By
    results: dict[Key, IndicatorResult | None]
    grouped: bool  # True: computed by the indicator's grouped function; False: per unit


def grouped_function(ind: Indicator) -> Callable[..., Any] | None:
    return getattr(ind, "breakdown", None) or getattr(ind.compute, "breakdown", None)


def family_of(ind: Indicator) -> Family | None:
    return getattr(ind.compute, "family", None)


def per_unit(ind: Indicator, scope: IndicatorScope, period: Period, by: By, keys: Sequence[Key]) -> Breakdown:
    """The breakdown computed unit by unit (the definition a grouped breakdown must match)."""
    return Breakdown(by, {k: ind.compute(unit_scope(scope, by, k), unit_period(period, by, k)) for k in keys},
                     grouped=False)


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
    return per_unit(ind, scope, period, by, keys)


# --- batches ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Request:
    """One number (``by`` None) or one breakdown of an indicator in a scope and period."""

    ind: Indicator = field(compare=False)  # compared (and hashed) by its code
    scope: IndicatorScope
    period: Period
    by: By | None = None
    keys: tuple[Key, ...] = ()
    code: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", self.ind.code)

    @property
    def batch_key(self) -> tuple[Any, ...]:
        family = family_of(self.ind)
        who = ("family", family.name) if family is not None else ("code", self.ind.code)
        return (who, self.scope, self.period, self.by, self.keys)


def run(requests: Sequence[Request]) -> dict[Request, IndicatorResult | Breakdown]:
    """Answer every request: a family with ``answer`` takes all its requests at once (its rows read
    once per scope, ``anjian/indicators/batching.py``); the rest one call per family for the same
    scope, period and breakdown (several codes at once); the indicator's own functions otherwise."""
    out: dict[Request, IndicatorResult | Breakdown] = {}
    families: dict[str, tuple[Family, list[Request]]] = {}
    for req in dict.fromkeys(requests):
        family = family_of(req.ind)
        if family is not None and family.answer is not None:
            families.setdefault(family.name, (family, []))[1].append(req)
    for family, reqs in families.values():
        for req, got in family.answer(reqs).items():  # type: ignore[misc]
            out[req] = got if req.by is None else Breakdown(req.by, {k: got.get(k) for k in req.keys}, grouped=True)
    batches: dict[tuple[Any, ...], list[Request]] = {}
    for req in requests:
        if req not in out:
            batches.setdefault(req.batch_key, []).append(req)
    for reqs in batches.values():
        first = reqs[0]
        family = family_of(first.ind)
        codes = list(dict.fromkeys(r.ind.code for r in reqs))
        if family is not None and first.by is None:
            got = family.compute_many(codes, first.scope, first.period)
            for r in reqs:
                out[r] = got[r.ind.code]
            continue
        if family is not None:
            many = family.breakdown_many(codes, first.scope, first.period, first.by, list(first.keys))
            if many is not None:
                for r in reqs:
                    out[r] = Breakdown(r.by, {k: many[r.ind.code].get(k) for k in r.keys}, grouped=True)  # type: ignore[arg-type]
                continue
        for r in reqs:
            if r in out:
                continue
            if r.by is None:
                out[r] = r.ind.compute(r.scope, r.period)
            else:
                out[r] = breakdown(r.ind, r.scope, r.period, r.by, r.keys)
    return out
