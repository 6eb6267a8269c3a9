"""Excel exports of the targets app: the drill-down rows and the assessment ranking."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _

from . import drilldown

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return value
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def _response(buffer: io.BytesIO, filename: str) -> HttpResponse:
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=filename, content_type=XLSX)


def rows_xlsx(qs: QuerySet, filename: str) -> HttpResponse:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet(str(qs.model._meta.verbose_name_plural)[:31])
    bold = book.add_format({"bold": True})
    cols = drilldown.columns(qs.model)
    sheet.write_string(0, 0, _("Record"), bold)
    for i, c in enumerate(cols, start=1):
        sheet.write_string(0, i, str(c.label), bold)
    for r, obj in enumerate(qs.iterator(chunk_size=2000), start=1):
        sheet.write(r, 0, str(obj))
        for i, c in enumerate(cols, start=1):
            sheet.write(r, i, _value(drilldown.cell(obj, c)))
    book.close()
    return _response(buffer, filename)


def assessment_xlsx(result: Any) -> HttpResponse:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(_("Ranking")[:31])
    bold = book.add_format({"bold": True, "text_wrap": True})
    headers = [_("Rank"), _("Unit"), _("Kind")] + [f"{i.name} ({i.max_score})" if i.kind != "veto" else i.name
                                                   for i in result.items] + [_("Total"), _("Veto")]
    for i, h in enumerate(headers):
        sheet.write_string(0, i, str(h), bold)
    for r, unit in enumerate(result.units, start=1):
        sheet.write_number(r, 0, unit.rank)
        sheet.write_string(r, 1, unit.unit.name)
        sheet.write_string(r, 2, str(dict(_unit_kinds()).get(unit.unit.kind, unit.unit.kind)))
        by_item = {s.item.pk: s for s in unit.items}
        for i, item in enumerate(result.items, start=3):
            s = by_item.get(item.pk)
            if s is None:
                sheet.write_string(r, i, "—")
            elif item.kind == "veto":
                sheet.write_string(r, i, _("vetoed") if s.vetoed else "")
            elif s.score is None:
                sheet.write_string(r, i, _("not scored"))
            else:
                sheet.write_number(r, i, float(s.score))
        sheet.write_number(r, len(headers) - 2, float(unit.total))
        sheet.write_string(r, len(headers) - 1, _("vetoed") if unit.vetoed else "")
    sheet.freeze_panes(1, 2)
    book.close()
    return _response(buffer, f"assessment-{result.scheme.year}.xlsx")


def _unit_kinds() -> Any:
    from .choices import UnitKind

    return UnitKind.choices


def plan_template_xlsx() -> HttpResponse:
    from anjian.core.exchange import get_kind, write_template

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan-template.xlsx"
        write_template(get_kind("targets"), path)
        data = path.read_bytes()
    return _response(io.BytesIO(data), "plan-template.xlsx")
