"""Loading the sector catalogue (versioned data in data/sectors.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "sectors.json"


def load_sectors(sector_model: Any = None) -> int:
    """Create or update every sector of the catalogue by code; returns how many it wrote.

    ``sector_model`` is the historical model when called from a migration.
    """
    if sector_model is None:
        from .models import Sector as sector_model
    catalogue = json.loads(DATA.read_text(encoding="utf-8"))
    written = 0

    order = 0

    def walk(items: list[dict], parent: Any) -> None:
        nonlocal written, order
        for item in items:
            order += 1
            defaults = {
                "name": item["name"],
                "parent": parent,
                "industrial_commercial": item["industrial_commercial"],
                "high_risk": item["high_risk"],
                "tags": item.get("tags", []),
                "sort_order": order,
            }
            obj, created = sector_model.objects.get_or_create(code=item["code"], defaults=defaults)
            if not created and any(getattr(obj, k) != v for k, v in defaults.items()):
                for k, v in defaults.items():
                    setattr(obj, k, v)
                obj.save()
                written += 1
            written += created
            walk(item.get("children", []), obj)

    walk(catalogue["sectors"], None)
    return written
