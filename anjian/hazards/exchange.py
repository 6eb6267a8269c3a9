"""The hazard ledger (隐患台账) as an Excel kind of ``anjian.core.exchange``: export only.

``anjian export hazards FILE.xlsx [--as USER] [town=… level=major overdue=true …]``
writes the rows the user may see; the pages' "Export" buttons and each indicator's
rows use the same columns (``exports.py``). Hazards are not imported: they are
recorded by inspections, self-inspections and tip-offs, each with its timeline.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.core import clock
from anjian.core.exchange import Column, ExchangeKind, ImportFailed, register

from . import rules
from .filtersets import HazardFilter
from .models import Hazard, HazardLevel, HazardSource, HazardStatus

LEVEL_LABELS = {HazardLevel.GENERAL: "一般", HazardLevel.MAJOR: "重大"}
STATUS_LABELS = {
    HazardStatus.REPORTED: "已登记", HazardStatus.RECTIFYING: "整改中", HazardStatus.RECTIFIED: "已整改待复查",
    HazardStatus.VERIFIED: "已验收销号", HazardStatus.CANCELLED: "已撤销",
}
SOURCE_LABELS = {HazardSource.SUPERVISION: "监督检查", HazardSource.SELF_INSPECTION: "企业自查",
                 HazardSource.TIP_OFF: "举报", HazardSource.OTHER: "其他"}

COLUMNS = [
    Column("隐患编号", "number", width=16, as_text=True),
    Column("企业名称", "enterprise", width=30),
    Column("统一社会信用代码", "credit_code", width=22, as_text=True),
    Column("所在区域代码", "area_code", width=14, as_text=True),
    Column("隐患描述", "description", width=40),
    Column("隐患部位", "location", width=20),
    Column("隐患等级", "level", width=8),
    Column("隐患类别", "category", width=16),
    Column("发现途径", "source", width=10),
    Column("依据", "legal_basis", width=30),
    Column("发现日期", "found_on", width=12),
    Column("整改期限", "deadline", width=12),
    Column("整改责任人", "responsible_person", width=10),
    Column("整改措施", "measures", width=30),
    Column("整改资金（元）", "funds", width=12),
    Column("状态", "status", width=12),
    Column("整改完成日期", "rectified_on", width=12),
    Column("验收销号日期", "verified_on", width=12),
    Column("是否逾期", "overdue", width=8),
]


@register
class HazardKind(ExchangeKind):
    name = "hazards"
    label = _("hazard ledger")
    model = Hazard
    columns = COLUMNS
    key_field = "id"
    import_permission = "hazards.import_hazard"  # granted to no role: hazards are not imported
    export_permission = "hazards.export_hazard"
    filter_params = {
        "town": _("area code of a town or community"), "sector": _("sector code"),
        "department": _("department code"), "level": "general | major",
        "status": "reported | rectifying | rectified | verified", "overdue": "true | false",
        "enterprise": _("enterprise id"), "year": _("year found"), "month": _("month found"),
    }

    def export_queryset(self, user: Any, params: dict[str, Any] | None = None) -> models.QuerySet:
        base = Hazard.objects.all() if user is None else Hazard.objects.visible_to(user, self.export_permission)
        f = HazardFilter(params or {}, queryset=base)
        if not f.is_valid():
            raise ValueError("; ".join(f"{k}: {' '.join(v)}" for k, v in f.errors.items()))
        return f.qs.select_related("enterprise").order_by("-found_on", "-id")

    def filter_errors(self, user: Any, params: dict[str, Any]) -> list[str]:
        from anjian.core.exchange.kinds import filterset_errors

        return filterset_errors(HazardFilter(params, queryset=Hazard.objects.none()))

    def export_rows(self, queryset: models.QuerySet) -> Iterator[Sequence[Any]]:
        return ledger_rows(queryset)

    def apply(self, batch: Any, session: Any, errors: Any, write: bool) -> Any:
        raise ImportFailed(str(_("Hazards are not imported: record them through inspections, "
                                 "self-inspections or the hazard form.")))


def ledger_rows(queryset: models.QuerySet) -> Iterator[list[Any]]:
    today = clock.today()
    categories = dict(rules.category_choices())
    for h in queryset.iterator(chunk_size=2000):
        yield [
            h.number or str(h.pk), h.enterprise.name, h.enterprise.credit_code, h.enterprise.area_id, h.description, h.location,
            LEVEL_LABELS.get(h.level, h.level), categories.get(h.category, h.category),
            SOURCE_LABELS.get(h.source, h.source), h.legal_basis, h.found_on, h.deadline, h.responsible_person,
            h.measures, h.funds, STATUS_LABELS.get(h.status, h.status), h.rectified_on, h.verified_on,
            "是" if h.is_overdue(today) else "否",
        ]
