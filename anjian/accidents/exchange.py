"""Accidents and statistics bases in Excel (kinds ``accidents`` and ``statistics-bases``),
registered with ``anjian.core.exchange`` (all or nothing, every bad row and column in words).

Accidents are matched by “事故编号”: a row with the number of an existing accident updates
it (its deaths and injuries change only through a follow-up report, so a different toll is
an error); a row without a number, or with a new one, adds an accident with its first
report. The grade is computed, never read: the “事故等级” column of an export is ignored on
import. Statistics bases are matched by “年度” and “区划代码”.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.core import clock
from anjian.core.audit import AuditAction
from anjian.core.exchange import (
    CellError,
    Change,
    Column,
    ErrorList,
    ExchangeKind,
    Record,
    cell_text,
    integer,
    number,
    register,
    text,
    yes_no,
)
from anjian.utilities.bounds import PEOPLE
from anjian.utilities.models import json_value

from .models import (
    BASE_FIGURES,
    Accident,
    AccidentEvent,
    AccidentReport,
    AccidentTypeCode,
    EventKind,
    StatisticsBase,
)
from .rules import Grade

# The grade as the file shows it (fixed Chinese text: the file format, not the UI language).
GRADE_TEXT = {Grade.GENERAL: "一般", Grade.LARGER: "较大", Grade.MAJOR: "重大", Grade.ESPECIALLY_MAJOR: "特别重大"}
DATETIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S",
                    "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y年%m月%d日%H时%M分", "%Y年%m月%d日 %H:%M")


def local_datetime(value: Any) -> datetime.datetime:
    """A cell holding a date and time, read as local time (Asia/Shanghai)."""
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        raw = cell_text(value)
        for fmt in DATETIME_FORMATS:
            try:
                moment = datetime.datetime.strptime(raw, fmt)  # noqa: DTZ007 (made aware below)
                break
            except ValueError:
                continue
        else:
            raise CellError(_("“{value}” is not a date and time; write it as 2017-03-05 14:30.").format(value=raw))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment.astimezone(datetime.UTC)  # as the database returns it, so an unchanged row compares equal


def area_code(value: Any) -> str:
    raw = cell_text(value)
    if not (len(raw) == 12 and raw.isdigit()):
        raise CellError(_("“{value}” is not a 12-digit division code (统计用区划代码).").format(value=raw))
    return raw


def _local(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


COUNT = integer(*PEOPLE)  # anjian.utilities.bounds: the same bound as the form and the API


@register
class AccidentKind(ExchangeKind):
    name = "accidents"
    label = gettext_lazy("accidents")
    model = Accident
    key_field = "number"
    import_permission = "accidents.import_accident"
    export_permission = "accidents.export_accident"
    batch_size = 500
    filter_params = {"year": gettext_lazy("year the accident happened"),
                     "town": gettext_lazy("area code: everything under it")}
    columns = [
        Column("事故编号", "number", parse=text(30), as_text=True, width=16,
               help=gettext_lazy("Empty for a new accident (a number is given); the number of an existing "
                                 "accident to update it."), example=""),
        Column("发生时间", "occurred_at", required=True, parse=local_datetime, width=18,
               help=gettext_lazy("Date and time, e.g. 2017-03-05 14:30 (local time)."), example="2017-03-05 14:30"),
        Column("发生地点", "place", required=True, parse=text(200), width=24,
               help=gettext_lazy("Where it happened."), example="某某路与某某街交叉口"),
        Column("区划代码", "area", required=True, parse=area_code, as_text=True, width=14,
               help=gettext_lazy("12-digit code of the town or community where it happened."),
               example="410199001001"),
        Column("统一社会信用代码", "enterprise", parse=text(18), as_text=True, width=20,
               help=gettext_lazy("The enterprise's credit code; empty for an accident without an enterprise.")),
        Column("行业领域", "sector", required=True, parse=text(100), width=14,
               help=gettext_lazy("Sector code or name of the catalogue."), example="construction"),
        Column("事故类别（GB 6441）", "accident_type", required=True, parse=text(50), width=14,
               help=gettext_lazy("Code or name of the accident type of the code table in force on the day "
                                 "(GB 6441-86: 01–20; GB 6441-2025 from 2026-07-01: WSA10001…)."), example="01"),
        Column("死亡人数（含失踪）", "deaths", parse=COUNT, default=0, width=10,
               help=gettext_lazy("Deaths including the missing."), example=0),
        Column("重伤人数（含急性工业中毒）", "serious_injuries", parse=COUNT, default=0, width=10,
               help=gettext_lazy("Serious injuries including acute industrial poisoning."), example=1),
        Column("轻伤人数", "minor_injuries", parse=COUNT, default=0, width=10, example=0),
        Column("直接经济损失（元）", "direct_loss", parse=number(2, 0, 99_999_999_999_999), default=Decimal(0),
               width=14, help=gettext_lazy("In yuan (元), not 万元."), example=150000),
        Column("特种设备事故", "special_equipment", parse=yes_no, default=False, width=10, choices=("是", "否"),
               example="否"),
        Column("事故简要经过", "description", required=True, parse=text(4000), width=40, example="……"),
        Column("事故原因", "causes", parse=text(4000), width=30),
        Column("首报时间", "reported_at", required=True, parse=local_datetime, width=18,
               help=gettext_lazy("When the first report was received (the 1-hour clock, 第九条)."),
               example="2017-03-05 15:10"),
        Column("报告单位", "reported_by", parse=text(100), width=16),
        Column("事故等级", "grade", parse=cell_text, width=10,
               help=gettext_lazy("Computed from the figures; ignored on import.")),
    ]

    def rules(self) -> list[str]:
        return [
            _("Deaths and injuries of an existing accident change only through a follow-up report (续报)."),
            _("The grade is computed from deaths, serious injuries and the direct loss (条例第三条)."),
        ]

    def start(self, user: Any) -> dict[str, Any]:
        from anjian.territory.models import Area, AreaLevel, Sector

        from .forms import areas_for

        sectors: dict[str, int] = {}
        for pk, code, name in Sector.objects.values_list("pk", "code", "name"):
            sectors[code] = pk
            sectors.setdefault(name, pk)
        if user is None:
            areas = Area.objects.filter(level__in=[AreaLevel.TOWN, AreaLevel.COMMUNITY])
        else:
            areas = areas_for(user)
        types: dict[tuple[str, str], AccidentTypeCode] = {}
        for t in AccidentTypeCode.objects.all():
            types[(t.scheme, t.code)] = t
            types.setdefault((t.scheme, t.name), t)
        return {"user": user, "sectors": sectors, "areas": set(areas.values_list("code", flat=True)),
                "types": types, "schemes": sorted({(t.effective_from, t.effective_to, t.scheme) for t in types.values()},
                                                  key=lambda s: s[0]),
                "serials": {}}

    def _type_for(self, session: dict[str, Any], value: str, day: datetime.date) -> AccidentTypeCode | None:
        for start, end, scheme in session["schemes"]:
            if start <= day and (end is None or day <= end):
                return session["types"].get((scheme, value))
        return None

    def clean(self, record: Record, session: Any, errors: ErrorList) -> None:
        v = record.values
        if v["area"] not in session["areas"]:
            errors.add(record.row, self.header("area"), _(
                "{code} is not a town or community in your scope.").format(code=v["area"]))
        if v["sector"] not in session["sectors"]:
            errors.add(record.row, self.header("sector"),
                       _("“{name}” is not a sector of the catalogue.").format(name=v["sector"]))
        else:
            record.extra["sector_id"] = session["sectors"][v["sector"]]
        day = timezone.localtime(v["occurred_at"]).date()
        accident_type = self._type_for(session, v["accident_type"], day)
        if accident_type is None:
            errors.add(record.row, self.header("accident_type"), _(
                "“{value}” is not an accident type of the code table in force on {day}.").format(
                value=v["accident_type"], day=day.isoformat()))
        else:
            record.extra["type"] = accident_type
        if v["reported_at"] < v["occurred_at"]:
            errors.add(record.row, self.header("reported_at"), _("The first report cannot come before the accident."))
        if v["occurred_at"] > clock.now():
            errors.add(record.row, self.header("occurred_at"), _("The time of the accident is in the future."))

    def _next_number(self, session: dict[str, Any], year: int) -> str:
        serials = session["serials"]
        if year not in serials:
            prefix = f"SG{year}"
            last = (Accident.objects.filter(number__startswith=prefix, number__regex=r"^SG\d{9}$")
                    .aggregate(m=Max("number"))["m"])
            serials[year] = int(last[len(prefix):]) if last else 0
        serials[year] += 1
        return f"SG{year}{serials[year]:05d}"

    def apply(self, batch: list[Record], session: Any, errors: ErrorList, write: bool) -> tuple[list[Change], int]:
        from anjian.enterprises.models import Enterprise

        user = session["user"]
        codes = {r.values["enterprise"] for r in batch if r.values.get("enterprise")}
        enterprises = Enterprise.objects.filter(credit_code__in=codes)
        if user is not None:
            enterprises = enterprises.visible_to(user)
        by_code = {e.credit_code: e for e in enterprises}
        numbers = {r.values["number"] for r in batch if r.values.get("number")}
        existing_all = {a.number: a for a in Accident.objects.filter(number__in=numbers)}
        visible = set(existing_all) if user is None else set(
            Accident.objects.filter(number__in=numbers).visible_to(user).values_list("number", flat=True))
        planned: list[tuple[Record, Accident, bool]] = []
        for record in batch:
            v = record.values
            enterprise = None
            if v.get("enterprise"):
                enterprise = by_code.get(v["enterprise"])
                if enterprise is None:
                    errors.add(record.row, self.header("enterprise"), _(
                        "No enterprise with the credit code {code} in your scope.").format(code=v["enterprise"]))
                    continue
            current = existing_all.get(v.get("number") or "")
            if current is not None and current.number not in visible:
                errors.add(record.row, self.header("number"), _(
                    "Accident {number} is outside your data scope.").format(number=current.number))
                continue
            fields = {
                "occurred_at": v["occurred_at"], "place": v["place"], "area_id": v["area"], "enterprise": enterprise,
                "sector_id": record.extra["sector_id"], "accident_type": record.extra["type"],
                "direct_loss": v.get("direct_loss", current.direct_loss if current else Decimal(0)),
                "special_equipment": v.get("special_equipment", current.special_equipment if current else False),
                "description": v["description"], "causes": v.get("causes", current.causes if current else ""),
                "reported_at": v["reported_at"],
                "reported_by": v.get("reported_by", current.reported_by if current else ""),
            }
            toll = {f: v.get(f, getattr(current, f) if current else 0)
                    for f in ("deaths", "serious_injuries", "minor_injuries")}
            if current is not None:
                changed = [f for f, value in toll.items() if getattr(current, f) != value]
                if changed:
                    errors.add(record.row, self.header(changed[0]), _(
                        "Deaths and injuries change through a follow-up report (续报), not by import."))
                    continue
                obj = Accident.objects.get(pk=current.pk)
                for name, value in fields.items():
                    setattr(obj, name, value)
            else:
                obj = Accident(number=v.get("number") or "", **fields, **toll)
            try:
                obj.clean()
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    column = self.header(field) if any(c.field == field for c in self.columns) else None
                    errors.add(record.row, column, " ".join(messages))
                continue
            planned.append((record, obj, current is None))
        if not write or errors:
            return [], 0
        changes: list[Change] = []
        unchanged = 0
        new = []
        for record, obj, is_new in planned:
            obj.apply_rules()
            if is_new:
                if not obj.number:
                    obj.number = self._next_number(session, timezone.localtime(obj.occurred_at).year)
                new.append((record, obj))
                continue
            diff = obj.changed_fields()
            if not diff:
                unchanged += 1
                continue
            obj.version += 1
            obj.last_updated = timezone.now()
            Accident.objects.filter(pk=obj.pk).update(**{f.attname: getattr(obj, f.attname)
                                                         for f in Accident._meta.concrete_fields if not f.primary_key})
            changes.append(Change(record.row, AuditAction.UPDATE, obj, diff))
        if new:
            created = Accident.objects.bulk_create([obj for _r, obj in new])
            AccidentReport.objects.bulk_create([
                AccidentReport(accident=a, kind="first", reported_at=a.reported_at, deaths=a.deaths,
                               serious_injuries=a.serious_injuries, minor_injuries=a.minor_injuries,
                               direct_loss=a.direct_loss, text=a.description, reporter=user)
                for a in created])
            AccidentEvent.objects.bulk_create([
                AccidentEvent(accident=a, action=EventKind.RECORDED, actor=user, comment=_("Imported from Excel."),
                              data={"grade": a.grade, "late": a.reported_late}) for a in created])
            for (record, _obj), a in zip(new, created, strict=True):
                changes.append(Change(record.row, AuditAction.CREATE, a,
                                      {k: [None, json_value(v)] for k, v in a.snapshot().items()}))
        return changes, unchanged

    def filterset(self) -> type:
        from .filters import AccidentFilterSet

        return AccidentFilterSet

    def export_queryset(self, user: Any, params: dict[str, Any] | None = None) -> Any:
        qs = Accident.objects.all() if user is None else Accident.objects.visible_to(user, self.export_permission)
        params = params or {}
        if str(params.get("year") or "").isdigit():
            qs = qs.in_year(int(params["year"]))
        if str(params.get("town") or "").isdigit():
            from anjian.utilities.scoping import area_prefix

            qs = qs.filter(area__code__startswith=area_prefix(str(params["town"])))
        return qs.select_related("enterprise", "sector", "accident_type").order_by("occurred_at", "id")

    def export_rows(self, queryset: Any) -> Iterator[Sequence[Any]]:
        for a in queryset.iterator(chunk_size=2000):
            yield [
                a.number, _local(a.occurred_at), a.place, a.area_id, a.enterprise.credit_code if a.enterprise else "",
                a.sector.code, a.accident_type.code, a.deaths, a.serious_injuries, a.minor_injuries, a.direct_loss,
                a.special_equipment, a.description, a.causes, _local(a.reported_at), a.reported_by,
                GRADE_TEXT.get(a.grade, a.grade),
            ]

    def example_row(self, user: Any) -> list[Any]:
        return [c.example for c in self.columns]


BASE_HEADERS = {
    "gdp": ("地区生产总值（亿元）", number(4, 0, 9_999_999_999)),
    "industrial_employees": ("工矿商贸从业人员数", integer(0, 2_000_000_000)),
    "special_equipment_units": ("特种设备数（台）", integer(0, 2_000_000_000)),
    "schools": ("学校数", integer(0, 2_000_000_000)),
    "villages_communities": ("村（社区）数", integer(0, 2_000_000_000)),
    "above_scale_enterprises": ("规模以上企业数", integer(0, 2_000_000_000)),
}


def _base_columns() -> list[Column]:
    columns = [
        Column("年度", "year", required=True, parse=integer(1990, 2100), width=8, example=2017),
        Column("区划代码", "area", required=True, parse=area_code, as_text=True, width=14,
               help=gettext_lazy("12-digit code of the district or town."), example="410199000000"),
        Column("区域名称", "area_name", parse=cell_text, width=12,
               help=gettext_lazy("Shown on export; ignored on import.")),
    ]
    for figure, source in BASE_FIGURES:
        header, parse = BASE_HEADERS[figure]
        columns.append(Column(header, figure, parse=parse, default=None, width=14,
                              help=StatisticsBase._meta.get_field(figure).verbose_name))
        columns.append(Column(header.split("（")[0] + "来源", source, parse=text(200), width=20,
                              help=gettext_lazy("Where the figure comes from (统计年鉴, 部门统计 …).")))
    columns.append(Column("备注", "note", parse=text(2000), width=20))
    return columns


@register
class StatisticsBaseKind(ExchangeKind):
    name = "statistics-bases"
    label = gettext_lazy("statistics bases")
    model = StatisticsBase
    key_field = "year_area"
    import_permission = "accidents.import_statisticsbase"
    export_permission = "accidents.view_statisticsbase"
    filter_params = {"year": gettext_lazy("year")}
    columns = _base_columns()

    @property
    def key_column(self) -> Column:
        return Column("年度、区划代码", "year_area")

    def rules(self) -> list[str]:
        return [_("An empty figure means “not known”: the indicators that need it show no data.")]

    def start(self, user: Any) -> dict[str, Any]:
        from anjian.territory.models import Area

        return {"areas": set(Area.objects.values_list("code", flat=True)), "seen": {}}

    def clean(self, record: Record, session: Any, errors: ErrorList) -> None:
        v = record.values
        if v["area"] not in session["areas"]:
            errors.add(record.row, self.header("area"), _("{code} is not an area of the territory.").format(
                code=v["area"]))
            return
        key = (v["year"], v["area"])
        first = session["seen"].setdefault(key, record.row)
        if first != record.row:
            errors.add(record.row, self.header("area"), _(
                "{year} {code} appears twice in the file, on rows {first} and {row}; each may appear only once."
            ).format(year=v["year"], code=v["area"], first=first, row=record.row))

    def apply(self, batch: list[Record], session: Any, errors: ErrorList, write: bool) -> tuple[list[Change], int]:
        if not write or errors:
            return [], 0
        years = {r.values["year"] for r in batch}
        existing = {(b.year, b.area_id): b for b in StatisticsBase.objects.filter(year__in=years)}
        fields = [f for pair in BASE_FIGURES for f in pair] + ["note"]
        changes: list[Change] = []
        unchanged = 0
        new: list[tuple[Record, StatisticsBase]] = []
        for record in batch:
            v = record.values
            data = {f: v[f] for f in fields if f in v}  # a column left out leaves its field as it is
            base = existing.get((v["year"], v["area"]))
            if base is None:
                new.append((record, StatisticsBase(year=v["year"], area_id=v["area"], **data)))
                continue
            for k, val in data.items():
                setattr(base, k, val)
            diff = base.changed_fields()
            if not diff:
                unchanged += 1
                continue
            base.version += 1
            StatisticsBase.objects.filter(pk=base.pk).update(**data, version=base.version, last_updated=timezone.now())
            changes.append(Change(record.row, AuditAction.UPDATE, base, diff))
        if new:
            created = StatisticsBase.objects.bulk_create([b for _r, b in new])
            for (record, _b), b in zip(new, created, strict=True):
                changes.append(Change(record.row, AuditAction.CREATE, b,
                                      {k: [None, json_value(val)] for k, val in b.snapshot().items()}))
        return changes, unchanged

    def export_queryset(self, user: Any, params: dict[str, Any] | None = None) -> Any:
        qs = StatisticsBase.objects.all() if user is None else StatisticsBase.objects.visible_to(
            user, self.export_permission)
        if str((params or {}).get("year") or "").isdigit():
            qs = qs.filter(year=int(params["year"]))  # type: ignore[index]
        return qs.select_related("area").order_by("year", "area_id")

    def export_rows(self, queryset: Any) -> Iterator[Sequence[Any]]:
        for b in queryset:
            row: list[Any] = [b.year, b.area_id, b.area.name]
            for figure, source in BASE_FIGURES:
                row += [getattr(b, figure), getattr(b, source)]
            yield [*row, b.note]
