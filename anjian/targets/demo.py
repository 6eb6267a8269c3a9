"""Demo data of the targets app: the 2017 plan and scheme (loaded by migrations) and the
hand-given scores of the 2017 assessment for every town and department. Idempotent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

NOTES = {
    "responsibility": ["党政同责、一岗双责落实到位,权责清单已建立", "责任制基本落实,个别村(社区)责任书未签订",
                       "安全生产责任制考核台账不全", "领导干部安全生产实绩档案完整"],
    "publicity_training": ["组织开展安全生产月、“11.9”消防日活动", "“安康杯”竞赛参与面较窄", "宣传培训资料齐全"],
}


def load_demo(ctx: Any) -> int:
    from .loader import load_plan, load_scheme, read
    from .models import AssessmentScheme, AssessmentScore

    load_plan(read("plan-2017.json"))
    scheme = AssessmentScheme.objects.filter(year=2017).first() or load_scheme(read("assessment-2017.json"))
    items = {i.key: i for i in scheme.items.filter(kind="manual").order_by("order")}
    scorer = ctx.users.get("district")
    existing = {(s.item_id, s.area_id, s.department_id): s
                for s in AssessmentScore.objects.filter(item__scheme=scheme)}
    units: list[tuple[str, str | None, int | None]] = [("town", t.code, None) for t in ctx.towns]
    units += [("department", None, d.pk) for _code, d in sorted(ctx.departments.items())]
    to_create, to_update = [], []
    for key, item in items.items():
        for kind, area, dept in units:
            # Draw for every unit whether or not its score exists: the sequence never depends on the database.
            share = Decimal(ctx.rng.randint(70, 100)) / 100
            score = (item.max_score * share).quantize(Decimal("0.5"))
            note = ctx.rng.choice(NOTES[key])
            row = existing.get((item.pk, area, dept))
            if row is None:
                to_create.append(AssessmentScore(item=item, unit_kind=kind, area_id=area, department_id=dept,
                                                 score=score, note=note, scorer=scorer))
            elif (row.score, row.note) != (score, note):
                row.score, row.note, row.scorer = score, note, scorer
                to_update.append(row)
    AssessmentScore.objects.bulk_create(to_create)
    ctx.audit_created(to_create, message="demo")
    for row in to_update:
        row.save()
    ctx.log(f"targets: {len(to_create)} assessment scores created, {len(to_update)} updated")
    return len(to_create) + len(to_update)
