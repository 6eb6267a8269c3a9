import django_filters

from anjian.utilities.api import ScopedModelViewSet
from anjian.utilities.scoping import area_prefix

from ..models import Enterprise
from .serializers import EnterpriseSerializer


class EnterpriseFilter(django_filters.FilterSet):
    town = django_filters.CharFilter(method="filter_area", label="area code (town or community); everything under it")
    area_code = django_filters.CharFilter(method="filter_area")
    sector = django_filters.CharFilter(field_name="sectors__code")
    department = django_filters.CharFilter(field_name="departments__code")

    class Meta:
        model = Enterprise
        fields = ["status", "key_enterprise", "above_scale", "credit_code", "standardisation_grade"]

    def filter_area(self, queryset, name, value):
        return queryset.filter(area__code__startswith=area_prefix(value))


class EnterpriseViewSet(ScopedModelViewSet):
    queryset = Enterprise.objects.select_related("area").prefetch_related("sectors", "departments")
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilter
    search_fields = ["name", "credit_code", "address"]
    ordering_fields = ["name", "employees", "credit_code", "created"]
    ordering = ["name", "id"]
