"""Turning a Dashboard into what the templates show: formatted values, colours and
the drill-down link of every number."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from anjian.indicators.registry import Period

from .choices import STATUS_COLOURS, Status
from .dashboard import COUNT_YOY, DEATHS_YOY, LARGER_AND_ABOVE, Dashboard
from .drilldown import Query
from .evaluation import LINEAR, Evaluation, projection_method
from .models import format_decimal


def fmt(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    value = Decimal(value)
    if value == value.to_integral_value():
        return format_decimal(value)
    return format_decimal(value.quantize(Decimal("0.0001")) if abs(value) < 1 else value.quantize(Decimal("0.01")))


def _link(dash: Dashboard, ev: Evaluation, *, area_code: str | None = None, department_id: int | None = None,
          month: int | None = None, as_of: Any = None, which: str = "rows") -> str:
    area = area_code or ev_area(dash, ev)
    department = department_id or dash.scope.department_id or (
        ev.target.department_id if ev.target is not None else None)
    return Query(ev.code, ev.year, as_of or dash.as_of, month, area, department, which).url()


def ev_area(dash: Dashboard, ev: Evaluation) -> str | None:
    target = ev.target
    if target is not None:
        return dash.scope.area_code or target.area_code or target.plan.area_code
    return dash.scope.area_code or dash.plan.area_code


def _query(dash: Dashboard, ev: Evaluation) -> Query:
    """The drill-down query of an evaluation's number (``_link`` without keywords)."""
    department = dash.scope.department_id or (ev.target.department_id if ev.target is not None else None)
    return Query(ev.code, ev.year, dash.as_of, None, ev_area(dash, ev), department, "rows")


def _cell(ev: Evaluation, result: Any, status: str, url: Any) -> dict[str, Any]:
    """A town's or department's cell; ``url(key)`` makes its link (``Query.url_maker``)."""
    value = result.value if result is not None else None
    return {"value": fmt(value), "raw": value, "status": status, "colour": STATUS_COLOURS.get(status, "secondary"),
            "url": url() if ev.indicator is not None and value is not None else None}


def row_context(dash: Dashboard, row: Any) -> dict[str, Any]:
    ev: Evaluation = row.evaluation
    t = ev.target
    has_value = ev.value is not None
    result = ev.result
    trend = []
    if ev.indicator is not None and ev.trend:
        cumulative = projection_method(ev.indicator) == LINEAR
        for month, value in ev.trend:
            period_end = Period.month(ev.year, month).end
            kw: dict[str, Any] = {"as_of": min(period_end, dash.as_of)} if cumulative else {"month": month}
            trend.append({"month": month, "value": fmt(value), "raw": float(value) if value is not None else None,
                          "url": _link(dash, ev, **kw) if value is not None else None})
    towns = []
    if ev.by_town is not None:
        town_url = _query(dash, ev).url_maker("area_code")
        for town in dash.towns:
            towns.append({"town": town, **_cell(ev, ev.by_town.results.get(town.code),
                                               row.town_statuses.get(town.code, Status.NO_DATA),
                                               lambda code=town.code: town_url(code))})
    departments = []
    if ev.by_department is not None:
        department_url = _query(dash, ev).url_maker("department_id")
        for dept in dash.departments:
            departments.append({"department": dept, **_cell(ev, ev.by_department.results.get(dept.pk),
                                                             row.department_statuses.get(dept.pk, Status.NO_DATA),
                                                             lambda pk=dept.pk: department_url(pk))})
    return {
        "target": t, "evaluation": ev, "code": ev.code,
        "indicator": ev.indicator, "computable": ev.indicator is not None,
        "value": fmt(ev.value), "has_value": has_value,
        "numerator": fmt(result.numerator) if result is not None else "",
        "denominator": fmt(result.denominator) if result is not None else "",
        "value_url": _link(dash, ev) if has_value else None,
        "numerator_url": _link(dash, ev) if result is not None and result.rows is not None else None,
        "denominator_url": (_link(dash, ev, which="denominator")
                            if result is not None and result.denominator_rows is not None else None),
        "status": ev.status, "status_label": Status(ev.status).label,
        "colour": STATUS_COLOURS.get(ev.status, "secondary"),
        "projection": fmt(ev.projection.value), "projection_method": ev.projection.method_label,
        "trend": trend, "trend_json": json.dumps([p["raw"] for p in trend]), "towns": towns, "departments": departments,
        "grouped": bool(ev.by_town and ev.by_town.grouped),
        "feeds": (t.feeds if t is not None and t.feeds else (ev.indicator.feeds if ev.indicator else "")),
    }


def panel_context(dash: Dashboard, ev: Evaluation | None) -> dict[str, Any] | None:
    if ev is None:
        return None
    r = ev.result
    return {
        "evaluation": ev, "computable": ev.indicator is not None, "value": fmt(ev.value),
        "status": ev.status, "status_label": Status(ev.status).label,
        "colour": STATUS_COLOURS.get(ev.status, "secondary"),
        "this_year": fmt(r.numerator) if r is not None else "",
        "last_year": fmt(r.denominator) if r is not None else "",
        "this_year_url": _link(dash, ev) if r is not None and r.rows is not None else None,
        "last_year_url": (_link(dash, ev, which="denominator")
                          if r is not None and r.denominator_rows is not None else None),
        "value_url": _link(dash, ev) if ev.value is not None else None,
        "feeds": ev.indicator.feeds if ev.indicator else "",
    }


def dashboard_context(dash: Dashboard, map_code: str) -> dict[str, Any]:
    table = [row_context(dash, r) for r in dash.rows]
    mappable = [r for r in table if r["computable"] and r["towns"]]
    with_values = [r for r in mappable if any(c["raw"] is not None for c in r["towns"])]
    chosen = next((r for r in mappable if r["code"] == map_code),
                  with_values[0] if with_values else (mappable[0] if mappable else None))
    map_values = []
    if chosen is not None:
        map_values = [{"name": c["town"].name, "code": c["town"].code, "value": float(c["raw"]) if c["raw"] is not None else None,
                       "url": c["url"]} for c in chosen["towns"]]
    sections: list[tuple[str, list[dict[str, Any]]]] = []
    for r in table:
        section = r["target"].section if r["target"] is not None else ""
        if not sections or sections[-1][0] != section:
            sections.append((section, []))
        sections[-1][1].append(r)
    return {
        "dash": dash, "plan": dash.plan, "as_of": dash.as_of, "table": table, "target_sections": sections,
        "towns": dash.towns, "departments": dash.departments,
        "count_panel": panel_context(dash, dash.panels.get(COUNT_YOY)),
        "deaths_panel": panel_context(dash, dash.panels.get(DEATHS_YOY)),
        "larger_panel": panel_context(dash, dash.panels.get(LARGER_AND_ABOVE)),
        "mappable": mappable, "map_row": chosen, "map_values": map_values,
        "map_better": chosen["indicator"].better if chosen is not None else "lower",
        "fallbacks": dash.fallbacks,
        "status_colours": STATUS_COLOURS,
    }


def map_geojson(towns: list[Any]) -> dict[str, Any]:
    """A FeatureCollection of the towns that have a geometry, named as the map series names them."""
    features = [
        {"type": "Feature", "properties": {"name": t.name, "code": t.code}, "geometry": t.geometry}
        for t in towns if t.geometry
    ]
    return {"type": "FeatureCollection", "features": features}
