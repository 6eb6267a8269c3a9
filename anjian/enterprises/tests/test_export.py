"""Exporting the enterprise registry to Excel: only the rows in scope, the list page's filters,
the import's headers (an export re-imports unchanged), an audit entry."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from anjian.core import context, exchange
from anjian.core.models import AuditAction, AuditEntry
from anjian.enterprises.models import Enterprise
from anjian.utilities.testing import NORTH_CODE, SOUTH_CODE, CountQueries

from .workbooks import HEADERS, build_workbook, good_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def download(client, query: str = "") -> openpyxl.Workbook:
    response = client.get(reverse("enterprises:export") + query)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def codes(book: openpyxl.Workbook) -> set[str]:
    return {row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}


@pytest.mark.parametrize("persona", ["district", "leader", "dept_mines", "town_north", "inspector"])
def test_export_holds_exactly_the_rows_the_user_may_see(client_for, world, persona):
    book = download(client_for(persona))
    assert codes(book) == {e.credit_code for e in world.visible_enterprises(persona)}


@pytest.mark.parametrize("persona", ["sysadmin", "auditor", "ent_north"])
def test_users_without_the_permission_cannot_export(client_for, persona):
    assert client_for(persona).get(reverse("enterprises:export")).status_code == 403


def test_export_has_the_import_headers_and_readable_values(client_for, world):
    sheet = download(client_for("district")).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS
    rows = {r[0]: dict(zip(HEADERS, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    north = rows[NORTH_CODE]
    assert north["单位名称"] == "北方矿业有限公司"
    assert (north["所属镇街"], north["所属社区/村"]) == ("北镇", "北一社区")
    assert north["行业领域"] == "非煤矿山"
    assert (north["规模以上"], north["重点企业"], north["从业人员数"]) == ("是", "是", 120)
    assert north["经营状态"] == "正常经营" and north["标准化等级"] == "无"


def test_export_applies_the_list_page_filters(client_for, world):
    c = client_for("district")
    assert codes(download(c, f"?town={world.south.code}")) == {SOUTH_CODE}
    assert codes(download(c, "?sector=non_coal_mine")) == {NORTH_CODE}
    assert codes(download(c, "?q=北方")) == {NORTH_CODE}
    assert codes(download(c, "?key_enterprise=false")) == {SOUTH_CODE}
    assert codes(download(client_for("town_north"), "?sector=retail")) == set()


def test_a_town_outside_the_scope_is_refused_in_words_not_ignored(client_for, world):
    # Filters never widen the scope, and a filter the user may not use is said, not dropped.
    response = client_for("town_north").get(f"/enterprises/export.xlsx?town={world.south.code}")
    assert response.status_code == 400
    text = response.content.decode()
    assert "导出未完成" in text and f"{world.south.code} 不在您的辖区内" in text
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_an_invalid_filter_is_refused_in_words(client_for, world):
    response = client_for("district").get("/enterprises/export.xlsx?status=flying")
    assert response.status_code == 400
    assert "flying" in response.content.decode()


def test_export_is_recorded_in_the_audit_log(client_for, world):
    download(client_for("town_north"), f"?town={world.north.code}")
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.username == "town_north"
    assert entry.object_type == "enterprises.enterprise"
    assert entry.changes == {"rows": 1, "filters": {"town": world.north.code}}


def test_export_then_import_round_trip(world, tmp_path):
    district = world.users["district"]
    with context.acting_as(district, source="command"):
        exchange.import_workbook("enterprises", io.BytesIO(build_workbook(good_rows(20))), user=district)
        path = tmp_path / "export.xlsx"
        assert exchange.export_workbook("enterprises", district, path) == 22
        # Re-importing the export changes nothing ...
        again = exchange.import_workbook("enterprises", path, user=district)
        assert (again.rows, again.created, again.updated, again.unchanged) == (22, 0, 0, 22)
        # ... and restores every field changed since.
        before = {e.credit_code: _state(e) for e in Enterprise.objects.all()}
        Enterprise.objects.filter(name__startswith="测试企业").update(employees=0, latitude=None, status="closed",
                                                                   address="")
        world.ent_north.sectors.clear()
        restored = exchange.import_workbook("enterprises", path, user=district)
        assert restored.updated == 21
        assert {e.credit_code: _state(e) for e in Enterprise.objects.all()} == before


def _state(e: Enterprise) -> tuple:
    return (e.name, e.address, e.area_id, e.above_scale, e.key_enterprise, e.employees, e.legal_representative,
            e.safety_manager, e.safety_manager_phone, e.latitude, e.longitude, e.status, e.standardisation_grade,
            frozenset(e.sectors.values_list("pk", flat=True)), frozenset(e.departments.values_list("pk", flat=True)))


def test_export_query_count_does_not_grow_with_rows(world, tmp_path):
    district = world.users["district"]

    def export() -> int:
        with CountQueries() as queries:
            exchange.export_workbook("enterprises", district, tmp_path / "out.xlsx")
        return queries.count

    export()  # the user's scope is computed once, then cached on the user
    few = export()
    with context.acting_as(district, source="command"):
        exchange.import_workbook("enterprises", io.BytesIO(build_workbook(good_rows(40))), user=district)
    assert export() == few
