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


class AreaCodeField(serializers.SlugRelatedField):
    """A foreign key to Area written and read as its 12-digit code.

    The FK's column already holds the code (``to_field="code"``), so reading it
    needs no join and no Area instance.
    """

    def __init__(self, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("slug_field", "code")
        kwargs.setdefault("queryset", Area.objects.all())
        super().__init__(**kwargs)

    def get_attribute(self, instance):  # type: ignore[no-untyped-def]
        return getattr(instance, f"{self.source_attrs[-1]}_id")

    def to_representation(self, value):  # type: ignore[no-untyped-def]
        return value
