"""The hazard rules as versioned data (``data/hazard_rules.json``), read once.

Deadlines, the parts of a remediation plan, the categories of the ledger and
the resumption-review clock are data with their source, not constants in code.
"""

from __future__ import annotations

import calendar
import json
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "hazard_rules.json"


@cache
def rules() -> dict[str, Any]:
    with DATA.open(encoding="utf-8") as fh:
        return json.load(fh)


def version() -> str:
    return rules()["version"]


def category_choices() -> list[tuple[str, str]]:
    return [(c["code"], c["name"]) for c in rules()["categories"]["items"]]


def category_name(code: str) -> str:
    return dict(category_choices()).get(code, code)


def plan_parts() -> list[dict[str, str]]:
    """The six parts of a major-hazard remediation plan (16号令第十五条), in order."""
    return list(rules()["remediation_plan"]["parts"])


def resumption_review_days() -> int:
    return int(rules()["resumption_review"]["days"])


def resumption_review_due(applied_on: date) -> date:
    return applied_on + timedelta(days=resumption_review_days())


def order_answer_days() -> int:
    return int(rules()["supervision_orders"]["answer_days"])


def report_deadline(year: int, quarter: int | None) -> date:
    """Last day on which a hazard statistics report is on time (16号令第十四条).

    Quarterly: the given day of the first month of the next quarter; annual: the
    given day of the given month of the next year.
    """
    spec = rules()["statistics_reports"]
    if quarter is None:
        annual = spec["annual"]
        return date(year + 1, annual["month"], annual["day"])
    q = spec["quarterly"]
    first_month_next = 3 * quarter + q["month_of_next_quarter"]  # Q1 -> 4, Q4 -> 13
    y, m = (year + 1, first_month_next - 12) if first_month_next > 12 else (year, first_month_next)
    return date(y, m, min(q["day"], calendar.monthrange(y, m)[1]))
