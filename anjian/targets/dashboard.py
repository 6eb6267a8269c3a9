"""The target dashboard's numbers: every target of a plan in the reader's scope,
with its status, projection, monthly trend and breakdowns by town and department.

One function, ``build``, used by the page, the API and the benchmark. The user's
data scope bounds every number (``IndicatorScope(user=...)``); a town officer's
dashboard therefore counts only its own town.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q

from anjian.utilities.indicators import IndicatorScope
from anjian.utilities.scoping import area_prefix, scope_for

from .breakdown import Breakdown, breakdown
from .evaluation import (
    Evaluation,
    default_as_of,
    evaluate,
    evaluate_code,
    target_scope,
    trend,
    unit_statuses,
)
from .models import Plan

COUNT_YOY = "accidents.count_yoy"
DEATHS_YOY = "accidents.deaths_yoy"
LARGER_AND_ABOVE = "accidents.larger_and_above_count"


@dataclass
class Row:
    evaluation: Evaluation
    town_statuses: dict[Any, str] = field(default_factory=dict)
    department_statuses: dict[Any, str] = field(default_factory=dict)

    @property
    def target(self) -> Any:
        return self.evaluation.target


@dataclass
class Dashboard:
    plan: Plan
    year: int
    as_of: date
    scope: IndicatorScope
    towns: list[Any]
    departments: list[Any]
    rows: list[Row]
    panels: dict[str, Evaluation | None]
    fallbacks: list[tuple[str, str]]  # (indicator code, "town"|"department") broken down per unit

    def row_for(self, code: str) -> Row | None:
        return next((r for r in self.rows if r.evaluation.code == code), None)


def visible_towns(user: Any, area_code: str) -> list[Any]:
    """The towns of the plan's area that the user's scope reaches (all of them for
    district, leader and department users; its own for a town officer)."""
    from anjian.accounts.models import Role
    from anjian.territory.models import Area, AreaLevel

    towns = Area.objects.filter(level=AreaLevel.TOWN, code__startswith=area_prefix(area_code)).order_by("code")
    if user is None:
        return list(towns)
    scope = scope_for(user)
    if user.has_role(Role.DISTRICT_ADMIN, Role.LEADER) or (scope.department_ids and not scope.area_prefixes):
        return list(towns)
    q = Q(pk__in=[])
    for prefix in scope.area_prefixes:
        q |= Q(code__startswith=prefix[:9]) if len(prefix) >= 9 else Q(code__startswith=prefix)
    return list(towns.filter(q))


def departments_of(area_code: str) -> list[Any]:
    from anjian.territory.models import Department

    return list(Department.objects.filter(area__code__startswith=area_prefix(area_code)).order_by("sort_order", "code"))


def user_scope(user: Any, *, area_code: str | None = None, department_id: int | None = None) -> IndicatorScope:
    """The scope a dashboard reader computes in; a town officer is narrowed to its town."""
    scope = IndicatorScope(user=user, area_code=area_code, department_id=department_id)
    return scope


def build(plan: Plan, user: Any, as_of: date | None = None, *, area_code: str | None = None,
          department_id: int | None = None, breakdowns: bool = True, with_trend: bool = True) -> Dashboard:
    as_of = as_of or default_as_of(plan.year)
    scope = user_scope(user, area_code=area_code, department_id=department_id)
    towns = visible_towns(user, area_code or plan.area_code)
    if area_code and len(area_prefix(area_code)) >= 9:
        towns = [t for t in towns if t.code.startswith(area_prefix(area_code)[:9])]
    departments = departments_of(plan.area_code)
    if department_id is not None:
        departments = [d for d in departments if d.pk == department_id]
    rows: list[Row] = []
    fallbacks: list[tuple[str, str]] = []
    for target in plan.targets.all():
        ev = evaluate(target, scope, as_of)
        row = Row(ev)
        if ev.indicator is not None:
            inner = target_scope(target, scope)
            if with_trend:
                ev.trend = trend(ev, inner)
            if breakdowns and ev.period is not None:
                ev.by_town = breakdown(ev.indicator, inner, ev.period, "town", [t.code for t in towns])
                ev.by_department = breakdown(ev.indicator, inner, ev.period, "department",
                                             [d.pk for d in departments])
                row.town_statuses = unit_statuses(ev, ev.by_town.results)
                row.department_statuses = unit_statuses(ev, ev.by_department.results)
                for b in (ev.by_town, ev.by_department):
                    if not b.grouped:
                        fallbacks.append((ev.code, b.by))
        rows.append(row)
    panels: dict[str, Evaluation | None] = {}
    plan_scope = replace(scope, area_code=scope.area_code or plan.area_code)
    for code, comparator, threshold in ((COUNT_YOY, "lt", Decimal(0)), (DEATHS_YOY, "lt", Decimal(0)),
                                         (LARGER_AND_ABOVE, "eq", Decimal(0))):
        existing = next((r.evaluation for r in rows if r.evaluation.code == code), None)
        panels[code] = existing or evaluate_code(code, comparator, threshold, plan_scope, plan.year, as_of)
    return Dashboard(plan, plan.year, as_of, scope, towns, departments, rows, panels, fallbacks)


def town_values(dash: Dashboard, code: str) -> Breakdown | None:
    row = dash.row_for(code)
    return row.evaluation.by_town if row else None
