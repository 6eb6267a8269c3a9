"""Excel import and export for every registry.

A registry ("kind") declares its workbook once and gets import, export and a
template download from this module::

    @register
    class EnterpriseKind(ExchangeKind):
        name = "enterprises"
        model = Enterprise
        key_field = "credit_code"
        columns = [Column("统一社会信用代码", "credit_code", required=True, parse=...), ...]

        def clean(self, record, session, errors): ...        # cross-column checks and lookups
        def apply(self, batch, session, errors, write): ...  # database checks, then the bulk upsert
        def export_rows(self, queryset): ...

The headers are the file format: fixed Chinese text, the same in every UI
language, so that an export re-imports unchanged.

**An import is all or nothing.** Every row is read, parsed and checked; the
rows are written in batches inside one transaction while no error has been
found, and the transaction is rolled back at the end if any row was bad. So a
good file costs one pass over the workbook (the reader streams it: openpyxl in
read-only mode, constant memory) and a bad file reports every bad row and
column in words (``第 12 行「统一社会信用代码」：……``) and leaves the database
as it was.

Imports run through ``core.jobs`` (kind ``"import"``): small files at once in
the request, large ones in the background with a progress bar. Exports stream
rows the user may see (``visible_to``) into an XlsxWriter workbook in
constant-memory mode.

The package, by concern:

========================  ====================================================================
``errors``                ``CellError``, ``RowError``, ``ErrorList``, ``ImportFailed``
``cells``                 the cell parsers (``text``, ``integer``, ``number``, ``yes_no`` ...)
``kinds``                 ``Column``, ``Record``, ``Change``, ``ExchangeKind``, the registry
``readers``               the checks of the file itself (size, zip, XML), the sheet readers
``importing``             headers to columns, rows to records, the one transaction, the audit
``bulk``                  ``bulk_upsert``, ``insert_rows``: many rows without the ORM's overhead
``exporting``             exports as downloads (``export_or_job``) and their workbooks
``templates``             the import template with its drop-downs and explanation sheet
``background``            imports and exports as ``core.jobs`` jobs
========================  ====================================================================

Everything public is importable from ``anjian.core.exchange`` itself.
"""

from __future__ import annotations

from .background import run_export_job, run_import_job, start_export, start_import
from .bulk import bulk_upsert, copy_rows, insert_rows, insert_values, iter_chunks, upsert_values
from .cells import EMPTY, cell_text, choice, integer, listing, number, text, yes_no, yes_no_label
from .errors import MAX_LISTED_ERRORS, CellError, ErrorList, ImportFailed, RowError
from .exporting import (
    export_filename,
    export_or_job,
    export_response,
    export_workbook,
    write_export,
    xlsx_response,
)
from .importing import column_letter, import_workbook, map_headers, normalise_header
from .kinds import (
    REGISTRY,
    Change,
    Column,
    ExchangeKind,
    ImportResult,
    Progress,
    Record,
    Written,
    autodiscover,
    get_kind,
    kinds,
    register,
)
from .readers import READERS, SheetReader, check_workbook_file, estimate_rows, megabytes, open_sheet
from .templates import general_rules, template_response, write_template

__all__ = [
    "EMPTY", "MAX_LISTED_ERRORS", "READERS", "REGISTRY", "CellError", "Change", "Column", "ErrorList",
    "ExchangeKind", "ImportFailed", "ImportResult", "Progress", "Record", "RowError", "SheetReader", "Written", "autodiscover",
    "bulk_upsert", "cell_text", "check_workbook_file", "choice", "column_letter", "copy_rows", "estimate_rows",
    "export_filename", "export_or_job", "export_response", "export_workbook", "general_rules", "get_kind",
    "import_workbook", "insert_rows", "insert_values", "integer", "iter_chunks", "kinds", "listing", "map_headers", "megabytes",
    "normalise_header", "number", "open_sheet", "register", "run_export_job", "run_import_job", "start_export",
    "start_import", "template_response", "text", "upsert_values", "write_export", "write_template", "xlsx_response", "yes_no",
    "yes_no_label",
]
