"""Importing the enterprise registry from Excel: every bad row reported in words, all rows or none."""

from __future__ import annotations

import io
import uuid
import zipfile
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from anjian.core import context, exchange
from anjian.core.models import AuditAction, AuditEntry, Job
from anjian.enterprises.models import Enterprise, EnterpriseStatus, StandardisationGrade
from anjian.utilities.testing import NORTH_CODE, SOUTH_CODE

from .workbooks import HEADERS, build_workbook, enterprise_row, good_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def run_import(world, rows, persona="district", headers=HEADERS, tmp_path=None):
    data = build_workbook(rows, headers=headers)
    user = world.users[persona] if persona else None
    with context.acting_as(user, source="command"):
        return exchange.import_workbook("enterprises", io.BytesIO(data), user=user, filename="test.xlsx")


def import_errors(world, rows, persona="district", headers=HEADERS) -> list[str]:
    before = (Enterprise.objects.count(), AuditEntry.objects.count())
    with pytest.raises(exchange.ImportFailed) as failed:
        run_import(world, rows, persona, headers)
    assert (Enterprise.objects.count(), AuditEntry.objects.count()) == before, "nothing may be written"
    return [e["text"] for e in failed.value.as_list()]


def entries(action):
    """Audit entries of the action written by the imports (not by building the test world)."""
    found = AuditEntry.objects.filter(action=action, object_type="enterprises.enterprise")
    return found.filter(source="command")


# -- a good workbook --------------------------------------------------------------------------
def test_good_workbook_imports_every_row(world):
    result = run_import(world, good_rows(5))
    assert (result.rows, result.created, result.updated, result.unchanged) == (5, 5, 0, 0)
    e = Enterprise.objects.get(name="测试企业3有限公司")
    assert e.area_id == world.north_community.code
    assert list(e.sectors.all()) == [world.mines_sector]
    assert list(e.departments.all()) == [world.dept_mines]
    assert (e.above_scale, e.key_enterprise, e.employees) == (True, False, 13)
    assert (e.latitude, e.longitude) == (Decimal("34.750000"), Decimal("113.620000"))
    assert (e.status, e.standardisation_grade, e.safety_manager_phone) == (
        EnterpriseStatus.OPERATING, StandardisationGrade.GRADE3, "13800138000")
    assert e.version == 1


def test_import_writes_the_audit_log_in_bulk(world):
    run_import(world, good_rows(3))
    created = entries(AuditAction.CREATE)
    assert created.count() == 3
    one = created.get(object_repr="测试企业2有限公司")
    assert one.username == "district"
    assert one.changes["name"] == [None, "测试企业2有限公司"]
    assert one.changes["sectors"] == {"added": [world.mines_sector.pk]}
    file_entry = entries(AuditAction.IMPORT).get()
    assert file_entry.object_repr == "test.xlsx"
    assert file_entry.changes["created"] == 3


def test_importing_the_same_workbook_twice_changes_nothing(world):
    run_import(world, good_rows(4))
    stamps = dict(Enterprise.objects.values_list("credit_code", "last_updated"))
    audit_before = AuditEntry.objects.exclude(action=AuditAction.IMPORT).count()
    result = run_import(world, good_rows(4))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    assert dict(Enterprise.objects.values_list("credit_code", "last_updated")) == stamps
    assert set(Enterprise.objects.values_list("version", flat=True)) == {1}
    # No change entries the second time; only the file's own import entry.
    assert AuditEntry.objects.exclude(action=AuditAction.IMPORT).count() == audit_before
    assert entries(AuditAction.IMPORT).count() == 2


def test_reimport_updates_changed_rows_by_credit_code(world):
    run_import(world, good_rows(3))
    rows = good_rows(3)
    rows[1].update({"从业人员数": 999, "行业领域": "商场超市;非煤矿山", "所属社区/村": "", "重点企业": "是"})
    result = run_import(world, rows)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    e = Enterprise.objects.get(name="测试企业2有限公司")
    assert (e.employees, e.key_enterprise, e.area_id, e.version) == (999, True, world.north.code, 2)
    assert set(e.sectors.all()) == {world.mines_sector, world.retail_sector}
    change = entries(AuditAction.UPDATE).get()
    assert change.changes["employees"] == [12, 999]
    assert change.changes["sectors"] == {"added": [world.retail_sector.pk]}
    assert set(change.changes) == {"employees", "key_enterprise", "area_id", "sectors"}


def test_missing_optional_columns_leave_fields_unchanged(world):
    run_import(world, good_rows(1))
    headers = ["统一社会信用代码", "单位名称", "所属镇街", "行业领域", "从业人员数"]
    result = run_import(world, [enterprise_row(1, 从业人员数=5)], headers=headers)
    assert result.updated == 1
    e = Enterprise.objects.get(name="测试企业1有限公司")
    assert e.employees == 5
    assert e.area_id == world.north_community.code  # still in its community of 北镇
    assert list(e.departments.all()) == [world.dept_mines]
    assert e.standardisation_grade == StandardisationGrade.GRADE3


def test_headers_with_hints_and_marks_are_recognised(world):
    headers = [h + "*" if i < 2 else h for i, h in enumerate(HEADERS)]
    headers[7] = "规模以上(是/否)"
    headers[15] = "经营状态（正常经营/停产停业/关闭）"
    rows = [list(enterprise_row(1).values())]
    assert run_import(world, rows, headers=headers).created == 1


def test_towns_communities_sectors_and_departments_by_code(world):
    row = enterprise_row(1, 所属镇街=world.south.code, 所属社区村=None, 行业领域="retail", 监管部门="commerce")
    row["所属社区/村"] = world.south_community.code
    run_import(world, [row])
    e = Enterprise.objects.get(name="测试企业1有限公司")
    assert e.area_id == world.south_community.code
    assert list(e.sectors.all()) == [world.retail_sector]
    assert list(e.departments.all()) == [world.dept_commerce]


def test_an_existing_enterprise_is_updated_by_its_code(world):
    row = enterprise_row(1, 统一社会信用代码=NORTH_CODE, 单位名称="北方矿业有限公司", 从业人员数=121)
    assert run_import(world, [row]).updated == 1
    world.ent_north.refresh_from_db()
    assert world.ent_north.employees == 121


# -- bad workbooks: every error in words, nothing imported -------------------------------------
def test_invalid_credit_code_says_which_check_character(world):
    errors = import_errors(world, [enterprise_row(1), enterprise_row(2, 统一社会信用代码="91410199MA00000019")])
    assert errors == ["Row 3, “统一社会信用代码”: The check character should be B, not 9: the code is mistyped."]


def test_credit_code_errors_in_chinese(world):
    with translation.override("zh-hans"):
        errors = import_errors(world, [enterprise_row(2, 统一社会信用代码="91410199MA00000019")])
    assert errors[0].startswith("第 2 行「统一社会信用代码」：")
    assert "B" in errors[0] and "9" in errors[0]


def test_credit_code_too_short_or_with_forbidden_letters(world):
    errors = import_errors(world, [enterprise_row(1, 统一社会信用代码="9141"),
                                   enterprise_row(2, 统一社会信用代码="91410199MA0000001O")])
    assert "has 18 characters; this one has 4" in errors[0]
    assert "'O' is not allowed" in errors[1]


def test_credit_code_stored_as_a_number(world):
    errors = import_errors(world, [enterprise_row(1, 统一社会信用代码=914101990000000000)])
    assert "stored as a number" in errors[0]


def test_duplicate_code_in_the_file_names_both_rows(world):
    rows = [enterprise_row(1), enterprise_row(2), enterprise_row(1, 单位名称="别名有限公司")]
    errors = import_errors(world, rows)
    code = rows[0]["统一社会信用代码"]
    assert errors == [f"Row 4, “统一社会信用代码”: {code} appears twice in the file, on rows 2 and 4; "
                      "each may appear only once."]


def test_code_registered_under_another_name_says_which_name(world):
    errors = import_errors(world, [enterprise_row(1, 统一社会信用代码=NORTH_CODE, 单位名称="改名公司")])
    assert errors == [f"Row 2, “单位名称”: {NORTH_CODE} is already registered as “北方矿业有限公司”, not “改名公司”. "
                      "Correct the name or the code (a change of name is made on the enterprise's page)."]


def test_unknown_town_and_community_by_name_or_code(world):
    rows = [enterprise_row(1, 所属镇街="西镇"), enterprise_row(2, 所属镇街="410199099000"),
            enterprise_row(3, **{"所属社区/村": "南一社区"}), enterprise_row(4, **{"所属社区/村": "410199001999"})]
    errors = import_errors(world, rows)
    assert errors == [
        "Row 2, “所属镇街”: There is no town or sub-district named or coded “西镇”.",
        "Row 3, “所属镇街”: There is no town or sub-district named or coded “410199099000”.",
        "Row 4, “所属社区/村”: “南一社区” is not a community or village of 北镇.",
        "Row 5, “所属社区/村”: “410199001999” is not a community or village of 北镇.",
    ]


def test_negative_employee_count(world):
    errors = import_errors(world, [enterprise_row(1, 从业人员数=-5)])
    assert errors == ["Row 2, “从业人员数”: The number of employees cannot be negative (-5)."]


def test_other_cell_errors(world):
    rows = [enterprise_row(1, 规模以上="可能"), enterprise_row(2, 经营状态="营业"), enterprise_row(3, 纬度=95),
            enterprise_row(4, 安全负责人电话="12345"), enterprise_row(5, 行业领域="炼金术"),
            enterprise_row(6, 从业人员数="十个"), enterprise_row(7, 单位名称="")]
    errors = import_errors(world, rows)
    assert errors == [
        "Row 2, “规模以上”: Write 是 or 否, not “可能”.",
        "Row 3, “经营状态”: Write one of 正常经营、停产停业、关闭, not “营业”.",
        "Row 4, “纬度”: The value must lie between -90 and 90 (95).",
        "Row 5, “安全负责人电话”: 12345 is not a phone number: use a mobile number (11 digits) or a landline "
        "such as 0371-12345678.",
        "Row 6, “行业领域”: Unknown sector “炼金术”: use the names of the sector catalogue.",
        "Row 7, “从业人员数”: “十个” is not a whole number.",
        "Row 8, “单位名称”: This column must be filled in.",
    ]


def test_every_bad_row_and_column_is_reported(world):
    rows = good_rows(30)
    rows[4]["统一社会信用代码"] = "91410199MA00000019"
    rows[4]["从业人员数"] = -1
    rows[20]["所属镇街"] = "西镇"
    rows[29]["行业领域"] = ""
    errors = import_errors(world, rows)
    assert [e.split(":")[0] for e in errors] == [
        "Row 6, “统一社会信用代码”", "Row 6, “从业人员数”", "Row 22, “所属镇街”", "Row 31, “行业领域”"]


def test_an_error_after_written_batches_rolls_everything_back(world, monkeypatch):
    kind = exchange.get_kind("enterprises")
    monkeypatch.setattr(type(kind), "batch_size", 3)
    rows = good_rows(10)
    rows[9]["从业人员数"] = -1
    errors = import_errors(world, rows)
    assert errors == ["Row 11, “从业人员数”: The number of employees cannot be negative (-1)."]
    assert not Enterprise.objects.filter(name__startswith="测试企业").exists()


def test_missing_required_column_is_named(world):
    headers = [h for h in HEADERS if h not in ("行业领域", "所属镇街")]
    errors = import_errors(world, [enterprise_row(1)], headers=headers)
    assert errors == [
        "Row 1, “所属镇街”: This required column is missing from the header row. Use the headers of the template.",
        "Row 1, “行业领域”: This required column is missing from the header row. Use the headers of the template.",
    ]


def test_empty_sheet(world):
    assert import_errors(world, [], headers=None) == [
        "The sheet is empty: the first row must hold the column headers (download the template)."]


def test_headers_but_no_rows(world):
    assert import_errors(world, [[None] * 17, ["", " "]]) == ["The sheet has column headers but no data rows."]


def test_blank_rows_are_skipped_and_row_numbers_stay_excel_numbers(world):
    rows = [enterprise_row(1), [None] * 17, enterprise_row(2, 从业人员数=-1)]
    assert import_errors(world, rows) == ["Row 4, “从业人员数”: The number of employees cannot be negative (-1)."]


def test_a_file_renamed_to_xlsx_is_refused_by_its_content(world, tmp_path):
    fake = tmp_path / "enterprises.xlsx"
    fake.write_text("统一社会信用代码,单位名称\n", encoding="utf-8")
    with pytest.raises(exchange.ImportFailed, match="not an Excel workbook"):
        exchange.import_workbook("enterprises", fake, user=world.users["district"])
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    docx.seek(0)
    with pytest.raises(exchange.ImportFailed, match="not an Excel workbook"):
        exchange.import_workbook("enterprises", docx, user=world.users["district"])


def test_a_zip_bomb_is_refused(world, settings):
    settings.ANJIAN_IMPORT_MAX_BYTES = 50_000
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/sharedStrings.xml", "0" * 2_000_000)
    bomb.seek(0)
    with pytest.raises(exchange.ImportFailed, match="unpacks to 1.9 MB, more than the 1.0 MB allowed"):
        exchange.import_workbook("enterprises", bomb, user=world.users["district"])


def test_an_old_xls_file_is_explained(world):
    ole = io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(exchange.ImportFailed, match=r"Excel 97-2003 \(.xls\)"):
        exchange.import_workbook("enterprises", ole, user=world.users["district"])


def test_a_file_too_large_is_refused(world, settings):
    settings.ANJIAN_IMPORT_MAX_BYTES = 1024
    data = build_workbook(good_rows(50))
    with pytest.raises(exchange.ImportFailed, match=r"at most 0.0 MB|at most .* MB"):
        exchange.import_workbook("enterprises", io.BytesIO(data), user=world.users["district"])


# -- the importing user's scope ----------------------------------------------------------------
def test_town_user_may_import_only_into_its_area(world):
    rows = [enterprise_row(1), enterprise_row(2, 所属镇街="南镇", **{"所属社区/村": "南一社区"})]
    errors = import_errors(world, rows, persona="town_north")
    assert errors == ["Row 3, “所属镇街”: 南镇 is outside your area (北镇)."]
    assert run_import(world, [enterprise_row(1)], persona="town_north").created == 1


def test_town_user_cannot_change_an_enterprise_of_another_town(world):
    row = enterprise_row(1, 统一社会信用代码=SOUTH_CODE, 单位名称="南方商贸有限公司")
    errors = import_errors(world, [row], persona="town_north")
    assert errors == [f"Row 2, “统一社会信用代码”: {SOUTH_CODE} is already registered to an enterprise outside "
                      "your data scope; ask the district office to correct it."]
    world.ent_south.refresh_from_db()
    assert world.ent_south.area_id == world.south_community.code


def test_system_import_has_no_scope_and_says_so(world):
    result = run_import(world, [enterprise_row(1, 所属镇街="南镇", **{"所属社区/村": ""})], persona=None)
    assert result.created == 1
    entry = entries(AuditAction.IMPORT).get()
    assert entry.message.startswith("System import (no user scope).")


# -- the page ----------------------------------------------------------------------------------
def in_english(client):
    """The pages are Chinese unless the user chose English (the language switch's cookie)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def upload(data: bytes, name="enterprises.xlsx"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_import_page_shows_the_rules_and_columns(client_for):
    response = client_for("district").get(reverse("enterprises:import"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "统一社会信用代码" in body and "标准化等级" in body
    assert reverse("enterprises:import_template") in body


@pytest.mark.parametrize("persona", ["leader", "inspector", "ent_north", "sysadmin", "auditor", "dept_mines"])
def test_only_registry_keepers_may_import(client_for, persona):
    c = client_for(persona)
    assert c.get(reverse("enterprises:import")).status_code == 403
    assert c.post(reverse("enterprises:import"), {"file": upload(build_workbook(good_rows(1)))}).status_code == 403
    assert c.get(reverse("enterprises:import_template")).status_code == 403
    assert not Enterprise.objects.filter(name="测试企业1有限公司").exists()


def test_small_upload_runs_at_once_and_shows_the_result(client_for, world):
    c = in_english(client_for("town_north"))
    response = c.post(reverse("enterprises:import"), {"file": upload(build_workbook(good_rows(3)))})
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.status == "succeeded" and job.result["created"] == 3
    created = AuditEntry.objects.filter(action=AuditAction.CREATE, object_repr__startswith="测试企业")
    assert created.count() == 3
    assert {(e.username, e.ip, e.source, e.request_id) for e in created} == {
        ("town_north", "127.0.0.1", "job", job.params and uuid.UUID(job.params["request_id"]))}
    page = c.get(response["Location"])
    assert page.status_code == 200
    assert "3 rows read: 3 added, 0 changed, 0 unchanged." in page.content.decode()
    assert 'data-status="succeeded"' in page.content.decode()


def test_bad_upload_lists_every_error_on_the_page(client_for, world):
    c = in_english(client_for("district"))
    rows = [enterprise_row(1, 从业人员数=-2), enterprise_row(2, 所属镇街="西镇")]
    response = c.post(reverse("enterprises:import"), {"file": upload(build_workbook(rows))}, follow=True)
    body = response.content.decode()
    assert "Row 2, “从业人员数”: The number of employees cannot be negative (-2)." in body
    assert "Row 3, “所属镇街”: There is no town or sub-district named or coded “西镇”." in body
    assert "Nothing was imported" in body
    assert Job.objects.get().status == "failed"
    assert Enterprise.objects.count() == 2


def test_upload_that_is_not_a_workbook_creates_no_job(client_for, world):
    response = in_english(client_for("district")).post(reverse("enterprises:import"),
                                                        {"file": upload(b"PK not really")})
    assert response.status_code == 400
    assert "not an Excel workbook" in response.content.decode()
    assert not Job.objects.exists()


def test_an_upload_too_large_is_refused_before_it_is_read(client_for, world, settings):
    settings.ANJIAN_IMPORT_MAX_BYTES = 10_000
    data = build_workbook(good_rows(1)) + b"\0" * 200_000
    response = in_english(client_for("district")).post(reverse("enterprises:import"),
                                                        {"file": upload(data)})
    assert response.status_code == 400
    assert "at most 0.0 MB may be imported" in response.content.decode()
    assert not Job.objects.exists()


def test_large_upload_runs_in_the_background_with_progress(client_for, world, settings,
                                                           django_capture_on_commit_callbacks):
    settings.ANJIAN_IMPORT_BACKGROUND_ROWS = 5
    c = client_for("district")
    with django_capture_on_commit_callbacks(execute=True):  # the job starts once the upload is committed
        response = c.post(reverse("enterprises:import"), {"file": upload(build_workbook(good_rows(12)))})
    job = Job.objects.get()
    assert job.total == 12  # the estimate from the sheet's declared size
    # ANJIAN_JOBS_INLINE (tests) runs the background job at once; the page polls the job's partial.
    assert job.status == "succeeded" and job.result["created"] == 12 and job.done == 12
    page = c.get(response["Location"]).content.decode()
    assert "100%" in page
    status = c.get(reverse("core:job", args=[job.uuid]), HTTP_ACCEPT="application/json").json()
    assert status["percent"] == 100 and status["result"]["created"] == 12
    assert client_for("town_north").get(reverse("core:job", args=[job.uuid])).status_code == 404


def test_template_download_has_headers_example_and_explanation(client_for, world, tmp_path):
    import openpyxl

    response = client_for("town_north").get(reverse("enterprises:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    path = tmp_path / "template.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    book = openpyxl.load_workbook(path)
    data, notes = book.worksheets
    assert [c.value for c in data[1]] == HEADERS
    example = [c.value for c in data[2]]
    assert example[3] == "北镇" and example[4] == "北一社区"
    assert notes.max_row > len(HEADERS)
    # The example row itself imports cleanly for the user who downloaded the template.
    result = exchange.import_workbook("enterprises", path, user=world.users["town_north"])
    assert result.created == 1
