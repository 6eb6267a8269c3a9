"""The drill-down: the very rows behind a number, as a generic table with links.

A number on the dashboard links to ``targets:rows`` with the parameters that
produced it (indicator code, year, as-of date or month, area, department); the
page recomputes the indicator in the reader's scope and lists ``result.rows``
(or ``result.denominator_rows`` with ``which=denominator``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import quote_plus

from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from anjian.indicators.registry import IndicatorResult, IndicatorScope, Period, registry

from .evaluation import year_to_date

SKIP_FIELDS = {"id", "created", "last_updated", "version", "is_demo", "geometry", "password"}
MAX_COLUMNS = 7


class DrilldownError(ValueError):
    """A bad drill-down request, explained in words."""


@dataclass(frozen=True)
class Query:
    code: str
    year: int
    as_of: date | None = None
    month: int | None = None
    area_code: str | None = None
    department_id: int | None = None
    which: str = "rows"  # or "denominator"

    def period(self) -> Period:
        if self.month:
            return Period.month(self.year, self.month)
        period = year_to_date(self.year, self.as_of or date(self.year, 12, 31))
        if period is None:
            raise DrilldownError(_("The year has not begun at that date."))
        return period

    def params(self) -> dict[str, str]:
        out = {"code": self.code, "year": str(self.year)}
        if self.month:
            out["month"] = str(self.month)
        elif self.as_of and self.as_of != date(self.year, 12, 31):
            out["as_of"] = self.as_of.isoformat()
        if self.area_code:
            out["area_code"] = self.area_code
        if self.department_id:
            out["department"] = str(self.department_id)
        if self.which != "rows":
            out["which"] = self.which
        return out

    def url(self, name: str = "targets:rows") -> str:
        # The same string as urlencode(self.params()), without quoting the values that need none
        # (a dashboard links every one of its cells).
        query = "&".join(f"{k}={v if _URL_SAFE.match(v) else quote_plus(v)}" for k, v in self.params().items())
        return _reverse(name) + "?" + query

    def url_maker(self, field: str, name: str = "targets:rows") -> Callable[[Any], str]:
        """``f(value)``: the ``url()`` of this query with ``field`` (``area_code`` or
        ``department_id``) set to ``value``, the rest built once (a dashboard links every town and
        department cell of every target)."""
        marker = "MARKER0"
        head, tail = replace(self, **{field: marker}).url(name).split(marker)

        def make(value: Any) -> str:
            value = str(value)
            return head + (value if _URL_SAFE.match(value) else quote_plus(value)) + tail

        return make


_URL_SAFE = re.compile(r"[A-Za-z0-9._-]*\Z")


_REVERSED: dict[tuple[str, str], str] = {}


def _reverse(name: str) -> str:
    """``reverse(name)`` remembered per URL prefix (a dashboard links every one of its cells)."""
    from django.urls import get_script_prefix

    key = (name, get_script_prefix())
    if key not in _REVERSED:
        _REVERSED[key] = reverse(name)
    return _REVERSED[key]


def rows_url(code: str, year: int, as_of: date | None = None, **kw: Any) -> str:
    return Query(code, year, as_of, **kw).url()


def parse(params: Any) -> Query:
    """A Query from GET parameters; DrilldownError in words on bad input."""
    code = (params.get("code") or "").strip()
    if not code:
        raise DrilldownError(_("Name an indicator with code=…"))
    if code not in registry():
        raise DrilldownError(_("Unknown indicator “{code}”.").format(code=code))
    try:
        year = int(params.get("year", ""))
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        raise DrilldownError(_("The year must be a number between 2000 and 2100.")) from None
    as_of = month = department = None
    if params.get("as_of"):
        try:
            as_of = date.fromisoformat(params["as_of"])
        except ValueError:
            raise DrilldownError(_("The date must be written YYYY-MM-DD.")) from None
    if params.get("month"):
        try:
            month = int(params["month"])
            if not 1 <= month <= 12:
                raise ValueError
        except ValueError:
            raise DrilldownError(_("The month must be a number from 1 to 12.")) from None
    if params.get("department"):
        try:
            department = int(params["department"])
            if not 1 <= department <= 2**63 - 1:  # a database id (a larger one overflows the column)
                raise ValueError
        except ValueError:
            raise DrilldownError(_("The department must be given by its id.")) from None
    area = (params.get("area_code") or "").strip() or None
    if area and (len(area) != 12 or not area.isdigit()):
        raise DrilldownError(_("The area code must have 12 digits."))
    which = params.get("which") or "rows"
    if which not in ("rows", "denominator"):
        raise DrilldownError(_("“which” is rows or denominator."))
    return Query(code, year, as_of, month, area, department, which)


def compute(query: Query, user: Any) -> IndicatorResult:
    scope = IndicatorScope(user=user, area_code=query.area_code, department_id=query.department_id)
    return registry()[query.code].compute(scope, query.period())


def queryset_of(result: IndicatorResult, which: str) -> models.QuerySet | None:
    return result.denominator_rows if which == "denominator" else result.rows


@dataclass(frozen=True)
class Column:
    name: str
    label: Any
    is_relation: bool = False


def columns(model: type[models.Model]) -> list[Column]:
    """The columns of the generic table: the model's ``drilldown_fields`` if it names them,
    else its first plain and foreign-key fields."""
    names = getattr(model, "drilldown_fields", None)
    fields = []
    if names:
        fields = [model._meta.get_field(n) for n in names]
    else:
        for f in model._meta.concrete_fields:
            if f.name in SKIP_FIELDS or isinstance(f, models.JSONField | models.TextField | models.FileField):
                continue
            fields.append(f)
            if len(fields) >= MAX_COLUMNS:
                break
    return [Column(f.name, f.verbose_name, f.is_relation) for f in fields]


def prepare(qs: models.QuerySet) -> models.QuerySet:
    related = [c.name for c in columns(qs.model) if c.is_relation]
    return qs.select_related(*related) if related else qs


def cell(obj: models.Model, column: Column) -> Any:
    if not column.is_relation:
        display = getattr(obj, f"get_{column.name}_display", None)
        if display is not None:
            return display()
    value = getattr(obj, column.name)
    if value is None:
        return ""
    return value


def detail_url(obj: models.Model) -> str | None:
    """The row's detail page: ``get_absolute_url``, else the URL-name convention
    ``<app>:<model>_detail`` or ``<app>:detail`` (the app's main model)."""
    getter = getattr(obj, "get_absolute_url", None)
    if getter is not None:
        try:
            return getter()
        except NoReverseMatch:
            return None
    meta = obj._meta
    names = [f"{meta.app_label}:{meta.model_name}_detail"]
    if meta.app_label.rstrip("s") == meta.model_name:
        names.append(f"{meta.app_label}:detail")
    for name in names:
        try:
            return reverse(name, args=[obj.pk])
        except NoReverseMatch:
            continue
    return None
