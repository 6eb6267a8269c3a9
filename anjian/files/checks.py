"""Checking an uploaded file by its content: the one checker behind every upload of every module.

The name and the browser's content type are never trusted. A file is read once and must be one of
the kinds the caller accepts:

* a picture (JPEG, PNG, GIF, WebP): Pillow identifies it, its claimed pixel count is checked before
  anything is decoded (decompression bombs: ``ANJIAN_UPLOAD_MAX_PIXELS``, and Pillow's own
  ``DecompressionBombError`` caught), ``verify()`` checks its structure and a full decode finds
  truncated files;
* a PDF: the magic number, the trailer (``startxref`` and ``%%EOF``) and no JavaScript, launch
  actions or embedded files;
* a Word document: a ``.docx`` (a ZIP holding ``word/document.xml``, its unpacked size bounded) or
  an old ``.doc`` (OLE2).

Whatever the kind, bytes that a browser would read as a page (``<html``, ``<script`` ...) refuse
the file: a GIF whose comment is a web page is a GIF to Pillow and a page to a browser that sniffs.
The view serving files sends ``X-Content-Type-Options: nosniff`` and a sandbox policy as well.
"""

from __future__ import annotations

import io
import re
import struct
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

JPEG, PNG, GIF, WEBP = "image/jpeg", "image/png", "image/gif", "image/webp"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC = "application/msword"

IMAGES: tuple[str, ...] = (JPEG, PNG, GIF, WEBP)
PHOTOS = IMAGES
DOCUMENTS: tuple[str, ...] = (PDF, *IMAGES)
REPORTS: tuple[str, ...] = (PDF, DOCX, DOC)

# The extension the kit gives a stored file of each type (the stored name's extension is how the
# serving view knows the checked type).
EXTENSIONS = {JPEG: "jpg", PNG: "png", GIF: "gif", WEBP: "webp", PDF: "pdf", DOCX: "docx", DOC: "doc"}
TYPES_BY_EXTENSION = {ext: t for t, ext in EXTENSIONS.items()} | {"jpeg": JPEG}
PILLOW_FORMATS = {"JPEG": JPEG, "MPO": JPEG, "PNG": PNG, "GIF": GIF, "WEBP": WEBP}

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# What makes a browser that sniffs take bytes for a page or a script.
PAGE_MARKERS = re.compile(
    rb"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>/]|script[\s>/]|iframe[\s>/]|svg[\s>/]|object[\s>/]"
    rb"|embed[\s>/]|meta[\s>/]|form[\s>/]|\?php)",
)  # matched against the lowered bytes (IGNORECASE makes the scan of a photo ten times slower)
# PDF names that run code or carry other files; ``#xx`` escapes are decoded before comparing.
PDF_ACTIVE_NAMES = {b"JavaScript", b"JS", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"XFA", b"RichMedia"}
PDF_NAME = re.compile(rb"/([A-Za-z0-9#]{2,40})")


class UploadRefused(ValidationError):
    """A refused upload; ``code`` says why (``too_large`` is answered 413, the rest 400)."""


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int
    width: int | None = None
    height: int | None = None


def max_bytes() -> int:
    return int(settings.ANJIAN_UPLOAD_MAX_BYTES)


def max_pixels() -> int:
    return int(settings.ANJIAN_UPLOAD_MAX_PIXELS)


def describe(accept: Iterable[str]) -> str:
    """The accepted kinds in words: "JPEG, PNG, GIF or WebP pictures"."""
    accept = tuple(accept)
    names = []
    if any(t in IMAGES for t in accept):
        names.append(_("pictures ({formats})").format(
            formats="/".join(n for t, n in ((JPEG, "JPEG"), (PNG, "PNG"), (GIF, "GIF"), (WEBP, "WebP"))
                             if t in accept)))
    if PDF in accept:
        names.append("PDF")
    if DOCX in accept or DOC in accept:
        names.append(_("Word documents"))
    return _(", ").join(names)


def check_upload(upload: Any, accept: Iterable[str] = PHOTOS) -> CheckedFile:
    """Return what ``upload`` is, or raise ``UploadRefused`` saying in words why it is refused.

    ``upload`` is any file object (an ``UploadedFile``, a ``File``); it is left at position 0. A
    file already checked for the same kinds is not read again (the form and the model field both
    call this)."""
    accept = tuple(accept)
    earlier = getattr(upload, "_anjian_checked", None)
    if earlier is not None and earlier[0] == accept:
        return earlier[1]
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1] or _("the file")
    checked = _check(upload, name, accept)
    try:
        upload._anjian_checked = (accept, checked)
    except AttributeError:  # pragma: no cover - objects that take no attributes
        pass
    return checked


def _refuse(message: str, code: str) -> UploadRefused:
    return UploadRefused(message, code=code)


def _not_accepted(name: str, accept: tuple[str, ...]) -> UploadRefused:
    if set(accept) <= set(IMAGES):
        return _refuse(_("“{name}” is not a picture ({kinds}), whatever its name says.").format(
            name=name, kinds=describe(accept)), "kind")
    return _refuse(_("“{name}” is not one of the kinds accepted here ({kinds}), whatever its name says.").format(
        name=name, kinds=describe(accept)), "kind")


def _read(upload: Any, name: str) -> bytes:
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _refuse(_("“{name}” is {size}; a file may be at most {limit}.").format(
            name=name, size=filesizeformat(size), limit=filesizeformat(limit)), "too_large")
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    if len(data) > limit:
        raise _refuse(_("“{name}” is larger than {limit}, the most a file may be.").format(
            name=name, limit=filesizeformat(limit)), "too_large")
    if not data:
        raise _refuse(_("“{name}” is empty.").format(name=name), "empty")
    return data


def _check(upload: Any, name: str, accept: tuple[str, ...]) -> CheckedFile:
    data = _read(upload, name)
    lowered = data.lower()
    if PAGE_MARKERS.search(lowered) or b"javascript:" in lowered:
        raise _refuse(_("“{name}” contains the text of a web page or script (a disguised file); "
                        "it is refused.").format(name=name), "polyglot")
    refused = _not_accepted(name, accept)
    if data.startswith(PDF_MAGIC):
        check, family = _check_pdf, (PDF,)
    elif data.startswith(ZIP_MAGIC):
        check, family = _check_docx, (DOCX,)
    elif data.startswith(OLE2_MAGIC):
        check, family = (lambda data, name: CheckedFile(DOC, EXTENSIONS[DOC], len(data))), (DOC,)
    else:
        check, family = (lambda data, name: _check_image(data, name, accept)), IMAGES
    if not set(family) & set(accept):
        raise refused
    checked = check(data, name)
    if checked.content_type not in accept:
        raise refused
    return checked


def _check_image(data: bytes, name: str, accept: tuple[str, ...]) -> CheckedFile:
    from PIL import Image, UnidentifiedImageError

    not_a_file = _not_accepted(name, accept)
    limit = max_pixels()

    def bomb(width: int, height: int) -> UploadRefused:
        return _refuse(_("“{name}” claims {width}×{height} pixels; a picture may have at most {limit} million "
                         "(this is how decompression bombs exhaust a server's memory).").format(
            name=name, width=width, height=height, limit=round(limit / 1_000_000)), "bomb")

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as img:
                fmt, (width, height) = img.format, img.size
                if width * height > limit:
                    raise bomb(width, height)
                img.verify()
            with Image.open(io.BytesIO(data)) as img:
                # verify() does not decode: a cut-off JPEG passes it. A JPEG is decoded at 1/8 scale
                # (libjpeg still reads every byte of it, five times faster).
                img.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                img.load()
        except UploadRefused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            size = _claimed_size(data)
            raise (bomb(*size) if size else _refuse(str(exc), "bomb")) from exc
        except UnidentifiedImageError as exc:
            raise not_a_file from exc
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error) as exc:
            raise _refuse(_("“{name}” is a damaged or incomplete picture (it cannot be read to the end).").format(
                name=name), "damaged") from exc
    content_type = PILLOW_FORMATS.get(fmt or "")
    if content_type is None:
        raise not_a_file
    return CheckedFile(content_type, EXTENSIONS[content_type], len(data), width, height)


def _claimed_size(data: bytes) -> tuple[int, int] | None:
    """The width and height a PNG header claims (for the message about a bomb Pillow refused)."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None


def _check_pdf(data: bytes, name: str) -> CheckedFile:
    tail = data[-2048:]
    if b"%%EOF" not in tail or b"startxref" not in tail or b" obj" not in data:
        raise _refuse(_("“{name}” begins like a PDF but is not a complete PDF document (no objects or no "
                        "trailer).").format(name=name), "bad_pdf")
    for match in PDF_NAME.finditer(data):
        if _pdf_name(match.group(1)) in PDF_ACTIVE_NAMES:
            raise _refuse(_("“{name}” is a PDF with scripts, launch actions or embedded files; save it as a plain "
                            "PDF (print to PDF) and upload that.").format(name=name), "active_pdf")
    return CheckedFile(PDF, EXTENSIONS[PDF], len(data))


def _pdf_name(raw: bytes) -> bytes:
    if b"#" not in raw:
        return raw
    try:
        return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
    except ValueError:  # pragma: no cover
        return raw


def _check_docx(data: bytes, name: str) -> CheckedFile:
    refused = _refuse(_("“{name}” is a ZIP archive but not a Word document (.docx).").format(name=name), "kind")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
            unpacked = sum(i.file_size for i in infos)
            if "word/document.xml" not in names or "[Content_Types].xml" not in names:
                raise refused
            if unpacked > 20 * max_bytes():
                raise _refuse(_("“{name}” unpacks to {size}; it is refused (a ZIP bomb).").format(
                    name=name, size=filesizeformat(unpacked)), "bomb")
            if archive.testzip() is not None:
                raise _refuse(_("“{name}” is a damaged Word document.").format(name=name), "damaged")
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _refuse(_("“{name}” is a damaged Word document.").format(name=name), "damaged") from exc
    return CheckedFile(DOCX, EXTENSIONS[DOCX], len(data))


def http_status(exc: ValidationError) -> int:
    """413 for a file over the size limit, 400 for every other refusal."""
    codes = {getattr(e, "code", None) for e in getattr(exc, "error_list", [exc])}
    return 413 if "too_large" in codes else 400
