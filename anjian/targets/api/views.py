from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from anjian.indicators.registry import IndicatorScope, Period, registry
from anjian.utilities.api import ScopedReadOnlyViewSet

from .. import drilldown
from ..models import AssessmentItem, AssessmentScheme, Plan, Target
from .serializers import (
    AssessmentSchemeListSerializer,
    AssessmentSchemeSerializer,
    IndicatorValueSerializer,
    PaginatedDrilldownRowSerializer,
    PaginatedIndicatorSerializer,
    PlanSerializer,
    TargetSerializer,
)


def _as_of(request: Request) -> date | None:
    raw = request.query_params.get("as_of")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise exceptions.ValidationError({"detail": _("The date must be written YYYY-MM-DD.")}) from None


def _year(raw: str | None) -> int:
    try:
        year = int(raw or "")
        if not 2000 <= year <= 2100:
            raise ValueError
        return year
    except ValueError:
        raise exceptions.ValidationError({"detail": _("The year must be a number between 2000 and 2100.")}) from None


INDICATOR_PARAMETERS = [
    OpenApiParameter("code", str, description="An indicator's code: its value instead of the list."),
    OpenApiParameter("year", int), OpenApiParameter("month", int), OpenApiParameter("area_code", str),
    OpenApiParameter("department", str, description="id or code"), OpenApiParameter("sector", str),
    OpenApiParameter("page", int), OpenApiParameter("page_size", int),
]


class IndicatorViewSet(viewsets.ViewSet):
    """The indicator registry. Without ``code``: the registered indicators (paginated).
    With ``code``, ``year`` and optionally ``area_code``, ``department``, ``sector``, ``month``:
    the indicator's value, numerator and denominator in that scope, within the caller's data scope."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=INDICATOR_PARAMETERS, responses=PolymorphicProxySerializer(
        component_name="IndicatorListOrValue", resource_type_field_name=None,
        serializers=[PaginatedIndicatorSerializer, IndicatorValueSerializer], many=False))
    def list(self, request: Request) -> Response:
        code = request.query_params.get("code")
        if code:
            return Response(self._value(request, code))
        from anjian.utilities.api_settings import Pagination

        items = [{"code": ind.code, "name": str(ind.name), "unit": str(ind.unit), "better": ind.better,
                  "description": str(ind.description), "feeds": str(ind.feeds)}
                 for _code, ind in sorted(registry().items())]
        paginator = Pagination()
        page = paginator.paginate_queryset(items, request, view=self)
        return paginator.get_paginated_response(page)

    def _scope_params(self, request: Request) -> dict[str, Any]:
        params = request.query_params
        out: dict[str, Any] = {"area_code": params.get("area_code") or None, "department_id": None,
                               "sector_id": None}
        if out["area_code"] and (len(out["area_code"]) != 12 or not out["area_code"].isdigit()):
            raise exceptions.ValidationError({"detail": _("The area code must have 12 digits.")})
        for name, key in (("department", "department_id"), ("sector", "sector_id")):
            raw = params.get(name)
            if raw:
                out[key] = self._lookup(name, raw)
        return out

    def _lookup(self, name: str, raw: str) -> int:
        from anjian.territory.models import Department, Sector

        model = Department if name == "department" else Sector
        obj = model.objects.filter(pk=int(raw)).first() if raw.isdigit() else model.objects.filter(code=raw).first()
        if obj is None:
            raise exceptions.ValidationError({"detail": _("Unknown {name} “{value}”.").format(name=name, value=raw)})
        return obj.pk

    def _period(self, request: Request, year: int) -> Period:
        month = request.query_params.get("month")
        if month:
            if not month.isdigit() or not 1 <= int(month) <= 12:
                raise exceptions.ValidationError({"detail": _("The month must be a number from 1 to 12.")})
            return Period.month(year, int(month))
        return Period.year(year)

    def _value(self, request: Request, code: str) -> dict[str, Any]:
        ind = registry().get(code)
        if ind is None:
            raise exceptions.ValidationError({"detail": _("Unknown indicator “{code}”.").format(code=code)})
        year = _year(request.query_params.get("year"))
        period = self._period(request, year)
        scope_kw = self._scope_params(request)
        result = ind.compute(IndicatorScope(user=request.user, **scope_kw), period)
        q = drilldown.Query(code, year, None, int(request.query_params["month"]) if request.query_params.get("month")
                            else None, scope_kw["area_code"], scope_kw["department_id"])
        return {
            "code": ind.code, "name": str(ind.name), "unit": str(ind.unit), "better": ind.better,
            "year": year, "month": q.month, "area_code": scope_kw["area_code"],
            "department": scope_kw["department_id"], "sector": scope_kw["sector_id"],
            "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
            "value": float(result.value) if result.value is not None else None,
            "numerator": float(result.numerator) if result.numerator is not None else None,
            "denominator": float(result.denominator) if result.denominator is not None else None,
            "note": str(result.note),
            "rows_url": request.build_absolute_uri(q.url()) if result.rows is not None else None,
        }

    @extend_schema(parameters=[*INDICATOR_PARAMETERS, OpenApiParameter("as_of", OpenApiTypes.DATE),
                               OpenApiParameter("which", str)], responses=PaginatedDrilldownRowSerializer)
    @action(detail=False, methods=["get"])
    def rows(self, request: Request) -> Response:
        """The rows behind a number: ``?code=&year=&as_of=|month=&area_code=&department=&which=``."""
        from anjian.utilities.api_settings import Pagination

        try:
            query = drilldown.parse(request.query_params)
            result = drilldown.compute(query, request.user)
        except drilldown.DrilldownError as exc:
            raise exceptions.ValidationError({"detail": str(exc)}) from None
        qs = drilldown.queryset_of(result, query.which)
        if qs is None:
            raise exceptions.NotFound(_("This number has no list of rows behind it."))
        paginator = Pagination()
        page = paginator.paginate_queryset(qs.order_by("pk") if not qs.ordered else qs, request, view=self)
        items = [{"id": obj.pk, "model": obj._meta.label_lower, "label": str(obj),
                  "url": drilldown.detail_url(obj)} for obj in page]
        return paginator.get_paginated_response(items)


class TargetViewSet(ScopedReadOnlyViewSet):
    """Targets with their value and status computed live (``?year=``, ``?as_of=``)."""

    queryset = Target.objects.select_related("plan")
    serializer_class = TargetSerializer
    ordering = ["-plan__year", "order", "pk"]
    ordering_fields = ["order"]
    filterset_fields = ["indicator_code", "comparator"]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        qs = super().get_queryset()
        year = self.request.query_params.get("year")
        if year:
            qs = qs.filter(plan__year=_year(year))
        return qs

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "as_of": _as_of(self.request)}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The page's targets evaluated together (``dashboard.evaluate_targets``): the query count
        follows the plans and indicator families on the page, not the number of targets."""
        from ..dashboard import evaluate_targets

        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        items = list(page if page is not None else queryset)
        context = self.get_serializer_context()
        context["evaluations"] = evaluate_targets(items, request.user, context["as_of"])
        data = self.get_serializer_class()(items, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)


class PlanViewSet(ScopedReadOnlyViewSet):
    queryset = Plan.objects.prefetch_related("targets")
    serializer_class = PlanSerializer
    filterset_fields = ["year"]
    ordering = ["-year"]


class AssessmentViewSet(ScopedReadOnlyViewSet):
    """Assessment schemes (``?year=``) with their items; one scheme (``/{id}/``, ``?as_of=``) also
    with every unit's item scores, total and rank."""

    queryset = AssessmentScheme.objects.prefetch_related(
        Prefetch("items", queryset=AssessmentItem.objects.order_by("order", "pk")))
    serializer_class = AssessmentSchemeSerializer
    filterset_fields = ["year"]
    ordering = ["-year"]

    def get_serializer_class(self):  # type: ignore[no-untyped-def]
        return AssessmentSchemeListSerializer if self.action == "list" else AssessmentSchemeSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "as_of": _as_of(self.request)}
