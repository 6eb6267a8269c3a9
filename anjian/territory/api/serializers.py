from rest_framework import serializers

from ..models import Area, Department, Sector


class AreaSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", read_only=True, allow_null=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Area
        fields = ["id", "code", "name", "level", "level_display", "parent_code"]


class SectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["id", "code", "name", "parent", "industrial_commercial", "high_risk", "tags"]


class DepartmentSerializer(serializers.ModelSerializer):
    area_code = serializers.CharField(source="area_id", read_only=True)

    class Meta:
        model = Department
        fields = ["id", "code", "name", "short_name", "area_code", "sectors", "is_safety_authority"]
