import django_filters

from anjian.utilities.api import ScopedReadOnlyViewSet

from ..models import Area, Department, Sector
from .serializers import AreaSerializer, DepartmentSerializer, SectorSerializer


class AreaFilter(django_filters.FilterSet):
    parent_code = django_filters.CharFilter(field_name="parent__code")
    under = django_filters.CharFilter(method="filter_under", label="code prefix (everything under an area)")

    class Meta:
        model = Area
        fields = ["level", "code"]

    def filter_under(self, queryset, name, value):
        from anjian.utilities.scoping import area_prefix

        return queryset.filter(code__startswith=area_prefix(value))


class AreaViewSet(ScopedReadOnlyViewSet):
    queryset = Area.objects.select_related("parent").order_by("code")
    serializer_class = AreaSerializer
    filterset_class = AreaFilter
    search_fields = ["name", "code"]


class SectorViewSet(ScopedReadOnlyViewSet):
    queryset = Sector.objects.order_by("sort_order", "code")
    serializer_class = SectorSerializer
    filterset_fields = ["code", "parent", "industrial_commercial", "high_risk"]
    search_fields = ["name", "code"]


class DepartmentViewSet(ScopedReadOnlyViewSet):
    queryset = Department.objects.prefetch_related("sectors").order_by("sort_order", "code")
    serializer_class = DepartmentSerializer
    filterset_fields = ["code"]
    search_fields = ["name", "code"]
