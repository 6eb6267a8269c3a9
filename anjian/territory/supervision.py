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
from typing import Any

from django.db import transaction
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
