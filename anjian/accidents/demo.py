"""Demo data of the accidents app: the accidents of 2016 and 2017 in the demo district and the
statistics bases (统计基数) of both years for the district and each town. Idempotent: accidents
are keyed by their number (SG<year>D<nn>), bases by (year, area), child rows by their content.

The figures follow the plan's scale: mostly 一般 accidents, deaths in single digits a year
(9 in 2016 with one 较大 road accident, 7 in 2017), a handful of special-equipment accidents,
2017 below 2016 in count and deaths (双下降) while 和平镇 gets worse; GDP of a few hundred
亿元 and about 100,000 工矿商贸 employees. Against the 2017 targets this gives: deaths per
亿元 GDP met, per 10,000 special-equipment units met, per 100,000 工矿商贸 workers missed
(one death in 建筑施工 is already above 0.57 for a district of this size).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Spec:
    """One demo accident."""

    when: str  # local "YYYY-MM-DD HH:MM"
    town: int  # index of ctx.towns (ordered by code)
    sector: str
    type_code: str  # GB 6441-86
    deaths: int
    serious: int
    minor: int
    loss: int  # yuan
    place: str
    description: str
    causes: str
    special_equipment: bool = False
    with_enterprise: bool = True
    report_minutes: int = 40  # the first report after the accident
    first_deaths: int | None = None  # a toll that changed after the first report (续报)
    follow_up_days: int = 1


SPECS: list[Spec] = [
    # 2016: 11 accidents, 9 deaths (one 较大), 2 special-equipment accidents.
    Spec("2016-01-19 07:40", 0, "road_traffic", "02", 3, 2, 1, 1_850_000, "建设路与华山路交叉口",
         "一辆重型半挂车在路口右转时与一辆中型客车相撞，造成3人死亡、2人重伤。",
         "货车驾驶人右转未让直行车辆，车辆右侧盲区；客车超员。", with_enterprise=False, first_deaths=2),
    Spec("2016-03-08 10:15", 1, "construction", "09", 1, 0, 0, 1_120_000, "人民路某住宅项目3号楼",
         "木工在18层外架作业时未系安全带，从脚手架缺口坠落死亡。", "未正确使用安全带；脚手架防护缺失。"),
    Spec("2016-04-21 14:30", 2, "machinery", "03", 1, 0, 0, 980_000, "厂区机加工车间",
         "操作工清理冲床废料时未停机，被冲床压伤致死。", "违章在运行设备上清理；设备安全联锁被短接。"),
    Spec("2016-05-30 09:05", 3, "special_equipment", "04", 1, 0, 1, 760_000, "物流园装卸区",
         "汽车起重机吊装钢卷时钢丝绳断裂，钢卷坠落砸中一名司索工。", "钢丝绳断丝超标未报废；起吊下方站人。",
         special_equipment=True, with_enterprise=False),
    Spec("2016-06-17 16:40", 5, "road_traffic", "02", 1, 0, 1, 120_000, "和平镇乡道X012线",
         "一辆三轮摩托车与农用车相撞，摩托车驾驶人死亡。", "无证驾驶、超速行驶。", with_enterprise=False,
         report_minutes=95),
    Spec("2016-07-26 11:20", 6, "light_industry", "07", 0, 2, 1, 210_000, "食品厂蒸煮车间",
         "蒸煮锅排汽阀失效，高温蒸汽喷出致2人重度烫伤。", "设备失修；未按规程泄压。"),
    Spec("2016-08-09 21:50", 4, "fire_crowded", "08", 1, 0, 3, 2_300_000, "康宁街道某KTV",
         "KTV包间电气线路短路引发火灾，1名顾客吸入烟气死亡。", "电气线路私拉乱接；疏散通道堵塞。"),
    Spec("2016-09-13 08:30", 7, "agriculture_water", "06", 1, 0, 0, 50_000, "青山镇青山水库",
         "一名村民在水库违规捕鱼时落水溺亡。", "在禁止区域下水作业，未穿救生衣。", with_enterprise=False),
    Spec("2016-10-25 13:10", 2, "warehousing", "01", 0, 1, 0, 80_000, "仓储中心货架区",
         "叉车取货时货物从高层货架坠落，砸伤一名理货员。", "货物码放超高；作业区未隔离。"),
    Spec("2016-11-18 15:45", 0, "special_equipment", "04", 0, 0, 2, 95_000, "建设东社区某商住楼",
         "电梯轿厢冲顶，厢内2名乘客受轻伤。", "制动器磨损未及时维保。", special_equipment=True,
         with_enterprise=False),
    Spec("2016-12-06 10:00", 1, "retail", "05", 0, 1, 0, 30_000, "人民路某商场",
         "电工带电检修配电箱时触电受重伤。", "未执行停电、验电、挂牌程序。"),
    # 2017: 9 accidents, 7 deaths, no 较大; 和平镇 worse than in 2016 (2 accidents, 2 deaths).
    Spec("2017-01-12 06:50", 5, "road_traffic", "02", 1, 1, 0, 150_000, "和平镇省道S232线",
         "一辆小型货车雾天追尾停放的拖拉机，货车驾驶人死亡。", "雾天超速；拖拉机违法停放未设警示。",
         with_enterprise=False),
    Spec("2017-02-27 09:40", 1, "construction", "09", 1, 0, 0, 1_350_000, "人民路某商业综合体工地",
         "架子工拆除外脚手架时坠落死亡。", "拆除作业未挂设安全带；无专人监护。"),
    Spec("2017-04-11 18:20", 0, "road_traffic", "02", 2, 0, 2, 420_000, "桐柏路与秦岭路交叉口",
         "一辆渣土车右转时碾压两名骑电动车人员，2人死亡（1人经抢救无效于次日死亡）。",
         "渣土车右转未停车让行；车辆盲区。", with_enterprise=False, first_deaths=1),
    Spec("2017-05-23 14:05", 0, "special_equipment", "04", 0, 1, 0, 180_000, "桃园社区某住宅楼",
         "电梯层门锁失效，一名住户踏空坠入底坑受重伤。", "维保单位未按期维保；层门锁触点失效。",
         special_equipment=True, with_enterprise=False),
    Spec("2017-06-30 03:10", 5, "fire_crowded", "08", 1, 0, 0, 680_000, "和平镇某自建出租房",
         "出租房一层电动自行车充电起火，二层一名租户死亡。", "电动车室内充电；房屋无第二安全出口。",
         with_enterprise=False, report_minutes=75),
    Spec("2017-08-15 11:30", 6, "machinery", "03", 0, 1, 0, 260_000, "丰乐镇某机械厂",
         "操作工在车床上用手清理切屑，手臂被卷入致重伤。", "违章作业；未佩戴防护用品。"),
    Spec("2017-09-07 16:15", 2, "warehousing", "01", 0, 0, 2, 60_000, "仓储物流园",
         "叉车倒车时刮倒货架，两名工人轻伤。", "叉车视线受阻；无人指挥。", special_equipment=True),
    Spec("2017-10-05 08:25", 7, "agriculture_water", "06", 1, 0, 0, 40_000, "青山镇青山河",
         "一名护林员巡河时失足落水溺亡。", "河道护栏缺失，无救生设施。", with_enterprise=False),
    Spec("2017-11-21 20:40", 4, "road_traffic", "02", 1, 0, 1, 90_000, "康宁街道陇海路",
         "一辆电动自行车与公交车发生碰撞，骑车人死亡。", "电动车闯红灯。", with_enterprise=False),
]

# Statistics bases: (year, GDP 亿元, 工矿商贸 employees, special-equipment units) of the district,
# shared among the towns by the weights below (urban sub-districts carry more GDP and equipment).
DISTRICT_FIGURES = {2016: (Decimal("352.60"), 98_600, 15_900), 2017: (Decimal("381.40"), 102_300, 16_800)}
TOWN_WEIGHTS = [Decimal(w) for w in ("0.19", "0.17", "0.15", "0.14", "0.12", "0.09", "0.08", "0.06")]
SOURCES = {
    "gdp": "区统计局《{year}年国民经济和社会发展统计公报》(演示)",
    "industrial_employees": "区统计局、人社局工矿商贸从业人员统计(演示)",
    "special_equipment_units": "区质监局特种设备登记台账(演示)",
    "schools": "企业登记库: 教育行业单位数",
    "villages_communities": "统计用区划代码: 村(社区)数",
    "above_scale_enterprises": "企业登记库: 规模以上企业数",
}


def _aware(text: str) -> datetime.datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.strptime(text, "%Y-%m-%d %H:%M"))  # noqa: DTZ007


def load_demo(ctx: Any) -> int:
    return _load_bases(ctx) + _load_accidents(ctx)


def _load_bases(ctx: Any) -> int:
    from .models import BASE_FIGURES, StatisticsBase

    above = {t.code: 0 for t in ctx.towns}
    schools = {t.code: 0 for t in ctx.towns}
    for e in ctx.enterprises:
        town = e.area_id[:9] + "000"
        if town in above:
            above[town] += bool(e.above_scale)
            schools[town] += "education" in ctx.sector_codes.get(e.pk, ())
    villages = {t.code: sum(1 for c in ctx.communities if c.code.startswith(t.code[:9])) for t in ctx.towns}
    wanted: dict[tuple[int, str], dict[str, Any]] = {}
    for year, (gdp, employees, units) in DISTRICT_FIGURES.items():
        town_rows = []
        for town, weight in zip(ctx.towns, TOWN_WEIGHTS, strict=False):
            town_rows.append((town.code, {
                "gdp": (gdp * weight).quantize(Decimal("0.0001")),
                "industrial_employees": int(employees * weight),
                "special_equipment_units": int(units * weight),
                "schools": schools[town.code], "villages_communities": villages[town.code],
                "above_scale_enterprises": above[town.code],
            }))
        district = {k: sum((row[k] for _c, row in town_rows), Decimal(0) if k == "gdp" else 0)
                    for k in town_rows[0][1]}
        for code, figures in [(ctx.district.code, district), *town_rows]:
            row = dict(figures)
            for figure, source in BASE_FIGURES:
                row[source] = SOURCES[figure].format(year=year)
            row["is_demo"] = True
            wanted[(year, code)] = row
    existing = {(b.year, b.area_id): b for b in StatisticsBase.objects.filter(year__in=list(DISTRICT_FIGURES))}
    created, updated = [], 0
    for (year, code), row in sorted(wanted.items()):
        base = existing.get((year, code))
        if base is None:
            created.append(StatisticsBase(year=year, area_id=code, **row))
        elif any(getattr(base, k) != v for k, v in row.items()):
            for k, v in row.items():
                setattr(base, k, v)
            base.version += 1
            base.save()
            updated += 1
    StatisticsBase.objects.bulk_create(created)
    ctx.audit_created(created, message="demo")
    ctx.log(f"accidents: {len(created)} statistics bases created, {updated} updated")
    return len(created) + updated


def _enterprise_for(ctx: Any, spec: Spec, town: Any) -> Any:
    candidates = [e for e in ctx.enterprises_in(town) if spec.sector in ctx.sector_codes.get(e.pk, ())]
    candidates = candidates or ctx.enterprises_of_sector(spec.sector)
    pick = ctx.rng.randrange(1000)  # drawn for every spec, so the sequence never depends on the data
    if not spec.with_enterprise or not candidates:
        return None
    return candidates[pick % len(candidates)]


def _load_accidents(ctx: Any) -> int:
    from .models import Accident, AccidentEvent, AccidentReport, AccidentTypeCode

    types = {t.code: t for t in AccidentTypeCode.objects.filter(scheme="GB 6441-86")}
    serials: dict[int, int] = {}
    rows = []
    plans = []
    for spec in SPECS:
        occurred = _aware(spec.when)
        if occurred.date() > ctx.today:
            continue
        year = occurred.year
        serials[year] = serials.get(year, 0) + 1
        town = ctx.towns[spec.town % len(ctx.towns)]
        enterprise = _enterprise_for(ctx, spec, town)
        area = enterprise.area_id if enterprise is not None else ctx.rng.choice(
            [c.code for c in ctx.communities if c.code.startswith(town.code[:9])] or [town.code])
        accident = Accident(
            number=f"SG{year}D{serials[year]:03d}", occurred_at=occurred, place=spec.place, area_id=area,
            enterprise_id=enterprise.pk if enterprise else None, sector_id=ctx.sectors[spec.sector].pk,
            accident_type_id=types[spec.type_code].pk, deaths=spec.deaths, serious_injuries=spec.serious,
            minor_injuries=spec.minor, direct_loss=Decimal(spec.loss), special_equipment=spec.special_equipment,
            description=spec.description, causes=spec.causes,
            reported_at=occurred + datetime.timedelta(minutes=spec.report_minutes),
            reported_by=(enterprise.name if enterprise else town.name), is_demo=True)
        accident.apply_rules()
        rows.append({f.attname: getattr(accident, f.attname) for f in Accident._meta.concrete_fields
                     if f.attname not in ("id", "created", "last_updated", "version")})
        plans.append(spec)
    by_number = ctx.upsert(Accident, "number", rows)
    accidents = [by_number[row["number"]] for row in rows]
    writer = ctx.users.get("district")

    # Reports (首报 and 续报) and the timeline.
    have_reports = set(AccidentReport.objects.filter(accident__in=accidents).values_list("accident_id", "kind"))
    have_events = set(AccidentEvent.objects.filter(accident__in=accidents).values_list("accident_id", "action"))
    reports, events = [], []
    for spec, a in zip(plans, accidents, strict=True):
        first = spec.first_deaths if spec.first_deaths is not None else a.deaths
        if (a.pk, "first") not in have_reports:
            reports.append(AccidentReport(accident=a, kind="first", reported_at=a.reported_at, deaths=first,
                                          serious_injuries=a.serious_injuries, minor_injuries=a.minor_injuries,
                                          direct_loss=a.direct_loss, text=a.description))
        if (a.pk, "recorded") not in have_events:
            events.append(AccidentEvent(accident=a, action="recorded", at=a.reported_at, actor=writer,
                                        data={"grade": a.grade, "late": a.reported_late}))
        if spec.first_deaths is not None:
            at = a.occurred_at + datetime.timedelta(days=spec.follow_up_days, hours=2)
            if (a.pk, "follow_up") not in have_reports:
                reports.append(AccidentReport(
                    accident=a, kind="follow_up", reported_at=at, deaths=a.deaths,
                    serious_injuries=a.serious_injuries, minor_injuries=a.minor_injuries, within_window=True,
                    toll_changed=True, text=f"伤员经抢救无效死亡，死亡人数变更为{a.deaths}人。"))
            if (a.pk, "follow_up") not in have_events:
                events.append(AccidentEvent(accident=a, action="follow_up", at=at, actor=writer,
                                            data={"deaths": a.deaths, "within_window": True}))
    AccidentReport.objects.bulk_create(reports)
    AccidentEvent.objects.bulk_create(events)
    ctx.audit_created(reports, message="demo")
    ctx.audit_created(events, message="demo")
    return len(reports) + len(events) + _load_investigations(ctx, plans, accidents, writer)


NATURE_TEXT = "经调查认定，该起事故是一起生产安全责任事故。"


def _load_investigations(ctx: Any, plans: list[Spec], accidents: list[Any], writer: Any) -> int:
    """Every accident is investigated; those of 2016 and early 2017 are closed, the last ones are
    ongoing (one of them past its 60-day deadline at the demo's "today")."""
    from .models import AccidentEvent, Accountability, Investigation, RectificationMeasure

    rows = []
    for spec, a in zip(plans, accidents, strict=True):
        occurred = a.occurred_on
        started = occurred + datetime.timedelta(days=1)
        due = occurred + datetime.timedelta(days=60)
        age = (ctx.today - occurred).days
        row = {"accident_id": a.pk, "leader": ctx.rng.choice(["王建国", "李志强", "张卫东", "刘海涛", "陈立新"]),
               "members": "区应急管理局、公安分局、总工会、所在镇办及行业主管部门",
               "organised_by": "区人民政府授权区安委办", "started_on": started, "due_on": due,
               "extension_days": 0, "extension_reason": ""}
        if age > 80:
            submitted = occurred + datetime.timedelta(days=ctx.rng.randint(45, 58))
            row.update(report_submitted_on=submitted, direct_cause=spec.causes.split("；")[0],
                       indirect_cause=spec.causes, nature="non_liability" if spec.sector == "agriculture_water" else "liability",
                       report_summary=NATURE_TEXT, approved_on=submitted + datetime.timedelta(days=10),
                       approval_reference=f"示政文〔{occurred.year}〕{ctx.rng.randint(10, 99)}号")
            row["status"] = "closed" if age > 150 else "approved"
            if row["status"] == "closed":
                row["closed_on"] = submitted + datetime.timedelta(days=ctx.rng.randint(60, 90))
        else:
            row["status"] = "ongoing"
        rows.append(row)
    by_accident = ctx.upsert(Investigation, "accident_id", rows)
    investigations = [by_accident[r["accident_id"]] for r in rows]
    have_people = set(Accountability.objects.filter(investigation__in=investigations)
                      .values_list("investigation_id", "person"))
    have_measures = set(RectificationMeasure.objects.filter(investigation__in=investigations)
                        .values_list("investigation_id", "measure"))
    have_events = set(AccidentEvent.objects.filter(accident__in=accidents, action__in=[
        "investigation_started", "report_submitted", "report_approved", "closed"]).values_list("accident_id", "action"))
    people, measures, events = [], [], []
    for spec, a, inv in zip(plans, accidents, investigations, strict=True):
        timeline = [("investigation_started", inv.started_on)]
        if inv.report_submitted_on:
            timeline += [("report_submitted", inv.report_submitted_on), ("report_approved", inv.approved_on)]
            responsible = a.enterprise.name if a.enterprise_id else "相关责任单位"
            for person, position, measure in [(f"{responsible}主要负责人", "主要负责人", "fine"),
                                              (f"{responsible}安全管理人员", "安全管理人员", "administrative")]:
                if (inv.pk, person) not in have_people:
                    people.append(Accountability(investigation=inv, person=person, position=position, measure=measure,
                                                 fine_yuan=Decimal(100_000) if measure == "fine" else None,
                                                 details="依据《生产安全事故报告和调查处理条例》第三十七条处理"))
            checked = inv.status == "closed"
            for text in [f"{responsible}开展事故警示教育和全员安全培训", f"针对“{spec.causes.split('；')[0]}”完成专项整改"]:
                if (inv.pk, text) not in have_measures:
                    measures.append(RectificationMeasure(
                        investigation=inv, measure=text, responsible=responsible,
                        deadline=inv.approved_on + datetime.timedelta(days=45), done=checked,
                        checked_on=inv.closed_on if checked else None,
                        check_result="现场核查，整改措施已落实。" if checked else "", checked_by=writer if checked else None))
        if inv.closed_on:
            timeline.append(("closed", inv.closed_on))
        for kind, day in timeline:
            if (a.pk, kind) not in have_events:
                at = _aware(f"{day.isoformat()} 17:00")
                events.append(AccidentEvent(accident=a, action=kind, at=at, actor=writer))
    Accountability.objects.bulk_create(people)
    RectificationMeasure.objects.bulk_create(measures)
    AccidentEvent.objects.bulk_create(events)
    for objs in (people, measures, events):
        ctx.audit_created(objs, message="demo")
    ctx.log(f"accidents: {len(people)} accountability rows, {len(measures)} measures, {len(events)} events")
    return len(people) + len(measures) + len(events)
