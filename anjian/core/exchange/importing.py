"""Importing a workbook: headers to columns, rows to records, the all-or-nothing transaction."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from .. import audit
from ..models import AuditAction, AuditEntry
from .bulk import insert_values
from .cells import EMPTY, cell_text
from .errors import CellError, ErrorList, ImportFailed
from .kinds import (
    Change,
    Column,
    ExchangeKind,
    ImportResult,
    Progress,
    Record,
    get_kind,
    progress_every,
)
from .readers import Source, check_workbook_file, open_sheet


def normalise_header(value: Any) -> str:
    """``" 规模以上（是/否）* "`` -> ``"规模以上"``: whitespace, required marks and hints dropped."""
    text_value = re.sub(r"\s+", "", cell_text(value)) if value not in EMPTY else ""
    text_value = text_value.strip("*＊")
    text_value = re.sub(r"[(（][^()（）]*[)）]$", "", text_value)
    return text_value.strip("*＊")


def map_headers(kind: ExchangeKind, header: Sequence[Any], errors: ErrorList) -> list[tuple[int, Column]]:
    """Match the header row to the kind's columns; unknown columns are ignored."""
    lookup: dict[str, Column] = {}
    for column in kind.columns:
        for name in (column.header, *column.aliases):
            lookup[normalise_header(name)] = column
    found: dict[str, int] = {}
    mapping: list[tuple[int, Column]] = []
    for index, value in enumerate(header):
        column = lookup.get(normalise_header(value))
        if column is None:
            continue
        if column.field in found:
            errors.add(1, column.header, _("The column appears twice (columns {a} and {b}); keep one.").format(
                a=column_letter(found[column.field]), b=column_letter(index)))
            continue
        found[column.field] = index
        mapping.append((index, column))
    for column in kind.columns:
        if column.required and column.field not in found:
            errors.add(1, column.header, _("This required column is missing from the header row. "
                                           "Use the headers of the template."))
    return mapping


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# ---------------------------------------------------------------------------------------------
# Importing
# ---------------------------------------------------------------------------------------------
def import_workbook(kind: ExchangeKind | str, source: Source, *, user: Any = None, filename: str = "",
                    progress: Progress | None = None, reader: str | None = None) -> ImportResult:
    """Import every row of ``source`` or none; raises ``ImportFailed`` listing every bad row.

    ``user`` is the importing user (their scope applies; None is a system import).
    """
    if isinstance(kind, str):
        kind = get_kind(kind)
    check_workbook_file(source)
    errors = ErrorList()
    result = ImportResult(kind=kind.name, filename=filename or _source_name(source))
    every = progress_every()
    with open_sheet(source, reader) as sheet:
        total = max((sheet.row_count or 1) - 1, 0)
        rows = sheet.rows()
        header = next(rows, None)
        if header is None or all(v in EMPTY for v in header[1]):
            raise ImportFailed(_("The sheet is empty: the first row must hold the column headers "
                                 "(download the template)."))
        mapping = map_headers(kind, header[1], errors)
        if errors:
            raise ImportFailed(errors)
        if progress:
            progress(0, total)
        key = kind.key_field
        seen: dict[Any, int] = {}
        batch: list[Record] = []
        parse_row = row_parser(mapping)
        with transaction.atomic():
            session = kind.start(user)

            def flush() -> None:
                write = not errors
                changes, unchanged = kind.apply(batch, session, errors, write)
                if write and not errors:
                    _recheck_scope(kind, user, changes, errors)
                if write and not errors:
                    _audit_changes(kind, changes)
                    result.created += sum(1 for c in changes if c.action == AuditAction.CREATE)
                    result.updated += sum(1 for c in changes if c.action == AuditAction.UPDATE)
                    result.unchanged += unchanged
                batch.clear()

            done = 0
            for row_number, values in rows:
                done = row_number - 1
                if progress and done % every == 0:
                    progress(done, max(total, done))
                record = parse_row(row_number, values, errors)
                if record is None:
                    continue
                result.rows += 1
                code = record.values.get(key)
                if code not in EMPTY:
                    first = seen.get(code)
                    if first is not None:
                        errors.add(row_number, kind.key_column.header, _(
                            "{code} appears twice in the file, on rows {first} and {row}; "
                            "each may appear only once.").format(code=code, first=first, row=row_number))
                        continue
                    seen[code] = row_number
                if row_number in errors.bad_rows:
                    continue
                kind.clean(record, session, errors)
                if row_number in errors.bad_rows:
                    continue
                batch.append(record)
                if len(batch) >= kind.batch_size:
                    flush()
            if batch:
                flush()
            if result.rows == 0 and not errors:
                errors.add(None, None, _("The sheet has column headers but no data rows."))
            if errors:
                raise ImportFailed(errors)
            audit.record(AuditAction.IMPORT, object_type=kind.model._meta.label_lower, object_repr=result.filename[:200],
                         changes={k: v for k, v in result.as_dict().items() if k != "message"},
                         message=_import_message(result, user))
        if progress:
            progress(max(total, done), max(total, done))
    return result


def _import_message(result: ImportResult, user: Any) -> str:
    who = "" if user is not None else _("System import (no user scope). ")
    return who + _("Imported “{file}”: {summary}").format(file=result.filename, summary=result.message)


def _source_name(source: Source) -> str:
    if isinstance(source, str | os.PathLike):
        return Path(source).name
    return Path(getattr(source, "name", "") or "workbook.xlsx").name


def row_parser(mapping: list[tuple[int, Column]]) -> Callable[[int, Sequence[Any], ErrorList], Record | None]:
    """``parse(row_number, values, errors)``: the row's values by field, or None for an empty row;
    cell errors go to ``errors``. Each column's parser, default and messages are looked up once
    here, not per cell (the import's inner loop)."""
    columns = [(index, column.field, column.parse, column.required, column.default, column.header)
               for index, column in mapping]
    must_fill = _("This column must be filled in.")

    def parse(row_number: int, values: Sequence[Any], errors: ErrorList) -> Record | None:
        width = len(values)
        parsed: dict[str, Any] = {}
        found: list[tuple[str, str]] = []
        filled = False
        for index, name, convert, required, default, header in columns:
            value = values[index] if index < width else None
            if value is None or (value.__class__ is str and not value.strip()):
                if required:
                    found.append((header, must_fill))
                parsed[name] = default
                continue
            filled = True
            try:
                parsed[name] = convert(value)
            except CellError as exc:
                found.append((header, str(exc)))
        if not filled:
            return None
        for header, message in found:
            errors.add(row_number, header, message)
        return Record(row_number, parsed)

    return parse


def _recheck_scope(kind: ExchangeKind, user: Any, changes: list[Change], errors: ErrorList) -> None:
    """Every written row must still be one the importing user may see (the rule for every write)."""
    if user is None or not changes:
        return
    pks = [c.obj.pk for c in changes]
    visible = set(kind.model.objects.filter(pk__in=pks).visible_to(user, kind.import_permission)
                  .values_list("pk", flat=True))  # type: ignore[attr-defined]
    for change in changes:
        if change.obj.pk not in visible:
            errors.add(change.row, None, _("This row would be outside your data scope after the import."))


def _audit_changes(kind: ExchangeKind, changes: list[Change]) -> None:
    """One audit entry per written row (the fields of ``audit.entry_for``), inserted in bulk as
    plain rows: no model instance per entry."""
    if not changes:
        return
    context_fields = audit._context_fields()  # noqa: SLF001  (the fields audit.entry_for sets)
    insert_values(AuditEntry, ["action", "object_id", "object_repr", "changes"],
                  [[c.action, str(c.obj.pk), str(c.obj)[:200], c.changes or {}] for c in changes],
                  constants={**context_fields, "object_type": kind.model._meta.label_lower, "message": ""})
