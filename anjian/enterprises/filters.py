"""The enterprise FilterSet (django-filter), shared by the registry page and ``/api/v1/enterprises/``.

The query string is the page's address: ``?town=410199001000&sector=non_coal_mine&sort=-employees``
is a link anyone in scope can open (the home page links numbers this way), and the same
parameters filter the API collection (and the pool of a random draw). Areas, sectors and
departments are named by their codes, not database ids; an unknown code is a form error on
the page and a 400 in the API.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from anjian.territory.models import Area, AreaLevel, Department, Sector
from anjian.territory.supervision import supervised_q
from anjian.utilities.filters import (
    AreaCodeFilter,
    ModelFilterSet,
    SortFilter,
    YesNoFilter,
    area_code_validator,
)
from anjian.utilities.scoping import area_prefix, scope_for

from .models import Enterprise, EnterpriseStatus, StandardisationGrade

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


class EnterpriseFilterSet(ModelFilterSet):
    q = django_filters.CharFilter(
        method="filter_text", label=_("Search"),
        widget=forms.TextInput(attrs={"placeholder": _("name, credit code or address"), "type": "search"}),
    )
    # Any area code (a town or a community: everything under it); the page offers the towns.
    town = AreaCodeFilter(label=_("Town"), widget=forms.Select)
    area_code = AreaCodeFilter(label=_("Area code"))
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
    key_enterprise = YesNoFilter(label=_("Key enterprise"))
    above_scale = YesNoFilter(label=_("Above designated size"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=EnterpriseStatus.choices, empty_label=_("Any status"),
    )
    standardisation_grade = django_filters.ChoiceFilter(
        label=_("Standardisation grade"), method="filter_grade", empty_label=_("Any grade"),
        choices=[*((v, label) for v, label in StandardisationGrade.choices if v), (NO_GRADE, _("none"))],
    )
    credit_code = django_filters.CharFilter(label=_("Credit code"), method="filter_credit_code", max_length=18)
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

    layout = {
        "main": ("q", "town", "community", "status"),
        "more": ("sector", "department", "key_enterprise", "above_scale", "standardisation_grade"),
    }

    class Meta:
        model = Enterprise
        fields: list[str] = []

    def __init__(self, data: Any = None, queryset: QuerySet | None = None, *, request: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(data, queryset, request=request, **kwargs)
        # Offer the communities of the chosen town (or of the user's territory).
        self.roots = area_roots(getattr(request, "user", None))
        self.filters["town"].extra["validators"] = [area_code_validator, self.within_territory]
        town_code = str((self.data or {}).get("town") or "")
        roots = (area_prefix(town_code),) if town_code.isdigit() else self.roots
        self.filters["community"].queryset = _under(
            Area.objects.filter(level=AreaLevel.COMMUNITY), roots
        ).order_by("code")

    def within_territory(self, code: str) -> None:
        """A town or community of the user's territory (another one is no choice: a form error)."""
        if not any(code.startswith(root) for root in self.roots):
            raise ValidationError(_("Area %(code)s is not in your territory."), params={"code": code})

    def choices(self, form: forms.Form) -> None:
        """The page offers the towns of the user's territory."""
        towns = _under(Area.objects.filter(level=AreaLevel.TOWN), self.roots).order_by("code")
        form.fields["town"].widget.choices = [("", _("All towns")), *towns.values_list("code", "name")]

    # -- filter methods -------------------------------------------------------------
    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split():
            queryset = queryset.filter(
                Q(name__icontains=word) | Q(credit_code__icontains=word.upper()) | Q(address__icontains=word)
            )
        return queryset

    def filter_credit_code(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(credit_code=value.strip().upper())

    def filter_sector(self, queryset: QuerySet, name: str, value: Sector) -> QuerySet:
        through = Enterprise.sectors.through
        ids = sector_with_descendants(value)
        return queryset.filter(Exists(through.objects.filter(enterprise=OuterRef("pk"), sector__in=ids)))

    def filter_department(self, queryset: QuerySet, name: str, value: Department) -> QuerySet:
        # What the department supervises, by the rule of its users' data scope (territory.supervision).
        return queryset.filter(supervised_q([value.pk]))

    def filter_grade(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(standardisation_grade="" if value == NO_GRADE else value)
