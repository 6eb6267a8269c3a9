"""Loading the accident type code tables (versioned data in data/accident_types.json)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "accident_types.json"


def load_accident_types(type_model: Any = None) -> int:
    """Create or update every type of every scheme by (scheme, code); returns how many it wrote.

    ``type_model`` is the historical model when called from a migration.
    """
    if type_model is None:
        from .models import AccidentTypeCode as type_model
    catalogue = json.loads(DATA.read_text(encoding="utf-8"))
    written = 0
    for scheme in catalogue["schemes"]:
        for order, item in enumerate(scheme["types"], 1):
            defaults = {
                "name": item["name"],
                "name_en": item.get("name_en", ""),
                "sort_order": order,
                "effective_from": date.fromisoformat(scheme["effective_from"]),
                "effective_to": date.fromisoformat(scheme["effective_to"]) if scheme.get("effective_to") else None,
                "source": scheme["source"],
            }
            obj, created = type_model.objects.get_or_create(scheme=scheme["scheme"], code=item["code"],
                                                            defaults=defaults)
            if not created and any(getattr(obj, k) != v for k, v in defaults.items()):
                for k, v in defaults.items():
                    setattr(obj, k, v)
                obj.save()
                written += 1
            written += created
    return written
