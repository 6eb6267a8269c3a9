"""Idempotent bulk writes: create what is missing, update what differs, audit exactly that.

A row written here does not go through ``save()`` (2,000 enterprises one by
one would take minutes), so the per-row audit entries that the change-log
signals would have written are collected in a :class:`Changes` and written
with one bulk insert (``anjian.core.audit.entry_for`` / ``record_many``),
in the same field-level format. A second run over the same plan finds
nothing to do and writes nothing at all, audit entries included.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone

from anjian.core.audit import AuditAction, entry_for, record_many
from anjian.utilities.models import json_value

BATCH = 500


@dataclass
class Changes:
    """What a load wrote, per object, for the audit log and the summary."""

    created: dict[tuple[str, Any], models.Model] = field(default_factory=dict)
    updated: dict[tuple[str, Any], models.Model] = field(default_factory=dict)
    diffs: dict[tuple[str, Any], dict[str, Any]] = field(default_factory=lambda: defaultdict(dict))
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # rows written per table

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def note(self, table: str, n: int = 1) -> None:
        if n:
            self.counts[table] += n

    def entries(self) -> list[Any]:
        """One audit entry per created or changed object, in a stable order."""
        result = []
        for key, obj in self.created.items():
            result.append(entry_for(AuditAction.CREATE, obj, changes=self.diffs.get(key, {})))
        for key, obj in self.updated.items():
            if key not in self.created:
                result.append(entry_for(AuditAction.UPDATE, obj, changes=self.diffs.get(key, {})))
        return result

    def write_audit(self) -> int:
        entries = self.entries()
        record_many(entries)
        return len(entries)


def _key(obj: models.Model) -> tuple[str, Any]:
    return (obj._meta.label_lower, obj.pk)


def _field_names(model: type[models.Model]) -> set[str]:
    return {f.attname for f in model._meta.concrete_fields}


def upsert(model: type[models.Model], key: str, rows: Iterable[dict[str, Any]], changes: Changes,
           *, existing: dict[Any, models.Model] | None = None) -> dict[Any, models.Model]:
    """Create or update ``rows`` (dicts of attname -> value, one of them ``key``); returns {key: obj}.

    Only the fields named in a row are compared and written; other columns (a
    user's ``last_login``, a row's ``created``) are left alone.
    """
    rows = list(rows)
    if existing is None:
        keys = [row[key] for row in rows]
        existing = {}
        for start in range(0, len(keys), 900):
            for obj in model._default_manager.filter(**{f"{key}__in": keys[start:start + 900]}):
                existing[getattr(obj, key)] = obj
    names = _field_names(model)
    versioned = "version" in names
    stamped = "last_updated" in names
    excluded = set(getattr(model, "changelog_exclude", ()))
    now = timezone.now()
    result: dict[Any, models.Model] = {}
    to_create: list[models.Model] = []
    to_update: list[models.Model] = []
    update_fields: set[str] = set()
    for row in rows:
        obj = existing.get(row[key])
        if obj is None:
            obj = model(**row)
            to_create.append(obj)
        else:
            diff = {name: [json_value(getattr(obj, name)), json_value(value)]
                    for name, value in row.items() if getattr(obj, name) != value}
            if diff:
                for name in diff:
                    setattr(obj, name, row[name])
                update_fields.update(diff)
                if versioned:
                    obj.version += 1  # type: ignore[attr-defined]
                if stamped:
                    obj.last_updated = now  # type: ignore[attr-defined]
                to_update.append(obj)
                visible = {k: v for k, v in diff.items() if k not in excluded}
                changes.updated[_key(obj)] = obj
                changes.diffs[_key(obj)].update(visible or {k: ["…", "…"] for k in diff})
        result[row[key]] = obj
    if to_create:
        model._default_manager.bulk_create(to_create, batch_size=BATCH)
        for obj in to_create:
            changes.created[_key(obj)] = obj
            snapshot = obj.snapshot() if hasattr(obj, "snapshot") else {}  # type: ignore[attr-defined]
            changes.diffs[_key(obj)].update({k: [None, v] for k, v in snapshot.items() if v not in (None, "")})
            obj._loaded_values = snapshot  # type: ignore[attr-defined]
    if to_update:
        fields = sorted(update_fields | ({"version"} if versioned else set()) | ({"last_updated"} if stamped else set()))
        model._default_manager.bulk_update(to_update, fields, batch_size=BATCH)
    changes.note(model._meta.label_lower, len(to_create) + len(to_update))
    return result


def sync_m2m(model: type[models.Model], field_name: str, desired: dict[models.Model, Iterable[int]],
             changes: Changes) -> None:
    """Make ``obj.<field_name>`` hold exactly the given target ids, for each object in ``desired``."""
    m2m = model._meta.get_field(field_name)
    through = m2m.remote_field.through  # type: ignore[union-attr]
    src = m2m.m2m_field_name()  # type: ignore[union-attr]
    dst = m2m.m2m_reverse_field_name()  # type: ignore[union-attr]
    by_pk = {obj.pk: obj for obj in desired}
    current: dict[Any, set[int]] = defaultdict(set)
    pks = sorted(by_pk)
    for start in range(0, len(pks), 900):
        rows = through.objects.filter(**{f"{src}__in": pks[start:start + 900]}).values_list(f"{src}_id", f"{dst}_id")
        for s, d in rows:
            current[s].add(d)
    to_add = []
    removed = 0
    for obj, targets in desired.items():
        want = set(targets)
        have = current.get(obj.pk, set())
        added, gone = sorted(want - have), sorted(have - want)
        to_add.extend(through(**{f"{src}_id": obj.pk, f"{dst}_id": d}) for d in added)
        if gone:
            through.objects.filter(**{f"{src}_id": obj.pk, f"{dst}_id__in": gone}).delete()
            removed += len(gone)
        if added or gone:
            key = _key(obj)
            diff = {"added": added} if added else {}
            if gone:
                diff["removed"] = gone
            changes.diffs[key][field_name] = diff
            if key not in changes.created:
                changes.updated[key] = obj
    through.objects.bulk_create(to_add, batch_size=BATCH)
    changes.note(through._meta.label_lower, len(to_add) + removed)


__all__ = ["Changes", "sync_m2m", "upsert"]
