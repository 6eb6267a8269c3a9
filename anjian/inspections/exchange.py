"""Checklists in Excel (kind ``checklists``): one row per checklist item, the template's
columns repeated on each of its rows. Registered with ``anjian.core.exchange``.

Rows are matched by “条目代码” = ``<template code>/<version>/<order>``: an
existing item is updated, a new one added (creating its template version when
needed). The wording of an item that inspections have already used cannot be
changed: publish a new version of the template instead.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.core.audit import AuditAction
from anjian.core.exchange import (
    CellError,
    Change,
    Column,
    ErrorList,
    ExchangeKind,
    Record,
    cell_text,
    listing,
    register,
    text,
    yes_no,
)

from .models import ChecklistItem, ChecklistTemplate

KEY_RE = re.compile(r"^([A-Za-z0-9_.-]{1,60})/([A-Za-z0-9_.-]{1,30})/(\d{1,5})$")
TEMPLATE_COLUMNS = ("name", "sectors", "source", "is_general", "active", "effective_from", "effective_to")
ITEM_FIELDS = ("section", "content", "basis", "major_criterion", "criterion_ref", "unconfirmed")


def item_key(value: Any) -> tuple[str, str, int]:
    raw = cell_text(value)
    match = KEY_RE.match(raw)
    if not match:
        raise CellError(_("“{value}” is not an item code; write <template code>/<version>/<order>, "
                          "e.g. dust_explosion/2017.1/3.").format(value=raw))
    return match.group(1), match.group(2), int(match.group(3))


def iso_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raw = cell_text(value)
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise CellError(_("“{value}” is not a date; write it as 2017-12-31.").format(value=raw)) from None


@register
class ChecklistKind(ExchangeKind):
    name = "checklists"
    label = gettext_lazy("checklists")
    model = ChecklistItem
    key_field = "key"
    import_permission = "inspections.import_checklisttemplate"
    export_permission = "inspections.export_checklisttemplate"
    filter_params = {"code": gettext_lazy("template code"), "version": gettext_lazy("template version")}
    columns = [
        Column("条目代码", "key", required=True, parse=item_key, as_text=True, width=28,
               help=gettext_lazy("<template code>/<version>/<order>, e.g. dust_explosion/2017.1/3."),
               example="my_checklist/2017.1/1"),
        Column("检查表名称", "name", required=True, parse=text(200), width=30,
               help=gettext_lazy("The checklist's name; the same on every row of one template."),
               example="粉尘涉爆企业安全检查表"),
        Column("适用行业", "sectors", parse=listing, default=[], width=20,
               help=gettext_lazy("Sector codes or names of the catalogue, separated by 、"), example="dust_explosion"),
        Column("依据标准", "source", parse=text(2000), width=40,
               help=gettext_lazy("The standard or rules the checklist cites, with their version.")),
        Column("通用检查表", "is_general", parse=yes_no, default=False, width=10, choices=("是", "否"),
               help=gettext_lazy("是: used for self-inspections when no template matches the sectors.")),
        Column("启用", "active", parse=yes_no, default=True, width=8, choices=("是", "否"),
               help=gettext_lazy("否 hides the template from new inspections.")),
        Column("施行日期", "effective_from", parse=iso_date, default=None, width=12,
               help=gettext_lazy("The day the cited standard took effect (optional).")),
        Column("废止日期", "effective_to", parse=iso_date, default=None, width=12,
               help=gettext_lazy("The last day the cited standard applied (optional).")),
        Column("分组", "section", parse=text(200), width=20, help=gettext_lazy("Section of the checklist.")),
        Column("检查内容", "content", required=True, parse=text(4000), width=60,
               help=gettext_lazy("What to check."), example="作业现场积尘及时规范清理。"),
        Column("法律/标准依据", "basis", parse=text(4000), width=40,
               help=gettext_lazy("The legal or standard basis of the item.")),
        Column("重大隐患判定项", "major_criterion", parse=yes_no, default=False, width=10, choices=("是", "否"),
               help=gettext_lazy("是: a failed item is a major hazard (重大事故隐患).")),
        Column("判定标准条款", "criterion_ref", parse=text(200), width=30,
               help=gettext_lazy("The criterion's number, e.g. 安监总管四〔2017〕129号 专项类（一）第10项.")),
        Column("未核实", "unconfirmed", parse=yes_no, default=False, width=8, choices=("是", "否"),
               help=gettext_lazy("是: the wording was reconstructed, not read in the official text.")),
    ]

    def rules(self) -> list[str]:
        return [
            _("The template's columns (name, sectors, standard, dates) must be the same on every row of one "
              "template version."),
            _("An item already used by an inspection cannot be reworded: publish a new version instead."),
        ]

    def start(self, user: Any) -> dict[str, Any]:
        from anjian.territory.models import Sector

        sectors: dict[str, int] = {}
        for pk, code, name in Sector.objects.values_list("pk", "code", "name"):
            sectors[code] = pk
            sectors.setdefault(name, pk)
        return {"sectors": sectors, "templates": {}}

    def clean(self, record: Record, session: Any, errors: ErrorList) -> None:
        values = record.values
        code, version, order = values["key"]
        header = {f: values.get(f) for f in TEMPLATE_COLUMNS if f in values}
        sector_ids = []
        for name in header.get("sectors") or []:
            if name not in session["sectors"]:
                errors.add(record.row, self.header("sectors"),
                           _("“{name}” is not a sector of the catalogue.").format(name=name))
                return
            sector_ids.append(session["sectors"][name])
        header["sectors"] = sorted(set(sector_ids))
        first = session["templates"].setdefault((code, version), (record.row, header))
        if first[1] != header:
            errors.add(record.row, None, _(
                "The template columns differ from row {first} of the same template {code}/{version}; "
                "write them the same on every row.").format(first=first[0], code=code, version=version))
            return
        record.extra.update(code=code, version=version, order=order)

    def apply(self, batch: list[Record], session: Any, errors: ErrorList, write: bool) -> tuple[list[Change], int]:
        keys = {(r.extra["code"], r.extra["version"]) for r in batch}
        templates = {(t.code, t.template_version): t for t in ChecklistTemplate.objects.filter(
            code__in={k[0] for k in keys}) if (t.code, t.template_version) in keys}
        items = {(i.template.code, i.template.template_version, i.order): i for i in ChecklistItem.objects.filter(
            template__in=templates.values()).select_related("template").annotate(used=Count("results"))}
        for record in batch:
            item = items.get((record.extra["code"], record.extra["version"], record.extra["order"]))
            if item is not None and item.used and item.content != record.values["content"]:
                errors.add(record.row, self.header("content"), _(
                    "This item was used by {n} inspection(s); its wording cannot change. Publish a new "
                    "version of the template instead.").format(n=item.used))
        if not write or errors:
            return [], 0
        changes: list[Change] = []
        unchanged = 0
        for record in batch:
            key = (record.extra["code"], record.extra["version"])
            header = session["templates"][key][1]
            template = templates.get(key)
            if template is None:
                template = ChecklistTemplate.objects.create(
                    code=key[0], template_version=key[1], name=header["name"], source=header.get("source") or "",
                    is_general=bool(header.get("is_general")), active=header.get("active", True) is not False,
                    effective_from=header.get("effective_from"), effective_to=header.get("effective_to"))
                templates[key] = template
            else:
                dirty = False
                for f in ("name", "source", "is_general", "active", "effective_from", "effective_to"):
                    if f in header and getattr(template, f) != header[f] and not (
                            f == "source" and header[f] is None):
                        setattr(template, f, header[f])
                        dirty = True
                if dirty:
                    template.save()
            if "sectors" in record.values and set(template.sectors.values_list("pk", flat=True)) != set(
                    header["sectors"]):
                template.sectors.set(header["sectors"])
            item = items.get((*key, record.extra["order"]))
            data = {f: record.values[f] for f in ITEM_FIELDS if f in record.values}
            if item is None:
                item = ChecklistItem.objects.create(template=template, order=record.extra["order"], **data)
                changes.append(Change(record.row, AuditAction.CREATE, item, {k: [None, str(v)] for k, v in data.items()}))
                continue
            diff = {f: [getattr(item, f), v] for f, v in data.items() if getattr(item, f) != v}
            if diff:
                for f, (_old, new) in diff.items():
                    setattr(item, f, new)
                item.save()
                changes.append(Change(record.row, AuditAction.UPDATE, item, {k: [str(a), str(b)] for k, (a, b) in diff.items()}))
            else:
                unchanged += 1
        return changes, unchanged

    def export_queryset(self, user: Any, params: dict[str, Any] | None = None) -> Any:
        qs = ChecklistItem.objects.all() if user is None else ChecklistItem.objects.visible_to(user)
        params = params or {}
        if params.get("code"):
            qs = qs.filter(template__code=params["code"])
        if params.get("version"):
            qs = qs.filter(template__template_version=params["version"])
        return qs.select_related("template").prefetch_related("template__sectors").order_by(
            "template__code", "template__template_version", "order")

    def export_rows(self, queryset: Any) -> Iterator[Sequence[Any]]:
        for item in queryset.iterator(chunk_size=2000) if not queryset._prefetch_related_lookups else queryset:
            t = item.template
            yield [
                f"{t.code}/{t.template_version}/{item.order}", t.name, "、".join(s.code for s in t.sectors.all()), t.source,
                t.is_general, t.active, t.effective_from.isoformat() if t.effective_from else "",
                t.effective_to.isoformat() if t.effective_to else "", item.section, item.content, item.basis,
                item.major_criterion, item.criterion_ref, item.unconfirmed,
            ]
