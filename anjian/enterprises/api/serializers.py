from __future__ import annotations

from rest_framework import serializers

from anjian.territory.api.serializers import AreaCodeField
from anjian.territory.models import Department, Sector
from anjian.utilities.writable import RoleWritableMixin

from ..models import Enterprise


class EnterpriseSerializer(RoleWritableMixin, serializers.ModelSerializer):
    """An enterprise; each role writes the fields ``Enterprise.writable`` gives it (the enterprise's
    own user: its contact details), any other field in the request is refused with a 400."""

    area_code = AreaCodeField(source="area")
    area_name = serializers.SerializerMethodField()
    sectors = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Sector.objects.all())
    departments = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Department.objects.all(),
                                               required=False)

    class Meta:
        model = Enterprise
        fields = [
            "id", "credit_code", "name", "address", "area_code", "area_name", "sectors", "departments",
            "above_scale", "key_enterprise", "employees", "legal_representative", "safety_manager",
            "safety_manager_phone", "latitude", "longitude", "status", "standardisation_grade",
            "established_on", "created", "last_updated", "version",
        ]
        read_only_fields = ["created", "last_updated", "version"]

    def get_area_name(self, obj: Enterprise) -> str:
        # Annotated by the viewset's queryset; a freshly saved object loads it.
        return getattr(obj, "area_name", None) or obj.area.name

    def update(self, instance: Enterprise, validated_data: dict) -> Enterprise:
        instance = super().update(instance, validated_data)
        # The annotation was read with the row; after a move it names the previous area.
        instance.__dict__.pop("area_name", None)
        return instance
