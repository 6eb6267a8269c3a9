"""A year's plan and its targets as an Excel workbook (kind ``targets``), through the
generic registry ``anjian.core.exchange``: ``anjian import targets FILE.xlsx``,
``anjian export targets FILE.xlsx``, and the plan import page.

One workbook holds one plan: every row is a target and repeats the plan's year
and title. The import creates the plan when the year has none and updates the
targets of the same key; it is all or nothing, errors in words per row and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.core.audit import AuditAction
from anjian.core.exchange import (
    CellError,
    Change,
    Column,
    ErrorList,
    ExchangeKind,
    Record,
    integer,
    number,
    register,
    text,
)

from .choices import Comparator
from .models import Plan, Target

COMPARATOR_LABELS = {
    "lt": "lt", "<": "lt", "低于": "lt", "小于": "lt",
    "le": "le", "<=": "le", "≤": "le", "不高于": "le", "不超过": "le",
    "gt": "gt", ">": "gt", "高于": "gt", "大于": "gt",
    "ge": "ge", ">=": "ge", "≥": "ge", "不低于": "ge", "以上": "ge",
    "eq": "eq", "=": "eq", "等于": "eq", "达到": "eq",
}


def comparator(value: Any) -> str:
    raw = str(value).strip()
    if raw.lower() in COMPARATOR_LABELS:
        return COMPARATOR_LABELS[raw.lower()]
    raise CellError(_("Write one of <, ≤, >, ≥, = (or lt, le, gt, ge, eq), not “{value}”.").format(value=raw))


def slug(value: Any) -> str:
    raw = str(value).strip()
    if not re.fullmatch(r"[-a-zA-Z0-9_]{1,60}", raw):
        raise CellError(_("A key is 1 to 60 letters, digits, “-” or “_” (“{value}”).").format(value=raw))
    return raw


def date_cell(value: Any) -> Any:
    import datetime

    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise CellError(_("Write the date as YYYY-MM-DD (“{value}”).").format(value=value)) from None


def area_code(value: Any) -> str:
    raw = str(int(value)) if isinstance(value, float) else str(value).strip()
    if not re.fullmatch(r"\d{12}", raw):
        raise CellError(_("An area code has 12 digits (“{value}”).").format(value=raw))
    return raw


@register
class TargetKind(ExchangeKind):
    name = "targets"
    label = gettext_lazy("Plan targets")
    model = Target
    key_field = "key"
    import_permission = "targets.import_plan"
    export_permission = "targets.view_target"
    batch_size = 500
    columns = [
        Column("年度", "year", required=True, parse=integer(2000, 2100), example=2018,
               help=gettext_lazy("The plan's year; the same on every row (one plan per file).")),
        Column("计划名称", "plan_title", required=True, parse=text(200), example="2018年全区安全生产工作要点",
               width=30, help=gettext_lazy("The plan's title; the same on every row.")),
        Column("文号", "document_number", parse=text(100), help=gettext_lazy("Document number, if any.")),
        Column("印发日期", "document_date", parse=date_cell, default=None, example="2018-03-01",
               help=gettext_lazy("YYYY-MM-DD.")),
        Column("目标键", "key", required=True, parse=slug, example="deaths_per_100m_gdp", as_text=True,
               help=gettext_lazy("A short identifier of the target within the plan (letters, digits, -, _).")),
        Column("分节", "section", parse=text(100), example="(一)生产安全事故控制指标"),
        Column("目标名称", "label", required=True, parse=text(200), example="亿元国内生产总值死亡率", width=30,
               help=gettext_lazy("The target's name as written in the plan.")),
        Column("计划原文", "wording", parse=text(2000), example="年度亿元国内生产总值死亡率低于0.035", width=40),
        Column("指标代码", "indicator_code", required=True, parse=text(100),
               example="accidents.deaths_per_100m_gdp", width=34,
               help=gettext_lazy("The indicator's code (see /api/v1/indicators/); a code not registered yet is "
                                 "accepted and shows “no data yet” until it is.")),
        Column("比较", "comparator", required=True, parse=comparator, example="<",
               choices=("<", "≤", ">", "≥", "="), help=gettext_lazy("<, ≤, >, ≥ or =.")),
        Column("阈值", "threshold", required=True, parse=number(4, -1e9, 1e9), example="0.035"),
        Column("单位", "unit", parse=text(30), example="人/亿元"),
        Column("区划代码", "area_code", parse=area_code, as_text=True,
               help=gettext_lazy("Empty: the plan's area (the district).")),
        Column("部门代码", "department", parse=text(40), help=gettext_lazy("Optional: a department's code.")),
        Column("数据来源", "feeds", parse=text(2000),
               help=gettext_lazy("What will feed the indicator while it cannot be computed yet.")),
        Column("备注", "note", parse=text(2000)),
    ]

    def rules(self) -> list[str]:
        return [_("One file holds one plan: every row repeats the same year and plan title."),
                _("A target of the same key in the same year's plan is updated; others are added.")]

    def start(self, user: Any) -> dict[str, Any]:
        from anjian.territory.models import Department

        return {"plan": None, "year": None, "title": None,
                "departments": dict(Department.objects.values_list("code", "pk"))}

    def clean(self, record: Record, session: dict[str, Any], errors: ErrorList) -> None:
        v = record.values
        if session["year"] is None:
            session["year"], session["title"] = v["year"], v["plan_title"]
        elif v["year"] != session["year"]:
            errors.add(record.row, "年度", _("Every row must be of the same year ({year}).").format(
                year=session["year"]))
        elif v["plan_title"] != session["title"]:
            errors.add(record.row, "计划名称", _("Every row must name the same plan (“{title}”).").format(
                title=session["title"]))
        if v.get("department"):
            pk = session["departments"].get(v["department"])
            if pk is None:
                errors.add(record.row, "部门代码", _("No department has the code “{code}”.").format(
                    code=v["department"]))
            record.extra["department_id"] = pk

    def apply(self, batch: list[Record], session: dict[str, Any], errors: ErrorList,
              write: bool) -> tuple[list[Change], int]:
        if not write or not batch:
            return [], 0
        first = batch[0].values
        plan = session["plan"]
        if plan is None:
            plan, _created = Plan.objects.get_or_create(
                year=first["year"], area_code=settings.ANJIAN_DISTRICT_CODE,
                defaults={"title": first["plan_title"], "document_number": first.get("document_number") or "",
                          "document_date": first.get("document_date")})
            session["plan"] = plan
        existing = {t.key: t for t in plan.targets.all()}
        changes: list[Change] = []
        unchanged = 0
        next_order = max((t.order for t in existing.values()), default=0)
        for record in batch:
            v = record.values
            fields = {
                "section": v.get("section") or "", "label": v["label"], "wording": v.get("wording") or "",
                "indicator_code": v["indicator_code"], "comparator": Comparator(v["comparator"]).value,
                "threshold": v["threshold"], "unit": v.get("unit") or "", "area_code": v.get("area_code") or "",
                "department_id": record.extra.get("department_id"), "feeds": v.get("feeds") or "",
                "note": v.get("note") or "",
            }
            target = existing.get(v["key"])
            if target is None:
                next_order += 1
                target = Target.objects.create(plan=plan, key=v["key"], order=next_order, **fields)
                changes.append(Change(record.row, AuditAction.CREATE, target, {}))
                continue
            diff = {k: [str(getattr(target, k)), str(val)] for k, val in fields.items()
                    if getattr(target, k) != val}
            if not diff:
                unchanged += 1
                continue
            for k, val in fields.items():
                setattr(target, k, val)
            target.save()
            changes.append(Change(record.row, AuditAction.UPDATE, target, diff))
        return changes, unchanged

    def export_queryset(self, user: Any, params: dict[str, Any] | None = None) -> Any:
        qs = Target.objects.visible_to(user).select_related("plan", "department")
        year = (params or {}).get("year")
        return qs.filter(plan__year=int(year)) if year else qs

    def export_rows(self, queryset: Any) -> Iterator[Sequence[Any]]:
        for t in queryset.order_by("plan__year", "order"):
            yield [t.plan.year, t.plan.title, t.plan.document_number, t.plan.document_date, t.key, t.section,
                   t.label, t.wording, t.indicator_code, t.comparator_symbol, t.threshold, t.unit, t.area_code,
                   t.department.code if t.department else "", t.feeds, t.note]
