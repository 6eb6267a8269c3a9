"""Damaged and hostile workbooks (issue 10.4): a truncated sheet, a broken zip, an entity bomb or
an internal entity in any part are refused in words naming the part, from ``import_workbook``,
``anjian import`` (one line, exit status 1) and the web import (the job ends with the message);
nothing is written. Also: the default stream reader reads what openpyxl reads."""

from __future__ import annotations

import datetime
import io
import os
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from anjian.core import exchange
from anjian.core.exchange.readers import READERS, StreamReader
from anjian.core.models import AuditEntry, Job
from anjian.enterprises.models import Enterprise
from anjian.enterprises.tests.workbooks import HEADERS, build_workbook, good_rows

ROOT = Path(__file__).resolve().parents[3]
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
BOMB = (b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')
INTERNAL = b'<!DOCTYPE worksheet [<!ENTITY company "Injected Ltd">]>'


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def rewrite(data: bytes, part: str, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook ``data`` with ``part`` changed by ``change``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for info in source.infolist():
            body = source.read(info)
            package.writestr(info.filename, change(body) if info.filename == part else body)
    return out.getvalue()


def with_doctype(doctype: bytes, entity: bytes = b"") -> Callable[[bytes], bytes]:
    """Insert ``doctype`` after the XML declaration and ``entity`` (a reference) into the first text."""
    def change(body: bytes) -> bytes:
        body = body.replace(b"?>", b"?>" + doctype, 1) if body.startswith(b"<?xml") else doctype + body
        if entity:
            body = body.replace(b"<t>", b"<t>" + entity, 1)
        return body
    return change


def good(n: int = 3) -> bytes:
    """A valid workbook as Excel writes one: strings in the shared string table (XlsxWriter)."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADERS)
    for index, row in enumerate(good_rows(n), start=1):
        sheet.write_row(index, 0, [row[h] for h in HEADERS])
    book.close()
    return out.getvalue()


def refused(world, data: bytes, reader: str | None = None) -> str:
    before = (Enterprise.objects.count(), AuditEntry.objects.count())
    with pytest.raises(exchange.ImportFailed) as failed:
        exchange.import_workbook("enterprises", io.BytesIO(data), user=world.users["district"], reader=reader)
    assert (Enterprise.objects.count(), AuditEntry.objects.count()) == before, "nothing may be written"
    errors = failed.value.as_list()
    assert len(errors) == 1 and errors[0]["row"] is None
    return errors[0]["text"]


# -- refused before anything is read -----------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("part", [SHEET, STRINGS, "xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml"])
def test_an_entity_bomb_in_any_part_is_refused(world, part):
    message = refused(world, rewrite(good(), part, with_doctype(BOMB, b"&lol3;")))
    assert f"its part {part} declares XML entities" in message and "entity bomb" in message


@pytest.mark.django_db
@pytest.mark.parametrize("reader", sorted(READERS))
def test_an_internal_entity_is_refused_not_expanded(world, reader):
    message = refused(world, rewrite(good(), STRINGS, with_doctype(INTERNAL, b"&company;")), reader)
    assert f"its part {STRINGS} declares XML entities" in message
    assert not Enterprise.objects.filter(name__contains="Injected").exists()


@pytest.mark.django_db
def test_a_workbook_cut_off_in_its_zip_structure_is_refused(world):
    data = good()
    message = refused(world, data[: len(data) // 2])
    assert "zip structure is incomplete" in message and "cut off" in message


@pytest.mark.django_db
@pytest.mark.parametrize("reader", sorted(READERS))
def test_a_truncated_sheet_names_the_part_and_says_it_was_cut_off(world, reader):
    data = rewrite(build_workbook(good_rows(40)), SHEET, lambda body: body[: len(body) * 2 // 3])
    message = refused(world, data, reader)
    assert f"its part {SHEET} cannot be read" in message
    if reader != "calamine":  # calamine's own words for it are less precise (still the part and "damaged")
        assert "cut off" in message or "malformed" in message


@pytest.mark.django_db
@pytest.mark.parametrize("reader", ["openpyxl", "stream"])  # calamine reads past a mismatched end tag
def test_malformed_sheet_xml_is_refused_in_words(world, reader):
    data = rewrite(good(), SHEET, lambda body: body.replace(b"</row>", b"</rows>", 1))
    message = refused(world, data, reader)
    assert f"its part {SHEET} cannot be read" in message and "damaged" in message


@pytest.mark.django_db
def test_corrupt_compressed_data_names_the_part(world):
    data = bytearray(build_workbook(good_rows(200)))
    package = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = package.getinfo(SHEET)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for offset in range(start + info.compress_size // 2, start + info.compress_size // 2 + 64):
        data[offset] ^= 0x5A
    message = refused(world, bytes(data))
    assert f"its part {SHEET} cannot be read" in message


def test_the_stream_reader_refuses_a_dtd_even_when_not_checked_first():
    data = rewrite(good(), SHEET, with_doctype(BOMB, b"&lol3;"))
    with StreamReader(io.BytesIO(data)) as reader, pytest.raises(exchange.ImportFailed, match="declares XML entities"):
        list(reader.rows())


# -- the command line and the web ------------------------------------------------------------------
@pytest.mark.django_db
def test_anjian_import_says_it_in_one_line(world, tmp_path):
    path = tmp_path / "cut.xlsx"
    path.write_bytes(rewrite(build_workbook(good_rows(40)), SHEET, lambda body: body[: len(body) // 2]))
    err = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import", "enterprises", str(path), stderr=err, verbosity=0)
    assert "\n" not in str(failed.value) and f"its part {SHEET} cannot be read" in str(failed.value)
    assert "Traceback" not in err.getvalue()


def test_manage_py_import_of_an_entity_bomb_exits_1_with_one_line(tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(rewrite(good(), STRINGS, with_doctype(BOMB, b"&lol3;")))
    result = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "manage.py", "import", "enterprises", str(path),
                             "-v", "0"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "ANJIAN_VAR_DIR": str(tmp_path / "var"), "LANGUAGE": "en"})
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and STRINGS in lines[0] and "Traceback" not in result.stderr


@pytest.mark.django_db
def test_the_web_import_of_a_truncated_sheet_ends_the_job_with_the_message(client_for, world):
    from django.conf import settings

    client = client_for("district")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = rewrite(build_workbook(good_rows(40)), SHEET, lambda body: body[: len(body) // 2])
    response = client.post(reverse("enterprises:import"),
                           {"file": SimpleUploadedFile("cut.xlsx", data, content_type="application/octet-stream")},
                           follow=True)
    body = response.content.decode()
    job = Job.objects.get()
    assert job.status == "failed"
    assert f"its part {SHEET} cannot be read" in body and "ParseError" not in body
    assert "Unexpected error" not in body and "意外错误" not in body


@pytest.mark.django_db
def test_the_web_import_of_an_entity_bomb_is_refused_before_a_job(client_for, world):
    from django.conf import settings

    client = client_for("district")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = rewrite(good(), SHEET, with_doctype(BOMB, b"&lol3;"))
    response = client.post(reverse("enterprises:import"),
                           {"file": SimpleUploadedFile("bomb.xlsx", data, content_type="application/octet-stream")})
    assert response.status_code == 400
    assert "declares XML entities" in response.content.decode()
    assert not Job.objects.exists()


# -- the stream reader reads what openpyxl reads ------------------------------------------------------
def test_the_stream_reader_gives_openpyxl_values(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["text", "int", "float", "bool", "date", "datetime", "empty", "formula"])
    sheet.append(["北镇", 12, 34.75, True, datetime.date(2026, 3, 1), datetime.datetime(2026, 3, 1, 8, 30), None, "=1+1"])
    sheet.append([" spaced ", -3, 1e-7, False, datetime.date(1900, 1, 15), None, None, None])
    sheet.append([])
    sheet.append(["after a blank row"])
    sheet["J5"] = "far column"
    path = tmp_path / "values.xlsx"
    book.save(path)
    with READERS["openpyxl"](path) as reader:
        expected = [(n, [v for v in values]) for n, values in reader.rows() if any(v is not None for v in values)]
    with StreamReader(path) as reader:
        got = [(n, list(values)) for n, values in reader.rows()]
        assert reader.row_count == 5

    def trimmed(rows):
        result = []
        for n, values in rows:
            while values and values[-1] is None:
                values.pop()
            result.append((n, values))
        return result

    assert trimmed(got) == trimmed(expected)
    assert got[1][1][4] == datetime.datetime(2026, 3, 1) and got[2][1][4] == datetime.datetime(1900, 1, 15)
