"""Demo data of the inspections app (2017): monthly self-inspections of most enterprises in
most months (so coverage is realistic, not 100%), routine and enforcement inspections of
key enterprises, special campaigns (粉尘防爆, 有限空间, 涉氨制冷, 危化品储存, 建筑施工),
双随机 checks, patrols, and one quarterly plan with its generated inspections. Idempotent:
every inspection has a natural key (its record number)."""

from __future__ import annotations

import calendar
import datetime
from typing import Any

CAMPAIGNS = [
    # (sector code, checklist code, campaign name, share of the sector's enterprises)
    ("dust_explosion", "dust_explosion", "粉尘防爆专项整治", 0.9),
    ("confined_space", "confined_space", "有限空间作业专项检查", 0.9),
    ("ammonia_refrigeration", "ammonia_refrigeration", "涉氨制冷企业专项治理“回头看”", 1.0),
    ("chem_operation", "hazchem_storage", "危险化学品安全综合治理", 1.0),
    ("chem_production", "hazchem_storage", "危险化学品安全综合治理", 1.0),
    ("construction", "construction_formwork_hoisting", "起重设备、高支模坍塌专项治理", 0.8),
    ("retail", "crowded_place_fire", "人员密集场所消防安全专项检查", 0.5),
]
CONCLUSIONS = ["检查未发现问题。", "现场检查基本符合要求，已当场提出改进意见。", "安全管理制度健全，现场管理良好。"]
PDF = b"%PDF-1.4\n% demo record (\xe7\x8e\xb0\xe5\x9c\xba\xe6\xa3\x80\xe6\x9f\xa5\xe8\xae\xb0\xe5\xbd\x95)\n%%EOF\n"
RECORD_FILE = "inspections/demo/xianchang-jiancha-jilu.pdf"


def _month_day(ctx: Any, month: int) -> datetime.date | None:
    year = ctx.today.year
    last = datetime.date(year, month, calendar.monthrange(year, month)[1])
    end = min(last, ctx.today)
    start = datetime.date(year, month, 1)
    if start > ctx.today:
        return None
    return ctx.rng.date_between(start, end)


def load_demo(ctx: Any) -> int:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from anjian.enterprises.models import EnterpriseStatus

    from .actions import generate_planned_inspections
    from .checklists import templates_for
    from .models import (
        ChecklistTemplate,
        Inspection,
        InspectionAttachment,
        InspectionPlan,
        InspectionResult,
    )

    year = ctx.today.year
    templates = {(t.code, t.template_version): t for t in ChecklistTemplate.objects.order_by("id")}
    by_code = {code: t for (code, _v), t in sorted(templates.items())
               if t.effective_to is None or t.effective_to.year >= year}
    inspectors = [u for name, u in sorted(ctx.users.items()) if name.startswith("inspector-")]
    template_cache: dict[tuple[str, ...], Any] = {}

    def self_template(enterprise: Any) -> Any:
        key = ctx.sector_codes.get(enterprise.pk, ())
        if key not in template_cache:
            found = templates_for(enterprise, datetime.date(year, 6, 1))
            template_cache[key] = found[0] if found else None
        return template_cache[key]

    rows: list[dict[str, Any]] = []
    crew: dict[str, list[int]] = {}
    # 1. Monthly self-inspections: each enterprise has its own diligence.
    for enterprise in ctx.enterprises:
        diligence = ctx.rng.choice([0.55, 0.75, 0.9, 0.97, 1.0, 1.0])
        for month in range(1, 13):
            hit = ctx.rng.random() < diligence
            day = _month_day(ctx, month)
            if not hit or day is None or enterprise.status == EnterpriseStatus.CLOSED and month > 6:
                continue
            template = self_template(enterprise)
            rows.append({"record_number": f"ZC-{enterprise.credit_code}-{year}{month:02d}",
                         "enterprise_id": enterprise.pk, "kind": "self", "date": day, "status": "submitted",
                         "template_id": template.pk if template else None, "conclusion": "本月自查完成。",
                         "is_demo": True})
    # 2. Government inspections: key enterprises, campaigns, random checks, patrols.
    number = 0

    def government(enterprise: Any, kind: str, template: Any, campaign: str = "") -> None:
        nonlocal number
        number += 1
        day = ctx.rng.date_between(datetime.date(year, 2, 15), ctx.today - datetime.timedelta(days=3))
        pair = ctx.rng.sample(inspectors, 2) if len(inspectors) >= 2 else inspectors
        key = f"（示）安监检记〔{year}〕{number}号"
        rows.append({"record_number": key, "enterprise_id": enterprise.pk, "kind": kind, "date": day,
                     "status": "submitted", "template_id": template.pk if template else None, "campaign": campaign,
                     "conclusion": ctx.rng.choice(CONCLUSIONS), "place": enterprise.address or "",
                     "latitude": enterprise.latitude, "longitude": enterprise.longitude, "is_demo": True})
        crew[key] = [u.pk for u in pair]

    general = by_code.get("gongmao_general")
    for enterprise in ctx.enterprises:
        if enterprise.key_enterprise and ctx.rng.random() < 0.92:
            government(enterprise, ctx.rng.choice(["enforcement", "routine", "routine"]), general)
    for sector, code, campaign, share in CAMPAIGNS:
        for enterprise in ctx.enterprises_of_sector(sector):
            if ctx.rng.random() < share:
                government(enterprise, "special", by_code.get(code), campaign)
    for enterprise in ctx.enterprises:
        draw = ctx.rng.random()
        if draw < 0.05:
            government(enterprise, "random", general, "双随机抽查")
        elif draw < 0.09:
            government(enterprise, "patrol", None)
    inspections = ctx.upsert(Inspection, "record_number", rows)
    ctx.sync_m2m(Inspection, "inspectors", {inspections[k]: ids for k, ids in crew.items()})

    # 3. Results for the government inspections (pass / not applicable; hazards are the hazards app's demo).
    written = 0
    government_rows = [inspections[k] for k in crew]
    have = set(InspectionResult.objects.filter(inspection__in=government_rows).values_list(
        "inspection_id", flat=True).distinct())
    items_of: dict[int, list[Any]] = {}
    new_results = []
    for inspection in government_rows:
        if inspection.template_id is None:
            continue
        items = items_of.setdefault(inspection.template_id, list(
            templates_by_id(templates, inspection.template_id).items.order_by("order")))
        outcomes = [("na" if ctx.rng.random() < 0.1 else "pass") for _item in items]
        if inspection.pk in have:
            continue
        new_results += [InspectionResult(inspection=inspection, item=item, order=item.order, outcome=o)
                        for item, o in zip(items, outcomes, strict=True)]
    InspectionResult.objects.bulk_create(new_results, batch_size=1000)
    written += ctx.audit_created(new_results, message="demo") if new_results else 0

    # 4. The record documents of special/enforcement inspections (most are filed).
    if not default_storage.exists(RECORD_FILE):
        default_storage.save(RECORD_FILE, ContentFile(PDF))
    docs = []
    for key in crew:
        inspection = inspections[key]
        filed = ctx.rng.random() < 0.93
        if inspection.kind in ("special", "enforcement") and filed:
            docs.append({"original_name": f"{key}.pdf", "inspection_id": inspection.pk, "kind": "document",
                         "file": RECORD_FILE, "content_type": "application/pdf", "size": len(PDF)})
    ctx.upsert(InspectionAttachment, "original_name", docs)

    # 5. A quarterly plan for key enterprises with this quarter's generated inspections.
    plan_rows = [{"name": f"{year}年重点企业季度执法检查计划", "kind": "enforcement", "frequency": "quarterly",
                  "area_id": ctx.district.code, "key_only": True, "start_date": datetime.date(year, 1, 1),
                  "end_date": datetime.date(year, 12, 31), "active": True, "is_demo": True,
                  "template_id": general.pk if general else None,
                  "responsible_department_id": ctx.departments["ajj"].pk if "ajj" in ctx.departments else None}]
    plans = ctx.upsert(InspectionPlan, "name", plan_rows)
    plan = next(iter(plans.values()))
    ctx.sync_m2m(InspectionPlan, "inspectors", {plan: [u.pk for u in inspectors[:2]]})
    written += generate_planned_inspections(ctx.today, plans=[plan])
    ctx.log(f"inspections: {len(rows)} inspections, {len(new_results)} results")
    return written


def templates_by_id(templates: dict[tuple[str, str], Any], pk: int) -> Any:
    return next(t for t in templates.values() if t.pk == pk)
