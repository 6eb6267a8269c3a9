"""Checklist templates as data, choosing the self-inspection template, Excel import/export."""

import io

import openpyxl
import pytest
from django.urls import reverse

from anjian.inspections.checklists import load_checklists, template_for
from anjian.inspections.models import ChecklistItem, ChecklistTemplate


def test_gongmao_2017_criteria_are_major_items_with_their_numbers(db):
    t = ChecklistTemplate.objects.get(code="gongmao_major_2017")
    items = t.items.all()
    assert items.count() == 59
    assert all(i.major_criterion for i in items)
    dust = ChecklistTemplate.objects.get(code="dust_explosion", template_version="2017.1")
    third = dust.items.get(order=3)
    assert third.content.startswith("干式除尘系统未规范采用泄爆")
    assert third.criterion_ref == "安监总管四〔2017〕129号 专项类（一）存在粉尘爆炸危险的行业领域 第3项"


def test_unconfirmed_items_are_flagged(db):
    dust2023 = ChecklistTemplate.objects.get(code="dust_explosion", template_version="2023.1")
    flagged = list(dust2023.items.filter(unconfirmed=True).values_list("criterion_ref", flat=True))
    assert flagged == ["应急管理部令第10号 第十一条（九）", "应急管理部令第10号 第十一条（十）"]
    assert not ChecklistItem.objects.exclude(template=dust2023).filter(unconfirmed=True).exists()


def test_every_required_template_ships(db):
    codes = set(ChecklistTemplate.objects.values_list("code", flat=True))
    assert {"gongmao_general", "dust_explosion", "confined_space", "ammonia_refrigeration", "hazchem_storage",
            "construction_formwork_hoisting", "crowded_place_fire"} <= codes


def test_loading_twice_changes_nothing(db):
    before = ChecklistItem.objects.count()
    load_checklists()
    assert ChecklistItem.objects.count() == before


def test_self_inspection_template_follows_sector_and_date(world):
    import datetime

    from anjian.territory.models import Sector

    world.ent_south.sectors.set([Sector.objects.get(code="dust_explosion")])
    assert template_for(world.ent_south, datetime.date(2017, 6, 1)).template_version == "2017.1"
    assert template_for(world.ent_south, datetime.date(2024, 6, 1)).template_version == "2023.1"
    assert template_for(world.ent_north, datetime.date(2017, 6, 1)).is_general  # 非煤矿山: general


def _export(client, **params):
    response = client.get(reverse("inspections:template_export"), params)
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _upload(client, book):
    buf = io.BytesIO()
    book.save(buf)
    buf.seek(0)
    buf.name = "checklists.xlsx"
    return client.post(reverse("inspections:template_import"), {"file": buf})


def test_export_then_import_round_trips(world, client_for):
    client = client_for("district")
    book = _export(client, code="confined_space")
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "条目代码" and len(rows) == 1 + 6
    assert rows[1][0] == "confined_space/2017.1/1" and rows[1][11] == "是"
    # A new version with one reworded item.
    for row in sheet.iter_rows(min_row=2):
        row[0].value = row[0].value.replace("2017.1", "2024.1")
    sheet.cell(2, 10).value = "新的检查内容"
    response = _upload(client, book)
    assert response.status_code == 302, response.content.decode()
    new = ChecklistTemplate.objects.get(code="confined_space", template_version="2024.1")
    assert new.items.count() == 6 and new.items.get(order=1).content == "新的检查内容"
    assert list(new.sectors.values_list("code", flat=True)) == ["confined_space"]


def test_import_reports_every_bad_row_in_words_and_imports_nothing(world, client_for):
    client = client_for("district")
    book = _export(client, code="confined_space")
    sheet = book.worksheets[0]
    sheet.cell(2, 1).value = "no-slashes"
    sheet.cell(3, 3).value = "不存在的行业"
    sheet.cell(4, 2).value = "另一个名称"
    before = ChecklistItem.objects.count()
    response = _upload(client, book)
    assert response.status_code == 400
    html = response.content.decode()
    assert "no-slashes" in html and "不存在的行业" in html
    assert ChecklistItem.objects.count() == before


def test_import_refuses_rewording_a_used_item(world, client_for):
    import datetime

    from anjian.inspections import actions

    t = ChecklistTemplate.objects.get(code="confined_space", template_version="2017.1")
    actions.start_inspection(world.users["ent_north"], enterprise=world.ent_north, kind="self",
                             date=datetime.date(2017, 5, 1), template=t)
    client = client_for("district")
    book = _export(client, code="confined_space")
    book.worksheets[0].cell(2, 10).value = "改写"
    response = _upload(client, book)
    assert response.status_code == 400
    assert t.items.get(order=1).content != "改写"


@pytest.mark.parametrize("persona", ["town_north", "ent_north", "leader"])
def test_only_the_district_office_imports_or_writes_checklists(world, client_for, api_for, persona):
    assert client_for(persona).get(reverse("inspections:template_import")).status_code == 403
    assert api_for(persona).post("/api/v1/checklist-templates/", {"code": "x", "name": "x",
                                                                    "template_version": "1"}).status_code == 403
    assert api_for("district").post("/api/v1/checklist-templates/", {"code": "x", "name": "x", "template_version": "1"},
                                    format="json").status_code == 201
