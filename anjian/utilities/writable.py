"""Which fields of a model each role may write: one definition per model, read by the page form
and by the API serializer alike (issue 10, item 1: no mass assignment through the API).

A model names its definition next to its scope rule::

    class Enterprise(BaseModel):
        scope = ScopeRule(enterprise="pk", ...)
        writable = WritableFields({
            Role.TOWN: REGISTRY_FIELDS, Role.DEPARTMENT: REGISTRY_FIELDS, ...,
            Role.ENTERPRISE: ("address", "safety_manager", "safety_manager_phone", "employees"),
        })

For a user and an object, the writable fields are the union over the user's roles that both grant
the permission (``enterprises.change_enterprise``) and hold the object in their own scope (SPEC §0:
an enterprise manager who is also a leader reads the district but changes only its own contact
details). A role the definition does not name writes nothing. The serializer mixin below marks
every other field read-only and refuses, with a message in words, a request that tries to change one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from .scoping import Scope, holds, scope_for


@dataclass(frozen=True)
class WritableFields:
    """{role code: the names of the fields that role may write} of one model."""

    by_role: Mapping[str, tuple[str, ...]]

    def for_role(self, role: str) -> tuple[str, ...]:
        return tuple(self.by_role.get(role, ()))

    @property
    def all_fields(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for names in self.by_role.values():
            seen.update(dict.fromkeys(names))
        return tuple(seen)

    def for_user(self, user: Any, perm: str, obj: models.Model | None = None) -> frozenset[str]:
        """The fields ``user`` may write with ``perm``: on ``obj`` (saved) only through the roles
        whose own scope holds it; without ``obj`` (a creation) through every role granting ``perm``
        (the saved row is re-checked against the same roles by ``ensure_in_scope``)."""
        scope = scope_for(user, perm)
        names: set[str] = set()
        for role_scope in scope.role_scopes:
            fields = self.for_role(role_scope.role)
            if not fields or names.issuperset(fields):
                continue
            if obj is None or obj.pk is None or holds(Scope((role_scope,), scope.grants), obj):
                names.update(fields)
        return frozenset(names)


def writable_fields(model: type[models.Model]) -> WritableFields | None:
    return getattr(model, "writable", None)


def _perm(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def _comparable(value: Any) -> Any:
    """A representation normalised enough to tell "sent back unchanged" from "changed"."""
    if isinstance(value, list | tuple | set):
        return sorted(str(_comparable(v)) for v in value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip()) if value.strip() else value
        except InvalidOperation:
            return value.strip()
    return value


class RoleWritableMixin:
    """For a ``ModelSerializer`` whose model has a ``writable`` definition: the fields the requesting
    user may not write are read-only (and so in the schema of what it sends, never required), and a
    request that would change one of them is refused with a 400 naming each field.

    A field sent back with its current value (a PUT of the whole representation) is accepted."""

    def _writable_names(self) -> frozenset[str] | None:
        cached = getattr(self, "_writable_cache", None)
        if cached is not None:
            return cached[0]
        model = self.Meta.model  # type: ignore[attr-defined]
        definition = writable_fields(model)
        request = self.context.get("request")  # type: ignore[attr-defined]
        # The OpenAPI schema is the same for everyone: every field some role writes (a field the
        # requesting role may not write is its documented 400).
        describing = getattr(self.context.get("view"), "swagger_fake_view", False)  # type: ignore[attr-defined]
        names: frozenset[str] | None = None
        reading = getattr(request, "method", "GET") in ("GET", "HEAD", "OPTIONS")  # nothing to write: no query
        if definition is not None and request is not None and getattr(request, "user", None) is not None \
                and not describing and not reading:
            instance = getattr(self, "instance", None)
            if isinstance(instance, models.Model):
                names = definition.for_user(request.user, _perm(model, "change"), instance)
            else:
                names = definition.for_user(request.user, _perm(model, "add"))
        self._writable_cache = (names,)
        return names

    @staticmethod
    def _model_names(name: str, field: Any) -> Iterable[str]:
        """The model field(s) a serializer field writes (``area_code`` writes ``area``)."""
        return ((field.source or name).split(".")[0],)

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()  # type: ignore[misc]
        names = self._writable_names()
        if names is None:
            return fields
        self._forbidden: dict[str, Any] = {}
        for name, field in fields.items():
            if field.read_only or name == "version":
                continue
            if not set(self._model_names(name, field)) <= names:
                self._forbidden[name] = field
                field.read_only = True
                field.required = False
        return fields

    def to_internal_value(self, data: Any) -> Any:
        forbidden = getattr(self, "_forbidden", None)
        if forbidden is None:
            self.fields  # noqa: B018 -- builds the fields, and with them the forbidden ones
            forbidden = getattr(self, "_forbidden", {})
        if forbidden and hasattr(data, "keys"):
            instance = getattr(self, "instance", None)
            current = {}
            if isinstance(instance, models.Model):
                for name, field in forbidden.items():
                    try:
                        attribute = field.get_attribute(instance)
                        current[name] = None if attribute is None else field.to_representation(attribute)
                    except (AttributeError, KeyError, TypeError, ValueError):
                        current[name] = object()
            errors = {}
            for name in forbidden:
                if name not in data:
                    continue
                value = data.getlist(name) if hasattr(data, "getlist") and isinstance(current.get(name), list) \
                    else data[name]
                if name in current and _comparable(value) == _comparable(current[name]):
                    continue
                errors[name] = [_("Your role may not change this field.")]
            if errors:
                raise ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]
