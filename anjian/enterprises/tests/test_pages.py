"""The registry pages as a district officer, a town office, a department and an enterprise use them."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from anjian.core.models import AuditEntry
from anjian.enterprises.models import Enterprise
from anjian.territory.models import Sector
from anjian.utilities.testing import (
    NORTH,
    NORTH_COMMUNITY,
    SOUTH,
    SOUTH_COMMUNITY,
    valid_credit_code,
)

LIST = "/enterprises/"
ROW_LINK = re.compile(r'href="/enterprises/\d+/"')


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def detail_link(enterprise: Enterprise) -> str:
    return f'href="/enterprises/{enterprise.pk}/"'


def add_enterprise(world, serial: int, **fields) -> Enterprise:
    sectors = fields.pop("sectors", [world.retail_sector])
    departments = fields.pop("departments", [])
    values = {"credit_code": valid_credit_code(serial), "name": f"测试企业{serial}", "area": world.south_community,
              "employees": 10, **fields}
    enterprise = Enterprise.objects.create(**values)
    enterprise.sectors.set(sectors)
    enterprise.departments.set(departments)
    return enterprise


def edit_payload(enterprise: Enterprise, **changes) -> dict:
    data = {
        "credit_code": enterprise.credit_code, "name": enterprise.name, "address": enterprise.address,
        "area": enterprise.area_id, "sectors": [s.pk for s in enterprise.sectors.all()],
        "departments": [d.pk for d in enterprise.departments.all()],
        "employees": enterprise.employees, "legal_representative": "", "safety_manager": "",
        "safety_manager_phone": "", "latitude": "", "longitude": "", "status": enterprise.status,
        "standardisation_grade": enterprise.standardisation_grade, "version": enterprise.version,
    }
    if enterprise.above_scale:
        data["above_scale"] = "on"
    if enterprise.key_enterprise:
        data["key_enterprise"] = "on"
    data.update(changes)
    return data


# --- list ---------------------------------------------------------------------------------
def test_district_sees_every_enterprise_with_its_total(world, client_for):
    html = client_for("district").get(LIST).content.decode()
    assert detail_link(world.ent_north) in html and detail_link(world.ent_south) in html
    assert "<strong>2</strong>" in html


def test_town_officer_cannot_see_other_towns(world, client_for):
    html = client_for("town_north").get(LIST).content.decode()
    assert detail_link(world.ent_north) in html
    assert detail_link(world.ent_south) not in html
    assert client_for("town_north").get(f"/enterprises/{world.ent_south.pk}/").status_code == 404


def test_system_roles_see_no_registry(world, client_for):
    assert client_for("sysadmin").get(LIST).status_code == 403
    assert client_for("auditor").get(f"/enterprises/{world.ent_north.pk}/").status_code == 404


@pytest.mark.parametrize(("query", "expected"), [
    ({"town": NORTH}, {"ent_north"}),
    ({"community": SOUTH_COMMUNITY}, {"ent_south"}),
    ({"sector": "non_coal_mine"}, {"ent_north"}),
    ({"sector": "commerce"}, {"ent_south"}),  # 商贸 includes its sub-sector 商场超市 (retail)
    ({"key_enterprise": "true"}, {"ent_north"}),
    ({"key_enterprise": "false"}, {"ent_south"}),
    ({"above_scale": "true"}, {"ent_north"}),
    ({"status": "operating"}, {"ent_north", "ent_south"}),
    ({"status": "closed"}, set()),
    ({"standardisation_grade": "none"}, {"ent_north", "ent_south"}),
    ({"q": "北方"}, {"ent_north"}),
    ({"q": "91410199ma0000002e"}, {"ent_south"}),
])
def test_list_filters(world, client_for, query, expected):
    html = client_for("district").get(LIST, query).content.decode()
    shown = {name for name in ("ent_north", "ent_south") if detail_link(getattr(world, name)) in html}
    assert shown == expected


def test_filter_by_department_grade_and_address(world, client_for):
    world.ent_south.departments.add(world.dept_commerce)
    Enterprise.objects.filter(pk=world.ent_north.pk).update(standardisation_grade="grade2", address="矿山路1号")
    client = client_for("district")
    assert detail_link(world.ent_south) in client.get(LIST, {"department": "commerce"}).content.decode()
    assert detail_link(world.ent_north) not in client.get(LIST, {"department": "commerce"}).content.decode()
    html = client.get(LIST, {"standardisation_grade": "grade2"}).content.decode()
    assert detail_link(world.ent_north) in html and detail_link(world.ent_south) not in html
    assert detail_link(world.ent_north) in client.get(LIST, {"q": "矿山路"}).content.decode()


def test_list_sorts_by_column(world, client_for):
    client = client_for("district")
    html = client.get(LIST, {"sort": "-employees"}).content.decode()
    assert html.index(detail_link(world.ent_north)) < html.index(detail_link(world.ent_south))  # 120 before 30
    html = client.get(LIST, {"sort": "employees"}).content.decode()
    assert html.index(detail_link(world.ent_south)) < html.index(detail_link(world.ent_north))
    assert 'aria-sort="ascending"' in html


def test_list_pages_by_fifty(world, client_for):
    for n in range(60):
        add_enterprise(world, 1000 + n)
    client = client_for("district")
    first = client.get(LIST).content.decode()
    assert "<strong>62</strong>" in first
    assert len(ROW_LINK.findall(first)) == 50
    second = client.get(LIST, {"page": 2}).content.decode()
    assert len(ROW_LINK.findall(second)) == 12


def test_htmx_request_gets_the_table_only_and_a_clean_address(world, client_for):
    response = client_for("district").get(LIST, {"town": NORTH, "q": "", "status": ""}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and detail_link(world.ent_north) in html
    assert response["HX-Push-Url"] == f"/enterprises/?town={NORTH}"
    assert 'hx-swap-oob="true"' in html  # the community choices follow the town
    assert "HX-Request" in response["Vary"]


def test_full_page_keeps_working_without_javascript(world, client_for):
    html = client_for("district").get(LIST, {"town": NORTH}).content.decode()
    assert '<form id="enterprise-filter" method="get" action="/enterprises/"' in html
    assert "table-mobile-cards" in html and 'data-label="' in html
    # Column headers are plain links that keep the filters (name is sorted ascending by default).
    assert f'href="/enterprises/?town={NORTH}&amp;sort=-name"' in html
    assert f'href="/enterprises/?town={NORTH}&amp;sort=employees"' in html


def test_import_and_export_buttons_follow_permissions(world, client_for):
    town = client_for("town_north").get(LIST, {"town": NORTH}).content.decode()
    assert reverse("enterprises:import") in town and reverse("enterprises:import_template") in town
    assert f'{reverse("enterprises:export")}?town={NORTH}"' in town  # the export keeps the filters
    leader = client_for("leader").get(LIST).content.decode()
    assert reverse("enterprises:export") in leader
    assert reverse("enterprises:import") not in leader and reverse("enterprises:add") not in leader
    enterprise = client_for("ent_north").get(LIST).content.decode()
    assert reverse("enterprises:export") not in enterprise and reverse("enterprises:import") not in enterprise


def test_enterprise_user_sees_only_itself(world, client_for):
    html = client_for("ent_north").get(LIST).content.decode()
    assert detail_link(world.ent_north) in html and detail_link(world.ent_south) not in html
    assert "<strong>1</strong>" in html


# --- detail -------------------------------------------------------------------------------
def test_detail_shows_every_field_and_the_area_path(world, client_for):
    world.ent_north.departments.add(world.dept_mines)
    Enterprise.objects.filter(pk=world.ent_north.pk).update(
        address="北镇矿山路1号", latitude="34.750000", longitude="113.620000", safety_manager="王安全",
        safety_manager_phone="13800138000", legal_representative="李法人", standardisation_grade="grade3")
    html = client_for("district").get(f"/enterprises/{world.ent_north.pk}/").content.decode()
    for text in ("北方矿业有限公司", "91410199MA0000001B", "北镇矿山路1号", "北镇</a> › ", "北一社区", "34.750000",
                 "113.620000", "非煤矿山", "矿山监管局", "王安全", "13800138000", "李法人", "grade 3"):
        assert text in html, text


def test_detail_shows_the_change_history_with_status_changes(world, client_for):
    client = client_for("town_north")
    enterprise = world.ent_north
    response = client.post(f"/enterprises/{enterprise.pk}/edit/", edit_payload(enterprise, status="suspended"))
    assert response.status_code == 302
    html = client.get(f"/enterprises/{enterprise.pk}/").content.decode()
    assert "town_north" in html
    assert "operating</span> → suspended" in html


def test_edit_button_only_for_those_who_may_change(world, client_for):
    url = f"/enterprises/{world.ent_north.pk}/"
    edit = f'href="/enterprises/{world.ent_north.pk}/edit/"'
    assert edit in client_for("town_north").get(url).content.decode()
    assert edit in client_for("ent_north").get(url).content.decode()
    assert edit not in client_for("leader").get(url).content.decode()
    assert edit not in client_for("inspector").get(url).content.decode()


# --- create and edit ------------------------------------------------------------------------
def test_town_office_adds_an_enterprise_in_its_town(world, client_for):
    data = {"credit_code": valid_credit_code(77).lower(), "name": "新建企业", "address": "北镇新路", "area": NORTH_COMMUNITY,
            "sectors": [world.mines_sector.pk], "employees": 5, "status": "operating"}
    response = client_for("town_north").post("/enterprises/add/", data)
    enterprise = Enterprise.objects.get(name="新建企业")
    assert response.status_code == 302 and response["Location"] == f"/enterprises/{enterprise.pk}/"
    assert enterprise.credit_code == valid_credit_code(77)
    assert AuditEntry.objects.filter(object_type="enterprises.enterprise", object_id=str(enterprise.pk),
                                     action="create", username="town_north").exists()


def test_town_office_cannot_add_an_enterprise_in_another_town(world, client_for):
    data = {"credit_code": valid_credit_code(78), "name": "越界企业", "area": SOUTH_COMMUNITY,
            "sectors": [world.retail_sector.pk], "employees": 5, "status": "operating"}
    response = client_for("town_north").post("/enterprises/add/", data)
    assert response.status_code == 400
    assert 'data-field-error="area"' in response.content.decode()
    assert not Enterprise.objects.filter(name="越界企业").exists()


def test_invalid_credit_code_is_refused_with_its_reason(world, client_for):
    data = {"credit_code": "91410199MA0000001C", "name": "错码企业", "area": NORTH, "sectors": [world.mines_sector.pk],
            "employees": 5, "status": "operating"}
    html = client_for("district").post("/enterprises/add/", data).content.decode()
    assert "The check character should be B, not C" in html or "校验码应为 B" in html
    assert not Enterprise.objects.filter(name="错码企业").exists()


def test_leader_may_not_add_or_edit(world, client_for):
    client = client_for("leader")
    assert client.get("/enterprises/add/").status_code == 403
    assert client.get(f"/enterprises/{world.ent_north.pk}/edit/").status_code == 403


def test_edit_outside_scope_is_404(world, client_for):
    assert client_for("town_north").get(f"/enterprises/{world.ent_south.pk}/edit/").status_code == 404
    assert client_for("ent_north").post(f"/enterprises/{world.ent_south.pk}/edit/", {}).status_code == 404


def test_save_bumps_the_version(world, client_for):
    enterprise = world.ent_north
    client_for("town_north").post(f"/enterprises/{enterprise.pk}/edit/", edit_payload(enterprise, employees=121))
    enterprise.refresh_from_db()
    assert (enterprise.employees, enterprise.version) == (121, 2)


def test_stale_form_is_refused_and_shows_what_changed(world, client_for, api_for):
    enterprise = world.ent_north
    opened = edit_payload(enterprise, employees=200)  # the form as opened at version 1
    # Meanwhile someone else saves (through the API here).
    assert api_for("district").patch(f"/api/v1/enterprises/{enterprise.pk}/", {"employees": 150},
                                      format="json").status_code == 200
    response = client_for("town_north").post(f"/enterprises/{enterprise.pk}/edit/", opened)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-testid="conflict"' in html and "district" in html and "150" in html
    enterprise.refresh_from_db()
    assert (enterprise.employees, enterprise.version) == (150, 2)
    # The form now carries the current version: saving again overwrites knowingly.
    assert 'name="version" value="2"' in html
    again = client_for("town_north").post(f"/enterprises/{enterprise.pk}/edit/", {**opened, "version": 2})
    assert again.status_code == 302
    enterprise.refresh_from_db()
    assert (enterprise.employees, enterprise.version) == (200, 3)


def test_enterprise_user_changes_only_its_contact_details(world, client_for):
    enterprise = world.ent_north
    payload = edit_payload(enterprise, name="改名企业", employees=130, safety_manager="赵安全",
                           safety_manager_phone="0371-12345678", address="新地址", key_enterprise="", status="closed")
    client = client_for("ent_north")
    form_html = client.get(f"/enterprises/{enterprise.pk}/edit/").content.decode()
    assert 'name="name"' not in form_html and 'name="safety_manager"' in form_html
    response = client.post(f"/enterprises/{enterprise.pk}/edit/", payload)
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert (enterprise.name, enterprise.status, enterprise.key_enterprise) == ("北方矿业有限公司", "operating", True)
    assert (enterprise.safety_manager, enterprise.safety_manager_phone, enterprise.address, enterprise.employees) == (
        "赵安全", "0371-12345678", "新地址", 130)


def test_department_cannot_move_an_enterprise_out_of_its_sectors(world, client_for):
    enterprise = world.ent_north
    retail = Sector.objects.get(code="retail")
    response = client_for("dept_mines").post(
        f"/enterprises/{enterprise.pk}/edit/", edit_payload(enterprise, sectors=[retail.pk]))
    assert response.status_code == 400
    assert "outside your data scope" in response.content.decode() or "数据范围" in response.content.decode()
    assert list(enterprise.sectors.all()) == [world.mines_sector]
    enterprise.refresh_from_db()
    assert enterprise.version == 1


def test_menu_shows_the_registry(world, client_for):
    html = client_for("inspector").get("/enterprises/").content.decode()
    assert 'class="dropdown-item active" href="/enterprises/"' in html  # in the 台账 (Registry) menu


def test_pages_are_in_chinese_by_default(world, client_for, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client = client_for("district")
    html = client.get(LIST).content.decode()
    assert "企业台账" in html and "统一社会信用代码" not in html and "信用代码" in html
    assert "从业人数（降序）" in html  # the sort choices are translated per request
    detail = client.get(f"/enterprises/{world.ent_north.pk}/").content.decode()
    assert "统一社会信用代码" in detail and "正常经营" in detail and "变更记录" in detail
    client.cookies["django_language"] = "en"  # the language switch in the footer
    assert "Enterprise registry" in client.get(LIST).content.decode()


# --- overview -------------------------------------------------------------------------------
def test_overview_counts_by_town_and_sector_link_to_the_list(world, client_for):
    client = client_for("district")
    response = client.get("/core/overview/")
    towns = {row["code"]: row for row in response.context["town_counts"]}
    assert {NORTH: (1, 1), SOUTH: (1, 0)} == {code: (r["count"], r["key"]) for code, r in towns.items()}
    sectors = {row["code"]: row["count"] for row in response.context["sector_counts"]}
    assert sectors == {"non_coal_mine": 1, "commerce": 1}  # 商场超市 counts for 商贸
    html = response.content.decode()
    assert f'href="/enterprises/?town={NORTH}&amp;key_enterprise=true"' in html
    assert 'href="/enterprises/?sector=commerce"' in html
    # Each link opens a list with that many enterprises.
    listed = client.get(LIST, {"sector": "commerce"}).content.decode()
    assert len(ROW_LINK.findall(listed)) == 1


def test_town_home_is_the_overview_by_community(world, client_for):
    add_enterprise(world, 300, area=world.north)
    response = client_for("town_north").get("/")
    assert response.status_code == 200
    rows = {row["name"]: (row["count"], row["query"]) for row in response.context["town_counts"]}
    assert rows == {"北一社区": (1, f"town={NORTH}&community={NORTH_COMMUNITY}"),
                    "(directly under the town)": (1, f"town={NORTH}")}


def test_enterprise_user_lands_on_its_record_and_system_roles_on_their_page(world, client_for):
    response = client_for("ent_north").get("/")
    assert response.status_code == 302 and response["Location"] == f"/enterprises/{world.ent_north.pk}/"
    assert "core/home_system.html" in [t.name for t in client_for("auditor").get("/").templates]
    assert client_for("auditor").get("/core/overview/").status_code == 403
