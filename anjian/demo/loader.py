"""The demo district loader, and the context handed to every app's demo loader.

The contract
============

After the foundation data (territory, departments, enterprises, accounts) is in
place, ``anjian demo`` imports, in ``INSTALLED_APPS`` order, the module
``anjian.<app>.demo`` of every Anjian app that has one and calls its
``load_demo(ctx)`` with a :class:`DemoContext`. An app without a ``demo``
module is skipped; an import error *inside* a demo module is not hidden.

A loader must be

* **deterministic** -- draw randomness only from ``ctx.rng`` (a
  ``random.Random`` seeded for that app alone, so one app's draws never shift
  another's) and dates only from ``ctx.today`` (a fixed date, never the
  clock); iterate ``ctx.enterprises`` / ``ctx.towns`` (ordered lists), never
  sets or query results without ``order_by``;
* **idempotent** -- a second run writes nothing: upsert by a natural key
  (a document number, ``(enterprise, date, kind)``, ...), compare before
  writing, create only what is missing and update only what differs;
* **fast** -- ``bulk_create`` / ``bulk_update`` in batches; a per-row
  ``save()`` writes one audit entry per row through the signals, so write the
  audit entries yourself with ``ctx.audit_created(objs)`` (one bulk insert) or
  use ``save()`` only for a handful of rows;
* **quiet about itself** -- return the number of rows it wrote (0 on a
  second run) or ``None``; ``anjian demo`` records one summary audit entry
  "demo district loaded" when the total is not zero. ``ctx.log(...)`` prints
  a line at verbosity >= 2.

Example (``anjian/hazards/demo.py``)::

    def load_demo(ctx: DemoContext) -> int:
        existing = set(Hazard.objects.filter(enterprise__is_demo=True).values_list("number", flat=True))
        new = []
        for n, enterprise in enumerate(ctx.enterprises[:300], start=1):
            number = f"YH{ctx.today:%Y}{n:05d}"
            found = ctx.rng.date_between(date(ctx.today.year, 1, 1), ctx.today)  # draw even if it exists
            if number not in existing:
                new.append(Hazard(number=number, enterprise=enterprise, found_on=found, ...))
        Hazard.objects.bulk_create(new, batch_size=500)
        ctx.audit_created(new)
        return len(new)

Draw from ``ctx.rng`` for every candidate row whether or not it already
exists, so that the sequence of draws does not depend on the database.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models


class DemoRandom(random.Random):
    """``random.Random`` with two helpers the demo loaders keep needing."""

    def date_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        """A day in [start, end] (inclusive)."""
        return start + datetime.timedelta(days=self.randint(0, max(0, (end - start).days)))

    def weighted(self, choices: Sequence[tuple[Any, float]]) -> Any:
        """One value of ``[(value, weight), ...]``."""
        values = [c[0] for c in choices]
        weights = [c[1] for c in choices]
        return self.choices(values, weights=weights, k=1)[0]


def rng_for(seed: int | str, name: str) -> DemoRandom:
    """An independent, reproducible random stream for ``name`` (string seeds are hashed with SHA-512)."""
    return DemoRandom(f"anjian-demo:{seed}:{name}")


@dataclass
class DemoContext:
    """What an app's ``load_demo(ctx)`` gets.

    ``district``     the demo district ``Area`` (示范区, code 410199000000)
    ``towns``        its 8 towns / sub-districts, ordered by code (``Area`` with ``geometry``)
    ``communities``  its communities and villages, ordered by code
    ``departments``  ``{code: Department}``: ``ajj`` (the safety authority), ``zjj``, ``jtj`` ...
    ``sectors``      ``{code: Sector}``: the whole sector catalogue
    ``enterprises``  every demo enterprise, ordered by credit code, with ``area``
                     (its community, whose ``parent`` is the town) loaded;
                     ``sector_codes[e.pk]`` / ``department_codes[e.pk]`` give their
                     sectors and supervising departments without a query
    ``users``        ``{username: User}`` of every demo account (``district``,
                     ``dept-ajj``, ``town-410199001000``, ``inspector-1``, ``ent-<code>`` ...)
    ``rng``          a ``DemoRandom`` seeded for the calling app alone
    ``today``        the demo's fixed "today" (``anjian demo --today`` overrides it)
    """

    district: Any
    towns: list[Any]
    communities: list[Any]
    departments: dict[str, Any]
    sectors: dict[str, Any]
    enterprises: list[Any]
    users: dict[str, Any]
    rng: DemoRandom
    today: datetime.date
    seed: int | str = 2017
    sector_codes: dict[int, tuple[str, ...]] = field(default_factory=dict)
    department_codes: dict[int, tuple[str, ...]] = field(default_factory=dict)
    verbosity: int = 1
    write: Callable[[str], None] = print

    def town_of(self, enterprise: Any) -> Any:
        """The town (level 4 ``Area``) an enterprise lies in."""
        area = enterprise.area
        return area if area.level <= 4 else area.parent

    def enterprises_in(self, town: Any) -> list[Any]:
        prefix = town.code[:9]
        return [e for e in self.enterprises if e.area_id.startswith(prefix)]

    def enterprises_of_sector(self, code: str) -> list[Any]:
        return [e for e in self.enterprises if code in self.sector_codes.get(e.pk, ())]

    def for_app(self, label: str) -> DemoContext:
        """A copy with the random stream of app ``label`` (called by the hook runner)."""
        from dataclasses import replace

        return replace(self, rng=rng_for(self.seed, label))

    def audit_created(self, objs: Iterable[models.Model], message: str = "") -> int:
        """Write one ``create`` audit entry per object (bulk), as a ``save()`` would have."""
        from anjian.core.audit import AuditAction, entry_for, record_many

        entries = [
            entry_for(AuditAction.CREATE, obj, changes={k: [None, v] for k, v in _snapshot(obj).items()},
                      message=message)
            for obj in objs
        ]
        record_many(entries)
        return len(entries)

    def log(self, message: str) -> None:
        if self.verbosity >= 2:
            self.write(message)


def _snapshot(obj: models.Model) -> dict[str, Any]:
    snapshot = getattr(obj, "snapshot", None)
    if snapshot is not None:
        return snapshot()
    from anjian.utilities.models import json_value

    return {f.attname: json_value(f.value_from_object(obj)) for f in obj._meta.concrete_fields}


__all__ = ["DemoContext", "DemoRandom", "rng_for"]
