"""The filters of the enterprise list page (django-filter).

The query string is the page's address: ``?town=410199001000&sector=non_coal_mine&sort=-employees``
is a link anyone in scope can open (the home page links numbers this way). Areas,
sectors and departments are named by their codes, not database ids.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from anjian.territory.models import Area, AreaLevel, Department, Sector
from anjian.utilities.ordering import chinese_terms
from anjian.utilities.scoping import area_prefix, scope_for

from .models import Enterprise, EnterpriseStatus, StandardisationGrade

YES_NO = [("", _("Any")), ("true", _("yes")), ("false", _("no"))]
NO_GRADE = "none"


def sector_with_descendants(sector: Sector) -> list[int]:
    """The sector and its sub-sectors (the catalogue is at most three levels deep)."""
    children = list(Sector.objects.filter(Q(parent=sector) | Q(parent__parent=sector)).values_list("pk", flat=True))
    return [sector.pk, *children]


def area_roots(user: Any) -> tuple[str, ...]:
    """Area-code prefixes whose towns the filter offers: the user's territory, else the district."""
    scope = scope_for(user)
    if scope.area_prefixes and not (scope.department_ids or scope.enterprise_ids):
        return scope.area_prefixes
    return (area_prefix(settings.ANJIAN_DISTRICT_CODE),)


def _under(areas: QuerySet, prefixes: tuple[str, ...]) -> QuerySet:
    q = Q(pk__in=[])
    for prefix in prefixes:
        q |= Q(code__startswith=prefix)
    return areas.filter(q)


class SectorChoiceField(forms.ModelChoiceField):
    """Sectors indented under their parents, as the catalogue reads."""

    def label_from_instance(self, obj: Sector) -> str:
        depth = 0 if obj.parent_id is None else 1 if obj.parent.parent_id is None else 2
        return "\u3000" * depth + obj.name


class SectorFilter(django_filters.ModelChoiceFilter):
    field_class = SectorChoiceField


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


class EnterpriseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_text", label=_("Search"),
        widget=forms.TextInput(attrs={"placeholder": _("name, credit code or address"), "type": "search"}),
    )
    town = django_filters.ModelChoiceFilter(
        label=_("Town"), method="filter_town", to_field_name="code", empty_label=_("All towns"),
        queryset=Area.objects.filter(level=AreaLevel.TOWN).order_by("code"),
    )
    community = django_filters.ModelChoiceFilter(
        label=_("Community"), field_name="area", to_field_name="code", empty_label=_("All communities"),
        queryset=Area.objects.filter(level=AreaLevel.COMMUNITY).order_by("code"),
    )
    sector = SectorFilter(
        label=_("Sector"), method="filter_sector", to_field_name="code", empty_label=_("All sectors"),
        queryset=Sector.objects.select_related("parent"),
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), method="filter_department", to_field_name="code",
        empty_label=_("All departments"), queryset=Department.objects.all(),
    )
    key_enterprise = django_filters.TypedChoiceFilter(
        label=_("Key enterprise"), choices=YES_NO, coerce=lambda v: v == "true",
    )
    above_scale = django_filters.TypedChoiceFilter(
        label=_("Above designated size"), choices=YES_NO, coerce=lambda v: v == "true",
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=EnterpriseStatus.choices, empty_label=_("Any status"),
    )
    standardisation_grade = django_filters.ChoiceFilter(
        label=_("Standardisation grade"), method="filter_grade", empty_label=_("Any grade"),
        choices=[*((v, label) for v, label in StandardisationGrade.choices if v), (NO_GRADE, _("none"))],
    )
    sort = SortFilter(
        label=_("Sort by"), empty_label=None, chinese_fields=("name",),
        fields=(
            ("name", "name"), ("credit_code", "credit_code"), ("area__code", "area"),
            ("employees", "employees"), ("status", "status"), ("last_updated", "last_updated"),
        ),
        field_labels={
            "name": _("Name"), "credit_code": _("Credit code"), "area__code": _("Town / community"),
            "employees": _("Employees"), "status": _("Status"), "last_updated": _("Last changed"),
        },
    )

    class Meta:
        model = Enterprise
        fields: list[str] = []

    def __init__(self, data: Any = None, queryset: QuerySet | None = None, *, request: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(data, queryset, request=request, **kwargs)
        # Offer the towns of the user's territory, and the communities of the chosen town.
        roots = area_roots(getattr(request, "user", None))
        self.filters["town"].queryset = _under(Area.objects.filter(level=AreaLevel.TOWN), roots).order_by("code")
        town_code = (self.data or {}).get("town")
        if town_code:
            roots = (area_prefix(str(town_code)),)
        self.filters["community"].queryset = _under(
            Area.objects.filter(level=AreaLevel.COMMUNITY), roots
        ).order_by("code")

    @property
    def form(self) -> forms.Form:
        if not hasattr(self, "_form"):
            from .forms import bootstrap

            self._form = bootstrap(super().form, small=True)
        return self._form

    # -- filter methods -------------------------------------------------------------
    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split():
            queryset = queryset.filter(
                Q(name__icontains=word) | Q(credit_code__icontains=word.upper()) | Q(address__icontains=word)
            )
        return queryset

    def filter_town(self, queryset: QuerySet, name: str, value: Area) -> QuerySet:
        return queryset.filter(area__code__startswith=value.prefix)

    def filter_sector(self, queryset: QuerySet, name: str, value: Sector) -> QuerySet:
        through = Enterprise.sectors.through
        ids = sector_with_descendants(value)
        return queryset.filter(Exists(through.objects.filter(enterprise=OuterRef("pk"), sector__in=ids)))

    def filter_department(self, queryset: QuerySet, name: str, value: Department) -> QuerySet:
        through = Enterprise.departments.through
        return queryset.filter(Exists(through.objects.filter(enterprise=OuterRef("pk"), department=value)))

    def filter_grade(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(standardisation_grade="" if value == NO_GRADE else value)

    # -- for the template ------------------------------------------------------------
    @property
    def active_count(self) -> int:
        """How many filters (not the sort order) the user has set."""
        if not self.is_bound:
            return 0
        return sum(1 for key, value in self.data.items() if key in self.filters and key != "sort" and value)
