from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from anjian.utilities.api import ScopedModelViewSet
from anjian.utilities.scoping import ensure_in_scope
from anjian.utilities.workflow import Refusal

from .. import actions
from ..filters import ChecklistFilterSet, InspectionFilterSet, InspectionPlanFilterSet
from ..models import AttachmentKind, ChecklistTemplate, Inspection, InspectionPlan
from .serializers import (
    AttachmentSerializer,
    ChecklistTemplateSerializer,
    InspectionPlanSerializer,
    InspectionSerializer,
    ResultUpdateSerializer,
)


class ChecklistTemplateViewSet(ScopedModelViewSet):
    """Checklist templates with their items; every business role reads, the district office writes."""

    queryset = ChecklistTemplate.objects.prefetch_related("sectors", "items")
    serializer_class = ChecklistTemplateSerializer
    filterset_class = ChecklistFilterSet  # the checklist page's filters
    search_fields = ["name", "code"]
    ordering = ["code", "-template_version"]


class InspectionViewSet(ScopedModelViewSet):
    """Inspections of every kind. ``POST {id}/results/`` records item results,
    ``POST {id}/attachments/`` uploads a photo or document, ``POST {id}/submit/`` submits
    (each failed item becomes a hazard); 409 when the inspection's state refuses it (the workflow's
    ``Refusal``, answered by the project's exception handler)."""

    queryset = Inspection.objects.select_related("enterprise").prefetch_related(
        "inspectors", "results__item", "attachments")
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilterSet  # the inspection list page's filters
    ordering = ["-date", "-id"]
    permission_action_map = {"submit": "change", "results": "change", "attachments": "change"}

    @action(detail=True, methods=["post"])
    def results(self, request: Any, pk: Any = None) -> Response:
        inspection = self.get_object()
        payload = request.data if isinstance(request.data, list) else [request.data]
        serializer = ResultUpdateSerializer(data=payload, many=True)
        serializer.is_valid(raise_exception=True)
        rows = {r.pk: r for r in inspection.results.all()}
        by_item = {r.item_id: r for r in rows.values() if r.item_id}
        with transaction.atomic():
            for entry in serializer.validated_data:
                result = rows.get(entry.get("id")) or by_item.get(entry.get("item"))
                if result is None:
                    raise ValidationError({"detail": _("No such item in this inspection.")})
                actions.record_result(request.user, result, outcome=entry["outcome"], note=entry.get("note"),
                                      location=entry.get("location"))
        return Response(InspectionSerializer(self.get_queryset().get(pk=inspection.pk),
                                             context=self.get_serializer_context()).data)

    @extend_schema(request={"multipart/form-data": inline_serializer("InspectionAttachmentUpload", {
        "file": serializers.FileField(), "kind": serializers.ChoiceField(choices=AttachmentKind.choices, required=False),
        "result": serializers.IntegerField(required=False)})}, responses={201: AttachmentSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request: Any, pk: Any = None) -> Response:
        inspection = self.get_object()
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": _("Send the file as multipart field “file”.")})
        kind = request.data.get("kind", AttachmentKind.PHOTO)
        if kind not in AttachmentKind.values:
            raise ValidationError({"kind": _("Use photo or document.")})
        result = None
        if request.data.get("result"):
            result = inspection.results.filter(pk=request.data["result"]).first()
            if result is None:
                raise ValidationError({"result": _("No such result in this inspection.")})
        try:
            attachment = actions.add_attachment(request.user, inspection, upload, kind=kind, result=result)
        except Refusal as exc:
            if not inspection.is_editable:
                raise  # the state refuses it: 409
            raise ValidationError({"file": exc.message}) from exc  # the file is refused: 400
        return Response(AttachmentSerializer(attachment, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], parser_classes=[JSONParser, FormParser])
    def submit(self, request: Any, pk: Any = None) -> Response:
        inspection = self.get_object()
        conclusion = request.data.get("conclusion")
        with transaction.atomic():
            hazards = actions.submit_inspection(request.user, inspection, conclusion=conclusion)
            ensure_in_scope(request.user, inspection)
        data = InspectionSerializer(self.get_queryset().get(pk=inspection.pk), context=self.get_serializer_context()).data
        data["hazards"] = [h.pk for h in hazards]
        return Response(data)


class InspectionPlanViewSet(ScopedModelViewSet):
    queryset = InspectionPlan.objects.select_related("area", "responsible_department").prefetch_related(
        "enterprises", "sectors", "inspectors")
    serializer_class = InspectionPlanSerializer
    filterset_class = InspectionPlanFilterSet  # the plan page's filters
    ordering = ["-start_date", "name", "id"]

    def perform_create(self, serializer: Any) -> None:
        with transaction.atomic():
            obj = serializer.save(created_by=self.request.user)
            ensure_in_scope(self.request.user, obj, self.required_perm())
