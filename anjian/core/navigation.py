"""The main menu, gathered from each app's ``navigation.py`` (``MENU = [MenuItem(...)]``).

An item is shown when the user has its permission; nothing else decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from anjian.utilities.discovery import app_modules


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
    for _label, module in app_modules("navigation"):
        items.extend(getattr(module, "MENU", []))
    return sorted(items, key=lambda i: i.order)
