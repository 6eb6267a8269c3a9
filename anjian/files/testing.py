"""Good and malicious files for tests of any module's uploads (built in memory, nothing on disk)."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile


def jpeg(name: str = "photo.jpg", size: tuple[int, int] = (64, 48), colour: str = "teal") -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def png(name: str = "photo.png", size: tuple[int, int] = (32, 32)) -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGBA", size, (200, 30, 30, 128)).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def pdf(name: str = "record.pdf") -> SimpleUploadedFile:
    """A small, complete one-page PDF."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (i, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for o in offsets:
        out.write(b"%010d 00000 n \n" % o)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/pdf")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png(name: str = "bomb.png", side: int = 20000) -> SimpleUploadedFile:
    """A 69-byte PNG claiming ``side``×``side`` pixels (a decompression bomb's header)."""
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    data = (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", zlib.compress(b"")[:2])
            + _png_chunk(b"IEND", b""))
    return SimpleUploadedFile(name, data, content_type="image/png")


def gif_html_polyglot(name: str = "cat.gif") -> SimpleUploadedFile:
    """A real GIF (Pillow opens it) whose comment is a web page with a script."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("P", (4, 4)).save(buf, "GIF", comment=b"<html><body><script>alert(document.cookie)</script></body></html>")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/gif")


def html_as_jpg(name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
                              content_type="image/jpeg")


def truncated_jpeg(name: str = "cut.jpg") -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.effect_noise((256, 256), 64).convert("RGB").save(buf, "JPEG", quality=95)
    data = buf.getvalue()
    return SimpleUploadedFile(name, data[: len(data) // 2], content_type="image/jpeg")


def oversize_jpeg(limit: int, name: str = "huge.jpg") -> SimpleUploadedFile:
    """A JPEG's header followed by padding: one byte over ``limit``."""
    head = jpeg().read()
    return SimpleUploadedFile(name, head + b"\0" * (limit + 1 - len(head)), content_type="image/jpeg")


def fake_pdf(name: str = "scan.pdf") -> SimpleUploadedFile:
    """Begins like a PDF, then is not one."""
    return SimpleUploadedFile(name, b"%PDF-1.4 this is not a PDF at all\n" * 20, content_type="application/pdf")


def scripted_pdf(name: str = "invoice.pdf") -> SimpleUploadedFile:
    data = pdf().read().replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /J#61vaScript /JS (app.alert(1)) >>")
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def empty(name: str = "empty.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"", content_type="image/jpeg")


def malicious_files(limit: int) -> dict[str, Callable[[], SimpleUploadedFile]]:
    """Every bad file the uploads must refuse, by name (``limit``: the size limit in force)."""
    return {
        "decompression bomb": bomb_png,
        "GIF+HTML polyglot": gif_html_polyglot,
        "HTML named .jpg": html_as_jpg,
        "truncated JPEG": truncated_jpeg,
        "oversize": lambda: oversize_jpeg(limit),
        "fake PDF": fake_pdf,
        "PDF with JavaScript": scripted_pdf,
        "empty": empty,
    }


@dataclass
class UploadCase:
    """One way files come in (an API operation or a page's form), for the generic upload tests.

    ``covers``: ``"api:POST /api/v1/hazards/{id}/photos/"`` (as in the OpenAPI schema) or
    ``"form:anjian.hazards.forms.PhotoForm"``. ``post(world, upload)`` sends ``upload`` as the
    persona who may, on a fresh object, and returns the response (pages: redirects followed).
    ``stored()`` counts the rows holding uploaded files that the endpoint would add to; ``good()``
    makes a file the endpoint accepts (the generic test checks it is stored, so the case is real)."""

    id: str
    covers: str
    post: Callable[[Any, Any], Any]
    stored: Callable[[], int]
    good: Callable[[], SimpleUploadedFile] = jpeg


def all_upload_cases() -> list[UploadCase]:
    """Every app's ``tests/upload_cases.py`` ``UPLOAD_CASES``."""
    from anjian.utilities.discovery import app_modules

    return [case for _label, module in app_modules("tests.upload_cases") for case in module.UPLOAD_CASES]
