"""The import template: the header row, an example row, drop-downs, and an explanation sheet."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from .cells import EMPTY, cell_text
from .exporting import _data_sheet, _workbook, _write_row, xlsx_response
from .kinds import ExchangeKind, get_kind
from .readers import megabytes


def write_template(kind: ExchangeKind | str, path: str | os.PathLike, *, user: Any = None) -> None:
    """The import template: the header row, one example row, drop-downs, and an explanation sheet."""
    if isinstance(kind, str):
        kind = get_kind(kind)
    book = _workbook(path)
    sheet, text_columns = _data_sheet(book, kind)
    example = kind.example_row(user)
    _write_row(sheet, 1, example, text_columns)
    for index, column in enumerate(kind.columns):
        if column.choices:
            sheet.data_validation(1, index, 100_000, index, {
                "validate": "list", "source": list(column.choices), "error_type": "warning",
            })
    sheet.write_comment(1, 0, _("Example row: replace it with your data."))
    notes = book.add_worksheet(_("Explanation")[:31])
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    notes.set_column(0, 0, 22)
    notes.set_column(1, 1, 10)
    notes.set_column(2, 2, 70)
    notes.set_column(3, 3, 30)
    for index, title in enumerate((_("Column"), _("Required"), _("What to write"), _("Example"))):
        notes.write_string(0, index, title, bold)
    for row, column in enumerate(kind.columns, start=1):
        notes.write_string(row, 0, column.header, bold if column.required else None)
        notes.write_string(row, 1, _("required") if column.required else _("optional"))
        notes.write_string(row, 2, str(column.help), wrap)
        notes.write_string(row, 3, cell_text(example[row - 1]) if example[row - 1] not in EMPTY else "")
    row = len(kind.columns) + 2
    notes.write_string(row, 0, _("Rules"), bold)
    for rule in general_rules(kind):
        row += 1
        notes.merge_range(row, 0, row, 3, rule, wrap)
    book.close()


def general_rules(kind: ExchangeKind) -> list[str]:
    return [
        _("Keep the header row as it is; columns may be in any order, unknown columns are ignored."),
        _("Red headers are required; blue ones are optional. A missing optional column leaves that field "
          "unchanged on existing rows."),
        _("One row per record. Rows are matched by “{key}”: an existing record is updated, a new one added.").format(
            key=kind.key_column.header),
        _("The import is all or nothing: if any row is wrong, nothing is imported and every wrong row "
          "and column is listed."),
        _("At most {limit} MB per file; files with more than {rows} rows are imported in the background "
          "with a progress bar.").format(limit=megabytes(settings.ANJIAN_IMPORT_MAX_BYTES),
                                         rows=settings.ANJIAN_IMPORT_BACKGROUND_ROWS),
        *kind.rules(),
    ]


def template_response(kind: ExchangeKind | str, user: Any) -> Any:
    if isinstance(kind, str):
        kind = get_kind(kind)
    filename = _("{kind} import template.xlsx").format(kind=kind.label)
    return xlsx_response(lambda path: write_template(kind, path, user=user), filename)
