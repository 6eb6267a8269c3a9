"""Indicators registered by the tests themselves (the machinery does not depend on other apps)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db.models import Count
from django.db.models.functions import Substr

from anjian.indicators import registry as reg
from anjian.indicators.registry import IndicatorResult, IndicatorScope, Period


def key_enterprises(scope: IndicatorScope, period: Period) -> IndicatorResult:
    """A count: key enterprises in scope."""
    from anjian.enterprises.models import Enterprise

    rows = scope.restrict(Enterprise.objects.filter(key_enterprise=True), enterprise="pk")
    return IndicatorResult.count(rows.count(), rows)


def key_share(scope: IndicatorScope, period: Period) -> IndicatorResult:
    """A percentage: key enterprises over all enterprises in scope."""
    from anjian.enterprises.models import Enterprise

    everything = scope.restrict(Enterprise.objects.all(), enterprise="pk")
    key = everything.filter(key_enterprise=True)
    return IndicatorResult.ratio(key.count(), everything.count(), scale=100, places=2, rows=key,
                                 denominator_rows=everything)


def key_enterprises_by(scope: IndicatorScope, period: Period, by: str, keys: Sequence[Any]) -> dict | None:
    """Grouped breakdown by town in one query."""
    from anjian.enterprises.models import Enterprise

    if by != "town":
        return None
    base = scope.restrict(Enterprise.objects.filter(key_enterprise=True), enterprise="pk")
    counts = dict(base.annotate(t=Substr("area_id", 1, 9)).values_list("t").annotate(n=Count("pk")))
    return {k: IndicatorResult.count(counts.get(str(k)[:9], 0),
                                     base.filter(area__code__startswith=str(k)[:9])) for k in keys}


key_enterprises.breakdown = key_enterprises_by  # type: ignore[attr-defined]


@contextmanager
def registered(code: str, func: Any, **kw: Any) -> Iterator[reg.Indicator]:
    registry = reg.registry()
    before = registry.get(code)
    reg.indicator(code, code, **kw)(func)
    try:
        yield registry[code]
    finally:
        if before is None:
            registry.pop(code, None)
        else:
            registry[code] = before
