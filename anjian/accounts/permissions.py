"""Role permissions: which actions each role may take, merged from every app.

Each app may have a ``permissions.py`` with ``ROLE_PERMISSIONS``: a mapping of
role code to permission patterns (``fnmatch`` style, e.g. ``"hazards.*"`` or
``"*.view_*"``). A permission is granted when one of the user's roles has a
matching pattern; for an object, that same role's own data scope must hold
the object (``anjian.utilities.scoping.Scope.granting``): a person holding several roles never
lends one role's permissions to another role's scope. This is the one place permissions are
decided; views, API and exports ask ``user.has_perm(perm, obj)``.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from functools import cache

from anjian.utilities.discovery import app_modules

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
    for _label, module in app_modules("permissions"):
        if module.__name__ == __name__:
            continue
        for role, patterns in getattr(module, "ROLE_PERMISSIONS", {}).items():
            merged.setdefault(role, set()).update(patterns)
    return {role: frozenset(p) for role, p in merged.items()}


@cache
def role_grants_one(role: str, perm: str) -> bool:
    """Whether the role's own patterns grant ``perm``."""
    for pattern in role_patterns().get(role, ()):
        if not fnmatchcase(perm, pattern):
            continue
        # Business wildcards never reach the system roles' data, and vice versa.
        if pattern.startswith("*") and any(perm.startswith(s) for s in SYSTEM_ONLY):
            continue
        return True
    return False


def role_grants(roles: frozenset[str], perm: str) -> bool:
    """Whether one of ``roles`` grants ``perm`` (for an object, use ``user.has_perm(perm, obj)``:
    the role granting it must also hold the object in its own scope)."""
    return any(role_grants_one(role, perm) for role in roles)
