"""Writing the audit log. Saves of ``ChangeLoggedModel`` rows are logged by signals;
everything else (logins, exports, imports, transitions, bulk writes) calls these."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from . import context
from .models import AuditAction, AuditEntry


def _object_fields(obj: models.Model | None) -> dict[str, str]:
    if obj is None:
        return {}
    return {
        "object_type": obj._meta.label_lower,
        "object_id": str(obj.pk),
        "object_repr": str(obj)[:200],
    }


def _context_fields() -> dict[str, Any]:
    ctx = context.get()
    return {
        "user_id": ctx.user_id,
        "username": ctx.username,
        "ip": ctx.ip,
        "user_agent": ctx.user_agent[:300],
        "request_id": ctx.request_id,
        "source": ctx.source,
    }


def record(action: str, obj: models.Model | None = None, *, changes: dict | None = None,
           message: str = "", object_type: str = "", **overrides: Any) -> AuditEntry:
    fields = {**_context_fields(), **_object_fields(obj), **overrides}
    if object_type:
        fields["object_type"] = object_type
    return AuditEntry.objects.create(action=action, changes=changes or {}, message=message, **fields)


def entry_for(action: str, obj: models.Model, changes: dict | None = None, message: str = "") -> AuditEntry:
    """An unsaved entry, for ``record_many`` (bulk imports)."""
    return AuditEntry(action=action, changes=changes or {}, message=message, **_context_fields(), **_object_fields(obj))


def record_many(entries: Iterable[AuditEntry], batch_size: int = 2000) -> None:
    AuditEntry.objects.bulk_create(entries, batch_size=batch_size)


__all__ = ["AuditAction", "entry_for", "record", "record_many"]
