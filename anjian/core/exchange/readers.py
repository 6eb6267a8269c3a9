"""Reading workbooks: the checks of the file itself, and the sheet readers.

``check_workbook_file`` judges the file before anything is read: its size, that it is a zip
holding a workbook (not an old .xls renamed, not a zip bomb), and that no XML part of it
declares a DTD: an .xlsx written by Excel, WPS, LibreOffice or any library never does, and a
DTD is what an "entity bomb" (billion laughs) or an internal entity needs. Whatever a reader
then meets (a truncated sheet, a damaged zip member) ends as ``ImportFailed`` naming the part
and the reason in words, never as a parser's traceback.

Readers (``READERS``), all giving ``(excel_row_number, values)`` of the first worksheet:

* ``stream`` (the default): the sheet's XML through the standard library's expat parser, row
  by row. Constant memory; about twice the time of calamine and a fifth of openpyxl's.
* ``calamine``: python-calamine (Rust), the fastest, but it holds the whole sheet in memory.
* ``openpyxl``: openpyxl in read-only mode (constant memory, slow); with defusedxml installed
  it refuses DTDs itself too.
"""

from __future__ import annotations

import datetime
import functools
import logging
import os
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from typing import IO, Any
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import ImportFailed

log = logging.getLogger(__name__)

Source = str | os.PathLike | IO[bytes]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls (and other old Office files)
ZIP_MAGIC = b"PK\x03\x04"
UNPACKED_RATIO = 20  # an .xlsx compresses 5-10 times; more than this is refused
XML_SUFFIXES = (".xml", ".rels", ".vml")
PROLOG_BYTES = 64 * 1024  # how much of each XML part is read to find its root element
DEFAULT_READER = "stream"



# ---------------------------------------------------------------------------------------------
# The file itself
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


def damaged(part: str, reason: str) -> ImportFailed:
    """The refusal of a workbook one of whose parts cannot be read."""
    return ImportFailed(_("The workbook is damaged: its part {part} cannot be read ({reason}). Open it in Excel "
                          "or WPS, save it again as .xlsx and import that.").format(part=part, reason=reason))


def entities_refused(part: str) -> ImportFailed:
    return ImportFailed(_("The workbook was refused: its part {part} declares XML entities (a <!DOCTYPE>), which "
                          "no spreadsheet program writes; such a file can expand to any size when read (an "
                          "“entity bomb”). Save the data again from Excel or WPS as .xlsx.").format(part=part))


def check_workbook_file(source: Source) -> None:
    """Refuse a file that is too large, not an .xlsx workbook (judged by content, not name), a zip
    bomb, or one whose XML declares a DTD (entity expansion)."""
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
    cut_off = _("The workbook is damaged: its zip structure is incomplete (the file may have been cut off while "
                "it was copied or uploaded). Save it again as .xlsx and import that.")
    if not zipfile.is_zipfile(fh):
        raise ImportFailed(cut_off if head.startswith(ZIP_MAGIC) else not_xlsx)
    fh.seek(0)
    try:
        with zipfile.ZipFile(fh) as package:
            members = package.infolist()
            names = {m.filename for m in members}
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise ImportFailed(not_xlsx)
            unpacked = sum(m.file_size for m in members)
            limit = UNPACKED_RATIO * settings.ANJIAN_IMPORT_MAX_BYTES
            if unpacked > limit:  # a "zip bomb", or a workbook far larger than any registry
                raise ImportFailed(_("The workbook unpacks to {size} MB, more than the {limit} MB allowed.").format(
                    size=megabytes(unpacked), limit=megabytes(limit)))
            for member in members:
                if member.filename.lower().endswith(XML_SUFFIXES):
                    _check_prolog(package, member)
    except (zipfile.BadZipFile, OSError, EOFError):
        raise ImportFailed(cut_off) from None


def _check_prolog(package: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """Refuse a part whose prolog (what comes before the root element) declares a DTD."""
    try:
        with package.open(member) as part:
            head = part.read(PROLOG_BYTES)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise damaged(member.filename, _compressed_reason(exc)) from None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("utf-8", errors="replace")
    root = re.search(r"<[^?!]", text)
    prolog = (text[:root.start()] if root else text).upper()
    if "<!DOCTYPE" in prolog or "<!ENTITY" in prolog:
        raise entities_refused(member.filename)


def _compressed_reason(exc: BaseException) -> str:
    if isinstance(exc, NotImplementedError | RuntimeError):  # an unknown compression, or encrypted
        return _("it is compressed or encrypted in a way spreadsheet programs do not use")
    return _("its compressed data is corrupt")


def _xml_reason(exc: expat.ExpatError | Any) -> str:
    """What an expat error (also ElementTree's ParseError) means, in words."""
    code = getattr(exc, "code", None)
    line = getattr(exc, "lineno", None) or (getattr(exc, "position", None) or (None,))[0]
    if code in (expat.errors.codes.get(expat.errors.XML_ERROR_NO_ELEMENTS),
                expat.errors.codes.get(expat.errors.XML_ERROR_UNCLOSED_TOKEN),
                expat.errors.codes.get(expat.errors.XML_ERROR_PARTIAL_CHAR)):
        return _("its XML ends in the middle, at line {line}: the file was cut off").format(line=line)
    if code in (expat.errors.codes.get(expat.errors.XML_ERROR_UNDEFINED_ENTITY),
                expat.errors.codes.get(getattr(expat.errors, "XML_ERROR_AMPLIFICATION_LIMIT_BREACH", ""))):
        return _("it uses XML entities, which spreadsheet programs never write (line {line})").format(line=line)
    return _("its XML is malformed at line {line}").format(line=line)


class EntitiesDeclared(Exception):
    """Raised by the stream reader's parser at a DTD or an entity declaration."""


def reading_error(part: str, exc: BaseException) -> ImportFailed:
    """``ImportFailed`` for whatever a reader raised while reading ``part``."""
    if isinstance(exc, ImportFailed):
        return exc
    name = type(exc).__name__
    if isinstance(exc, EntitiesDeclared) or name in ("DTDForbidden", "EntitiesForbidden", "ExternalReferenceForbidden"):  # defusedxml (openpyxl)
        return entities_refused(part)
    if isinstance(exc, expat.ExpatError) or name == "ParseError":
        return damaged(part, _xml_reason(exc))
    if isinstance(exc, zipfile.BadZipFile | zlib.error | EOFError):
        return damaged(part, _compressed_reason(exc))
    log.info("unreadable workbook part %s: %r", part, exc)
    return damaged(part, _("{error}: {detail}").format(error=name, detail=str(exc)[:200]))


# ---------------------------------------------------------------------------------------------
# The package's structure (small parts, read whole)
# ---------------------------------------------------------------------------------------------
def _parse_small(package: zipfile.ZipFile, name: str) -> Any:
    """An ElementTree of a small part (workbook, relationships, styles); DTDs were refused before."""
    from defusedxml.ElementTree import fromstring

    try:
        data = package.read(name)
    except KeyError:
        return None
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise damaged(name, _compressed_reason(exc)) from None
    try:
        return fromstring(data)
    except Exception as exc:  # noqa: BLE001  (ParseError, defusedxml's refusals)
        raise reading_error(name, exc) from None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def first_sheet_part(package: zipfile.ZipFile) -> tuple[str, bool]:
    """The zip path of the first worksheet and whether the workbook counts dates from 1904."""
    workbook = _parse_small(package, "xl/workbook.xml")
    if workbook is None:
        raise ImportFailed(_("The workbook has no worksheet."))
    date1904 = any(_local(e.tag) == "workbookPr" and e.get("date1904") in ("1", "true") for e in workbook)
    sheet = next((e for e in workbook.iter() if _local(e.tag) == "sheet"), None)
    if sheet is None:
        raise ImportFailed(_("The workbook has no worksheet."))
    rel_id = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), None)
    rels = _parse_small(package, "xl/_rels/workbook.xml.rels")
    target = None
    for rel in rels if rels is not None else ():
        if rel.get("Id") == rel_id:
            target = rel.get("Target")
    if not target:
        target = "worksheets/sheet1.xml"
    path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    if path not in package.NameToInfo:
        raise damaged(path, _("the worksheet the workbook names is missing"))
    return path, date1904


# Number formats that are dates: the built-in ones (and those of Chinese Excel), else by the code.
CJK_DATE_FORMATS = frozenset(range(27, 37)) | frozenset(range(50, 59))


def date_styles(package: zipfile.ZipFile) -> frozenset[int]:
    """Indexes of the cell styles (``s``) whose number format shows a date or time."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    styles = _parse_small(package, "xl/styles.xml")
    if styles is None:
        return frozenset()
    codes = {int(e.get("numFmtId", -1)): e.get("formatCode", "")
             for e in styles.iter() if _local(e.tag) == "numFmt"}
    cell_xfs = next((e for e in styles if _local(e.tag) == "cellXfs"), None)
    result = set()
    for index, xf in enumerate(cell_xfs if cell_xfs is not None else ()):
        try:
            fmt = int(xf.get("numFmtId", 0))
        except ValueError:
            continue
        code = codes.get(fmt, BUILTIN_FORMATS.get(fmt, ""))
        if fmt in CJK_DATE_FORMATS or (code and is_date_format(code)):
            result.add(index)
    return frozenset(result)


# ---------------------------------------------------------------------------------------------
# Readers
# ---------------------------------------------------------------------------------------------
class SheetReader:
    """Rows of the first worksheet, streamed: ``(excel_row_number, values)``."""

    part = "xl/worksheets/sheet1.xml"  # the worksheet's part, for messages

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
        """The rows; whatever goes wrong while reading raises ``ImportFailed`` naming the part."""
        try:
            yield from self._rows()
        except ImportFailed:
            raise
        except Exception as exc:  # noqa: BLE001  (every parser error means a damaged part to the user)
            raise reading_error(self.part, exc) from None

    def _rows(self) -> Iterator[tuple[int, Sequence[Any]]]:
        raise NotImplementedError


def _open_zip(source: Source) -> zipfile.ZipFile:
    if isinstance(source, str | os.PathLike):
        return zipfile.ZipFile(source)
    source.seek(0)
    return zipfile.ZipFile(source)


@functools.lru_cache(maxsize=4096)
def column_index(letters: str) -> int:
    """``"A"`` -> 0, ``"AB"`` -> 27."""
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


EPOCH_1900 = datetime.datetime(1899, 12, 30)  # noqa: DTZ001  (Excel dates are naive)
EPOCH_1904 = datetime.datetime(1904, 1, 1)  # noqa: DTZ001


def from_excel(serial: float, date1904: bool = False) -> datetime.datetime | datetime.time:
    """An Excel date serial as a datetime (a time of day for a serial below 1), as openpyxl gives it."""
    if 0 <= serial < 1 and not date1904:
        microseconds = round(serial * 86_400_000_000)
        return (EPOCH_1900 + datetime.timedelta(microseconds=microseconds)).time()
    if not date1904 and 0 < serial < 60:  # Excel's 1900 counts a 29 February that never was
        serial += 1
    days, fraction = divmod(serial, 1)
    return (EPOCH_1904 if date1904 else EPOCH_1900) + datetime.timedelta(
        days=int(days), milliseconds=round(fraction * 86_400_000))


class StreamReader(SheetReader):
    """The worksheet's XML through expat, a chunk at a time: memory independent of the row count.

    Values as openpyxl gives them (``data_only``): numbers as int or float, dates (by the cell's
    number format) as datetime, shared and inline strings as text (phonetic runs left out),
    booleans as bool, error cells as their text (``#N/A``), formulas as their cached value.
    """

    CHUNK = 256 * 1024

    def __init__(self, source: Source) -> None:
        super().__init__(source)
        try:
            self.package = _open_zip(source)
        except (zipfile.BadZipFile, OSError) as exc:
            raise damaged("[zip]", _compressed_reason(exc)) from None
        try:
            self.part, self.date1904 = first_sheet_part(self.package)
            self.date_styles = date_styles(self.package)
            self.dimension = self._dimension()
        except BaseException:
            self.package.close()
            raise

    def close(self) -> None:
        self.package.close()

    @property
    def row_count(self) -> int | None:
        return self.dimension

    def _dimension(self) -> int | None:
        """The last row of ``<dimension ref="A1:Q20001"/>`` near the top of the sheet, if any."""
        try:
            with self.package.open(self.part) as part:
                head = part.read(4096).decode("utf-8", errors="replace")
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise damaged(self.part, _compressed_reason(exc)) from None
        found = re.search(r"<(?:\w+:)?dimension\s+ref=\"[A-Z]*\d*:?[A-Z]*(\d+)\"", head)
        return int(found.group(1)) if found else None

    def _shared_strings(self) -> list[str]:
        """The shared string table (every reader of the format holds it); empty if absent."""
        name = next((n for n in ("xl/sharedStrings.xml", "xl/SharedStrings.xml") if n in self.package.NameToInfo),
                    None)
        if name is None:
            return []
        strings: list[str] = []
        texts: list[str] = []
        state = {"depth_rph": 0, "in_t": False}

        def start(tag: str, attrs: Any) -> None:
            local = tag.rpartition("}")[2]
            if local == "t" and not state["depth_rph"]:
                state["in_t"] = True
            elif local == "rPh":
                state["depth_rph"] += 1
            elif local == "si":
                texts.clear()

        def end(tag: str) -> None:
            local = tag.rpartition("}")[2]
            if local == "t":
                state["in_t"] = False
            elif local == "rPh":
                state["depth_rph"] -= 1
            elif local == "si":
                strings.append("".join(texts))

        def chars(data: str) -> None:
            if state["in_t"]:
                texts.append(data)

        parser = _parser()
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = chars
        try:
            with self.package.open(name) as part:
                while chunk := part.read(self.CHUNK):
                    parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except Exception as exc:  # noqa: BLE001
            raise reading_error(name, exc) from None
        return strings

    def _rows(self) -> Iterator[tuple[int, Sequence[Any]]]:
        ready: list[tuple[int, tuple[Any, ...]]] = []
        shared, date1904 = self._shared_strings(), self.date1904  # read here: not for ``row_count`` alone
        date_styles_ = frozenset(str(i) for i in self.date_styles)
        values: list[Any] = []
        text: list[str] = []
        # Element names with the prefix the sheet uses for its namespace (usually none), learnt
        # from the root element; without namespace processing, which costs expat a string per element.
        c_tag, v_tag, t_tag, row_tag, is_tag, rph_tag = "c", "v", "t", "row", "is", "rPh"
        capture = False  # inside <v> or <t>: the text is the cell's
        cell_type: str | None = None
        cell_date = False
        column = 0
        row_number = 0
        phonetic = 0  # inside <rPh> (a phonetic run, not part of the text)
        root = True

        def start(tag: str, attrs: dict[str, str]) -> None:
            nonlocal capture, cell_type, cell_date, column, row_number, phonetic, root
            nonlocal c_tag, v_tag, t_tag, row_tag, is_tag, rph_tag
            if tag == c_tag:
                ref = attrs.get("r")
                column = column_index(ref.rstrip("0123456789")) if ref else len(values)
                cell_type = attrs.get("t")
                cell_date = attrs.get("s") in date_styles_
                text.clear()
            elif tag == t_tag:
                capture = not phonetic
            elif tag == is_tag:
                pass
            elif tag == v_tag:
                capture = True
            elif tag == row_tag:
                values.clear()
                number = attrs.get("r")
                row_number = int(number) if number else row_number + 1
            elif tag == rph_tag:
                phonetic += 1
            elif root:
                root = False
                prefix = tag[:-len("worksheet")] if tag.endswith("worksheet") else ""
                c_tag, v_tag, t_tag, row_tag, is_tag, rph_tag = (
                    prefix + "c", prefix + "v", prefix + "t", prefix + "row", prefix + "is", prefix + "rPh")

        def end(tag: str) -> None:
            nonlocal capture, phonetic
            if tag == c_tag:
                while len(values) < column:
                    values.append(None)
                if text:
                    values.append(_cell_value(cell_type, "".join(text), cell_date, shared, date1904))
                else:
                    values.append("" if cell_type == "inlineStr" else None)
            elif tag == t_tag or tag == v_tag:
                capture = False
            elif tag == row_tag:
                ready.append((row_number, tuple(values)))
            elif tag == rph_tag:
                phonetic -= 1

        def chars(data: str) -> None:
            if capture:
                text.append(data)

        parser = _parser(namespaces=False)
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = chars
        with self.package.open(self.part) as part:
            while True:
                chunk = part.read(self.CHUNK)
                if not chunk:
                    parser.Parse(b"", True)
                    break
                parser.Parse(chunk, False)
                if ready:
                    yield from ready
                    ready.clear()
        yield from ready


def _parser(*, namespaces: bool = True) -> Any:
    """An expat parser that refuses DTDs and entity declarations (``check_workbook_file`` already
    refused them; this holds for any caller); with ``namespaces``, names come as ``uri}local``."""
    parser = expat.ParserCreate(namespace_separator="}") if namespaces else expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = 64 * 1024

    def refuse(*_args: Any) -> None:
        raise EntitiesDeclared

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


def _cell_value(kind: str | None, raw: str | None, is_date: bool, shared: list[str], date1904: bool) -> Any:
    if kind is None or kind == "n":
        if raw is None:
            return None
        number: float | int = float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)
        return from_excel(number, date1904) if is_date else number
    if kind == "s":
        return shared[int(raw)] if raw is not None else None
    if kind == "inlineStr" or kind == "str":
        return raw or ""
    if kind == "b":
        return raw == "1" or raw == "true"
    if kind == "d":
        return datetime.datetime.fromisoformat(raw) if raw else None
    return raw  # "e": an error cell, as its text (#N/A, #DIV/0!)


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
        self.part = getattr(self.sheet, "_worksheet_path", None) or self.part

    def close(self) -> None:
        self.workbook.close()

    @property
    def row_count(self) -> int | None:
        try:
            return self.sheet.max_row  # from the sheet's <dimension>; None if the writer left it out
        except Exception:  # noqa: BLE001  (a malformed dimension only loses the estimate)
            return None

    def _rows(self) -> Iterator[tuple[int, Sequence[Any]]]:
        return enumerate(self.sheet.iter_rows(values_only=True), start=1)


class CalamineReader(SheetReader):
    """python-calamine (Rust): the fastest, but it holds the whole sheet in memory."""

    def __init__(self, source: Source) -> None:
        from python_calamine import CalamineWorkbook

        super().__init__(source)
        if isinstance(source, str | os.PathLike):
            self.workbook = CalamineWorkbook.from_path(str(source))
        else:
            self.workbook = CalamineWorkbook.from_filelike(source)
        if not self.workbook.sheet_names:
            raise ImportFailed(_("The workbook has no worksheet."))
        try:
            self.sheet = self.workbook.get_sheet_by_index(0)
        except Exception as exc:  # noqa: BLE001  (calamine reads the whole sheet here)
            raise reading_error(self.part, exc) from None

    @property
    def row_count(self) -> int | None:
        return self.sheet.total_height or None

    def _rows(self) -> Iterator[tuple[int, Sequence[Any]]]:
        # calamine starts at the first used row; report Excel row numbers.
        first = (self.sheet.start or (0, 0))[0] + 1
        return enumerate(self.sheet.iter_rows(), start=first)


READERS: dict[str, type[SheetReader]] = {"stream": StreamReader, "calamine": CalamineReader,
                                         "openpyxl": OpenpyxlReader}


def open_sheet(source: Source, reader: str | None = None) -> SheetReader:
    name = reader or getattr(settings, "ANJIAN_IMPORT_READER", None) or DEFAULT_READER
    try:
        return READERS[name](source)
    except ImportFailed:
        raise
    except Exception as exc:  # noqa: BLE001  (any parser error means the same to the user)
        log.info("unreadable workbook: %r", exc)
        raise reading_error("xl/workbook.xml", exc) from exc


def estimate_rows(source: Source) -> int:
    """Data rows of a workbook (without the header), cheaply: from the sheet's declared size,
    else from the file size. Used to decide whether an import runs in the background."""
    try:
        with open_sheet(source, "stream") as reader:
            declared = reader.row_count
    except ImportFailed:
        declared = None
    if declared:
        return max(declared - 1, 0)
    return _size_of(source) // 60  # a compressed enterprise row takes about 70 bytes
