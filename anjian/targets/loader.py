"""Loading plans and assessment schemes from the versioned JSON under ``data/``.

Idempotent: rows are matched by (year, area) and by their ``key`` and updated
in place, so a data migration may call it again when the data changes. Called
with historical models from migrations, with the real ones elsewhere.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings

DATA = Path(__file__).parent / "data"

TARGET_FIELDS = ("section", "label", "wording", "indicator_code", "comparator", "unit", "feeds", "note")


def read(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def load_plan(data: dict[str, Any], plan_model: Any = None, target_model: Any = None) -> Any:
    """Create or update the plan described by ``data`` (the plan-YYYY.json layout) and its targets."""
    if plan_model is None:
        from .models import Plan as plan_model
        from .models import Target as target_model
    spec = data["plan"]
    area_code = spec.get("area_code") or settings.ANJIAN_DISTRICT_CODE
    defaults = {
        "title": spec["title"],
        "document_number": spec.get("document_number", ""),
        "document_date": spec.get("document_date") or None,
        "source_text": spec.get("source_text", ""),
        "source": data.get("source", ""),
    }
    plan, created = plan_model.objects.get_or_create(year=spec["year"], area_code=area_code, defaults=defaults)
    if not created:
        for k, v in defaults.items():
            setattr(plan, k, v)
        plan.save()
    for order, item in enumerate(data["targets"], start=1):
        values = {k: item.get(k, "") for k in TARGET_FIELDS}
        values.update(order=order, threshold=Decimal(str(item["threshold"])), area_code=item.get("area_code", ""))
        target_model.objects.update_or_create(plan=plan, key=item["key"], defaults=values)
    return plan


def load_scheme(data: dict[str, Any], models: dict[str, Any] | None = None) -> Any:
    """Create or update an assessment scheme (the assessment-YYYY.json layout) and its items."""
    if models is None:
        from . import models as m

        models = {"Plan": m.Plan, "Target": m.Target, "AssessmentScheme": m.AssessmentScheme,
                  "AssessmentItem": m.AssessmentItem}
    spec = data["scheme"]
    area_code = spec.get("area_code") or settings.ANJIAN_DISTRICT_CODE
    plan = models["Plan"].objects.filter(year=spec["year"], area_code=area_code).first()
    defaults = {"title": spec["title"], "description": spec.get("description", ""), "plan": plan,
                "source": data.get("source", "")}
    scheme, created = models["AssessmentScheme"].objects.get_or_create(
        year=spec["year"], area_code=area_code, defaults=defaults)
    if not created:
        for k, v in defaults.items():
            setattr(scheme, k, v)
        scheme.save()
    for order, item in enumerate(data["items"], start=1):
        values: dict[str, Any] = {
            "order": order, "name": item["name"], "kind": item["kind"],
            "max_score": Decimal(str(item.get("max_score", 0))),
            "indicator_code": item.get("indicator_code", ""), "comparator": item.get("comparator", ""),
            "threshold": Decimal(str(item["threshold"])) if item.get("threshold") is not None else None,
            "scoring_rule": item.get("scoring_rule", "met_full"), "applies_to": item.get("applies_to", ""),
            "description": item.get("description", ""),
        }
        if item.get("target") and plan is not None:
            target = models["Target"].objects.get(plan=plan, key=item["target"])
            values.update(indicator_code=target.indicator_code, comparator=target.comparator,
                          threshold=target.threshold)
        models["AssessmentItem"].objects.update_or_create(scheme=scheme, key=item["key"], defaults=values)
    return scheme
