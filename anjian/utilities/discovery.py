"""The modules of a given name in every installed app (``permissions``, ``navigation``,
``indicators``, ``exchange``, ``urls``, ...), found with Django's ``autodiscover_modules``: an app
without the module is skipped, an error inside an existing module is raised."""

from __future__ import annotations

import sys
from types import ModuleType

from django.apps import apps
from django.utils.module_loading import autodiscover_modules


def app_modules(name: str, *, prefix: str = "anjian.") -> list[tuple[str, ModuleType]]:
    """[(app label, module)] for every installed app under ``prefix`` that has ``<app>.<name>``,
    in the order of ``INSTALLED_APPS``. Importing is the registration for modules that register
    themselves (``@indicator``, job kinds)."""
    autodiscover_modules(name)
    found = []
    for config in apps.get_app_configs():
        module = sys.modules.get(f"{config.name}.{name}")
        if module is not None and config.name.startswith(prefix):
            found.append((config.label, module))
    return found
