"""Data scope: the ONE place that decides which rows a user may see.

Every page, export, API call and dashboard number reads through
``Model.objects.visible_to(user)``; every write re-checks with
``ensure_in_scope(user, obj)``. A model says how its rows relate to the
scopes of roles with a ``ScopeRule``:

* ``enterprise`` -- path to the owning enterprise (``"pk"`` on Enterprise
  itself, ``"enterprise"`` on a hazard). Enterprise users see rows of their
  enterprise; town and department users see rows of the enterprises they see.
* ``area`` -- path to a 12-digit area code, matched by prefix (town users see
  rows in their area; a row with an area but no enterprise, an accident on a
  road say, is seen by the area's town).
* ``sectors`` -- path to the sector(s) of the row; department users see rows of
  the sectors their department supervises.
* ``departments`` -- path to the supervising department(s) of the row.
* ``public`` -- reference data every business role may read (sectors,
  departments); the system roles still see none.

A model added later is covered by giving it a ``ScopeRule``; the generic tests
in ``anjian/utilities/testing`` then prove it for every role.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

if TYPE_CHECKING:
    from anjian.accounts.models import User


@dataclass(frozen=True)
class ScopeRule:
    enterprise: str | None = None
    area: str | None = None
    sectors: str | None = None
    departments: str | None = None
    public: bool = False


@dataclass(frozen=True)
class RoleScope:
    """What one role of a user reaches: one per role assignment (SPEC §0: a person may hold
    several roles, and each permission on an object comes from one role whose own scope holds it)."""

    role: str
    area_prefixes: tuple[str, ...] = ()
    department_ids: tuple[int, ...] = ()
    sector_ids: tuple[int, ...] = ()  # sectors supervised by department_ids (with sub-sectors)
    enterprise_ids: tuple[int, ...] = ()
    business: bool = False  # a business role (the system roles see no business data)


def _union(parts: Iterable[tuple[Any, ...]]) -> tuple[Any, ...]:
    return tuple(sorted({item for part in parts for item in part}))


@dataclass(frozen=True)
class Scope:
    """What one user may see: the union of its roles' scopes.

    ``granting(perm)`` keeps the roles whose own permissions grant ``perm``; a permission on an
    object holds when the object lies in that narrower scope. ``grants(role, perm)`` is the role
    table (``anjian.accounts.permissions``), given by whoever builds the scope."""

    role_scopes: tuple[RoleScope, ...] = ()
    grants: Callable[[str, str], bool] | None = field(default=None, compare=False, repr=False)

    @cached_property
    def area_prefixes(self) -> tuple[str, ...]:
        return _union(r.area_prefixes for r in self.role_scopes)

    @cached_property
    def department_ids(self) -> tuple[int, ...]:
        return _union(r.department_ids for r in self.role_scopes)

    @cached_property
    def sector_ids(self) -> tuple[int, ...]:
        return _union(r.sector_ids for r in self.role_scopes)

    @cached_property
    def enterprise_ids(self) -> tuple[int, ...]:
        return _union(r.enterprise_ids for r in self.role_scopes)

    @property
    def business(self) -> bool:
        return any(r.business for r in self.role_scopes)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_scopes)

    @property
    def is_empty(self) -> bool:
        return not (self.area_prefixes or self.department_ids or self.enterprise_ids)

    def granting(self, perm: str) -> Scope:
        """The union of the scopes of the roles that grant ``perm`` (empty without a role table)."""
        grants = self.grants
        return Scope(tuple(r for r in self.role_scopes if grants is not None and grants(r.role, perm)), grants)

    @property
    def area_only(self) -> bool:
        """Every role is bounded by area alone (district, leader, town, an inspector of a town)."""
        return bool(self.area_prefixes) and not (self.department_ids or self.enterprise_ids)


NO_SCOPE = Scope()


def area_prefix(code: str) -> str:
    """The prefix shared by a 12-digit statistical code and everything under it.

    410199000000 (county) -> 410199; 410199001000 (town) -> 410199001;
    410199001001 (community) -> 410199001001; 410000000000 (province) -> 41.
    """
    code = code.strip()
    for length, tail in ((2, 10), (4, 8), (6, 6), (9, 3)):
        if code[length:] == "0" * tail:
            return code[:length]
    return code


def scope_for(user: User | Any, perm: str | None = None) -> Scope:
    """The user's scope (the union over its roles), or with ``perm`` the union over the roles
    that grant ``perm``. ``anjian.accounts`` computes it once per user object (i.e. per request)
    and attaches it to the user as ``data_scope``."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    scope = getattr(user, "data_scope", None)
    if scope is None:
        return NO_SCOPE
    return scope if perm is None else scope.granting(perm)


def _exists_through(model: type[models.Model], field_name: str, column: str, ids: tuple[int, ...]) -> Q:
    """Q for 'the row's many-to-many <field_name> includes one of ids', as EXISTS (no duplicates)."""
    m2m = model._meta.get_field(field_name)
    through = m2m.remote_field.through  # type: ignore[union-attr]
    src = m2m.m2m_field_name()  # type: ignore[union-attr]
    dst = m2m.m2m_reverse_field_name()  # type: ignore[union-attr]
    return Q(Exists(through.objects.filter(**{src: OuterRef("pk"), f"{dst}__in": ids})))


def _is_m2m(model: type[models.Model], path: str) -> bool:
    if "__" in path:
        return False
    try:
        return model._meta.get_field(path).many_to_many
    except Exception:  # noqa: BLE001
        return False


def _model_at(model: type[models.Model], path: str) -> type[models.Model]:
    """The model a ``ScopeRule`` path (``"hazard__enterprise"``) leads to."""
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model  # type: ignore[assignment]
    return model


def scope_q(model: type[models.Model], scope: Scope) -> Q | None:
    """The filter that restricts ``model`` to ``scope``; None means no rows at all."""
    rule: ScopeRule = getattr(model, "scope", ScopeRule())
    if not scope.business:
        return None
    if rule.public:
        return Q()
    q = Q(pk__in=[])
    matched = False
    if rule.enterprise:
        if scope.enterprise_ids:
            if _is_m2m(model, rule.enterprise):  # e.g. a plan naming several enterprises: EXISTS, no duplicates
                q |= _exists_through(model, rule.enterprise, "enterprise", scope.enterprise_ids)
            else:
                q |= Q(**{f"{rule.enterprise}__in": scope.enterprise_ids})
            matched = True
    area_path = rule.area or (f"{rule.enterprise}__area__code" if rule.enterprise and rule.enterprise != "pk" else None)
    if area_path and scope.area_prefixes:
        for prefix in scope.area_prefixes:
            q |= Q(**{f"{area_path}__startswith": prefix})
        matched = True
    if scope.department_ids:
        if rule.enterprise and rule.enterprise != "pk":
            hub = _model_at(model, rule.enterprise)  # the enterprise registry, whose own rule says what a department sees
            visible = hub._default_manager.filter(scope_q(hub, scope) or Q(pk__in=[]))
            if _is_m2m(model, rule.enterprise):
                q |= _exists_through(model, rule.enterprise, "enterprise", visible.values("pk"))  # type: ignore[arg-type]
            else:
                q |= Q(**{f"{rule.enterprise}__in": visible.values("pk")})
            matched = True
        if rule.sectors and scope.sector_ids:
            if _is_m2m(model, rule.sectors):
                q |= _exists_through(model, rule.sectors, "sector", scope.sector_ids)
            else:
                q |= Q(**{f"{rule.sectors}__in": scope.sector_ids})
            matched = True
        if rule.departments:
            if _is_m2m(model, rule.departments):
                q |= _exists_through(model, rule.departments, "department", scope.department_ids)
            else:
                q |= Q(**{f"{rule.departments}__in": scope.department_ids})
            matched = True
    return q if matched else None


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user: User | Any, perm: str | None = None) -> ScopedQuerySet:
        """The rows ``user`` may see: the union of its roles' scopes. With ``perm``, the rows it may
        act on that way: the union of the scopes of the roles granting ``perm`` (the rows a bulk
        action, an export or an import may touch)."""
        q = scope_q(self.model, scope_for(user, perm))
        if q is None:
            return self.none()
        return self.filter(q) if q else self.all()


def get_visible_or_404(queryset: models.QuerySet, user: User | Any, **lookup: Any) -> models.Model:
    """The object if the user may see it, else 404 (never 403: no existence leak)."""
    try:
        return queryset.visible_to(user).get(**lookup)  # type: ignore[attr-defined]
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def holds(scope: Scope, obj: models.Model) -> bool:
    """Whether ``obj`` (saved) lies in ``scope``."""
    q = scope_q(type(obj), scope)
    if q is None:
        return False
    return type(obj)._default_manager.filter(q, pk=obj.pk).exists()


def ensure_in_scope(user: User | Any, obj: models.Model, perm: str | None = None) -> None:
    """Re-check after a write that the saved row is still one the user may see -- with ``perm``
    (``"enterprises.change_enterprise"`` after an edit, ``add_`` after a creation), one that a role
    granting ``perm`` holds: a town officer who also inspects in a second town may not move an
    enterprise into the town it only inspects."""
    if not holds(scope_for(user, perm), obj):
        raise PermissionDenied("The object would be outside your data scope.")
