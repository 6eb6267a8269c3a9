"""The base-model stack (abstract only; this app has no tables).

A concrete domain model is just fields and ``Meta``::

    class Hazard(BaseModel):
        scope = ScopeRule(enterprise="enterprise")
        ...

``BaseModel`` gives it ``created``/``last_updated``, a ``version`` for
optimistic concurrency, the scoped manager (``Hazard.objects.visible_to(user)``)
and the field-level change log (``anjian.core.signals``).
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _

from .scoping import ScopedQuerySet, ScopeRule

__all__ = ["BaseModel", "ChangeLoggedModel", "ScopeRule", "ScopedQuerySet", "json_value"]


def json_value(value: Any) -> Any:
    """A value as the change log stores it (JSON-safe, human-readable)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, FieldFile):  # (hasattr(value, "url") raises for an empty file field)
        return value.name or None
    return str(value)


def _as_stored(field: models.Field, value: Any) -> Any:
    """The value as the database will give it back, so that 70 and 70.0000 are no change."""
    if isinstance(field, models.DecimalField) and value is not None and field.decimal_places is not None:
        try:
            return decimal.Decimal(value).quantize(decimal.Decimal(1).scaleb(-field.decimal_places))
        except (decimal.InvalidOperation, TypeError, ValueError):
            return value
    return value


class ChangeLoggedModel(models.Model):
    """Remembers the values it was loaded with, so a save can log a field-level diff."""

    # Fields left out of the diff (timestamps and counters that change on every save).
    changelog_exclude: tuple[str, ...] = ("created", "last_updated", "version")

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):  # type: ignore[no-untyped-def]
        instance = super().from_db(db, field_names, values)
        # Raw values only; they are made JSON-safe when a save asks for the diff (cheap reads).
        instance._loaded_raw = (field_names, values)
        return instance

    @property
    def _loaded_values(self) -> dict[str, Any]:
        cached = self.__dict__.get("_loaded_json")
        if cached is None:
            names, values = self.__dict__.get("_loaded_raw", ((), ()))
            cached = {n: json_value(v) for n, v in zip(names, values, strict=True) if v is not models.DEFERRED}
            self.__dict__["_loaded_json"] = cached
        return cached

    @_loaded_values.setter
    def _loaded_values(self, value: dict[str, Any]) -> None:
        self.__dict__["_loaded_json"] = value

    def snapshot(self) -> dict[str, Any]:
        return {
            f.attname: json_value(_as_stored(f, f.value_from_object(self)))
            for f in self._meta.concrete_fields
            if f.attname not in self.changelog_exclude and f.name not in self.changelog_exclude
        }

    def changed_fields(self) -> dict[str, list[Any]]:
        """{field: [old, new]} against the values loaded from the database."""
        before = getattr(self, "_loaded_values", None) or {}
        after = self.snapshot()
        return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


class BaseModel(ChangeLoggedModel):
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = ScopedQuerySet.as_manager()

    # How rows of this model relate to the scopes of roles; see utilities.scoping.
    scope: ScopeRule = ScopeRule()

    class Meta:
        abstract = True
