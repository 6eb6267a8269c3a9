"""Authentication with lockout, and authorisation through roles and data scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone

from anjian.utilities.scoping import holds, scope_for

from .permissions import role_grants


def recent_failures(username: str) -> int:
    """Failed logins of ``username`` in the lockout window since its last successful login."""
    from anjian.core.models import AuditAction, AuditEntry

    since = timezone.now() - timedelta(minutes=settings.ANJIAN_LOCKOUT_WINDOW_MINUTES)
    last_ok = (
        AuditEntry.objects.filter(action=AuditAction.LOGIN, username=username, timestamp__gte=since)
        .order_by("-timestamp").values_list("timestamp", flat=True).first()
    )
    if last_ok:
        since = last_ok
    return AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, username=username, timestamp__gt=since).count()


def is_locked_out(username: str) -> bool:
    return recent_failures(username) >= settings.ANJIAN_LOCKOUT_FAILURES


class LockoutModelBackend(ModelBackend):
    def authenticate(self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any):  # type: ignore[override]
        if username and is_locked_out(username):
            # Django turns this into a failed login (and records it) without trying the password.
            raise PermissionDenied("locked out")
        return super().authenticate(request, username=username, password=password, **kwargs)

    def has_perm(self, user_obj: Any, perm: str, obj: models.Model | None = None) -> bool:  # type: ignore[override]
        if not user_obj.is_active or user_obj.is_anonymous:
            return False
        if not role_grants(user_obj.role_codes, perm):
            return False
        if obj is None:
            return True
        # One role must both grant ``perm`` and hold ``obj`` in its own scope (SPEC §0).
        return holds(scope_for(user_obj, perm), obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:  # type: ignore[override]
        return user_obj.is_active and user_obj.is_superuser
