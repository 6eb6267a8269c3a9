"""The `anjian import`, `anjian export` and `anjian worker` commands: errors in words on stderr,
a non-zero exit status on any failure, the user's scope with --as."""

from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from anjian.core.models import AuditAction, AuditEntry
from anjian.enterprises.models import Enterprise
from anjian.enterprises.tests.workbooks import build_workbook, enterprise_row, good_rows
from anjian.territory.catalogue import load_sectors
from anjian.utilities.testing import NORTH_CODE, SOUTH_CODE, make_world
from anjian.utilities.testing.services import require_postgres

ROOT = Path(__file__).resolve().parents[3]
PYTHON = ROOT / ".venv" / "bin" / "python"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def workbook(tmp_path: Path, rows, name: str = "enterprises.xlsx") -> str:
    path = tmp_path / name
    build_workbook(rows, path=path)
    return str(path)


# -- import -------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_import_as_a_user_prints_progress_and_the_summary(world, tmp_path):
    out, err = run("import", "enterprises", workbook(tmp_path, good_rows(3)), "--as", "district")
    assert out.strip() == "3 rows read: 3 added, 0 changed, 0 unchanged."
    assert "3/3 rows read (100%)" in err
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT, username="district", source="command").exists()


@pytest.mark.django_db
def test_import_prints_every_error_and_fails(world, tmp_path):
    rows = [enterprise_row(1, 从业人员数=-1), enterprise_row(2), enterprise_row(3, 所属镇街="西镇")]
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"Nothing was imported: 2 error\(s\) in enterprises.xlsx."):
        call_command("import", "enterprises", workbook(tmp_path, rows), "--as", "district", stderr=err,
                     stdout=io.StringIO())
    assert "Row 2, “从业人员数”: The number of employees cannot be negative (-1)." in err.getvalue()
    assert "Row 4, “所属镇街”: There is no town or sub-district named or coded “西镇”." in err.getvalue()
    assert Enterprise.objects.count() == 2


@pytest.mark.django_db
def test_import_with_the_scope_of_a_town_user(world, tmp_path):
    rows = [enterprise_row(1), enterprise_row(2, 所属镇街="南镇", **{"所属社区/村": ""})]
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "enterprises", workbook(tmp_path, rows), "--as", "town_north", stderr=err,
                     stdout=io.StringIO())
    assert "Row 3, “所属镇街”: 南镇 is outside your area (北镇)." in err.getvalue()


@pytest.mark.django_db
def test_system_import_is_recorded_as_such(world, tmp_path):
    rows = [enterprise_row(1, 所属镇街="南镇", **{"所属社区/村": ""})]
    run("import", "enterprises", workbook(tmp_path, rows))
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert entry.source == "command" and entry.username == ""
    assert entry.message.startswith("System import (no user scope).")


@pytest.mark.django_db
@pytest.mark.parametrize(("args", "message"), [
    (["import", "nothing", "x.xlsx"], "Unknown kind “nothing”"),
    (["import", "enterprises", "/nonexistent/file.xlsx"], "There is no file /nonexistent/file.xlsx."),
    (["import", "enterprises", "{good}", "--as", "nobody"], "There is no user “nobody”."),
    (["import", "enterprises", "{good}", "--as", "leader"],
     "The user “leader” may not do this (needs enterprises.import_enterprise)."),
    (["import", "enterprises", "{text}"], "not an Excel workbook"),
])
def test_import_refusals_are_in_words(world, tmp_path, args, message):
    good = workbook(tmp_path, good_rows(1))
    text = tmp_path / "renamed.xlsx"
    text.write_text("not a workbook")
    args = [a.format(good=good, text=text) for a in args]
    with pytest.raises(CommandError, match=re.escape(message)):
        run(*args)


# -- export -------------------------------------------------------------------------------------
def exported_codes(path: Path) -> set[str]:
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    return {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}


@pytest.mark.django_db
def test_export_as_a_user_writes_what_they_may_see(world, tmp_path):
    out, _err = run("export", "enterprises", str(tmp_path / "north.xlsx"), "--as", "town_north")
    assert out.strip() == f"Exported 1 rows to {tmp_path / 'north.xlsx'}."
    assert exported_codes(tmp_path / "north.xlsx") == {NORTH_CODE}
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert (entry.username, entry.source) == ("town_north", "command")


@pytest.mark.django_db
def test_export_with_filters(world, tmp_path):
    run("export", "enterprises", str(tmp_path / "south.xlsx"), f"town={world.south.code}")
    assert exported_codes(tmp_path / "south.xlsx") == {SOUTH_CODE}
    run("export", "enterprises", str(tmp_path / "mines.xlsx"), "--filter", "sector=non_coal_mine")
    assert exported_codes(tmp_path / "mines.xlsx") == {NORTH_CODE}


@pytest.mark.django_db
@pytest.mark.parametrize(("args", "message"), [
    (["colour=red"], "“colour=red” is not a filter of enterprises"),
    (["status=flying"], "Invalid filter: Status: .*flying"),
    (["--as", "sysadmin"], "The user “sysadmin” may not do this"),
])
def test_export_refusals_are_in_words(world, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        run("export", "enterprises", str(tmp_path / "out.xlsx"), *args)
    assert not (tmp_path / "out.xlsx").exists()


def test_export_needs_an_xlsx_name(tmp_path):
    with pytest.raises(CommandError, match="must end in .xlsx"):
        run("export", "enterprises", str(tmp_path / "out.csv"))


# -- worker -------------------------------------------------------------------------------------
def test_worker_needs_redis(settings, monkeypatch):
    settings.REDIS_URL = ""
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    with pytest.raises(CommandError, match="anjian worker needs REDIS_URL"):
        run("worker")


def test_worker_says_when_the_broker_is_unreachable(settings, monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://:secret@127.0.0.1:1/0")
    from anjian.celery import app

    monkeypatch.setattr(app.conf, "broker_url", "redis://:secret@127.0.0.1:1/0")
    with pytest.raises(CommandError, match=r"Cannot reach the broker at redis://:\*\*\*@127.0.0.1:1/0"):
        run("worker")


# -- through manage.py, as a shell would run it ----------------------------------------------------
def manage(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_manage_py_import_of_a_bad_file_exits_non_zero_with_the_error_on_stderr(tmp_path):
    fake = tmp_path / "renamed.xlsx"
    fake.write_text("统一社会信用代码\n")
    result = manage("import", "enterprises", str(fake), env={"ANJIAN_VAR_DIR": str(tmp_path / "var")})
    assert result.returncode == 1
    assert "CommandError" in result.stderr and ".xlsx" in result.stderr
    assert result.stdout == ""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_manage_py_import_into_the_database(tmp_path):
    require_postgres()
    load_sectors()
    make_world()
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {"DATABASE_URL": url, "ANJIAN_VAR_DIR": str(tmp_path / "var")}
    good = workbook(tmp_path, good_rows(4))
    result = manage("import", "enterprises", good, "--as", "town_north", env=env)
    assert result.returncode == 0, result.stderr
    assert Enterprise.objects.filter(name__startswith="测试企业").count() == 4
    bad = workbook(tmp_path, [enterprise_row(9, 从业人员数=-1)], "bad.xlsx")
    result = manage("import", "enterprises", bad, "--as", "town_north", env=env)
    assert result.returncode == 1
    assert "从业人员数" in result.stderr and "-1" in result.stderr
    assert not Enterprise.objects.filter(name="测试企业9有限公司").exists()
