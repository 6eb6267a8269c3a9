"""Role permissions: which actions each role may take, merged from every app.

Each app may have a ``permissions.py`` with ``ROLE_PERMISSIONS``: a mapping of
role code to permission patterns (``fnmatch`` style, e.g. ``"hazards.*"`` or
``"*.view_*"``). A permission is granted when one of the user's roles has a
matching pattern; for an object, the object must also be in the user's data
scope (``anjian.utilities.scoping``). This is the one place permissions are
decided; views, API and exports ask ``user.has_perm(perm, obj)``.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from functools import cache
from importlib import import_module

from django.apps import apps

from .models import Role

# The foundation's own table; other apps add theirs in their permissions.py.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.DISTRICT_ADMIN: {"*.view_*", "territory.*", "enterprises.*"},
    Role.LEADER: {"*.view_*", "enterprises.export_enterprise"},
    Role.DEPARTMENT: {"*.view_*", "enterprises.change_enterprise", "enterprises.export_enterprise"},
    Role.TOWN: {
        "*.view_*", "enterprises.add_enterprise", "enterprises.change_enterprise",
        "enterprises.import_enterprise", "enterprises.export_enterprise",
    },
    Role.INSPECTOR: {"*.view_*", "enterprises.export_enterprise"},
    Role.ENTERPRISE: {"*.view_*", "enterprises.change_enterprise"},
    # 三权分立: accounts for sysadmin, the security policy for secadmin, the audit log for auditor.
    Role.SYSADMIN: {"accounts.*_user", "accounts.*_roleassignment"},
    Role.SECADMIN: {"accounts.view_user", "accounts.change_securitypolicy"},
    Role.AUDITOR: {"core.view_auditentry"},
}

SYSTEM_ONLY = {"accounts.", "core.view_auditentry"}


@cache
def role_patterns() -> dict[str, frozenset[str]]:
    merged: dict[str, set[str]] = {role: set(p) for role, p in ROLE_PERMISSIONS.items()}
    for config in apps.get_app_configs():
        if not config.name.startswith("anjian.") or config.name == "anjian.accounts":
            continue
        try:
            module = import_module(f"{config.name}.permissions")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.permissions":
                raise
            continue
        for role, patterns in getattr(module, "ROLE_PERMISSIONS", {}).items():
            merged.setdefault(role, set()).update(patterns)
    return {role: frozenset(p) for role, p in merged.items()}


def role_grants(roles: frozenset[str], perm: str) -> bool:
    table = role_patterns()
    for role in roles:
        for pattern in table.get(role, ()):
            if not fnmatchcase(perm, pattern):
                continue
            # Business wildcards never reach the system roles' data, and vice versa.
            if pattern.startswith("*") and any(perm.startswith(s) for s in SYSTEM_ONLY):
                continue
            return True
    return False
