"""The FilterSets of inspections, plans and checklists, shared by the pages and the API.

``InspectionFilterSet`` is the inspection list's form and ``/api/v1/inspections/``'s filters:
``?kind=enforcement&status=submitted&date_from=2017-01-01&town=410199001000&enterprise=12``; a bad
value (a date that is none, an id beyond the database's integers) is a form error on the page and
a 400 in words in the API.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from anjian.utilities.filters import AreaCodeFilter, IdFilter, ModelFilterSet, YesNoFilter

from .models import (
    ChecklistTemplate,
    Frequency,
    Inspection,
    InspectionKind,
    InspectionPlan,
    InspectionStatus,
)

DATE = forms.DateInput(attrs={"type": "date"})


class InspectionFilterSet(ModelFilterSet):
    q = django_filters.CharFilter(field_name="enterprise__name", lookup_expr="icontains", label=_("Enterprise"),
                                  widget=forms.TextInput(attrs={"type": "search"}))
    kind = django_filters.ChoiceFilter(choices=InspectionKind.choices, label=_("Kind"), empty_label=_("all kinds"))
    status = django_filters.ChoiceFilter(choices=InspectionStatus.choices, label=_("Status"),
                                         empty_label=_("all statuses"))
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"), widget=DATE)
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To"), widget=DATE)
    town = AreaCodeFilter(path="enterprise__area__code", label=_("Area code"))
    area_code = AreaCodeFilter(path="enterprise__area__code", label=_("Area code"))
    enterprise = IdFilter(field_name="enterprise_id", label=_("enterprise"))
    template = IdFilter(field_name="template_id", label=_("checklist"))
    plan = IdFilter(field_name="plan_id", label=_("plan"))

    layout = {"main": ("q", "kind", "status", "date_from", "date_to"), "more": ()}

    class Meta:
        model = Inspection
        fields: list[str] = []


class InspectionPlanFilterSet(ModelFilterSet):
    kind = django_filters.ChoiceFilter(choices=InspectionKind.choices, label=_("Kind"), empty_label=_("all kinds"))
    frequency = django_filters.ChoiceFilter(choices=Frequency.choices, label=_("Frequency"), empty_label=_("any"))
    active = YesNoFilter(label=_("Active"))

    layout = {"main": ("kind", "frequency", "active"), "more": ()}

    class Meta:
        model = InspectionPlan
        fields: list[str] = []


class ChecklistFilterSet(ModelFilterSet):
    q = django_filters.CharFilter(method="filter_text", label=_("Search"), widget=forms.TextInput(
        attrs={"type": "search"}))
    code = django_filters.CharFilter(label=_("code"))
    template_version = django_filters.CharFilter(label=_("version"))
    active = YesNoFilter(label=_("Active"))
    is_general = YesNoFilter(label=_("General"))

    layout = {"main": ("q", "active", "is_general"), "more": ()}

    class Meta:
        model = ChecklistTemplate
        fields: list[str] = []

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value)) if value else queryset
