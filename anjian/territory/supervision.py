"""Keeping ``Supervision`` (the sectors each department supervises in effect) in step with the
departments' named sectors, their safety-authority flag and the sector tree.

A department supervises the sectors it names and, below them, every sub-sector of the catalogue
(an enterprise registered under 冶金 is supervised by the department that names 工贸); the
comprehensive safety authority (``is_safety_authority``) supervises every sector. ``rebuild`` derives
the rows; the signals below call it whenever one of its inputs changes through the ORM. Code that
writes those tables behind the ORM's back (bulk loads with COPY, raw SQL) calls ``rebuild()`` itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.signals import m2m_changed, post_delete, post_save


def expand(named: Iterable[int], children: dict[int, list[int]]) -> set[int]:
    """The sectors ``named`` with every sub-sector below them."""
    todo, seen = list(named), set()
    while todo:
        sector = todo.pop()
        if sector not in seen:
            seen.add(sector)
            todo.extend(children.get(sector, ()))
    return seen


def rebuild(department_ids: Iterable[int] | None = None, *, apps: Any = None) -> int:
    """Bring the supervision rows of ``department_ids`` (every department when None) in line with
    their inputs, writing only the differences; returns the number of rows deleted and inserted.
    ``apps``: a migration's app registry (historical models)."""
    if apps is None:
        from .models import Department, Sector, Supervision
    else:
        Department, Sector, Supervision = (apps.get_model("territory", n)  # noqa: N806
                                           for n in ("Department", "Sector", "Supervision"))
    children: dict[int, list[int]] = {}
    every = []
    for pk, parent in Sector.objects.values_list("pk", "parent_id"):
        every.append(pk)
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    departments = Department.objects.all()
    if department_ids is not None:
        departments = departments.filter(pk__in=list(department_ids))
    flags = dict(departments.values_list("pk", "is_safety_authority"))
    named: dict[int, list[int]] = {}
    for dept, sector in Department.sectors.through.objects.filter(department_id__in=list(flags)).values_list(
            "department_id", "sector_id"):
        named.setdefault(dept, []).append(sector)
    wanted = {(dept, sector) for dept, authority in flags.items()
              for sector in (every if authority else expand(named.get(dept, ()), children))}
    with transaction.atomic():
        existing = Supervision.objects.all()
        if department_ids is not None:
            existing = existing.filter(department_id__in={int(d) for d in department_ids} | set(flags))
        have = dict(((d, s), pk) for pk, d, s in existing.values_list("pk", "department_id", "sector_id"))
        stale = [pk for pair, pk in have.items() if pair not in wanted]
        if stale:
            Supervision.objects.filter(pk__in=stale).delete()
        new = [Supervision(department_id=d, sector_id=s) for d, s in sorted(wanted - have.keys())]
        Supervision.objects.bulk_create(new, batch_size=2000)
    return len(stale) + len(new)


_remembered: ContextVar[dict[tuple[int, ...], dict[int, set[int]]] | None] = ContextVar(
    "territory_supervision_remembered", default=None)


@contextmanager
def remembered() -> Iterator[None]:
    """Inside the block, ``sectors_of`` reads each set of departments once (a dashboard asks for
    them in every indicator family); outside, every call reads the table."""
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def sectors_of(department_ids: Iterable[int]) -> dict[int, set[int]]:
    """{department: the sectors it supervises in effect} (empty for one that names none)."""
    from .models import Supervision

    ids = tuple(sorted({int(d) for d in department_ids}))
    memo = _remembered.get()
    if memo is not None and ids in memo:
        return {d: set(sectors) for d, sectors in memo[ids].items()}
    out: dict[int, set[int]] = {d: set() for d in ids}
    for dept, sector in Supervision.objects.filter(department_id__in=ids).values_list("department_id", "sector_id"):
        out[dept].add(sector)
    if memo is not None:
        memo[ids] = {d: set(sectors) for d, sectors in out.items()}
    return out


@dataclass(frozen=True)
class Reach:
    """What one department supervises: the enterprises of its area when it is the comprehensive
    safety authority (``area_prefixes``), else the sectors it supervises in effect
    (``sector_ids``, from ``Supervision``); in both cases also the enterprises naming it among
    their supervising departments."""

    department_id: int
    area_prefixes: tuple[str, ...] = ()
    sector_ids: frozenset[int] = frozenset()


def reach_of(department_ids: Iterable[int]) -> dict[int, Reach]:
    """THE rule for what a department supervises, {department: its ``Reach``}; the data scope of a
    department's roles, the indicators and the filters by department all come from it."""
    from anjian.utilities.scoping import area_prefix

    from .models import Department

    ids = {int(d) for d in department_ids if d is not None}
    if not ids:
        return {}
    authorities = dict(Department.objects.filter(pk__in=ids, is_safety_authority=True).values_list("pk", "area_id"))
    sectors = sectors_of(ids - set(authorities))
    return {d: Reach(d, (area_prefix(authorities[d]),)) if d in authorities else Reach(d, (), frozenset(sectors[d]))
            for d in ids}


def supervised_sector_ids(department_ids: Iterable[int]) -> Any:
    """The sectors the departments supervise in effect, as a subquery (``values("sector_id")``) for
    the counts by department (indicators); ``reach_of`` for the same rule as Python sets."""
    from .models import Supervision

    return Supervision.objects.filter(department_id__in=list(department_ids)).values("sector_id")


def supervised_q(department_ids: Iterable[int], *, enterprise: str = "pk", sector: str | None = None) -> Q:
    """The rows the departments supervise, as one ``Q`` (``EXISTS`` subqueries, no duplicate rows):
    ``enterprise`` is the path to the row's enterprise (``"pk"`` on the registry itself,
    ``"enterprise"`` on a hazard), ``sector`` the path to the row's own sector where it has one
    (an accident on a road has no enterprise). The same rule as ``reach_of``."""
    from django.apps import apps

    Enterprise = apps.get_model("enterprises", "Enterprise")  # noqa: N806 (the registry sits above territory)
    reach = reach_of(department_ids)
    ids = list(reach)
    prefixes = sorted({p for r in reach.values() for p in r.area_prefixes})
    sector_ids = sorted({s for r in reach.values() for s in r.sector_ids})
    by_sector = Enterprise.sectors.through.objects.filter(enterprise=OuterRef("pk"), sector__in=sector_ids)
    named = Enterprise.departments.through.objects.filter(enterprise=OuterRef("pk"), department__in=ids)
    ents = Q(Exists(by_sector)) | Q(Exists(named))
    for prefix in prefixes:
        ents |= Q(area__code__startswith=prefix)
    if enterprise == "pk":
        q = ents
    else:
        q = Q(**{f"{enterprise}__in": Enterprise.objects.filter(ents).values("pk")})
    if sector:
        q |= Q(**{f"{sector}__in": sector_ids})
    return q


def departments_supervising(sector_ids: Iterable[int | None], *, area_code: str | None = None,
                            named: Iterable[int] = (), authority: bool = True) -> Any:
    """The reverse of ``reach_of``, who must be told about a row: the departments supervising one
    of ``sector_ids`` in effect, the ``named`` supervising departments, and (``authority``) the
    comprehensive safety authority whose area holds ``area_code``."""
    from .models import Department, Supervision

    sectors = [s for s in sector_ids if s is not None]
    q = Q(pk__in=Supervision.objects.filter(sector__in=sectors, department__is_safety_authority=False)
          .values("department_id")) | Q(pk__in=list(named), is_safety_authority=False)
    if authority and area_code:
        from anjian.utilities.scoping import area_prefix

        authorities = [pk for pk, area in Department.objects.filter(is_safety_authority=True)
                       .values_list("pk", "area_id") if area_code.startswith(area_prefix(area))]
        q |= Q(pk__in=authorities)
    return Department.objects.filter(q)


# --- signals ---------------------------------------------------------------------------------------

def _named_sectors_changed(sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kw: Any) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:  # department.sectors.add(...)
        rebuild([instance.pk])
    elif pk_set:  # sector.departments.add(...)
        rebuild(pk_set)
    else:  # sector.departments.clear(): which departments is no longer known
        rebuild()


def _department_saved(sender: Any, instance: Any, raw: bool = False, **kw: Any) -> None:
    if not raw:
        rebuild([instance.pk])


def _sector_changed(sender: Any, instance: Any, raw: bool = False, **kw: Any) -> None:
    if not raw:
        rebuild()


def connect() -> None:
    from .models import Department, Sector

    m2m_changed.connect(_named_sectors_changed, sender=Department.sectors.through,
                        dispatch_uid="territory_supervision_m2m")
    post_save.connect(_department_saved, sender=Department, dispatch_uid="territory_supervision_department")
    post_save.connect(_sector_changed, sender=Sector, dispatch_uid="territory_supervision_sector_saved")
    post_delete.connect(_sector_changed, sender=Sector, dispatch_uid="territory_supervision_sector_deleted")
