"""The enterprise registry's Excel workbook (import, export, template).

Columns and their rules are declared once here; reading, the all-or-nothing
transaction, the audit log and the jobs are ``anjian.core.exchange``'s.
Rows are matched by credit code (统一社会信用代码) and written in bulk
(``upsert_values``: ``bulk_create(update_conflicts=True)`` from plain rows, plus the sector and
department tables), never one ``save()`` or model instance per row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.core.exchange import (
    CellError,
    Change,
    Column,
    ErrorList,
    ExchangeKind,
    Record,
    Written,
    cell_text,
    choice,
    insert_rows,
    integer,
    iter_chunks,
    listing,
    number,
    register,
    text,
    upsert_values,
    yes_no,
)
from anjian.core.models import AuditAction
from anjian.territory.models import Area, AreaLevel, Department, Sector
from anjian.utilities.bounds import EMPLOYEES
from anjian.utilities.models import json_value
from anjian.utilities.scoping import area_prefix, scope_for

from .models import Enterprise, EnterpriseStatus, StandardisationGrade
from .validators import credit_code_error, validate_phone

# The file's labels for the stored choices (fixed Chinese: the file format, not UI text).
STATUS_LABELS = {"正常经营": EnterpriseStatus.OPERATING, "停产停业": EnterpriseStatus.SUSPENDED,
                 "关闭": EnterpriseStatus.CLOSED}
GRADE_LABELS = {"一级": StandardisationGrade.GRADE1, "二级": StandardisationGrade.GRADE2,
                "三级": StandardisationGrade.GRADE3, "小微": StandardisationGrade.SMALL,
                "无": StandardisationGrade.NONE}
STATUS_OF = {v: k for k, v in STATUS_LABELS.items()}
GRADE_OF = {v: k for k, v in GRADE_LABELS.items()}

# Model fields written from the file (besides the key and the many-to-many fields), by attname.
SCALAR_FIELDS = (
    "name", "address", "area_id", "above_scale", "key_enterprise", "employees", "legal_representative",
    "safety_manager", "safety_manager_phone", "latitude", "longitude", "status", "standardisation_grade",
)
M2M_FIELDS = ("sectors", "departments")


def credit_code(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(_("The code is stored as a number, so Excel has kept only 15 digits of it. Format the "
                          "column as text and type the code again."))
    code = "".join(cell_text(value).split()).upper()
    error = credit_code_error(code)
    if error:
        raise CellError(error)
    return code


def phone(value: Any) -> str:
    result = cell_text(value)
    try:
        validate_phone(result)
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from None
    return result


@dataclass
class Session:
    """What the checks of one import need, loaded once."""

    user: Any
    areas: dict[str, Area]
    towns_by_name: dict[str, list[Area]]
    communities_by_name: dict[tuple[int, str], Area]
    sectors: dict[str, int]
    departments: dict[str, int]
    allowed_prefixes: tuple[str, ...] | None  # None: no area restriction checked here
    allowed_label: str = ""
    through_sectors: Any = None
    through_departments: Any = None
    m2m_columns: dict[str, str] = field(default_factory=dict)


@register
class EnterpriseKind(ExchangeKind):
    name = "enterprises"
    label = gettext_lazy("Enterprises")
    model = Enterprise
    key_field = "credit_code"
    import_permission = "enterprises.import_enterprise"
    export_permission = "enterprises.export_enterprise"
    batch_size = 2000
    filter_params = {
        "q": gettext_lazy("words in the name, credit code or address"),
        "town": gettext_lazy("area code of a town (everything under it)"),
        "community": gettext_lazy("area code of a community"),
        "sector": gettext_lazy("sector code (with its sub-sectors)"),
        "department": gettext_lazy("department code"),
        "status": gettext_lazy("operating, suspended or closed"),
        "key_enterprise": gettext_lazy("true or false"),
        "above_scale": gettext_lazy("true or false"),
        "standardisation_grade": gettext_lazy("grade1, grade2, grade3, small or none"),
        "sort": gettext_lazy("name, credit_code, area, employees, status, last_updated (- for descending)"),
    }

    columns = [
        Column("统一社会信用代码", "credit_code", required=True, parse=credit_code, width=22, as_text=True,
               aliases=("社会信用代码", "信用代码"), example="91410199MAEXAMPLEH",
               help=gettext_lazy("18 characters (GB 32100-2015), the last one a check character. The key of the "
                                 "registry: a row with a code already registered updates that enterprise.")),
        Column("单位名称", "name", required=True, parse=text(200), width=30, aliases=("企业名称", "名称"),
               example="示范矿业有限公司",
               help=gettext_lazy("The registered name. A code already registered must keep its registered name.")),
        Column("地址", "address", parse=text(300), width=30, aliases=("单位地址", "经营地址"),
               example="北镇工业路 1 号", help=gettext_lazy("Address of the premises.")),
        Column("所属镇街", "town", required=True, parse=text(100), aliases=("镇街", "所属镇（街道）", "镇（街道）"),
               example="北镇", help=gettext_lazy("The town or sub-district: its name or its 12-digit division code.")),
        Column("所属社区/村", "community", parse=text(100), aliases=("所属社区", "社区/村", "所属村（社区）"),
               example="北一社区",
               help=gettext_lazy("Optional: a community or village of that town, by name or 12-digit code.")),
        Column("行业领域", "sectors", required=True, parse=listing, width=24, aliases=("行业", "所属行业"),
               example="非煤矿山",
               help=gettext_lazy("One or more sectors of the sector catalogue, by name or code, separated by 、 "
                                 "or ;")),
        Column("监管部门", "departments", parse=listing, default=[], width=20, aliases=("行业主管部门",),
               example="矿山监管局",
               help=gettext_lazy("Optional: one or more supervising departments, by name, short name or code, "
                                 "separated by 、 or ;")),
        Column("规模以上", "above_scale", parse=yes_no, default=False, width=10, choices=("是", "否"),
               example="是", help=gettext_lazy("Above designated size: 是 or 否 (empty means 否).")),
        Column("重点企业", "key_enterprise", parse=yes_no, default=False, width=10, choices=("是", "否"),
               example="否", help=gettext_lazy("Key enterprise of supervision: 是 or 否 (empty means 否).")),
        Column("从业人员数", "employees", width=12, aliases=("从业人数", "职工人数"), example=120, default=0,
               parse=integer(*EMPLOYEES, below_min=gettext_lazy(
                   "The number of employees cannot be negative ({value}).")),
               help=gettext_lazy("A whole number, 0 or more.")),
        Column("法定代表人", "legal_representative", parse=text(50), width=12, example="张三",
               help=gettext_lazy("Name of the legal representative.")),
        Column("安全负责人", "safety_manager", parse=text(50), width=12, example="李四",
               help=gettext_lazy("Name of the person in charge of work safety.")),
        Column("安全负责人电话", "safety_manager_phone", parse=phone, width=16, as_text=True,
               aliases=("联系电话",), example="13800138000",
               help=gettext_lazy("A mobile number (11 digits) or a landline such as 0371-12345678.")),
        Column("纬度", "latitude", parse=number(6, -90, 90), default=None, width=12, example=34.7466,
               help=gettext_lazy("WGS84 decimal degrees, e.g. 34.7466 (optional).")),
        Column("经度", "longitude", parse=number(6, -180, 180), default=None, width=12, example=113.6253,
               help=gettext_lazy("WGS84 decimal degrees, e.g. 113.6253 (optional).")),
        Column("经营状态", "status", parse=choice(STATUS_LABELS), default=EnterpriseStatus.OPERATING, width=12,
               choices=tuple(STATUS_LABELS), example="正常经营",
               help=gettext_lazy("正常经营, 停产停业 or 关闭 (empty means 正常经营).")),
        Column("标准化等级", "standardisation_grade", parse=choice(GRADE_LABELS), default=StandardisationGrade.NONE,
               width=12, choices=tuple(GRADE_LABELS), aliases=("安全生产标准化等级",), example="三级",
               help=gettext_lazy("Work-safety standardisation grade: 一级, 二级, 三级, 小微 or 无.")),
    ]

    def rules(self) -> list[str]:
        return [
            _("A town or sub-district office may import only enterprises of its own area."),
            _("An enterprise already registered outside your area cannot be changed by your import."),
        ]

    # -- import -----------------------------------------------------------------------------
    def start(self, user: Any) -> Session:
        areas = {a.code: a for a in Area.objects.only("code", "name", "level", "parent_id")}
        towns_by_name: dict[str, list[Area]] = defaultdict(list)
        communities: dict[tuple[int, str], Area] = {}
        for area in areas.values():
            if area.level == AreaLevel.TOWN:
                towns_by_name[area.name].append(area)
            elif area.level == AreaLevel.COMMUNITY and area.parent_id:
                communities[(area.parent_id, area.name)] = area
        sectors: dict[str, int] = {}
        for pk, code, name in Sector.objects.values_list("pk", "code", "name"):
            sectors.setdefault(code, pk)
            sectors.setdefault(name, pk)
        departments: dict[str, int] = {}
        for pk, code, name, short in Department.objects.values_list("pk", "code", "name", "short_name"):
            for key in (code, name, short):
                if key:
                    departments.setdefault(key, pk)
        allowed: tuple[str, ...] | None = None
        label = ""
        if user is not None:
            scope = scope_for(user, "enterprises.import_enterprise")  # the roles that may import
            if not (scope.department_ids or scope.enterprise_ids):
                # Area-only scope (town offices, the district): rows must lie in it. Other scopes
                # are re-checked after writing (core.exchange), with a less specific message.
                allowed = scope.area_prefixes
                label = "、".join(sorted(a.name for a in areas.values() if a.prefix in allowed)) or "-"
        return Session(user, areas, towns_by_name, communities, sectors, departments, allowed, label,
                       Enterprise.sectors.through, Enterprise.departments.through)

    def clean(self, record: Record, session: Session, errors: ErrorList) -> None:
        values = record.values
        row = record.row
        town_value = values.pop("town", "")
        community_value = values.pop("community", None)
        record.extra["community_column"] = community_value is not None
        town = self._town(town_value, session)
        if town is None:
            errors.add(row, self.header("town"), _("There is no town or sub-district named or coded “{value}”.").format(
                value=town_value))
        area = town
        if town is not None and community_value:
            area = self._community(community_value, town, session)
            if area is None:
                errors.add(row, self.header("community"), _(
                    "“{value}” is not a community or village of {town}.").format(value=community_value, town=town.name))
        if area is not None:
            if session.allowed_prefixes is not None and not area.code.startswith(session.allowed_prefixes):
                errors.add(row, self.header("town"), _("{area} is outside your area ({yours}).").format(
                    area=town.name if town else area.name, yours=session.allowed_label))
            values["area_id"] = area.code
        for field_name, lookup in (("sectors", session.sectors), ("departments", session.departments)):
            if field_name not in values:
                continue
            ids = []
            for name in values[field_name]:
                pk = lookup.get(name)
                if pk is None:
                    message = (_("Unknown sector “{value}”: use the names of the sector catalogue.")
                               if field_name == "sectors" else _("Unknown department “{value}”."))
                    errors.add(row, self.header(field_name), message.format(value=name))
                else:
                    ids.append(pk)
            values[field_name] = frozenset(ids)

    def _town(self, value: str, session: Session) -> Area | None:
        area = session.areas.get(value)
        if area is not None:
            return area if area.level == AreaLevel.TOWN else None
        matches = session.towns_by_name.get(value, [])
        if len(matches) > 1:  # the same name in two districts: prefer the one in the user's area
            preferred = session.allowed_prefixes or (area_prefix(settings.ANJIAN_DISTRICT_CODE),)
            matches = [a for a in matches if a.code.startswith(preferred)]
        return matches[0] if len(matches) == 1 else None

    def _community(self, value: str, town: Area, session: Session) -> Area | None:
        area = session.areas.get(value)
        if area is None:
            area = session.communities_by_name.get((town.pk, value))
        if area is None or area.level != AreaLevel.COMMUNITY or area.parent_id != town.pk:
            return None
        return area

    def apply(self, batch: list[Record], session: Session, errors: ErrorList, write: bool) -> tuple[list[Change], int]:
        codes = [r.values["credit_code"] for r in batch]
        old_rows = {
            row["credit_code"]: row
            for row in Enterprise.objects.filter(credit_code__in=codes).values("pk", "credit_code", "version",
                                                                               *SCALAR_FIELDS)
        }
        if session.user is None:
            visible = set(old_rows)
        else:
            visible = set(Enterprise.objects.filter(credit_code__in=list(old_rows)).visible_to(session.user)
                          .values_list("credit_code", flat=True))
        before = errors.count
        for record in batch:
            old = old_rows.get(record.values["credit_code"])
            if old is None:
                continue
            if old["credit_code"] not in visible:
                errors.add(record.row, self.header("credit_code"), _(
                    "{code} is already registered to an enterprise outside your data scope; ask the district "
                    "office to correct it.").format(code=old["credit_code"]))
            elif record.values.get("name", old["name"]) != old["name"]:
                errors.add(record.row, self.header("name"), _(
                    "{code} is already registered as “{registered}”, not “{name}”. Correct the name or the "
                    "code (a change of name is made on the enterprise's page).").format(
                    code=old["credit_code"], registered=old["name"], name=record.values["name"]))
        if not write or errors.count > before:
            return [], 0
        old_m2m = self._old_m2m([old_rows[c]["pk"] for c in codes if c in old_rows], batch)
        return self._write(batch, old_rows, old_m2m)

    def _old_m2m(self, pks: list[int], batch: list[Record]) -> dict[str, dict[int, frozenset[int]]]:
        result: dict[str, dict[int, frozenset[int]]] = {}
        if not pks:
            return {name: {} for name in M2M_FIELDS}
        present = batch[0].values.keys()
        for name in M2M_FIELDS:
            if name not in present:
                result[name] = {}
                continue
            through = getattr(Enterprise, name).through
            target = getattr(Enterprise, name).field.m2m_reverse_field_name()
            sets: dict[int, set[int]] = defaultdict(set)
            for ent, other in through.objects.filter(enterprise_id__in=pks).values_list("enterprise_id", f"{target}_id"):
                sets[ent].add(other)
            result[name] = {pk: frozenset(sets.get(pk, ())) for pk in pks}
        return result

    def _write(self, batch: list[Record], old_rows: dict[str, dict], old_m2m: dict) -> tuple[list[Change], int]:
        present = [f for f in SCALAR_FIELDS if f in batch[0].values]
        m2m_present = [f for f in M2M_FIELDS if f in batch[0].values]
        objects: list[dict[str, Any]] = []
        changes: list[Change] = []
        m2m_rows: dict[str, list[tuple[Written, frozenset[int]]]] = {f: [] for f in m2m_present}
        m2m_replace: dict[str, list[int]] = {f: [] for f in m2m_present}
        unchanged = 0
        for record in batch:
            values = record.values
            old = old_rows.get(values["credit_code"])
            if old is None:
                diff: dict[str, Any] = {name: [None, _logged(values[name])] for name in present}
                for name in m2m_present:
                    if values[name]:
                        diff[name] = {"added": sorted(values[name])}
            else:
                if not record.extra.get("community_column"):
                    # No community column: an enterprise in a community of the same town stays there.
                    town = values.get("area_id", "")
                    if old["area_id"].startswith(area_prefix(town)) and old["area_id"] != town:
                        values["area_id"] = old["area_id"]
                diff = {name: [_logged(old[name]), _logged(values[name])]
                        for name in present if old[name] != values[name]}
                for name in m2m_present:
                    new_ids, old_ids = values[name], old_m2m[name].get(old["pk"], frozenset())
                    if new_ids != old_ids:
                        entry = {}
                        if new_ids - old_ids:
                            entry["added"] = sorted(new_ids - old_ids)
                        if old_ids - new_ids:
                            entry["removed"] = sorted(old_ids - new_ids)
                        diff[name] = entry
                if not diff:
                    unchanged += 1
                    continue
            row = {name: values[name] for name in present}
            row["credit_code"] = values["credit_code"]
            row["version"] = old["version"] + 1 if old is not None else 1
            obj = Written(old["pk"] if old is not None else None, values.get("name") or (old or {}).get("name", ""))
            objects.append(row)
            changes.append(Change(record.row, AuditAction.UPDATE if old is not None else AuditAction.CREATE, obj,
                                  diff))
            for name in m2m_present:
                if old is None or name in diff:
                    m2m_rows[name].append((obj, values[name]))
                    if old is not None:
                        m2m_replace[name].append(old["pk"])
        if not objects:
            return [], unchanged
        update_fields = [Enterprise._meta.get_field(f).name for f in present] + ["last_updated", "version"]
        # bulk_create(update_conflicts=True) from plain rows, without model instances or Django's
        # per-value compiler (core.exchange.upsert_values).
        pks = upsert_values(Enterprise, objects, unique_fields=["credit_code"], update_fields=update_fields)
        for change, pk in zip(changes, pks, strict=True):
            change.obj.pk = pk
        for name in m2m_present:
            through = getattr(Enterprise, name).through
            target = getattr(Enterprise, name).field.m2m_reverse_field_name()
            _delete_in(through, "enterprise_id", m2m_replace[name])
            insert_rows(through._meta.db_table, ["enterprise_id", f"{target}_id"],
                        [(obj.pk, other) for obj, ids in m2m_rows[name] for other in sorted(ids)])
        return changes, unchanged

    # -- export -----------------------------------------------------------------------------
    def export_queryset(self, user: Any, params: dict[str, Any] | None = None) -> models.QuerySet:
        """The rows ``user`` may see, filtered as the list page filters them (an invalid filter is
        ignored there, and so here; ``filter_errors`` tells the command line about it)."""
        queryset = Enterprise.objects.all() if user is None else Enterprise.objects.visible_to(
            user, self.export_permission)
        params = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        if not params:
            return queryset
        return self._filterset(user, params, queryset).qs

    def filter_errors(self, user: Any, params: dict[str, Any]) -> list[str]:
        from anjian.core.exchange.kinds import filterset_errors

        return filterset_errors(self._filterset(user, params, Enterprise.objects.none()))

    def _filterset(self, user: Any, params: dict[str, Any], queryset: models.QuerySet) -> Any:
        return _filterset_class()(params, queryset=queryset, request=SimpleNamespace(user=user))

    def export_rows(self, queryset: models.QuerySet) -> Any:
        areas = {a.code: a for a in Area.objects.only("code", "name", "level", "parent_id")}
        areas_by_pk = {a.pk: a for a in areas.values()}
        sector_names = dict(Sector.objects.values_list("pk", "name"))
        department_names = dict(Department.objects.values_list("pk", "name"))
        fields = ("pk", "credit_code", *SCALAR_FIELDS)
        rows = queryset.values_list(*fields).iterator(chunk_size=2000)
        for chunk in iter_chunks(rows, 2000):
            pks = [row[0] for row in chunk]
            sectors = _names_by_enterprise(Enterprise.sectors.through, "sector_id", pks, sector_names)
            departments = _names_by_enterprise(Enterprise.departments.through, "department_id", pks,
                                               department_names)
            for row in chunk:
                item = dict(zip(fields, row, strict=True))
                area = areas.get(item["area_id"])
                if area is not None and area.level == AreaLevel.COMMUNITY:
                    town, community = areas_by_pk.get(area.parent_id), area
                else:
                    town, community = area, None
                yield [
                    item["credit_code"], item["name"], item["address"],
                    town.name if town else item["area_id"], community.name if community else "",
                    "、".join(sectors.get(item["pk"], ())), "、".join(departments.get(item["pk"], ())),
                    item["above_scale"], item["key_enterprise"], item["employees"], item["legal_representative"],
                    item["safety_manager"], item["safety_manager_phone"], item["latitude"], item["longitude"],
                    STATUS_OF.get(item["status"], item["status"]),
                    GRADE_OF.get(item["standardisation_grade"], item["standardisation_grade"]),
                ]

    def example_row(self, user: Any) -> list[Any]:
        row = [c.example for c in self.columns]
        towns = Area.objects.filter(level=AreaLevel.TOWN)
        if user is not None:
            scope = scope_for(user)
            if scope.area_prefixes and not (scope.department_ids or scope.enterprise_ids):
                towns = towns.filter(code__startswith=scope.area_prefixes[0]) if len(scope.area_prefixes) == 1 \
                    else towns
        town = towns.order_by("code").first()
        if town is not None:
            row[3] = town.name
            community = town.children.order_by("code").first()
            row[4] = community.name if community else ""
        return row


def _names_by_enterprise(through: Any, column: str, pks: list[int], names: dict[int, str]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = defaultdict(list)
    for ent, other in through.objects.filter(enterprise_id__in=pks).values_list("enterprise_id", column) \
            .order_by("enterprise_id", column):
        result[ent].append(names.get(other, str(other)))
    return result


def _logged(value: Any) -> Any:
    """A value as the change log stores it (``json_value``, with the common types short-circuited)."""
    if value is None or type(value) in (str, int, bool):
        return value
    return json_value(value)


def _delete_in(model: Any, column: str, ids: list[int]) -> None:
    """DELETE ... WHERE column IN (...) without loading rows or sending signals (through tables)."""
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = connection.ops.quote_name(column)
    with connection.cursor() as cursor:
        for chunk in iter_chunks(ids, 500):
            cursor.execute(f"DELETE FROM {table} WHERE {quoted} IN ({', '.join(['%s'] * len(chunk))})",  # noqa: S608
                           chunk)


def _filterset_class() -> Any:
    from . import filters

    return getattr(filters, "EnterpriseFilter", None) or filters.EnterpriseFilterSet
