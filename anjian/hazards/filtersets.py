"""Filters of the hazard ledger and the supervision orders, shared by the pages and the API.

``HazardFilter`` is the ledger page's form and ``/api/v1/hazards/``'s filters (and the export's):
a bad value (``?year=99999``, an enterprise id beyond the database's integers) is a form error on
the page and a 400 in words in the API.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from anjian.core import clock
from anjian.enterprises.models import Enterprise
from anjian.territory.models import Area, AreaLevel, Department, Sector
from anjian.territory.supervision import supervised_q
from anjian.utilities.filters import (
    AreaCodeFilter,
    IdFilter,
    ListSelect,
    ModelFilterSet,
    MonthFilter,
    YearFilter,
    YesNoFilter,
)

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
    # What the department supervises, by the rule of its users' data scope (territory.supervision).
    return Enterprise.objects.filter(supervised_q([dept.pk])).values("pk")


class HazardFilter(ModelFilterSet):
    q = django_filters.CharFilter(method="filter_text", label=_("Search"), widget=forms.TextInput(
        attrs={"type": "search", "placeholder": _("description, place, enterprise")}))
    town = AreaCodeFilter(path="enterprise__area__code", label=_("Town"), widget=forms.Select)
    area_code = AreaCodeFilter(path="enterprise__area__code", label=_("area code"))
    level = django_filters.ChoiceFilter(choices=HazardLevel.choices, label=_("Level"), empty_label=_("all"))
    status = django_filters.MultipleChoiceFilter(choices=HazardStatus.choices, label=_("Status"), widget=ListSelect)
    overdue = YesNoFilter(method="filter_overdue", label=_("Overdue"))
    sector = django_filters.CharFilter(method="filter_sector", label=_("Sector"), widget=forms.Select)
    department = django_filters.CharFilter(method="filter_department", label=_("Department"), widget=forms.Select)
    enterprise = IdFilter(field_name="enterprise_id", label=_("enterprise"))
    year = YearFilter(field_name="found_on", lookup_expr="year", label=_("Year found"))
    month = MonthFilter(field_name="found_on", lookup_expr="month", label=_("Month found"))
    found_from = django_filters.DateFilter(field_name="found_on", lookup_expr="gte", label=_("found from"))
    found_to = django_filters.DateFilter(field_name="found_on", lookup_expr="lte", label=_("found until"))
    source = django_filters.CharFilter(field_name="source", label=_("found by"))
    inspection = IdFilter(field_name="inspection_id", label=_("inspection"))

    layout = {"main": ("q", "town", "level", "status", "overdue"), "more": ("sector", "department", "year", "month")}
    keep = ("indicator", "which")

    class Meta:
        model = Hazard
        fields: list[str] = []

    def choices(self, form: forms.Form) -> None:
        """The page's selects: towns, top-level sectors, departments, the open statuses."""
        every = [("", _("all"))]
        form.fields["town"].widget.choices = every + list(
            Area.objects.filter(level=AreaLevel.TOWN).order_by("code").values_list("code", "name"))
        form.fields["sector"].widget.choices = every + list(
            Sector.objects.filter(parent__isnull=True).values_list("code", "name"))
        form.fields["department"].widget.choices = every + list(
            Department.objects.filter(is_safety_authority=False).values_list("code", "name"))
        form.fields["status"].widget.choices = every + [
            c for c in HazardStatus.choices if c[0] != HazardStatus.CANCELLED]

    def filter_sector(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(enterprise__in=enterprises_of_sector(value)) if value else queryset

    def filter_department(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(enterprise__in=enterprises_of_department(value)) if value else queryset

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        overdue = Q(deadline__lt=clock.today(), status__in=("reported", "rectifying"))
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(description__icontains=value) | Q(location__icontains=value)
                               | Q(enterprise__name__icontains=value))


class SupervisionOrderFilter(ModelFilterSet):
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices, label=_("status"))
    level = django_filters.ChoiceFilter(choices=OrderLevel.choices, label=_("level"))
    town = AreaCodeFilter(path="hazard__enterprise__area__code", label=_("town (area code)"))
    hazard = IdFilter(field_name="hazard_id", label=_("hazard"))
    late = django_filters.BooleanFilter(method="filter_late", label=_("answer overdue"))

    class Meta:
        model = SupervisionOrder
        fields: list[str] = []

    def filter_late(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        late = Q(status=OrderStatus.OPEN, due__lt=clock.today())
        return queryset.filter(late) if value else queryset.exclude(late)


class HazardReportFilter(ModelFilterSet):
    year = YearFilter(label=_("year"))
    quarter = django_filters.NumberFilter(label=_("quarter (0: annual)"), min_value=0, max_value=4)
    enterprise = IdFilter(field_name="enterprise_id", label=_("enterprise"))
    town = AreaCodeFilter(path="enterprise__area__code", label=_("town (area code)"))

    class Meta:
        model = HazardReport
        fields = ["status"]
