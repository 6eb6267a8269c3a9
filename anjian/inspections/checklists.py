"""Checklist templates as versioned data (``data/checklists/<code>-<version>.json``)
and choosing the template for an enterprise's self-inspection.

Each file is one template version: code, name, version, sectors (catalogue
codes), the standard it cites, when that standard applied, and its items with
their basis; items taken from a major-hazard criterion carry ``major`` and the
criterion's reference; items whose wording was reconstructed rather than read
carry ``unconfirmed``.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db.models import Q

from anjian.core import clock

DATA_DIR = Path(__file__).resolve().parent / "data" / "checklists"

TEMPLATE_FIELDS = ("name", "source", "description", "is_general", "active")
ITEM_FIELDS = ("section", "content", "basis", "major_criterion", "criterion_ref", "unconfirmed")


def template_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.json"))


def read_template_file(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.setdefault("active", True)
    for key in ("effective_from", "effective_to"):
        if data.get(key):
            data[key] = datetime.date.fromisoformat(data[key])
    data["items"] = [
        {
            "order": item.get("order", n),
            "section": item.get("section", ""),
            "content": item["content"],
            "basis": item.get("basis", ""),
            "major_criterion": bool(item.get("major", False)),
            "criterion_ref": item.get("criterion_ref", ""),
            "unconfirmed": bool(item.get("unconfirmed", False)),
        }
        for n, item in enumerate(data["items"], 1)
    ]
    return data


def save_template(data: dict[str, Any], template_model: Any, item_model: Any, sector_model: Any) -> Any:
    """Create or update one template version and its items (matched by order). Idempotent.

    Items are never deleted once an inspection has used them (results point at
    them); surplus items of an unused template are removed.
    """
    template, _created = template_model.objects.update_or_create(
        code=data["code"], template_version=data["version"],
        defaults={**{f: data.get(f, "" if f in ("source", "description") else False) for f in TEMPLATE_FIELDS},
                  "effective_from": data.get("effective_from"), "effective_to": data.get("effective_to")},
    )
    codes = data.get("sectors", [])
    sectors = list(sector_model.objects.filter(code__in=codes))
    missing = set(codes) - {s.code for s in sectors}
    if missing:
        raise ValueError(f"unknown sector codes in checklist {data['code']}: {sorted(missing)}")
    if set(template.sectors.values_list("pk", flat=True)) != {s.pk for s in sectors}:
        template.sectors.set(sectors)
    existing = {i.order: i for i in item_model.objects.filter(template=template)}
    for item in data["items"]:
        row = existing.pop(item["order"], None)
        if row is None:
            item_model.objects.create(template=template, **item)
        elif any(getattr(row, f) != item[f] for f in ITEM_FIELDS):
            for f in ITEM_FIELDS:
                setattr(row, f, item[f])
            row.save()
    for row in existing.values():
        if not row.results.exists():
            row.delete()
    return template


def load_checklists(template_model: Any = None, item_model: Any = None, sector_model: Any = None,
                    paths: Iterable[Path] | None = None) -> int:
    """Load every template file (used by the data migration with historical models)."""
    if template_model is None:
        from anjian.territory.models import Sector

        from .models import ChecklistItem, ChecklistTemplate

        template_model, item_model, sector_model = ChecklistTemplate, ChecklistItem, Sector
    n = 0
    for path in paths or template_files():
        save_template(read_template_file(path), template_model, item_model, sector_model)
        n += 1
    return n


def in_force_on(day: datetime.date) -> Q:
    return (Q(effective_from__isnull=True) | Q(effective_from__lte=day)) & (
        Q(effective_to__isnull=True) | Q(effective_to__gte=day)
    )


def templates_for(enterprise: Any, day: datetime.date | None = None) -> list[Any]:
    """Active templates in force on ``day`` for the enterprise's sectors (or their parents),
    latest version first per code; the general template when none matches."""
    from .models import ChecklistTemplate

    day = day or clock.today()
    base = ChecklistTemplate.objects.filter(in_force_on(day), active=True)
    sector_ids: set[int] = set()
    for sector in enterprise.sectors.all():
        sector_ids.add(sector.pk)
        if sector.parent_id:
            sector_ids.add(sector.parent_id)
    direct = list(base.filter(sectors__in=[s.pk for s in enterprise.sectors.all()]).distinct().order_by("code", "-template_version"))
    if not direct:
        direct = list(base.filter(sectors__in=sector_ids).distinct().order_by("code", "-template_version"))
    if not direct:
        direct = list(base.filter(is_general=True).order_by("code", "-template_version"))
    seen: set[str] = set()
    picked = []
    for t in direct:
        if t.code not in seen:
            seen.add(t.code)
            picked.append(t)
    return picked


def template_for(enterprise: Any, day: datetime.date | None = None) -> Any:
    """The one template a self-inspection starts from (the first of ``templates_for``)."""
    found = templates_for(enterprise, day)
    return found[0] if found else None
