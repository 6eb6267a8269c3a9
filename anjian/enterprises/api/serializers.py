from __future__ import annotations

from rest_framework import serializers

from anjian.territory.models import Area, Department, Sector

from ..models import Enterprise


class EnterpriseSerializer(serializers.ModelSerializer):
    area_code = serializers.SlugRelatedField(source="area", slug_field="code", queryset=Area.objects.all())
    area_name = serializers.CharField(source="area.name", read_only=True)
    sectors = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Sector.objects.all())
    departments = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Department.objects.all(),
                                               required=False)

    class Meta:
        model = Enterprise
        fields = [
            "id", "credit_code", "name", "address", "area_code", "area_name", "sectors", "departments",
            "above_scale", "key_enterprise", "employees", "legal_representative", "safety_manager",
            "safety_manager_phone", "latitude", "longitude", "status", "standardisation_grade",
            "created", "last_updated", "version",
        ]
        read_only_fields = ["created", "last_updated", "version"]
