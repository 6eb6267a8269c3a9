"""Exports: rows the user may see into an XlsxWriter workbook (constant memory), as a download
or as a background job."""

from __future__ import annotations

import decimal
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..models import AuditAction
from .cells import EMPTY, yes_no_label
from .kinds import ExchangeKind, Progress, get_kind, progress_every


def _workbook(path: str | os.PathLike) -> Any:
    import xlsxwriter

    return xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                           "strings_to_formulas": False, "strings_to_urls": False})


def _header_formats(book: Any) -> tuple[Any, Any]:
    required = book.add_format({"bold": True, "bg_color": "#FDE9D9", "font_color": "#C00000", "border": 1})
    optional = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1})
    return required, optional


def _data_sheet(book: Any, kind: ExchangeKind) -> tuple[Any, dict[int, Any]]:
    sheet = book.add_worksheet(str(kind.label)[:31])
    required, optional = _header_formats(book)
    as_text = book.add_format({"num_format": "@"})
    text_columns: dict[int, Any] = {}
    for index, column in enumerate(kind.columns):
        sheet.set_column(index, index, column.width, as_text if column.as_text else None)
        if column.as_text:
            text_columns[index] = as_text
        sheet.write_string(0, index, column.header, required if column.required else optional)
    sheet.freeze_panes(1, 0)
    return sheet, text_columns


def _write_row(sheet: Any, row: int, values: Sequence[Any], text_columns: dict[int, Any]) -> None:
    for index, value in enumerate(values):
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            sheet.write_string(row, index, yes_no_label(value))
        elif isinstance(value, int | float) and index not in text_columns:
            sheet.write_number(row, index, value)
        elif isinstance(value, decimal.Decimal) and index not in text_columns:
            sheet.write_number(row, index, float(value))
        else:
            sheet.write_string(row, index, str(value), text_columns.get(index))


def write_export(kind: ExchangeKind | str, queryset: models.QuerySet, path: str | os.PathLike, *,
                 progress: Progress | None = None) -> int:
    """Write the rows of ``queryset`` (already limited to what the user may see) to ``path``."""
    if isinstance(kind, str):
        kind = get_kind(kind)
    book = _workbook(path)
    sheet, text_columns = _data_sheet(book, kind)
    count = 0
    every = progress_every()
    for count, values in enumerate(kind.export_rows(queryset), start=1):
        _write_row(sheet, count, values, text_columns)
        if progress and count % every == 0:
            progress(count, 0)
    sheet.autofilter(0, 0, max(count, 1), len(kind.columns) - 1)
    book.close()
    return count


def export_workbook(kind: ExchangeKind | str, user: Any, path: str | os.PathLike,
                    params: dict[str, Any] | None = None, *, progress: Progress | None = None) -> int:
    """Export what ``user`` may see (filtered by ``params``) to ``path``; records an ``export`` audit entry.
    ``user`` None exports everything (a system export from the command line)."""
    if isinstance(kind, str):
        kind = get_kind(kind)
    queryset = kind.export_queryset(user, params or {})
    count = write_export(kind, queryset, path, progress=progress)
    _record_export(kind, user, count, params, Path(path).name)
    return count


def _record_export(kind: ExchangeKind, user: Any, count: int, params: dict[str, Any] | None,
                   object_repr: str) -> None:
    filters = {k: v for k, v in (params or {}).items() if v not in EMPTY}
    who = "" if user is not None else _("System export (no user scope). ")
    audit.record(AuditAction.EXPORT, object_type=kind.model._meta.label_lower,
                 object_repr=object_repr[:200], changes={"rows": count, "filters": filters},
                 message=who + _("Exported {n} rows of {kind} to Excel.").format(n=count, kind=kind.label))


def export_filename(kind: ExchangeKind, suffix: str = "") -> str:
    return f"{kind.label}{suffix}-{timezone.localdate():%Y%m%d}.xlsx"


# ---------------------------------------------------------------------------------------------
# Responses for the views
# ---------------------------------------------------------------------------------------------
def xlsx_response(write: Callable[[str], Any], filename: str) -> Any:
    """A download of the workbook ``write(path)`` produces; the temporary file is gone when it is sent."""
    from django.http import FileResponse

    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        write(path)
        handle = open(path, "rb")  # noqa: SIM115  (FileResponse closes it)
    finally:
        Path(path).unlink(missing_ok=True)  # the open handle keeps the data until the response is sent
    return FileResponse(handle, as_attachment=True, filename=filename,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def export_response(kind: ExchangeKind | str, user: Any, params: dict[str, Any] | None = None,
                    suffix: str = "") -> Any:
    """Export what ``user`` may see as a download (raises ValueError for invalid filters)."""
    if isinstance(kind, str):
        kind = get_kind(kind)
    kind.export_queryset(user, params or {})  # invalid filters fail here, before the file is made
    return xlsx_response(lambda path: export_workbook(kind, user, path, params), export_filename(kind, suffix))


def export_or_job(request: Any, kind: ExchangeKind | str, params: dict[str, Any], *,
                  inline: Callable[[], Any] | None = None, queryset: models.QuerySet | None = None,
                  filename: str | None = None, audit_entry: dict[str, Any] | None = None) -> Any:
    """A web export: in the request (``inline()``, by default ``export_response``) up to
    ``ANJIAN_EXPORT_INLINE_MAX_ROWS`` rows; a larger one becomes a background job and the answer
    is a redirect to its progress page, which ends with the download link.

    ``queryset`` is what the inline export writes (default: ``kind.export_queryset(user, params)``,
    which raises ValueError for invalid filters); only its count is read here. The job rebuilds
    the rows from ``params`` with the user's scope (``kind.export_queryset``), so the two must
    agree. ``audit_entry`` overrides the job's audit entry (see ``start_export``)."""
    from django.shortcuts import redirect

    from .background import start_export

    if isinstance(kind, str):
        kind = get_kind(kind)
    errors = kind.filter_errors(request.user, params)
    if errors:  # never a file of other rows than asked for: the filter is refused in words
        return refused_filters(request, errors)
    if queryset is None:
        queryset = kind.export_queryset(request.user, params)
    total = queryset.count()
    if total <= settings.ANJIAN_EXPORT_INLINE_MAX_ROWS:
        return inline() if inline is not None else export_response(kind, request.user, params)
    job = start_export(kind, request.user, params, total=total, filename=filename, audit_entry=audit_entry)
    return redirect("core:job", uuid=job.uuid)


def refused_filters(request: Any, errors: list[str]) -> Any:
    """A web export's 400 page: which filter, and why (a town outside the user's scope included)."""
    from django.shortcuts import render
    from django.utils.translation import gettext as _

    message = _("The export was not made: {errors}").format(errors="; ".join(errors))
    return render(request, "core/error.html", {"status": 400, "message": message}, status=400)
