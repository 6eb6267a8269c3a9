"""Reading workbooks: the checks of the file itself, and the sheet readers."""

from __future__ import annotations

import logging
import os
import zipfile
from collections.abc import Iterator, Sequence
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import ImportFailed

log = logging.getLogger(__name__)


Source = str | os.PathLike | IO[bytes]


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls (and other old Office files)


UNPACKED_RATIO = 20  # an .xlsx compresses 5-10 times; more than this is refused


# ---------------------------------------------------------------------------------------------
def _size_of(source: Source) -> int:
    if isinstance(source, str | os.PathLike):
        return os.path.getsize(source)
    size = getattr(source, "size", None)
    if size is not None:
        return int(size)
    position = source.tell()
    source.seek(0, os.SEEK_END)
    size = source.tell()
    source.seek(position)
    return size


def megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}"


def check_workbook_file(source: Source) -> None:
    """Refuse a file that is too large or not an .xlsx workbook (judged by content, not name)."""
    limit = settings.ANJIAN_IMPORT_MAX_BYTES
    size = _size_of(source)
    if size > limit:
        raise ImportFailed(_("The file is {size} MB; at most {limit} MB may be imported at once. "
                             "Split it into several files.").format(size=megabytes(size), limit=megabytes(limit)))
    if size == 0:
        raise ImportFailed(_("The file is empty."))
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as fh:
            _check_package(fh)
    else:
        position = source.tell()
        try:
            source.seek(0)
            _check_package(source)
        finally:
            source.seek(position)


def _check_package(fh: IO[bytes]) -> None:
    head = fh.read(8)
    fh.seek(0)
    if head == OLE_MAGIC:
        raise ImportFailed(_("This is an old Excel 97-2003 (.xls) file. Open it in Excel or WPS, "
                             "save it as “Excel workbook (.xlsx)” and import that."))
    not_xlsx = _("This file is not an Excel workbook (.xlsx), whatever its name says. "
                 "Download the template, fill it in and import that.")
    if not zipfile.is_zipfile(fh):
        raise ImportFailed(not_xlsx)
    fh.seek(0)
    try:
        with zipfile.ZipFile(fh) as package:
            members = package.infolist()
    except (zipfile.BadZipFile, OSError):
        raise ImportFailed(not_xlsx) from None
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise ImportFailed(not_xlsx)
    unpacked = sum(m.file_size for m in members)
    limit = UNPACKED_RATIO * settings.ANJIAN_IMPORT_MAX_BYTES
    if unpacked > limit:  # a "zip bomb", or a workbook far larger than any registry
        raise ImportFailed(_("The workbook unpacks to {size} MB, more than the {limit} MB allowed.").format(
            size=megabytes(unpacked), limit=megabytes(limit)))


class SheetReader:
    """Rows of the first worksheet, streamed: ``(excel_row_number, values)``."""

    def __init__(self, source: Source) -> None:
        self.source = source

    def __enter__(self) -> SheetReader:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        pass

    @property
    def row_count(self) -> int | None:
        """Rows of the sheet including the header, as the file declares it (None if unknown)."""
        return None

    def rows(self) -> Iterator[tuple[int, Sequence[Any]]]:
        raise NotImplementedError


class OpenpyxlReader(SheetReader):
    """openpyxl in read-only mode: an XML stream, memory independent of the row count."""

    def __init__(self, source: Source) -> None:
        import openpyxl

        super().__init__(source)
        self.workbook = openpyxl.load_workbook(source, read_only=True, data_only=True, keep_links=False)
        if not self.workbook.worksheets:
            self.workbook.close()
            raise ImportFailed(_("The workbook has no worksheet."))
        self.sheet = self.workbook.worksheets[0]

    def close(self) -> None:
        self.workbook.close()

    @property
    def row_count(self) -> int | None:
        try:
            return self.sheet.max_row  # from the sheet's <dimension>; None if the writer left it out
        except Exception:  # noqa: BLE001  (a malformed dimension only loses the estimate)
            return None

    def rows(self) -> Iterator[tuple[int, Sequence[Any]]]:
        return enumerate(self.sheet.iter_rows(values_only=True), start=1)


class CalamineReader(SheetReader):
    """python-calamine (Rust): about ten times faster, but holds the whole sheet in memory."""

    def __init__(self, source: Source) -> None:
        from python_calamine import CalamineWorkbook

        super().__init__(source)
        if isinstance(source, str | os.PathLike):
            self.workbook = CalamineWorkbook.from_path(str(source))
        else:
            self.workbook = CalamineWorkbook.from_filelike(source)
        if not self.workbook.sheet_names:
            raise ImportFailed(_("The workbook has no worksheet."))
        self.sheet = self.workbook.get_sheet_by_index(0)

    @property
    def row_count(self) -> int | None:
        return self.sheet.total_height or None

    def rows(self) -> Iterator[tuple[int, Sequence[Any]]]:
        # calamine starts at the first used row; report Excel row numbers.
        first = (self.sheet.start or (0, 0))[0] + 1
        return enumerate(self.sheet.iter_rows(), start=first)


READERS: dict[str, type[SheetReader]] = {"openpyxl": OpenpyxlReader, "calamine": CalamineReader}


def open_sheet(source: Source, reader: str | None = None) -> SheetReader:
    name = reader or getattr(settings, "ANJIAN_IMPORT_READER", "openpyxl")
    try:
        return READERS[name](source)
    except ImportFailed:
        raise
    except Exception as exc:  # noqa: BLE001  (any parser error means the same to the user)
        log.info("unreadable workbook: %r", exc)
        raise ImportFailed(_("The workbook cannot be read ({error}). Save it again as .xlsx and retry.").format(
            error=type(exc).__name__)) from exc


def estimate_rows(source: Source) -> int:
    """Data rows of a workbook (without the header), cheaply: from the sheet's declared size,
    else from the file size. Used to decide whether an import runs in the background."""
    try:
        with open_sheet(source, "openpyxl") as reader:
            declared = reader.row_count
    except ImportFailed:
        declared = None
    if declared:
        return max(declared - 1, 0)
    return _size_of(source) // 60  # a compressed enterprise row takes about 70 bytes
