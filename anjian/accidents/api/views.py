"""The accidents API: accidents with their computed grade, follow-up reports (续报), the investigation
steps, statistics bases and the type code tables.

Writes go through ``actions.py``; their errors map to 400 (bad input, field errors), 403 (the role may
not act), 404 (outside the user's scope) and 409 (the rules refuse the step: ``{"detail": message}``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from anjian.utilities.api import ScopedModelViewSet, ScopedReadOnlyViewSet
from anjian.utilities.scoping import get_visible_or_404

from .. import actions
from ..filters import AccidentFilterSet, StatisticsBaseFilterSet
from ..models import Accident, AccidentEvent, AccidentTypeCode, RectificationMeasure, StatisticsBase
from .serializers import (
    AccidentDetailSerializer,
    AccidentReportSerializer,
    AccidentSerializer,
    AccidentTypeSerializer,
    AccountabilitySerializer,
    InvestigationApprovalSerializer,
    InvestigationCloseSerializer,
    InvestigationExtensionSerializer,
    InvestigationReportSerializer,
    InvestigationStartSerializer,
    MeasureCheckSerializer,
    RectificationMeasureCreateSerializer,
    StatisticsBaseSerializer,
)

INVESTIGATE = "accidents.manage_investigation"  # the district office (permissions.py)
REPORT = "accidents.add_accidentreport"


_DETAIL = inline_serializer("AccidentErrorDetail", fields={"detail": serializers.CharField()})


def _step_schema(request: Any, summary: str, *, created: bool = False, **extra: Any) -> Callable[[Any], Any]:
    """The OpenAPI description of a step: its input, the accident detail back, and the errors."""
    return extend_schema(
        summary=summary, request=request,
        responses={
            (201 if created else 200): AccidentDetailSerializer,
            400: OpenApiResponse(description="Bad input: field errors."),
            403: OpenApiResponse(_DETAIL, description="The role may not do this."),
            404: OpenApiResponse(_DETAIL, description="No such accident (or measure) in the user's scope."),
            409: OpenApiResponse(_DETAIL, description="The rules refuse this step now; the message says why."),
        }, **extra)


class AccidentViewSet(ScopedModelViewSet):
    """Accidents (生产安全事故) with the computed ``grade``; ``POST {id}/reports/`` adds a 续报; the
    investigation steps are ``POST {id}/investigation/<step>/``, ``{id}/accountabilities/``, ``{id}/measures/``
    and ``{id}/measures/{measure_id}/check/``."""

    queryset = Accident.objects.select_related("area", "enterprise", "sector", "accident_type")
    serializer_class = AccidentSerializer
    filterset_class = AccidentFilterSet  # the accident list page's filters
    search_fields = ["place", "description", "enterprise__name"]
    ordering_fields = ["occurred_at", "deaths", "direct_loss", "created"]
    ordering = ["-occurred_at", "-id"]
    # The steps need view_accident here (scope: 404), then the role permission of the step (403).
    permission_action_map = {name: "view" for name in (
        "reports", "follow_up_reports", "investigation_start", "investigation_extend", "investigation_report",
        "investigation_approve", "investigation_close", "accountabilities", "measures", "check_measure")}

    def get_serializer_class(self):  # type: ignore[no-untyped-def]
        return AccidentDetailSerializer if self.action == "retrieve" else super().get_serializer_class()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = _with_detail(qs)
        return qs

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = actions.record_accident(self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = actions.update_accident(self.request.user, serializer.instance,
                                                      **serializer.validated_data)

    @extend_schema(request=AccidentReportSerializer, responses={201: AccidentReportSerializer})
    @action(detail=True, methods=["post"], serializer_class=AccidentReportSerializer)
    def reports(self, request: Any, pk: Any = None) -> Response:
        accident = self.get_object()
        serializer = AccidentReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        report = actions.add_follow_up_report(
            request.user, accident, reported_at=data["reported_at"], deaths=data["deaths"],
            serious_injuries=data["serious_injuries"], minor_injuries=data["minor_injuries"],
            direct_loss=data.get("direct_loss"), text=data.get("text", ""))
        return Response(AccidentReportSerializer(report).data, status=status.HTTP_201_CREATED)

    # --- follow-up reports and the investigation: each answers with the accident's detail ---------------------

    def _accident_for(self, perm: str) -> Accident:
        """The accident of the URL: 404 outside the user's scope, 403 without the role permission ``perm``
        (checked before the input, as the web pages do)."""
        accident = self.get_object()
        if not self.request.user.has_perm(perm, accident):
            raise exceptions.PermissionDenied(_("You may not do this."))
        return accident

    def _input(self) -> dict[str, Any]:
        serializer = self.get_serializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _detail(self, accident: Accident, *, created: bool = False) -> Response:
        fresh = _with_detail(super().get_queryset()).get(pk=accident.pk)
        return Response(AccidentDetailSerializer(fresh, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def _step(self, perm: str, call: Callable[..., Any], *, created: bool = False) -> Response:
        accident = self._accident_for(perm)
        data = self._input()
        call(self.request.user, accident, **data)
        return self._detail(accident, created=created)

    @_step_schema(AccidentReportSerializer, "Add a follow-up report (续报)", created=True)
    @action(detail=True, methods=["post"], url_path="follow-up-reports", serializer_class=AccidentReportSerializer)
    def follow_up_reports(self, request: Request, pk: Any = None) -> Response:
        """The toll at ``reported_at``; within the 补报 window it becomes the accident's toll (and may change
        its grade). Needs ``accidents.add_accidentreport`` (district office, towns, departments)."""
        return self._step(REPORT, actions.add_follow_up_report, created=True)

    @_step_schema(InvestigationStartSerializer, "Start the investigation", created=True)
    @action(detail=True, methods=["post"], url_path="investigation/start",
            serializer_class=InvestigationStartSerializer)
    def investigation_start(self, request: Request, pk: Any = None) -> Response:
        """The report is due 60 days after the accident (第二十九条). District office only."""
        return self._step(INVESTIGATE, actions.start_investigation, created=True)

    @_step_schema(InvestigationExtensionSerializer, "Extend the investigation")
    @action(detail=True, methods=["post"], url_path="investigation/extend",
            serializer_class=InvestigationExtensionSerializer)
    def investigation_extend(self, request: Request, pk: Any = None) -> Response:
        """At most 60 days in all, with a reason, while the investigation is ongoing."""
        return self._step(INVESTIGATE, actions.extend_investigation)

    @_step_schema(InvestigationReportSerializer, "Submit the investigation report")
    @action(detail=True, methods=["post"], url_path="investigation/report",
            serializer_class=InvestigationReportSerializer, parser_classes=[JSONParser, MultiPartParser, FormParser])
    def investigation_report(self, request: Request, pk: Any = None) -> Response:
        """Cause and nature (第三十条); ``report_file`` (PDF or Word) as multipart/form-data."""
        return self._step(INVESTIGATE, actions.submit_investigation_report)

    @_step_schema(InvestigationApprovalSerializer, "Record the approval (批复) of the report")
    @action(detail=True, methods=["post"], url_path="investigation/approve",
            serializer_class=InvestigationApprovalSerializer)
    def investigation_approve(self, request: Request, pk: Any = None) -> Response:
        """Only a submitted report; the findings (accountability, measures) are fixed from then on."""
        return self._step(INVESTIGATE, actions.approve_investigation)

    @_step_schema(InvestigationCloseSerializer, "Close the investigation")
    @action(detail=True, methods=["post"], url_path="investigation/close",
            serializer_class=InvestigationCloseSerializer)
    def investigation_close(self, request: Request, pk: Any = None) -> Response:
        """Once the report is approved and every rectification measure was checked as carried out."""
        return self._step(INVESTIGATE, actions.close_investigation)

    @_step_schema(AccountabilitySerializer, "Add an accountability (责任追究) finding", created=True)
    @action(detail=True, methods=["post"], serializer_class=AccountabilitySerializer)
    def accountabilities(self, request: Request, pk: Any = None) -> Response:
        """A person or unit held responsible and the measure; until the report is approved."""
        return self._step(INVESTIGATE, actions.add_accountability, created=True)

    @_step_schema(RectificationMeasureCreateSerializer, "Add a rectification measure", created=True)
    @action(detail=True, methods=["post"], serializer_class=RectificationMeasureCreateSerializer)
    def measures(self, request: Request, pk: Any = None) -> Response:
        """A preventive / rectification measure (防范和整改措施); until the report is approved."""
        return self._step(INVESTIGATE, actions.add_rectification_measure, created=True)

    @_step_schema(MeasureCheckSerializer, "Record the follow-up check of a measure", parameters=[
        OpenApiParameter("measure_id", OpenApiTypes.INT, OpenApiParameter.PATH,
                         description="A rectification measure of this accident's investigation.")])
    @action(detail=True, methods=["post"], url_path=r"measures/(?P<measure_id>[0-9]+)/check",
            serializer_class=MeasureCheckSerializer)
    def check_measure(self, request: Request, pk: Any = None, measure_id: str | None = None) -> Response:
        """From the report until closing: carried out or not, when, and what the check found."""
        accident = self._accident_for(INVESTIGATE)
        measure = get_visible_or_404(RectificationMeasure.objects.all(), request.user, pk=measure_id,
                                     investigation__accident=accident)
        data = self._input()
        actions.check_rectification_measure(request.user, measure, **data)
        return self._detail(accident)


def _with_detail(qs: Any) -> Any:
    """What the accident's detail shows besides its row: the reports and the timeline."""
    return qs.prefetch_related("reports", Prefetch("events", AccidentEvent.objects.select_related("actor")))


class StatisticsBaseViewSet(ScopedModelViewSet):
    """统计基数 per year and area: the denominators of the death rates."""

    queryset = StatisticsBase.objects.select_related("area")
    serializer_class = StatisticsBaseSerializer
    filterset_class = StatisticsBaseFilterSet  # ?year=&area_code=, as on the page
    ordering = ["-year", "area"]


class AccidentTypeViewSet(ScopedReadOnlyViewSet):
    """The accident type code tables (GB 6441-86, GB 6441-2025)."""

    queryset = AccidentTypeCode.objects.all()
    serializer_class = AccidentTypeSerializer
    filterset_fields = ["scheme", "code"]
    ordering = ["-effective_from", "sort_order"]
