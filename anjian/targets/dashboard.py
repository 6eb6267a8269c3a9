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

from anjian.indicators import registry as registry
from anjian.indicators.registry import IndicatorScope
from anjian.territory.supervision import remembered
from anjian.utilities.scoping import area_prefix, scope_for

from .breakdown import Breakdown, Request, run
from .evaluation import (
    Evaluation,
    default_as_of,
    evaluate,
    evaluate_code,
    target_scope,
    trend_request,
    trend_values,
    unit_statuses,
    year_to_date,
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
          department_id: int | None = None, breakdowns: bool = True, with_trend: bool = True,
          only: Any = None, panels: bool = True) -> Dashboard:
    """Every target of ``plan`` (or of ``only``, a subset) evaluated in the user's scope.

    All the numbers are asked at once (``breakdown.run``): an indicator family answers all its
    codes of a scope, period and breakdown with one query, so the query count depends on the
    families and breakdowns, not on the number of targets, towns or departments."""
    as_of = as_of or default_as_of(plan.year)
    scope = user_scope(user, area_code=area_code, department_id=department_id)
    towns = visible_towns(user, area_code or plan.area_code) if breakdowns else []
    if area_code and len(area_prefix(area_code)) >= 9:
        towns = [t for t in towns if t.code.startswith(area_prefix(area_code)[:9])]
    departments = departments_of(plan.area_code) if breakdowns else []
    if department_id is not None:
        departments = [d for d in departments if d.pk == department_id]
    town_keys = tuple(t.code for t in towns)
    department_keys = tuple(d.pk for d in departments)
    reg = registry.registry()
    period = year_to_date(plan.year, as_of)
    targets = list(only if only is not None else plan.targets.all())
    wanted: list[tuple[Any, dict[str, Request]]] = []
    for target in targets:
        ind = reg.get(target.indicator_code)
        reqs: dict[str, Request] = {}
        if ind is not None and period is not None:
            inner = target_scope(target, scope)
            reqs["value"] = Request(ind, inner, period)
            if with_trend:
                reqs["trend"] = trend_request(ind, inner, plan.year, period)
            if breakdowns:
                reqs["town"] = Request(ind, inner, period, "town", town_keys)
                reqs["department"] = Request(ind, inner, period, "department", department_keys)
        wanted.append((target, reqs))
    plan_scope = replace(scope, area_code=scope.area_code or plan.area_code)
    panel_codes = ((COUNT_YOY, "lt", Decimal(0)), (DEATHS_YOY, "lt", Decimal(0)), (LARGER_AND_ABOVE, "eq", Decimal(0)))
    own = {t.indicator_code for t in targets}
    panel_reqs = {code: Request(reg[code], plan_scope, period) for code, _c, _t in panel_codes
                  if panels and code in reg and code not in own and period is not None}
    with remembered():  # the departments' sectors read once for every family
        got = run([r for _t, reqs in wanted for r in reqs.values()] + list(panel_reqs.values()))
    rows: list[Row] = []
    fallbacks: list[tuple[str, str]] = []
    for target, reqs in wanted:
        if "value" not in reqs:
            rows.append(Row(evaluate(target, scope, as_of)))
            continue
        ev = evaluate(target, scope, as_of, result=got[reqs["value"]])  # type: ignore[arg-type]
        row = Row(ev)
        if "trend" in reqs:
            ev.trend = trend_values(got[reqs["trend"]])  # type: ignore[arg-type]
        if "town" in reqs:
            ev.by_town = got[reqs["town"]]  # type: ignore[assignment]
            ev.by_department = got[reqs["department"]]  # type: ignore[assignment]
            row.town_statuses = unit_statuses(ev, ev.by_town.results)  # type: ignore[union-attr]
            row.department_statuses = unit_statuses(ev, ev.by_department.results)  # type: ignore[union-attr]
            for b in (ev.by_town, ev.by_department):
                if not b.grouped:  # type: ignore[union-attr]
                    fallbacks.append((ev.code, b.by))  # type: ignore[union-attr]
        rows.append(row)
    panel_evaluations: dict[str, Evaluation | None] = {}
    for code, comparator, threshold in panel_codes if panels else ():
        existing = next((r.evaluation for r in rows if r.evaluation.code == code), None)
        panel_evaluations[code] = existing or evaluate_code(code, comparator, threshold, plan_scope, plan.year, as_of,
                                                 result=got.get(panel_reqs[code]) if code in panel_reqs else None)
    return Dashboard(plan, plan.year, as_of, scope, towns, departments, rows, panel_evaluations, fallbacks)


def evaluate_targets(targets: Any, user: Any, as_of: date | None = None) -> dict[int, Evaluation]:
    """{target pk: its evaluation} for targets of any plans, in the user's scope: each plan's
    targets computed together (``build`` without breakdowns, trends or panels), so a page of
    targets costs a number of queries set by its plans and indicator families, not its rows."""
    by_plan: dict[int, list[Any]] = {}
    plans: dict[int, Plan] = {}
    for target in targets:
        by_plan.setdefault(target.plan_id, []).append(target)
        plans[target.plan_id] = target.plan
    out: dict[int, Evaluation] = {}
    for plan_id, mine in by_plan.items():
        dash = build(plans[plan_id], user, as_of, breakdowns=False, with_trend=False, only=mine, panels=False)
        out.update({row.target.pk: row.evaluation for row in dash.rows})
    return out


def town_values(dash: Dashboard, code: str) -> Breakdown | None:
    row = dash.row_for(code)
    return row.evaluation.by_town if row else None
