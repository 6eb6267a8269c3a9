from django.db import transaction
from django.db.models import F, Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.filters import SearchFilter

from anjian.territory.models import Department, Sector
from anjian.utilities.api import ScopedModelViewSet
from anjian.utilities.ordering import ChineseOrderingFilter
from anjian.utilities.scoping import ensure_in_scope

from ..filters import EnterpriseFilterSet
from ..models import Enterprise
from .serializers import EnterpriseSerializer


class EnterpriseViewSet(ScopedModelViewSet):
    queryset = Enterprise.objects.annotate(area_name=F("area__name")).prefetch_related(
        # Only the codes are serialised; loading whole rows costs more than the query.
        Prefetch("sectors", queryset=Sector.objects.only("id", "code")),
        Prefetch("departments", queryset=Department.objects.only("id", "code")),
    )
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet  # the registry page's filters
    search_fields = ["name", "credit_code", "address"]
    # The default filter backends, with ?ordering=name (and the default order) in pinyin and the id last.
    filter_backends = [DjangoFilterBackend, ChineseOrderingFilter, SearchFilter]
    ordering_fields = ["name", "employees", "credit_code", "created"]
    chinese_ordering_fields = ("name",)
    ordering = ["name", "id"]

    def perform_update(self, serializer):  # type: ignore[no-untyped-def]
        # Bump the version under a row lock, so that a form opened before this change refuses to overwrite it.
        with transaction.atomic():
            locked = Enterprise.objects.select_for_update().only("pk", "version").get(pk=serializer.instance.pk)
            obj = serializer.save(version=locked.version + 1)
            ensure_in_scope(self.request.user, obj, self.required_perm())
