"""The main menu, gathered from each app's ``navigation.py`` (``MENU = [MenuItem(...)]``).

An item is shown when the user has its permission; nothing else decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import import_module

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuItem:
    label: str | Promise
    url_name: str
    perm: str
    group: str | Promise = ""
    order: int = 100


MENU = [
    MenuItem(_("Audit log"), "core:audit", "core.view_auditentry", _("System"), 900),
]


@cache
def menu_items() -> list[MenuItem]:
    items: list[MenuItem] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("anjian."):
            continue
        try:
            module = import_module(f"{config.name}.navigation")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.navigation":
                raise
            continue
        items.extend(getattr(module, "MENU", []))
    return sorted(items, key=lambda i: i.order)
