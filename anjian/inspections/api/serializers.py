from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from anjian.accounts.models import User
from anjian.enterprises.models import Enterprise
from anjian.territory.models import Area, Department, Sector

from ..actions import inspector_count_error
from ..forms import allowed_kinds
from ..models import (
    ChecklistItem,
    ChecklistTemplate,
    Inspection,
    InspectionAttachment,
    InspectionKind,
    InspectionPlan,
    InspectionResult,
    Outcome,
)


class ChecklistItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistItem
        fields = ["id", "order", "section", "content", "basis", "major_criterion", "criterion_ref", "unconfirmed"]


class ChecklistTemplateSerializer(serializers.ModelSerializer):
    sectors = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Sector.objects.all(), required=False)
    items = ChecklistItemSerializer(many=True, read_only=True)

    class Meta:
        model = ChecklistTemplate
        fields = ["id", "code", "name", "template_version", "sectors", "source", "description", "is_general",
                  "active", "effective_from", "effective_to", "items", "created", "last_updated", "version"]
        read_only_fields = ["created", "last_updated", "version"]


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionAttachment
        fields = ["id", "kind", "result", "file", "original_name", "content_type", "size", "created"]
        read_only_fields = fields


class InspectionResultSerializer(serializers.ModelSerializer):
    major_criterion = serializers.BooleanField(source="item.major_criterion", read_only=True, default=False)

    class Meta:
        model = InspectionResult
        fields = ["id", "item", "order", "content", "outcome", "note", "location", "major_criterion"]
        read_only_fields = ["item", "order"]


class ResultUpdateSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, help_text="result id (or give item)")
    item = serializers.IntegerField(required=False, help_text="checklist item id")
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    note = serializers.CharField(required=False, allow_blank=True)
    location = serializers.CharField(required=False, allow_blank=True, max_length=300)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("id") and not attrs.get("item"):
            raise serializers.ValidationError(_("Give the result's id or the checklist item's id."))
        return attrs


class InspectionSerializer(serializers.ModelSerializer):
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.all())
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    inspectors = serializers.PrimaryKeyRelatedField(many=True, queryset=User.objects.all(), required=False)
    results = InspectionResultSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = ["id", "enterprise", "enterprise_name", "kind", "date", "status", "inspectors", "template", "plan",
                  "plan_period", "campaign", "place", "latitude", "longitude", "record_number", "conclusion",
                  "submitted_at", "results", "attachments", "created", "last_updated", "version"]
        # The conclusion is written when the inspection is submitted (``submit/``), as on the page.
        read_only_fields = ["status", "plan", "plan_period", "conclusion", "submitted_at", "created",
                            "last_updated", "version"]

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if hasattr(data, "get") and data.get("conclusion") not in (None, getattr(self.instance, "conclusion", "")):
            raise serializers.ValidationError({"conclusion": [_(
                "The conclusion is written when the inspection is submitted (POST …/submit/).")]})
        return super().to_internal_value(data)

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            fields["enterprise"].queryset = Enterprise.objects.visible_to(request.user)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["enterprise"].read_only = True
            fields["template"].read_only = True
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        request = self.context["request"]
        instance = self.instance
        if instance is not None and not instance.is_editable:
            raise serializers.ValidationError(_("This inspection was submitted; it can no longer be changed."))
        kind = attrs.get("kind", instance.kind if instance else None)
        if kind and (instance is None or "kind" in attrs) and kind not in dict(allowed_kinds(request.user)):
            raise serializers.ValidationError({"kind": _("You may not file a “{kind}”.").format(
                kind=InspectionKind(kind).label)})
        if kind and kind != InspectionKind.SELF:
            inspectors = attrs.get("inspectors", list(instance.inspectors.all()) if instance else [])
            error = inspector_count_error(kind, len(inspectors))
            if error:
                raise serializers.ValidationError({"inspectors": error})
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Inspection:
        from ..actions import start_inspection

        return start_inspection(
            self.context["request"].user, enterprise=validated_data["enterprise"], kind=validated_data["kind"],
            date=validated_data["date"], template=validated_data.get("template"),
            inspectors=validated_data.get("inspectors", []), place=validated_data.get("place", ""),
            latitude=validated_data.get("latitude"), longitude=validated_data.get("longitude"),
            campaign=validated_data.get("campaign", ""), record_number=validated_data.get("record_number", ""),
        )


class InspectionPlanSerializer(serializers.ModelSerializer):
    area_code = serializers.SlugRelatedField(source="area", slug_field="code", queryset=Area.objects.all())
    responsible_department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.all(),
                                                          required=False, allow_null=True)
    enterprises = serializers.PrimaryKeyRelatedField(many=True, queryset=Enterprise.objects.all(), required=False)
    sectors = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Sector.objects.all(),
                                           required=False)
    inspectors = serializers.PrimaryKeyRelatedField(many=True, queryset=User.objects.all(), required=False)

    class Meta:
        model = InspectionPlan
        fields = ["id", "name", "kind", "frequency", "template", "responsible_department", "area_code", "enterprises",
                  "sectors", "key_only", "inspectors", "start_date", "end_date", "active", "created", "last_updated",
                  "version"]
        read_only_fields = ["created", "last_updated", "version"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            fields["enterprises"].child_relation.queryset = Enterprise.objects.visible_to(request.user)
        return fields

    def validate_kind(self, value: str) -> str:
        if value == InspectionKind.SELF:
            raise serializers.ValidationError(_("Self-inspections are not planned; enterprises file them monthly."))
        return value
