"""The accident and statistics-base FilterSets, shared by the pages and ``/api/v1/accidents/``.

The page's parameters (``?year=2017&town=410199001000&grade=larger&type=3&late=1&q=…``) and the
API's (``type_code``, ``scheme``, ``occurred_after`` …) are one set: a bad value is a form error on
the page and a 400 in words in the API.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from anjian.core import clock
from anjian.territory.models import Area, AreaLevel, Sector
from anjian.utilities.filters import (
    AreaCodeFilter,
    IdFilter,
    ListSelect,
    ModelFilterSet,
    OnlyFilter,
    YearFilter,
)

from .models import Accident, AccidentTypeCode, StatisticsBase
from .rules import Grade

FIRST_YEAR = 2007


def _years() -> list[tuple[Any, Any]]:
    return [("", _("All years")), *((y, y) for y in range(clock.today().year, FIRST_YEAR - 1, -1))]


class AccidentFilterSet(ModelFilterSet):
    q = django_filters.CharFilter(method="filter_text", label=_("Search"), widget=forms.TextInput(
        attrs={"type": "search", "placeholder": _("place, enterprise or number")}))
    year = YearFilter(method="filter_year", label=_("Year"), widget=forms.Select)
    town = AreaCodeFilter(label=_("Town"), widget=forms.Select,
                          help_text="area code (town or community); everything under it")
    area_code = AreaCodeFilter(label=_("Area code"))
    sector = django_filters.CharFilter(field_name="sector__code", label=_("Sector"), widget=forms.Select)
    grade = django_filters.MultipleChoiceFilter(choices=Grade.choices, label=_("Grade"), widget=ListSelect)
    type = IdFilter(field_name="accident_type_id", label=_("Accident type"), widget=forms.Select)
    type_code = django_filters.CharFilter(field_name="accident_type__code", label=_("type code"))
    scheme = django_filters.CharFilter(field_name="accident_type__scheme", label=_("type scheme"))
    late = OnlyFilter(field_name="reported_late", label=_("Late report"))
    reported_late = django_filters.BooleanFilter(field_name="reported_late", label=_("reported late"))
    special_equipment = django_filters.BooleanFilter(label=_("special equipment"))
    enterprise = IdFilter(field_name="enterprise_id", label=_("enterprise"))
    occurred_after = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    layout = {"main": ("q", "year", "town", "grade", "late"), "more": ("sector", "type")}

    class Meta:
        model = Accident
        fields: list[str] = []

    def choices(self, form: forms.Form) -> None:
        form.fields["year"].widget.choices = _years()
        form.fields["town"].widget.choices = [("", _("All towns")), *Area.objects.filter(
            level=AreaLevel.TOWN).order_by("code").values_list("code", "name")]
        form.fields["sector"].widget.choices = [("", _("All sectors")), *(
            (s.code, f"— {s.name}" if s.parent_id else s.name) for s in Sector.objects.all())]
        form.fields["grade"].widget.choices = [("", _("All grades")), *Grade.choices]
        form.fields["type"].widget.choices = [("", _("All types")), *(
            (t.pk, f"{t.label} ({t.scheme})") for t in AccidentTypeCode.objects.all())]

    def filter_year(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.in_year(int(value))

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(place__icontains=value) | Q(enterprise__name__icontains=value)
                               | Q(number__icontains=value))


class StatisticsBaseFilterSet(ModelFilterSet):
    year = YearFilter(label=_("Year"), widget=forms.Select)
    area_code = django_filters.CharFilter(field_name="area_id", label=_("Area code"), max_length=12)

    layout = {"main": ("year",), "more": ()}

    class Meta:
        model = StatisticsBase
        fields: list[str] = []

    def choices(self, form: forms.Form) -> None:
        years = self.queryset.order_by("-year").values_list("year", flat=True).distinct()
        form.fields["year"].widget.choices = [("", _("All years")), *((y, y) for y in years)]
