"""The filter kit: one django-filter ``FilterSet`` per model, shared by its list page and its API
collection.

The page renders the FilterSet's form (``includes/filter_form.html``) and the API reads the same
query parameters through ``DjangoFilterBackend`` with ``filterset_class``. A bad value is a form
error: the page shows it above the rows, the API answers 400 with the field's message. Numbers
are bounded (an id beyond the database's integers, a year beyond the calendar) so that no bad
value reaches the database as a 500.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .forms import bootstrap
from .ordering import chinese_terms
from .scoping import area_prefix

# The largest id a BigAutoField holds, on PostgreSQL as on SQLite.
MAX_ID = 2**63 - 1

area_code_validator = RegexValidator(
    r"^\d{1,12}$", _("An area code is up to 12 digits (统计用区划代码), e.g. 410199001000.")
)


class IdFilter(django_filters.NumberFilter):
    """A row's id: a whole number from 1 to the largest id the database stores."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class YearFilter(django_filters.NumberFilter):
    """A calendar year (1900–2999)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1900)
        kwargs.setdefault("max_value", 2999)
        kwargs.setdefault("widget", forms.NumberInput(attrs={"min": 1900, "max": 2999}))
        super().__init__(*args, **kwargs)


class MonthFilter(django_filters.NumberFilter):
    """A month (1–12)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 12)
        kwargs.setdefault("widget", forms.NumberInput(attrs={"min": 1, "max": 12}))
        super().__init__(*args, **kwargs)


class AreaCodeFilter(django_filters.CharFilter):
    """Everything under an area: ``?town=410199001000`` is a prefix match on the row's area code.

    ``path`` is the lookup of the area code from the filtered model (``area__code`` for an
    enterprise, ``enterprise__area__code`` for its hazards). The page may show the towns as a
    select (``choices``); any area code is accepted, as in the API.
    """

    def __init__(self, *args: Any, path: str = "area__code", **kwargs: Any) -> None:
        self.path = path
        kwargs.setdefault("validators", [area_code_validator])
        kwargs.setdefault("max_length", 12)
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        value = (value or "").strip()
        if not value:
            return qs
        return qs.filter(**{f"{self.path}__startswith": area_prefix(value)})


class YesNoSelect(forms.NullBooleanSelect):
    """Any / yes / no, posting ``""``, ``true`` or ``false`` (``1``, ``True`` … are read too)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [("", _("Any")), ("true", _("yes")), ("false", _("no"))]

    def format_value(self, value: Any) -> str:
        return {True: "true", False: "false", "true": "true", "false": "false"}.get(value, "")


class YesNoFilter(django_filters.BooleanFilter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", YesNoSelect)
        super().__init__(*args, **kwargs)


class SortFilter(django_filters.OrderingFilter):
    """Sort choices whose labels stay lazy (translated per request, not at import time).

    The fields named in ``chinese_fields`` (names) sort in pinyin order (anjian.utilities.ordering).
    """

    def __init__(self, *args: Any, chinese_fields: tuple[str, ...] = (), **kwargs: Any) -> None:
        self.chinese_fields = chinese_fields
        super().__init__(*args, **kwargs)

    def get_ordering_value(self, param: str) -> Any:
        return chinese_terms([super().get_ordering_value(param)], self.chinese_fields)[0]

    def build_choices(self, fields: dict[str, str], labels: dict[str, Any]) -> list[tuple[str, Any]]:
        choices: list[tuple[str, Any]] = []
        for field, param in fields.items():
            label = labels.get(field, param)
            choices += [(param, label), (f"-{param}", format_lazy(_("{label} (descending)"), label=label))]
        return choices


class ModelFilterSet(django_filters.FilterSet):
    """The base of every model's FilterSet.

    ``layout`` names the fields the page shows: ``main`` always, ``more`` folded away on a phone.
    Parameters the page does not show but the query carries (a drill-down's indicator, an
    enterprise link) travel as hidden inputs, so filtering keeps them; ``keep`` names extra
    parameters that are not filters. ``choices()`` fills the page's selects for filters that
    accept any code (towns, sectors): only for the page (the API never renders them).
    """

    layout: dict[str, tuple[str, ...]] = {"main": (), "more": ()}
    keep: tuple[str, ...] = ()
    extra_hidden: tuple[tuple[str, str], ...] = ()  # (name, value) the view adds (a drill-down's period)

    @property
    def form(self) -> forms.Form:
        if not hasattr(self, "_form"):
            self._form = bootstrap(super().form, small=True)
        return self._form

    def choices(self, form: forms.Form) -> None:
        """Set the choices of the page's selects (a hook; nothing by default)."""

    def _fields(self, names: tuple[str, ...]) -> list[forms.BoundField]:
        if not getattr(self, "_choices_set", False):
            self.choices(self.form)
            self._choices_set = True
        return [self.form[name] for name in names if name in self.form.fields]

    @property
    def main_fields(self) -> list[forms.BoundField]:
        return self._fields(self.layout.get("main", ()))

    @property
    def more_fields(self) -> list[forms.BoundField]:
        return self._fields(self.layout.get("more", ()))

    @property
    def hidden_values(self) -> list[tuple[str, str]]:
        """The bound parameters the form does not show: (name, value) for hidden inputs."""
        if not self.is_bound:
            return list(self.extra_hidden)
        shown = {*self.layout.get("main", ()), *self.layout.get("more", ()), "sort", "page"}
        names = [n for n in (*self.filters, *self.keep) if n not in shown]
        getlist = self.data.getlist if hasattr(self.data, "getlist") else lambda n: [self.data.get(n, "")]
        return [(n, v) for n in names for v in getlist(n) if str(v).strip()] + list(self.extra_hidden)

    @property
    def active_count(self) -> int:
        """How many filters (not the sort order) the user has set."""
        if not self.is_bound:
            return 0
        return sum(1 for key, value in self.data.items() if key in self.filters and key != "sort" and value)

    @property
    def error_text(self) -> list[str]:
        """The form's errors in words, each with its field's label."""
        out = []
        for name, errors in self.form.errors.items():
            label = self.form.fields[name].label if name in self.form.fields else ""
            out.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return out


class ListSelect(forms.Select):
    """A single select for a filter that takes a list (``?status=a&status=b`` in the API)."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        if isinstance(values, str):
            values = [values]
        return [v for v in values or [] if v]


class CheckboxOnly(forms.CheckboxInput):
    """A checkbox that means "only these" when ticked and "any" when not (never "not these")."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return True if super().value_from_datadict(data, files, name) else None


class OnlyFilter(django_filters.BooleanFilter):
    """``?late=1`` (or true): only the rows with the flag; absent: all rows."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", CheckboxOnly)
        super().__init__(*args, **kwargs)
