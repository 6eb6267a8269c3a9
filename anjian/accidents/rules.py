"""The accident rules as versioned data: grades and the reporting / investigation clocks.

The figures live in ``data/grade_rules.json`` and ``data/reporting_rules.json``
(each rule set citing 《生产安全事故报告和调查处理条例》 and its article); the
functions here only apply them. A rule set is chosen by the day the accident
happened, so a later regulation is added as a new rule set beside the old one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

DATA = Path(__file__).parent / "data"


class Grade(models.TextChoices):
    """事故等级, lowest first (the order is the severity)."""

    GENERAL = "general", _("general (一般)")
    LARGER = "larger", _("larger (较大)")
    MAJOR = "major", _("major (重大)")
    ESPECIALLY_MAJOR = "especially_major", _("especially major (特别重大)")


GRADE_ORDER = [Grade.GENERAL, Grade.LARGER, Grade.MAJOR, Grade.ESPECIALLY_MAJOR]


def grade_rank(grade: str) -> int:
    return [g.value for g in GRADE_ORDER].index(grade)


@dataclass(frozen=True)
class GradeBound:
    grade: str
    deaths: int
    serious_injuries: int
    direct_loss_yuan: Decimal


@dataclass(frozen=True)
class GradeRuleSet:
    id: str
    title: str
    source: str
    effective_from: date
    effective_to: date | None
    default_grade: str
    bounds: tuple[GradeBound, ...]  # highest grade first

    def grade(self, deaths: int, serious_injuries: int, direct_loss_yuan: Decimal | int | None) -> str:
        """The highest grade that any of the three criteria reaches (a bound counts as reached)."""
        loss = Decimal(direct_loss_yuan or 0)
        for bound in self.bounds:
            if deaths >= bound.deaths or serious_injuries >= bound.serious_injuries or loss >= bound.direct_loss_yuan:
                return bound.grade
        return self.default_grade


@dataclass(frozen=True)
class ReportingRuleSet:
    id: str
    title: str
    source: str
    effective_from: date
    effective_to: date | None
    first_report_hours: int
    per_level_report_hours: int
    follow_up_days: int
    follow_up_days_short: int
    road_traffic_sectors: frozenset[str]
    fire_types: frozenset[tuple[str, str]]  # (scheme, code)
    investigation_days: int
    investigation_max_extension_days: int
    approval_days: int
    approval_days_especially_major: int
    cites: dict[str, str]

    def follow_up_window_days(self, sector_code: str | None, type_scheme: str | None, type_code: str | None) -> int:
        """30 days, or 7 for a road-traffic or fire accident (第十三条)."""
        if sector_code in self.road_traffic_sectors or (type_scheme, type_code) in self.fire_types:
            return self.follow_up_days_short
        return self.follow_up_days

    def approval_window_days(self, grade: str) -> int:
        return self.approval_days_especially_major if grade == Grade.ESPECIALLY_MAJOR else self.approval_days


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _in_force(rule_sets: tuple[Any, ...], on: date | datetime | None) -> Any:
    """The rule set in force on ``on`` (the latest that started by then); the earliest one for older dates."""
    if isinstance(on, datetime):
        on = on.date()
    if on is None:
        on = date.today()  # noqa: DTZ011 (a calendar date, not a moment)
    ordered = sorted(rule_sets, key=lambda r: r.effective_from)
    chosen = ordered[0]
    for rule_set in ordered:
        if rule_set.effective_from <= on and (rule_set.effective_to is None or on <= rule_set.effective_to):
            chosen = rule_set
    return chosen


@cache
def grade_rule_sets() -> tuple[GradeRuleSet, ...]:
    raw = json.loads((DATA / "grade_rules.json").read_text(encoding="utf-8"))
    sets = []
    for item in raw["rule_sets"]:
        bounds = tuple(
            GradeBound(b["grade"], int(b["deaths"]), int(b["serious_injuries"]), Decimal(b["direct_loss_yuan"]))
            for b in item["grades"]
        )
        bounds = tuple(sorted(bounds, key=lambda b: -grade_rank(b.grade)))
        sets.append(GradeRuleSet(item["id"], item["title"], item["source"], _date(item["effective_from"]),
                                 _date(item.get("effective_to")), item["default_grade"], bounds))
    return tuple(sets)


@cache
def reporting_rule_sets() -> tuple[ReportingRuleSet, ...]:
    raw = json.loads((DATA / "reporting_rules.json").read_text(encoding="utf-8"))
    sets = []
    for item in raw["rule_sets"]:
        short = item["follow_up_days_short"]
        approval = item["approval_days"]
        cites = {k: v["cite"] for k, v in item.items() if isinstance(v, dict) and "cite" in v}
        sets.append(ReportingRuleSet(
            id=item["id"], title=item["title"], source=item["source"],
            effective_from=_date(item["effective_from"]), effective_to=_date(item.get("effective_to")),
            first_report_hours=int(item["first_report_hours"]["value"]),
            per_level_report_hours=int(item["per_level_report_hours"]["value"]),
            follow_up_days=int(item["follow_up_days"]["value"]),
            follow_up_days_short=int(short["value"]),
            road_traffic_sectors=frozenset(short.get("road_traffic_sectors", [])),
            fire_types=frozenset((t["scheme"], t["code"]) for t in short.get("fire_types", [])),
            investigation_days=int(item["investigation_days"]["value"]),
            investigation_max_extension_days=int(item["investigation_max_extension_days"]["value"]),
            approval_days=int(approval["value"]),
            approval_days_especially_major=int(approval.get("especially_major", approval["value"])),
            cites=cites,
        ))
    return tuple(sets)


def grade_rule_set(rule_set_id: str) -> GradeRuleSet | None:
    return next((r for r in grade_rule_sets() if r.id == rule_set_id), None)


def grade_rules_for(on: date | datetime | None) -> GradeRuleSet:
    return _in_force(grade_rule_sets(), on)


def reporting_rules_for(on: date | datetime | None) -> ReportingRuleSet:
    return _in_force(reporting_rule_sets(), on)


def grade_for(deaths: int, serious_injuries: int, direct_loss_yuan: Decimal | int | None,
              on: date | datetime | None = None) -> str:
    """The grade of an accident with these figures, by the rule set in force on ``on``."""
    return grade_rules_for(on).grade(deaths or 0, serious_injuries or 0, direct_loss_yuan)


def add_days(day: date, days: int) -> date:
    return day + timedelta(days=days)
