from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from anjian.utilities.api import ScopedModelViewSet, ScopedReadOnlyViewSet
from anjian.utilities.scoping import area_prefix

from .. import actions
from ..models import Accident, AccidentEvent, AccidentTypeCode, StatisticsBase
from ..rules import Grade
from .serializers import (
    AccidentDetailSerializer,
    AccidentReportSerializer,
    AccidentSerializer,
    AccidentTypeSerializer,
    StatisticsBaseSerializer,
)


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "conflict"


class AccidentFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(method="filter_year")
    town = django_filters.CharFilter(method="filter_area", label="area code (town or community); everything under it")
    area_code = django_filters.CharFilter(method="filter_area")
    sector = django_filters.CharFilter(field_name="sector__code")
    grade = django_filters.MultipleChoiceFilter(choices=Grade.choices)
    type_code = django_filters.CharFilter(field_name="accident_type__code")
    scheme = django_filters.CharFilter(field_name="accident_type__scheme")
    occurred_after = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = Accident
        fields = ["enterprise", "special_equipment", "reported_late"]

    def filter_area(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(area__code__startswith=area_prefix(value))

    def filter_year(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.in_year(int(value))


class AccidentViewSet(ScopedModelViewSet):
    """Accidents (生产安全事故) with the computed ``grade``; ``POST {id}/reports/`` adds a 续报."""

    queryset = Accident.objects.select_related("area", "enterprise", "sector", "accident_type")
    serializer_class = AccidentSerializer
    filterset_class = AccidentFilter
    search_fields = ["place", "description", "enterprise__name"]
    ordering_fields = ["occurred_at", "deaths", "direct_loss", "created"]
    ordering = ["-occurred_at", "-id"]
    permission_action_map = {"reports": "view"}  # the action itself checks accidents.add_accidentreport

    def get_serializer_class(self):  # type: ignore[no-untyped-def]
        return AccidentDetailSerializer if self.action == "retrieve" else super().get_serializer_class()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = qs.prefetch_related("reports", Prefetch("events", AccidentEvent.objects.select_related("actor")))
        return qs

    def perform_create(self, serializer: Any) -> None:
        try:
            serializer.instance = actions.record_accident(self.request.user, **serializer.validated_data)
        except actions.ActionError as exc:
            raise Conflict(str(exc)) from exc

    def perform_update(self, serializer: Any) -> None:
        try:
            serializer.instance = actions.update_accident(self.request.user, serializer.instance,
                                                          **serializer.validated_data)
        except actions.ActionError as exc:
            raise Conflict(str(exc)) from exc

    @action(detail=True, methods=["post"], serializer_class=AccidentReportSerializer)
    def reports(self, request: Any, pk: Any = None) -> Response:
        accident = self.get_object()
        serializer = AccidentReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            report = actions.add_follow_up_report(
                request.user, accident, reported_at=data["reported_at"], deaths=data["deaths"],
                serious_injuries=data["serious_injuries"], minor_injuries=data["minor_injuries"],
                direct_loss=data.get("direct_loss"), text=data.get("text", ""))
        except actions.ActionError as exc:
            raise Conflict(str(exc)) from exc
        return Response(AccidentReportSerializer(report).data, status=status.HTTP_201_CREATED)


class StatisticsBaseViewSet(ScopedModelViewSet):
    """统计基数 per year and area: the denominators of the death rates."""

    queryset = StatisticsBase.objects.select_related("area")
    serializer_class = StatisticsBaseSerializer
    filterset_fields = ["year"]
    ordering = ["-year", "area"]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        qs = super().get_queryset()
        code = self.request.query_params.get("area_code")
        return qs.filter(area_id=code) if code else qs


class AccidentTypeViewSet(ScopedReadOnlyViewSet):
    """The accident type code tables (GB 6441-86, GB 6441-2025)."""

    queryset = AccidentTypeCode.objects.all()
    serializer_class = AccidentTypeSerializer
    filterset_fields = ["scheme", "code"]
    ordering = ["-effective_from", "sort_order"]
