"""The hazards API: the ledger, its transitions, supervision orders, statistics reports.

Writes go through the domain functions of ``hazards.actions``; their errors map,
in the project's exception handler (``utilities.api_settings``), to 400 (bad
input), 403 (may not act), 404 (outside scope) and 409 (the workflow's
``Refusal``: an illegal or conflicting transition, ``{"detail": message}``).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from anjian.core import clock
from anjian.enterprises.models import Enterprise
from anjian.utilities.api import ScopedModelViewSet, ScopedReadOnlyViewSet
from anjian.utilities.filters import IdFilter
from anjian.utilities.ordering import chinese
from anjian.utilities.scoping import get_visible_or_404

from .. import actions, orders, reports
from .. import models as m
from ..filtersets import HazardFilter, HazardReportFilter, SupervisionOrderFilter
from . import serializers as s

ENTERPRISE_UNUSED = tuple(
    f"enterprise__{f.name}" for f in Enterprise._meta.concrete_fields if f.name not in ("id", "name", "area"))


class HazardViewSet(ScopedModelViewSet):
    """The hazard ledger (隐患台账). ``POST`` reports a hazard; state changes through ``transition``."""

    queryset = m.Hazard.objects.select_related("enterprise")
    serializer_class = s.HazardSerializer
    filterset_class = HazardFilter
    search_fields = ["description", "location", "enterprise__name"]
    ordering_fields = ["found_on", "deadline", "status", "level", "id"]
    ordering = ["-found_on", "-id"]
    http_method_names = ["get", "post", "head", "options"]
    permission_action_map = {"transition": "view", "photos": "view"}

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if self.action in ("retrieve", "transition", "photos"):
            # A withdrawn hazard can still be opened (and says so); lists leave it out.
            qs = m.Hazard.all_objects.select_related("enterprise")
            if self.action == "retrieve":
                qs = qs.prefetch_related("events__actor", "photos")
            return qs.visible_to(self.request.user)
        # The list needs two columns of the enterprise, not its whole row.
        return super().get_queryset().defer(*ENTERPRISE_UNUSED)

    def get_serializer_class(self):  # type: ignore[no-untyped-def]
        if self.action == "retrieve":
            return s.HazardDetailSerializer
        if self.action == "create":
            return s.HazardCreateSerializer
        if self.action == "transition":
            return s.TransitionSerializer
        if self.action == "photos":
            return s.PhotoUploadSerializer
        return super().get_serializer_class()

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": clock.today()}

    @extend_schema(request=s.HazardCreateSerializer, responses=s.HazardSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.HazardCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        enterprise = values.pop("enterprise")
        get_visible_or_404(Enterprise.objects.all(), request.user, pk=enterprise.pk)
        hazard = actions.report_hazard(actor=request.user, enterprise=enterprise, **{
            k: v for k, v in values.items() if v is not None or k == "deadline"})
        return Response(s.HazardSerializer(hazard, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TransitionSerializer, responses=s.HazardSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Move the hazard along its lifecycle: ``{"action": "start_rectification" | "submit_rectification" |
        "verify" | "reject" | "cancel" | "reinspect", "comment": "..."}`` (``evidence`` for a submission,
        ``passed`` for a re-inspection)."""
        hazard = self.get_object()
        data = s.TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        name = v["action"]
        if name == "submit_rectification":
            hazard = actions.submit_rectification(actor=request.user, hazard=hazard, comment=v["comment"],
                                                  evidence=v["evidence"])
        elif name in ("verify", "reject"):
            hazard = actions.run_transition(name, actor=request.user, hazard=hazard, comment=v["comment"],
                                            inspected_on=v.get("inspected_on"))
        elif name == "cancel":
            hazard = actions.cancel_hazard(actor=request.user, hazard=hazard, reason=v["reason"] or v["comment"])
        elif name == "reinspect":
            if v.get("passed") is None:
                raise ValidationError({"passed": [_("Say whether the re-inspection passed (true or false).")]})
            actions.record_reinspection(actor=request.user, hazard=hazard, passed=v["passed"],
                                        opinion=v["comment"], inspected_on=v.get("inspected_on"))
            hazard = m.Hazard.all_objects.get(pk=hazard.pk)
        else:
            hazard = actions.run_transition(name, actor=request.user, hazard=hazard, comment=v["comment"])
        return Response(s.HazardSerializer(hazard, context=self.get_serializer_context()).data)

    @extend_schema(request=s.PhotoUploadSerializer, responses={201: None})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def photos(self, request: Request, pk: str | None = None) -> Response:
        """Add a photo (multipart: ``image``, ``kind`` before|after). Pictures only, by content."""
        hazard = self.get_object()
        data = s.PhotoUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        n = actions.add_photos(actor=request.user, hazard=hazard, photos=[data.validated_data["image"]],
                               kind=data.validated_data["kind"])
        return Response({"added": n}, status=status.HTTP_201_CREATED)


class SupervisionOrderViewSet(ScopedReadOnlyViewSet):
    """Supervision orders (督办) raised for overdue hazards; ``answer`` and ``close`` them."""

    queryset = m.SupervisionOrder.objects.select_related("hazard")
    serializer_class = s.SupervisionOrderSerializer
    filterset_class = SupervisionOrderFilter
    ordering = ["-issued_at", "-id"]
    http_method_names = ["get", "post", "head", "options"]
    permission_action_map = {"answer": "view", "close": "view"}

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise exceptions.MethodNotAllowed("POST", _("Supervision orders are issued by the overdue job."))

    @extend_schema(request=s.OrderAnswerSerializer, responses=s.SupervisionOrderSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        order = self.get_object()
        order = orders.answer_order(actor=request.user, order=order, answer=request.data.get("answer", ""))
        return Response(s.SupervisionOrderSerializer(order).data)

    @extend_schema(request=s.OrderAnswerSerializer, responses=s.SupervisionOrderSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        order = self.get_object()
        order = orders.close_order(actor=request.user, order=order, reason=request.data.get("reason", ""))
        return Response(s.SupervisionOrderSerializer(order).data)


class HazardReportViewSet(ScopedModelViewSet):
    """Enterprise hazard statistics reports (quarterly, annual). ``POST`` generates and submits one;
    ``filing`` lists who filed on time, late or not at all."""

    queryset = m.HazardReport.objects.select_related("enterprise")
    serializer_class = s.HazardReportSerializer
    filterset_class = HazardReportFilter
    ordering = ["-year", "-quarter", "enterprise_id"]
    http_method_names = ["get", "post", "head", "options"]
    permission_action_map = {"create": "submit", "filing": "view"}

    @extend_schema(request=s.HazardReportSubmitSerializer, responses=s.HazardReportSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.HazardReportSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        get_visible_or_404(Enterprise.objects.all(), request.user, pk=v["enterprise"].pk)
        report = reports.submit_report(actor=request.user, enterprise=v["enterprise"], year=v["year"],
                                       quarter=v["quarter"], principal=v["principal"], notes=v["notes"])
        return Response(s.HazardReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @action(detail=False, methods=["get"])
    def filing(self, request: Request) -> Response:
        """``?year=2017&quarter=4`` (0: annual): each operating enterprise in scope with its filing state."""
        try:
            year, quarter = int(request.query_params["year"]), int(request.query_params.get("quarter", 0))
        except (KeyError, ValueError) as exc:
            raise exceptions.ValidationError({"year": [_("Give the year (and the quarter, 0 for the annual "
                                                         "report).")]}) from exc
        ents = Enterprise.objects.visible_to(request.user).exclude(status="closed").order_by(chinese("name"), "pk")
        rows = reports.filing_status(ents, year, quarter)
        return Response({
            "year": year, "quarter": quarter, "deadline": rows[0].deadline if rows else
            reports.rules.report_deadline(year, quarter or None),
            "results": [{"enterprise": r.enterprise.pk, "name": r.enterprise.name, "area_code": r.enterprise.area_id,
                         "state": r.state, "report": r.report.pk if r.report else None,
                         "submitted_at": r.report.submitted_at if r.report else None} for r in rows],
        })


class HazardPartFilter(django_filters.FilterSet):
    hazard = IdFilter(method="filter_hazard")  # a number past the largest id is a 400, not an overflow

    def filter_hazard(self, queryset: Any, name: str, value: int) -> Any:
        path = "suspension__hazard_id" if queryset.model is m.ResumptionApplication else "hazard_id"
        return queryset.filter(**{path: value})


def part_viewset(model: type, select: tuple[str, ...] = ("hazard",)) -> type[ScopedReadOnlyViewSet]:
    """A read-only collection of one kind of a hazard's records, filterable by ``hazard``."""
    filterset = type(f"{model.__name__}Filter", (HazardPartFilter,), {
        "Meta": type("Meta", (), {"model": model, "fields": []})})
    return type(f"{model.__name__}ViewSet", (ScopedReadOnlyViewSet,), {
        "queryset": model.objects.select_related(*select),
        "serializer_class": s.simple_serializer(model),
        "filterset_class": filterset,
        "ordering": ["-id"],
        "__doc__": f"{model._meta.verbose_name_plural} (read only; written through the hazard's actions).",
    })


HazardEventViewSet = part_viewset(m.HazardEvent)
HazardPhotoViewSet = part_viewset(m.HazardPhoto)
ReinspectionViewSet = part_viewset(m.Reinspection)
RemediationPlanViewSet = part_viewset(m.RemediationPlan)
DoubleReportViewSet = part_viewset(m.DoubleReport)
SupervisionListingViewSet = part_viewset(m.SupervisionListing)
DeadlineExtensionViewSet = part_viewset(m.DeadlineExtension)
SuspensionViewSet = part_viewset(m.Suspension)
ResumptionApplicationViewSet = part_viewset(m.ResumptionApplication, select=("suspension__hazard",))
