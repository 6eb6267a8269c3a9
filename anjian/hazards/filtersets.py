"""Filters of the hazard ledger and the supervision orders, shared by the pages and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.enterprises.models import Enterprise
from anjian.territory.models import Department
from anjian.utilities.scoping import area_prefix

from .models import (
    Hazard,
    HazardLevel,
    HazardReport,
    HazardStatus,
    OrderLevel,
    OrderStatus,
    SupervisionOrder,
)


def enterprises_of_sector(code: str) -> QuerySet:
    """Enterprises of a sector or of any of its sub-sectors."""
    return Enterprise.objects.filter(
        Q(sectors__code=code) | Q(sectors__parent__code=code) | Q(sectors__parent__parent__code=code)
    ).values("pk")


def enterprises_of_department(value: str) -> QuerySet:
    dept = Department.objects.filter(Q(code=value) | Q(pk=int(value)) if value.isdigit() else Q(code=value)).first()
    if dept is None:
        return Enterprise.objects.none().values("pk")
    sectors = list(dept.sectors.values_list("pk", flat=True))
    return Enterprise.objects.filter(
        Q(departments=dept) | Q(sectors__in=sectors) | Q(sectors__parent__in=sectors)
    ).values("pk")


class HazardFilter(django_filters.FilterSet):
    town = django_filters.CharFilter(method="filter_area", label=_("town or community (area code)"))
    area_code = django_filters.CharFilter(method="filter_area", label=_("area code"))
    sector = django_filters.CharFilter(method="filter_sector", label=_("sector (code)"))
    department = django_filters.CharFilter(method="filter_department", label=_("department (code or id)"))
    level = django_filters.ChoiceFilter(choices=HazardLevel.choices, label=_("level"))
    status = django_filters.MultipleChoiceFilter(choices=HazardStatus.choices, label=_("status"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("overdue"))
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label=_("enterprise"))
    year = django_filters.NumberFilter(field_name="found_on", lookup_expr="year", label=_("year found"))
    month = django_filters.NumberFilter(field_name="found_on", lookup_expr="month", label=_("month found"))
    found_from = django_filters.DateFilter(field_name="found_on", lookup_expr="gte", label=_("found from"))
    found_to = django_filters.DateFilter(field_name="found_on", lookup_expr="lte", label=_("found until"))
    source = django_filters.CharFilter(field_name="source", label=_("found by"))
    inspection = django_filters.NumberFilter(field_name="inspection_id", label=_("inspection"))
    q = django_filters.CharFilter(method="filter_text", label=_("search"))

    class Meta:
        model = Hazard
        fields: list[str] = []

    def filter_area(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(enterprise__area__code__startswith=area_prefix(value))

    def filter_sector(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(enterprise__in=enterprises_of_sector(value)) if value else queryset

    def filter_department(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(enterprise__in=enterprises_of_department(value)) if value else queryset

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        overdue = Q(deadline__lt=timezone.localdate(), status__in=("reported", "rectifying"))
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(description__icontains=value) | Q(location__icontains=value)
                               | Q(enterprise__name__icontains=value))


class SupervisionOrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices, label=_("status"))
    level = django_filters.ChoiceFilter(choices=OrderLevel.choices, label=_("level"))
    town = django_filters.CharFilter(method="filter_area", label=_("town (area code)"))
    hazard = django_filters.NumberFilter(field_name="hazard_id", label=_("hazard"))
    late = django_filters.BooleanFilter(method="filter_late", label=_("answer overdue"))

    class Meta:
        model = SupervisionOrder
        fields: list[str] = []

    def filter_area(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(hazard__enterprise__area__code__startswith=area_prefix(value)) if value else queryset

    def filter_late(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        late = Q(status=OrderStatus.OPEN, due__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


class HazardReportFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("year"))
    quarter = django_filters.NumberFilter(label=_("quarter (0: annual)"))
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label=_("enterprise"))
    town = django_filters.CharFilter(method="filter_area", label=_("town (area code)"))

    class Meta:
        model = HazardReport
        fields = ["status"]

    def filter_area(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(enterprise__area__code__startswith=area_prefix(value)) if value else queryset
