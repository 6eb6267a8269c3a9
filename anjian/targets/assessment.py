"""Computing an assessment (考核): every unit's item scores, veto, total and rank.

Rules (docs/targets.md):

* computed item: the unit's indicator value against the item's comparator and
  threshold (taken from the plan's target). ``met_full``: full marks if met,
  0 otherwise. ``proportional``: full marks if met; otherwise, for a lower
  bound (≥, >, =) max × value ÷ threshold, for an upper bound (<, ≤) max ×
  threshold ÷ value (0 when the threshold is 0). A unit with no data for the
  item (nothing of that kind in its area: no hazards found, no key enterprise)
  is not penalised: full marks, marked “not applicable” (不涉及该项工作的不扣分).
* manual item: the score given by hand (with a note and the scorer); not yet
  scored counts 0 and is marked pending.
* veto item (一票否决): automatic when it names an indicator (e.g. the count
  of 较大 and above accidents must be 0: a unit whose value breaks that is
  vetoed), or applied by hand (a score row marked vetoed).
* total = sum of the item scores; ranking: units not vetoed by total
  (descending), then the vetoed units (also by total), ties share a rank.

Indicator values come from the grouped breakdowns of every item at once
(``breakdown.run``: each indicator family answers all its items for all towns and
all departments together) within the reader's data scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from anjian.indicators.registry import IndicatorResult, IndicatorScope, registry
from anjian.territory.supervision import remembered
from anjian.utilities.scoping import area_prefix

from .breakdown import Request, run
from .choices import Comparator, ItemKind, ScoringRule, UnitKind
from .evaluation import compare, default_as_of, year_to_date

TWO = Decimal("0.01")


@dataclass(frozen=True)
class Unit:
    kind: str
    name: str
    area_code: str | None = None
    department_id: int | None = None

    @property
    def key(self) -> str:
        return f"town-{self.area_code}" if self.kind == UnitKind.TOWN else f"dept-{self.department_id}"

    @property
    def breakdown_key(self) -> str | int:
        return self.area_code if self.kind == UnitKind.TOWN else self.department_id  # type: ignore[return-value]


@dataclass
class ItemScore:
    item: Any
    score: Decimal | None
    value: Decimal | None = None
    met: bool | None = None
    vetoed: bool = False
    not_applicable: bool = False
    pending: bool = False
    note: str = ""
    scorer: Any = None


@dataclass
class UnitResult:
    unit: Unit
    items: list[ItemScore] = field(default_factory=list)
    rank: int = 0

    @property
    def total(self) -> Decimal:
        return sum((i.score or Decimal(0) for i in self.items), Decimal(0)).quantize(TWO)

    @property
    def vetoed(self) -> bool:
        return any(i.vetoed for i in self.items)


@dataclass
class AssessmentResult:
    scheme: Any
    as_of: date
    items: list[Any]
    units: list[UnitResult]


def units_of(scheme: Any) -> list[Unit]:
    from anjian.territory.models import Area, AreaLevel, Department

    units: list[Unit] = []
    prefix = area_prefix(scheme.area_code)
    if scheme.assess_towns:
        for town in Area.objects.filter(level=AreaLevel.TOWN, code__startswith=prefix).order_by("code"):
            units.append(Unit(UnitKind.TOWN, town.name, area_code=town.code))
    departments = list(scheme.departments.all()) or list(
        Department.objects.filter(area__code__startswith=prefix).order_by("sort_order", "code"))
    for dept in departments:
        units.append(Unit(UnitKind.DEPARTMENT, str(dept), department_id=dept.pk))
    return units


def score_computed(item: Any, value: Decimal | None) -> ItemScore:
    max_score = Decimal(item.max_score)
    if value is None:
        return ItemScore(item, max_score, None, None, not_applicable=True)
    met = compare(value, item.comparator, item.threshold)
    if met:
        return ItemScore(item, max_score, value, True)
    if item.scoring_rule != ScoringRule.PROPORTIONAL:
        return ItemScore(item, Decimal(0), value, False)
    threshold, value = Decimal(item.threshold), Decimal(value)
    if item.comparator in (Comparator.LT, Comparator.LE):
        share = threshold / value if value > 0 and threshold > 0 else Decimal(0)
    else:
        share = value / threshold if threshold > 0 else Decimal(0)
    share = max(Decimal(0), min(Decimal(1), share))
    return ItemScore(item, (max_score * share).quantize(TWO, rounding=ROUND_HALF_UP), value, False)


def assess(scheme: Any, user: Any, as_of: date | None = None) -> AssessmentResult:
    as_of = as_of or default_as_of(scheme.year)
    period = year_to_date(scheme.year, as_of)
    items = list(scheme.items.order_by("order", "pk"))
    units = units_of(scheme)
    scope = IndicatorScope(user=user, area_code=scheme.area_code)
    towns = [u.area_code for u in units if u.kind == UnitKind.TOWN]
    depts = [u.department_id for u in units if u.kind == UnitKind.DEPARTMENT]
    values: dict[tuple[int, str], dict[Any, IndicatorResult | None]] = {}
    reg = registry()
    # Every item's breakdowns asked at once: each indicator family answers them together
    # (``breakdown.run``), so the queries follow the families, not the items or the units.
    wanted: list[tuple[int, str, Request]] = []
    for item in items:
        ind = reg.get(item.indicator_code) if item.indicator_code else None
        if ind is None or period is None or item.kind == ItemKind.MANUAL:
            continue
        if towns:
            wanted.append((item.pk, UnitKind.TOWN, Request(ind, scope, period, "town", tuple(towns))))
        if depts:
            wanted.append((item.pk, UnitKind.DEPARTMENT, Request(ind, scope, period, "department", tuple(depts))))
    with remembered():
        got = run([req for _pk, _kind, req in wanted])
    for pk, kind, req in wanted:
        values[(pk, kind)] = got[req].results  # type: ignore[union-attr]
    from .models import AssessmentScore

    manual: dict[tuple[int, str | None, int | None], Any] = {
        (s.item_id, s.area_id, s.department_id): s
        for s in AssessmentScore.objects.filter(item__scheme=scheme).select_related("scorer")
    }
    results: list[UnitResult] = []
    for unit in units:
        ur = UnitResult(unit)
        for item in items:
            if not item.applies(unit.kind):
                continue
            given = manual.get((item.pk, unit.area_code, unit.department_id))
            result = values.get((item.pk, unit.kind), {}).get(unit.breakdown_key)
            value = result.value if result is not None else None
            if item.kind == ItemKind.COMPUTED:
                ur.items.append(score_computed(item, value))
            elif item.kind == ItemKind.MANUAL:
                if given is None or given.score is None:
                    ur.items.append(ItemScore(item, None, pending=True))
                else:
                    ur.items.append(ItemScore(item, given.score, note=given.note, scorer=given.scorer))
            else:  # veto
                auto = (value is not None and item.comparator and item.threshold is not None
                        and not compare(value, item.comparator, item.threshold))
                by_hand = bool(given and given.vetoed)
                ur.items.append(ItemScore(item, None, value, vetoed=bool(auto or by_hand),
                                          note=given.note if given else "", scorer=given.scorer if given else None))
        results.append(ur)
    rank_units(results)
    return AssessmentResult(scheme, as_of, items, results)


def rank_units(results: list[UnitResult]) -> None:
    """Sort in place: not vetoed first, by total descending; equal totals share a rank."""
    results.sort(key=lambda r: (r.vetoed, -r.total, r.unit.kind, r.unit.name))
    previous: tuple[bool, Decimal] | None = None
    for position, r in enumerate(results, start=1):
        key = (r.vetoed, r.total)
        r.rank = results[position - 2].rank if previous == key else position
        previous = key
