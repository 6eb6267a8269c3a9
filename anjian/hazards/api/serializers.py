"""Serializers of the hazards API (thin: writes go through ``actions``)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from anjian.core import clock
from anjian.enterprises.models import Enterprise
from anjian.utilities.bounds import LONG_TEXT, YEAR, YUAN, text_kwargs

from .. import models as m


class HazardSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    area_code = serializers.CharField(source="enterprise.area_id", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = m.Hazard
        fields = [
            "id", "number", "enterprise", "enterprise_name", "area_code", "inspection", "checklist_item", "source",
            "description", "location", "level", "category", "legal_basis", "found_on", "deadline", "overdue",
            "responsible_person", "measures", "funds", "status", "rectified_on", "verified_on", "reporter",
            "deleted_reason", "created", "last_updated", "version",
        ]
        read_only_fields = fields

    def get_overdue(self, obj: m.Hazard) -> bool:
        today = self.context.get("today") or clock.today()
        return obj.is_overdue(today)

    def to_representation(self, obj: m.Hazard) -> dict[str, Any]:
        """The same dict as DRF's generic fields make (``test_fast_representation_matches_drf``),
        built directly: a 50-row page spends most of its time here otherwise."""
        if type(self) is not HazardSerializer:
            return super().to_representation(obj)
        datetime_field = _DATETIME
        d = obj.__dict__
        return {
            "id": obj.pk, "number": obj.number, "enterprise": obj.enterprise_id,
            "enterprise_name": obj.enterprise.name, "area_code": obj.enterprise.area_id,
            "inspection": d["inspection_id"], "checklist_item": d["checklist_item_id"], "source": obj.source,
            "description": obj.description, "location": obj.location, "level": obj.level,
            "category": obj.category, "legal_basis": obj.legal_basis, "found_on": _iso(obj.found_on),
            "deadline": _iso(obj.deadline), "overdue": self.get_overdue(obj),
            "responsible_person": obj.responsible_person, "measures": obj.measures,
            "funds": None if obj.funds is None else _DECIMAL.to_representation(obj.funds),
            "status": obj.status, "rectified_on": _iso(obj.rectified_on), "verified_on": _iso(obj.verified_on),
            "reporter": d["reporter_id"], "deleted_reason": obj.deleted_reason,
            "created": datetime_field.to_representation(obj.created),
            "last_updated": datetime_field.to_representation(obj.last_updated), "version": obj.version,
        }



# Unbound fields that format as the model serializer's own do (not ``self.fields``: building
# those costs more than serialising the 50 rows).
_DATETIME = serializers.DateTimeField(read_only=True)
_DECIMAL = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


class HazardEventSerializer(serializers.ModelSerializer):
    """An event of a hazard's timeline in its detail: ``actor`` is the username (null: the system)."""

    actor = serializers.CharField(source="actor.username", read_only=True, default=None, allow_null=True)
    enterprise = serializers.IntegerField(source="hazard.enterprise_id", read_only=True)
    # Empty for an event that changes no status (a photo, a comment): "" is one of the values.
    from_status = serializers.ChoiceField(choices=m.HazardStatus.choices, read_only=True, allow_blank=True)
    to_status = serializers.ChoiceField(choices=m.HazardStatus.choices, read_only=True, allow_blank=True)

    class Meta:
        model = m.HazardEvent
        fields = ["id", "hazard", "enterprise", "at", "actor", "action", "from_status", "to_status", "comment",
                  "evidence", "data"]
        read_only_fields = fields


class HazardDetailSerializer(HazardSerializer):
    events = HazardEventSerializer(many=True, read_only=True)
    photos = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(HazardSerializer.Meta):
        fields = [*HazardSerializer.Meta.fields, "events", "photos", "actions"]
        read_only_fields = fields

    def get_photos(self, obj: m.Hazard) -> list[dict[str, Any]]:
        request = self.context.get("request")
        return [{"id": p.pk, "kind": p.kind, "caption": p.caption,
                 "url": request.build_absolute_uri(p.image.url) if request else p.image.url}
                for p in obj.photos.all()]

    def get_actions(self, obj: m.Hazard) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return [t.action for t in obj.available_transitions(request.user)]


def _length(name: str) -> dict[str, int]:
    """``max_length`` of the hazard's column ``name`` (its text bound when it is a text column)."""
    return {"max_length": m.Hazard._meta.get_field(name).max_length or LONG_TEXT}


class HazardCreateSerializer(serializers.Serializer):
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.all())
    description = serializers.CharField(**_length("description"))
    level = serializers.ChoiceField(choices=m.HazardLevel.choices)
    location = serializers.CharField(required=False, allow_blank=True, default="", **_length("location"))
    category = serializers.CharField(required=False, allow_blank=True, default="", **_length("category"))
    legal_basis = serializers.CharField(required=False, allow_blank=True, default="", **_length("legal_basis"))
    found_on = serializers.DateField(required=False, allow_null=True)
    deadline = serializers.DateField(required=False, allow_null=True)
    responsible_person = serializers.CharField(required=False, allow_blank=True, default="",
                                               **_length("responsible_person"))
    measures = serializers.CharField(required=False, allow_blank=True, default="", **_length("measures"))
    funds = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True,
                                     min_value=YUAN.min)
    source = serializers.ChoiceField(choices=m.HazardSource.choices, required=False)


class TransitionSerializer(serializers.Serializer):
    action = serializers.CharField(max_length=40)
    comment = serializers.CharField(required=False, allow_blank=True, default="", **text_kwargs())
    evidence = serializers.CharField(required=False, allow_blank=True, default="", **text_kwargs())
    reason = serializers.CharField(required=False, allow_blank=True, default="", **text_kwargs())
    inspected_on = serializers.DateField(required=False, allow_null=True)
    passed = serializers.BooleanField(required=False, allow_null=True, default=None)


class PhotoUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=m.PhotoKind.choices, default=m.PhotoKind.BEFORE)
    image = serializers.FileField()


class SupervisionOrderSerializer(serializers.ModelSerializer):
    enterprise = serializers.IntegerField(source="hazard.enterprise_id", read_only=True)
    # Null for an order addressed to a department rather than an area.
    area_code = serializers.CharField(source="area_id", read_only=True, default=None, allow_null=True)
    late = serializers.SerializerMethodField()

    class Meta:
        model = m.SupervisionOrder
        fields = ["id", "number", "hazard", "enterprise", "level", "area_code", "department", "deadline",
                  "issued_at", "due", "late", "status", "escalated_from", "answer", "answered_at", "closed_at",
                  "closed_reason"]
        read_only_fields = fields

    def get_late(self, obj: m.SupervisionOrder) -> bool:
        return obj.is_late()


class OrderAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(required=False, allow_blank=True, default="", **text_kwargs())
    reason = serializers.CharField(required=False, allow_blank=True, default="", **text_kwargs())


class HazardReportSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    deadline = serializers.DateField(read_only=True)
    late = serializers.BooleanField(source="is_late", read_only=True)
    general_rate = serializers.CharField(read_only=True)
    major_rate = serializers.CharField(read_only=True)

    class Meta:
        model = m.HazardReport
        fields = ["id", "enterprise", "enterprise_name", "year", "quarter", "general_found", "general_rectified",
                  "general_rate", "major_found", "major_closed", "major_rate", "major_in_plan", "major_listed",
                  "funds", "status", "principal", "notes", "submitted_at", "deadline", "late"]
        read_only_fields = fields


class HazardReportSubmitSerializer(serializers.Serializer):
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.all())
    year = serializers.IntegerField(**YEAR.field_kwargs())
    quarter = serializers.IntegerField(min_value=0, max_value=4)
    principal = serializers.CharField(max_length=m.HazardReport._meta.get_field("principal").max_length)
    notes = serializers.CharField(required=False, allow_blank=True, default="", **text_kwargs())


def simple_serializer(model: type, extra: tuple[str, ...] = ()) -> type[serializers.ModelSerializer]:
    """A read-only serializer of a hazard's sub-record, carrying ``enterprise``."""
    path = "suspension.hazard.enterprise_id" if model is m.ResumptionApplication else "hazard.enterprise_id"
    names = ["id", *[f.name for f in model._meta.concrete_fields
                     if f.name not in ("id", "created", "last_updated", "version")], *extra]
    attrs: dict[str, Any] = {
        "enterprise": serializers.IntegerField(source=path, read_only=True),
        "Meta": type("Meta", (), {"model": model, "fields": [*names, "enterprise"], "read_only_fields": names}),
    }
    for f in model._meta.concrete_fields:
        # A blank choice ("" : no status change) is a value of the field: say so in the schema.
        if f.choices and f.blank and f.name in names:
            attrs[f.name] = serializers.ChoiceField(choices=f.choices, read_only=True, allow_blank=True,
                                                    allow_null=f.null)
    # "<Model>Record": the component of the collection's row, apart from the detail's own
    # ``HazardEventSerializer`` (one component name, two shapes, was the duplicate ``HazardEvent``).
    return type(f"{model.__name__}RecordSerializer", (serializers.ModelSerializer,), attrs)
