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
* **fast** -- write in bulk. ``ctx.upsert(Model, "natural_key", rows)`` and
  ``ctx.sync_m2m(Model, "field", {obj: ids})`` do the compare-then-bulk-write
  for you and collect one audit entry per created/changed row (written in one
  insert after your loader returns, in the change log's own format). If you
  write yourself, use ``bulk_create`` and ``ctx.audit_created(objs)``; a
  per-row ``save()`` is audited by the signals but is slow beyond a few hundred
  rows;
* **honest about what it wrote** -- return the number of rows you wrote
  *yourself* (``ctx.upsert``/``ctx.sync_m2m`` count their own), 0 or ``None``.
  When anything was written, ``anjian demo`` records one summary ``import``
  audit entry "demo district loaded"; on a second run there is none.
  ``ctx.log(...)`` prints a line at verbosity >= 2.

Example (``anjian/hazards/demo.py``)::

    def load_demo(ctx: DemoContext) -> None:
        rows = []
        for n, enterprise in enumerate(ctx.enterprises[:300], start=1):
            found = ctx.rng.date_between(date(ctx.today.year, 1, 1), ctx.today)
            rows.append({"number": f"YH{ctx.today:%Y}{n:05d}", "enterprise_id": enterprise.pk,
                         "found_on": found, "deadline": found + timedelta(days=30), ...})
        hazards = ctx.upsert(Hazard, "number", rows)   # {number: Hazard}

Draw from ``ctx.rng`` for every candidate row whether or not it already
exists, so that the sequence of draws never depends on the database. Rows
that other rows point to by id (``enterprise_id``) come from ``ctx``; never
from ``Model.objects.all()`` without ``order_by``.

A loader runs inside the same transaction as the rest of ``anjian demo``:
raise to abort the whole load (nothing is written).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import models

from .generate import AreaSpec, Plan, build_plan
from .seeding import DemoRandom, rng_for
from .upsert import Changes, sync_m2m, upsert


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
    changes: Changes = field(default_factory=Changes)

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
        """A copy with the random stream of app ``label`` and its own ``changes`` (called by the hook runner)."""
        return replace(self, rng=rng_for(self.seed, label), changes=Changes())

    def upsert(self, model: type[models.Model], key: str, rows: Iterable[dict[str, Any]]) -> dict[Any, Any]:
        """Create the missing rows and update those that differ, by the natural key ``key``; returns
        ``{key value: object}``. Rows are dicts of attnames (``enterprise_id``, not ``enterprise``).
        Audited and counted by the runner: nothing to do on a second run."""
        return upsert(model, key, rows, self.changes)

    def sync_m2m(self, model: type[models.Model], field_name: str, desired: dict[Any, Iterable[int]]) -> None:
        """Make each object's many-to-many ``field_name`` hold exactly the given ids (audited, counted)."""
        sync_m2m(model, field_name, desired, self.changes)

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


# -- loading ----------------------------------------------------------------------------------------

# The demo accounts share one published password, so they share one hash: a fixed salt lets a second
# run compare the stored hash with a string test instead of re-hashing (PBKDF2) every account. The
# salt is long enough (> 128 bits) for Django not to ask for an upgrade at login.
DEMO_PASSWORD_SALT = "AnjianDemoDistrict2017Salt"  # noqa: S105


@dataclass
class LoadResult:
    """What ``load()`` did: rows written per table (and as reported by each app loader), the audit
    entries the run wrote (counted in the log, whoever wrote them), timings, the context."""

    plan: Plan
    context: DemoContext
    written: dict[str, int]
    apps: dict[str, int]
    audit_entries: int
    seconds: dict[str, float] = field(default_factory=dict)  # "foundation" and each app label
    app_audit: dict[str, int] = field(default_factory=dict)  # audit entries each app loader wrote

    @property
    def total(self) -> int:
        return sum(self.written.values()) + sum(self.apps.values())


def load(*, today: datetime.date | None = None, verbosity: int = 1,
         write: Callable[[str], None] = print) -> LoadResult:
    """Load (or bring up to date) the demo district, then every app's demo data. Idempotent."""
    from django.contrib.auth.password_validation import validate_password
    from django.db import transaction

    from anjian.core import audit, clock
    from anjian.core.context import acting_as
    from anjian.core.models import AuditEntry

    plan = build_plan()
    validate_password(plan.password)  # the published password must pass the policy (ValidationError)
    today = today or datetime.date.fromisoformat(plan.today)
    started = time.monotonic()
    with acting_as(None, source="command") as run, transaction.atomic():
        changes = Changes()
        district, towns, communities = _load_territory(plan, changes)
        sectors = _sectors()
        departments = _load_departments(plan, district, sectors, changes)
        enterprises = _load_enterprises(plan, sectors, departments, changes)
        users = _load_accounts(plan, departments, enterprises, changes)
        changes.write_audit()
        clock.record(today, source="demo")  # the platform runs on the demo's date (SPEC §8)
        ctx = _context(plan, district, towns, communities, departments, sectors, users, today, verbosity, write)
        seconds = {"foundation": time.monotonic() - started}
        app_audit: dict[str, int] = {}
        app_written = run_app_loaders(ctx, seconds, app_audit)
        # Every entry this run wrote carries its request id: count them, whoever wrote them.
        entries = AuditEntry.objects.filter(request_id=run.request_id).count()
        result = LoadResult(plan, ctx, dict(changes.counts), app_written, entries, seconds, app_audit)
        if result.total or entries:
            audit.record(
                audit.AuditAction.IMPORT, None, object_type="demo.district", object_id=plan.district.code,
                object_repr=plan.district.name, message="demo district loaded",
                changes={"rows_written": {**result.written, **{f"app:{k}": v for k, v in app_written.items()}},
                         "audit_entries": entries},
            )
    return result


def _sectors() -> dict[str, Any]:
    from anjian.territory.models import Sector

    sectors = {s.code: s for s in Sector.objects.order_by("sort_order", "code")}
    if not sectors:
        raise LookupError("The sector catalogue is empty: run `anjian migrate` first.")
    return sectors


def _load_territory(plan: Plan, changes: Changes) -> tuple[Any, list[Any], list[Any]]:
    from anjian.territory.models import Area

    def rows(specs: list[AreaSpec], parents: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"code": a.code, "name": a.name, "level": a.level, "geometry": a.geometry, "is_demo": True,
                 "parent_id": parents[a.parent_code].pk if a.parent_code else None} for a in specs]

    district = upsert(Area, "code", rows([plan.district], {}), changes)[plan.district.code]
    towns = upsert(Area, "code", rows(plan.towns, {district.code: district}), changes)
    communities = upsert(Area, "code", rows(plan.communities, towns), changes)
    towns_by_pk = {t.pk: t for t in towns.values()}
    for community in communities.values():  # spares ctx users a query per enterprise
        community.parent = towns_by_pk[community.parent_id]
    return district, [towns[t.code] for t in plan.towns], [communities[c.code] for c in plan.communities]


def _load_departments(plan: Plan, district: Any, sectors: dict[str, Any], changes: Changes) -> dict[str, Any]:
    from anjian.territory.models import Department

    missing = sorted({s for d in plan.departments for s in d.sectors} - set(sectors))
    if missing:
        raise LookupError(f"departments.json names sectors that are not in the catalogue: {', '.join(missing)}")
    departments = upsert(Department, "code", [
        {"code": d.code, "name": d.name, "short_name": d.short_name, "area_id": district.code,
         "is_safety_authority": d.is_safety_authority, "sort_order": d.sort_order}
        for d in plan.departments
    ], changes)
    sync_m2m(Department, "sectors",
             {departments[d.code]: [sectors[s].pk for s in d.sectors] for d in plan.departments}, changes)
    return {d.code: departments[d.code] for d in plan.departments}


def _load_enterprises(plan: Plan, sectors: dict[str, Any], departments: dict[str, Any],
                      changes: Changes) -> dict[str, Any]:
    from anjian.enterprises.models import Enterprise

    missing = sorted({s for e in plan.enterprises for s in e.sectors} - set(sectors))
    if missing:
        raise LookupError(f"enterprises.json names sectors that are not in the catalogue: {', '.join(missing)}")
    enterprises = upsert(Enterprise, "credit_code", [e.fields() for e in plan.enterprises], changes)
    sync_m2m(Enterprise, "sectors",
             {enterprises[e.credit_code]: [sectors[s].pk for s in e.sectors] for e in plan.enterprises}, changes)
    sync_m2m(Enterprise, "departments",
             {enterprises[e.credit_code]: [departments[d].pk for d in e.departments] for e in plan.enterprises},
             changes)
    return enterprises


def _load_accounts(plan: Plan, departments: dict[str, Any], enterprises: dict[str, Any],
                   changes: Changes) -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password

    from anjian.accounts.models import RoleAssignment, User

    password = make_password(plan.password, salt=DEMO_PASSWORD_SALT)
    users = upsert(User, "username", [
        {"username": a.username, "full_name": a.full_name, "phone": a.phone, "password": password,
         "is_active": True}
        for a in plan.accounts
    ], changes)
    desired: set[tuple[Any, ...]] = set()
    for a in plan.accounts:
        for r in a.roles:
            desired.add((
                users[a.username].pk, r.role, r.area_code,
                departments[r.department_code].pk if r.department_code else None,
                enterprises[r.credit_code].pk if r.credit_code else None,
            ))
    user_ids = sorted(u.pk for u in users.values())
    fields = ("user_id", "role", "area_id", "department_id", "enterprise_id")
    current = {
        tuple(row[1:]): row[0]
        for row in RoleAssignment.objects.filter(user_id__in=user_ids).values_list("pk", *fields)
    }
    new = [RoleAssignment(**dict(zip(fields, key, strict=True))) for key in sorted(desired - set(current),
                                                                                  key=_none_first)]
    RoleAssignment.objects.bulk_create(new)
    for obj in new:
        changes.created[(obj._meta.label_lower, obj.pk)] = obj
        changes.diffs[(obj._meta.label_lower, obj.pk)].update(
            {k: [None, v] for k, v in obj.snapshot().items() if v is not None})
    extra = [current[key] for key in set(current) - desired]
    if extra:  # roles given to demo accounts by hand; audited by the delete signal
        for obj in RoleAssignment.objects.filter(pk__in=extra).order_by("pk"):
            obj.delete()
    changes.note(RoleAssignment._meta.label_lower, len(new) + len(extra))
    return {a.username: users[a.username] for a in plan.accounts}


def _none_first(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple((v is not None, v if v is not None else 0) for v in key)


def _context(plan: Plan, district: Any, towns: list[Any], communities: list[Any], departments: dict[str, Any],
             sectors: dict[str, Any], users: dict[str, Any], today: datetime.date, verbosity: int,
             write: Callable[[str], None]) -> DemoContext:
    from anjian.enterprises.models import Enterprise

    by_code = {c.code: c for c in communities}
    enterprises = list(Enterprise.objects.filter(is_demo=True).order_by("credit_code"))
    for e in enterprises:
        if e.area_id in by_code:
            e.area = by_code[e.area_id]
    sector_code = {s.pk: s.code for s in sectors.values()}
    department_code = {d.pk: d.code for d in departments.values()}
    sector_codes: dict[int, list[str]] = {}
    through = Enterprise.sectors.through
    for ent, sec in through.objects.filter(enterprise__is_demo=True).order_by("pk").values_list(
            "enterprise_id", "sector_id"):
        sector_codes.setdefault(ent, []).append(sector_code[sec])
    department_codes: dict[int, list[str]] = {}
    through = Enterprise.departments.through
    for ent, dep in through.objects.filter(enterprise__is_demo=True).order_by("pk").values_list(
            "enterprise_id", "department_id"):
        department_codes.setdefault(ent, []).append(department_code.get(dep, str(dep)))
    return DemoContext(
        district=district, towns=towns, communities=communities, departments=departments, sectors=sectors,
        enterprises=enterprises, users=users, rng=rng_for(plan.seed, "context"), today=today, seed=plan.seed,
        sector_codes={k: tuple(v) for k, v in sector_codes.items()},
        department_codes={k: tuple(v) for k, v in department_codes.items()},
        verbosity=verbosity, write=write,
    )


def app_demo_modules() -> list[tuple[str, Any]]:
    """``[(app label, module)]`` of every ``anjian.<app>.demo`` module, in INSTALLED_APPS order."""
    from anjian.utilities.discovery import app_modules

    found = [(label, module) for label, module in app_modules("demo") if module.__name__ != f"{__package__}.demo"]
    for _label, module in found:
        if not callable(getattr(module, "load_demo", None)):
            raise AttributeError(f"{module.__name__} has no load_demo(ctx) function.")
    return found


def run_app_loaders(ctx: DemoContext, seconds: dict[str, float] | None = None,
                    audited: dict[str, int] | None = None) -> dict[str, int]:
    """Call every app's ``load_demo(ctx)``; returns ``{app label: rows written}`` as the loaders report
    them, and fills in the seconds each took and the audit entries each wrote (counted in the log by
    the run's request id, so a loader that re-saves rows it did not change cannot hide it)."""
    from anjian.core import context
    from anjian.core.models import AuditEntry

    request_id = context.get().request_id
    written = {}
    for label, module in app_demo_modules():
        started = time.monotonic()
        last = AuditEntry.objects.filter(request_id=request_id).order_by("-id").values_list("id", flat=True).first()
        app_ctx = ctx.for_app(label)
        own = module.load_demo(app_ctx) or 0
        app_ctx.changes.write_audit()
        written[label] = int(own) + app_ctx.changes.total
        if seconds is not None:
            seconds[label] = time.monotonic() - started
        if audited is not None:
            audited[label] = AuditEntry.objects.filter(request_id=request_id, id__gt=last or 0).count()
    return written


def account_rows(result: LoadResult) -> list[tuple[str, str, str]]:
    """(username, role, scope) of every demo account, in the plan's order, one line per role."""
    from django.utils.translation import gettext as _

    ctx = result.context
    areas = {a.code: a for a in [ctx.district, *ctx.towns, *ctx.communities]}
    by_code = {e.credit_code: e for e in ctx.enterprises}
    sector_names = {code: s.name for code, s in ctx.sectors.items()}
    spec_departments = {d.code: d for d in result.plan.departments}
    rows = []
    for account in result.plan.accounts:
        for r in account.roles:
            if r.credit_code:
                ent = by_code[r.credit_code]
                scope = f"{ent.name} ({ctx.town_of(ent).name})"
            elif r.department_code:
                d = ctx.departments[r.department_code]
                if d.is_safety_authority:
                    sectors = _("every sector of the district")
                else:
                    sectors = "、".join(sector_names[s] for s in spec_departments[d.code].sectors)
                scope = f"{d.name}: {sectors}"
            elif r.area_code:
                scope = f"{areas[r.area_code].name} {r.area_code}"
            else:
                scope = _("no business data (system role)")
            rows.append((account.username, r.role, scope))
    return rows


__all__ = ["DemoContext", "DemoRandom", "LoadResult", "account_rows", "app_demo_modules", "load", "rng_for", "run_app_loaders"]
