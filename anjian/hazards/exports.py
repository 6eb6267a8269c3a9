"""Excel downloads: the hazard ledger (隐患台账) with the page's filters, and the rows behind
each hazard indicator. Every export is recorded in the audit log."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core import audit
from anjian.core.exchange import get_kind, write_export, xlsx_response
from anjian.core.models import AuditAction
from anjian.indicators.registry import IndicatorResult


def ledger_response(queryset: models.QuerySet, request: HttpRequest, *, title: str = "", indicator: str = "",
                    result: IndicatorResult | None = None) -> HttpResponse:
    kind = get_kind("hazards")
    filters = {k: v for k, v in request.GET.items() if v}
    name = title or str(kind.label)

    def write(path: str) -> None:
        count = write_export(kind, queryset, path)
        changes: dict[str, Any] = {"rows": count, "filters": filters}
        if indicator and result is not None:
            changes.update({"indicator": indicator, "numerator": str(result.numerator),
                            "denominator": str(result.denominator), "value": str(result.value)})
        audit.record(AuditAction.EXPORT, object_type="hazards.hazard", object_repr=name[:200], changes=changes,
                     message=_("Exported {n} hazards to Excel ({name}).").format(n=count, name=name))

    safe = "".join(c for c in name if c not in '\\/:*?"<>|')[:60]
    return xlsx_response(write, f"{safe}-{timezone.localdate():%Y%m%d}.xlsx")
