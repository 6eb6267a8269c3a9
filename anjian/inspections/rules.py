"""The inspection rules as versioned data (``data/inspection_rules.json``), read once."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "inspection_rules.json"


@cache
def rules() -> dict[str, Any]:
    with DATA.open(encoding="utf-8") as fh:
        return json.load(fh)


def min_inspectors(kind: str) -> int:
    return int(rules()["min_inspectors"]["rule"].get(kind, 0))


def key_enforcement_kinds() -> list[str]:
    return list(rules()["key_enforcement"]["kinds"])


def special_filing_kinds() -> list[str]:
    return list(rules()["special_filing"]["kinds"])
