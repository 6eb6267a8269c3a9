"""The field-level change log: every save, delete and many-to-many change of a
``ChangeLoggedModel`` writes an audit entry; logins and failed logins too."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from anjian.utilities.models import ChangeLoggedModel

from . import audit, context
from .models import AuditAction


@receiver(post_save)
def log_save(sender: type, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw or not isinstance(instance, ChangeLoggedModel):
        return
    changes = instance.changed_fields()
    if created:
        audit.record(AuditAction.CREATE, instance, changes=changes)
    elif changes:
        audit.record(AuditAction.UPDATE, instance, changes=changes)
    instance._loaded_values = instance.snapshot()


@receiver(post_delete)
def log_delete(sender: type, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, ChangeLoggedModel):
        audit.record(AuditAction.DELETE, instance, changes={k: [v, None] for k, v in instance.snapshot().items()})


@receiver(m2m_changed)
def log_m2m(sender: type, instance: Any, action: str, pk_set: set | None, model: type, **kwargs: Any) -> None:
    if not isinstance(instance, ChangeLoggedModel) or action not in ("post_add", "post_remove", "post_clear"):
        return
    field = next(
        (f.name for f in instance._meta.many_to_many if f.remote_field.through is sender), sender.__name__
    )
    pks = sorted(pk_set or [])
    if action == "post_add" and pks:
        audit.record(AuditAction.UPDATE, instance, changes={field: {"added": pks}})
    elif action == "post_remove" and pks:
        audit.record(AuditAction.UPDATE, instance, changes={field: {"removed": pks}})
    elif action == "post_clear":
        audit.record(AuditAction.UPDATE, instance, changes={field: {"cleared": True}})


def _client(request: Any) -> dict[str, Any]:
    if request is None:
        return {}
    from .middleware import client_ip

    return {"ip": client_ip(request), "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300]}


@receiver(user_logged_in)
def log_login(sender: type, request: Any, user: Any, **kwargs: Any) -> None:
    ctx = context.current.get()
    if ctx is not None:
        ctx.user_id, ctx.username = user.pk, user.username
    audit.record(AuditAction.LOGIN, user, user_id=user.pk, username=user.username, **_client(request))


@receiver(user_logged_out)
def log_logout(sender: type, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(AuditAction.LOGOUT, user, user_id=user.pk, username=user.username, **_client(request))


@receiver(user_login_failed)
def log_login_failed(sender: type, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit.record(AuditAction.LOGIN_FAILED, None, username=username, user_id=None,
                 object_type="accounts.user", object_repr=username, **_client(request))
