"""Excel import and export of accidents and statistics bases: all rows or none, every bad row
and column in words, an export re-imports unchanged; ``anjian import accidents FILE.xlsx``."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from anjian.accidents.exchange import AccidentKind, StatisticsBaseKind
from anjian.accidents.models import Accident, AccidentReport, StatisticsBase
from anjian.core import exchange

from . import factories as f

pytestmark = pytest.mark.django_db
HEADERS = [c.header for c in AccidentKind.columns]


def _workbook(path, headers, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _row(world, **overrides):
    values = {"事故编号": None, "发生时间": "2017-03-05 14:30", "发生地点": "北方矿业采场",
              "区划代码": world.north_community.code, "统一社会信用代码": world.ent_north.credit_code,
              "行业领域": "non_coal_mine", "事故类别（GB 6441）": "10", "死亡人数（含失踪）": 1,
              "重伤人数（含急性工业中毒）": 0, "轻伤人数": 2, "直接经济损失（元）": 150000, "特种设备事故": "否",
              "事故简要经过": "边坡坍塌", "事故原因": "", "首报时间": "2017-03-05 15:10", "报告单位": "", "事故等级": ""}
    values.update(overrides)
    return [values[h] for h in HEADERS]


def test_import_adds_accidents_with_numbers_grades_and_first_reports(world, tmp_path):
    path = _workbook(tmp_path / "a.xlsx", HEADERS, [
        _row(world),
        _row(world, 发生地点="路口", 统一社会信用代码=None, 区划代码=world.north.code, 行业领域="道路交通",
             **{"事故类别（GB 6441）": "车辆伤害", "死亡人数（含失踪）": 3, "首报时间": "2017-03-05 16:00"}),
    ])
    result = exchange.import_workbook("accidents", path, user=world.users["town_north"])
    assert (result.created, result.updated) == (2, 0)
    road = Accident.objects.get(place="路口")
    assert road.grade == "larger" and road.reported_late and road.enterprise is None
    assert road.accident_type.code == "02" and road.sector.code == "road_traffic"
    assert sorted(Accident.objects.values_list("number", flat=True)) == ["SG201700001", "SG201700002"]
    assert AccidentReport.objects.filter(kind="first").count() == 2


def test_a_bad_file_imports_nothing_and_says_what_is_wrong(world, tmp_path):
    path = _workbook(tmp_path / "bad.xlsx", HEADERS, [
        _row(world),
        _row(world, 区划代码=world.south_community.code, 统一社会信用代码=None),
        _row(world, **{"事故类别（GB 6441）": "WSA10001"}),
        _row(world, **{"死亡人数（含失踪）": "两人"}),
        _row(world, 首报时间="2017-03-05 14:00"),
        _row(world, 统一社会信用代码=world.ent_south.credit_code),
        _row(world, 发生时间="昨天"),
    ])
    with pytest.raises(exchange.ImportFailed) as failed:
        exchange.import_workbook("accidents", path, user=world.users["town_north"])
    texts = [e["text"] for e in failed.value.as_list()]
    rows = {e["row"] for e in failed.value.as_list()}
    assert rows == {3, 4, 5, 6, 7, 8}, texts
    assert any("410199002001" in t for t in texts)
    assert any("WSA10001" in t for t in texts)
    assert any(world.ent_south.credit_code in t for t in texts)
    assert not Accident.objects.exists()


def test_export_re_imports_unchanged(world, tmp_path):
    f.make_accident(enterprise=world.ent_north, deaths=2, direct_loss=Decimal("12345.67"))
    f.make_accident(area=world.north, sector=world.retail_sector, occurred_at=f.aware(2016, 2, 3, 4, 5))
    path = tmp_path / "export.xlsx"
    assert exchange.export_workbook("accidents", world.users["district"], path) == 2
    result = exchange.import_workbook("accidents", path, user=world.users["district"])
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)


def test_import_updates_an_accident_but_not_its_toll(world, tmp_path):
    accident = f.make_accident(enterprise=world.ent_north, occurred_at=f.aware(2017, 3, 5, 14, 30), deaths=1,
                               minor_injuries=2)
    changed = _row(world, 事故编号=accident.number, 发生地点="新地点", **{"直接经济损失（元）": 20_000_000})
    result = exchange.import_workbook("accidents", _workbook(tmp_path / "u.xlsx", HEADERS, [changed]),
                                      user=world.users["district"])
    accident.refresh_from_db()
    assert result.updated == 1 and accident.place == "新地点" and accident.grade == "larger"
    toll = _row(world, 事故编号=accident.number, **{"死亡人数（含失踪）": 4})
    with pytest.raises(exchange.ImportFailed, match="续报"):
        exchange.import_workbook("accidents", _workbook(tmp_path / "t.xlsx", HEADERS, [toll]),
                                 user=world.users["district"])


def test_import_of_another_towns_accident_number_is_refused(world, tmp_path):
    other = f.make_accident(enterprise=world.ent_south)
    row = _row(world, 事故编号=other.number)
    with pytest.raises(exchange.ImportFailed):
        exchange.import_workbook("accidents", _workbook(tmp_path / "o.xlsx", HEADERS, [row]),
                                 user=world.users["town_north"])


def test_the_import_command(world, tmp_path, capsys):
    path = _workbook(tmp_path / "cmd.xlsx", HEADERS, [_row(world)])
    call_command("import", "accidents", str(path), "--as", "district", verbosity=0)
    assert Accident.objects.count() == 1
    bad = _workbook(tmp_path / "bad.xlsx", HEADERS, [_row(world, 区划代码="123")])
    with pytest.raises(CommandError):
        call_command("import", "accidents", str(bad), "--as", "district", verbosity=0)
    with pytest.raises(CommandError):
        call_command("import", "accidents", str(path), "--as", "leader", verbosity=0)


BASE_HEADERS = [c.header for c in StatisticsBaseKind.columns]


def _base_row(**values):
    return [values.get(h) for h in BASE_HEADERS]


def test_statistics_bases_import_and_update(world, tmp_path):
    path = _workbook(tmp_path / "b.xlsx", BASE_HEADERS, [
        _base_row(年度=2017, 区划代码=world.district.code, **{"地区生产总值（亿元）": 312.5, "地区生产总值来源": "统计年鉴",
                                                        "工矿商贸从业人员数": 101000}),
        _base_row(年度=2017, 区划代码=world.north.code, **{"地区生产总值（亿元）": "98.7654"}),
        _base_row(年度=2016, 区划代码=world.north.code, **{"特种设备数（台）": 4100}),
    ])
    result = exchange.import_workbook("statistics-bases", path, user=world.users["district"])
    assert result.created == 3
    district = StatisticsBase.objects.get(year=2017, area=world.district)
    assert district.gdp == Decimal("312.5000") and district.gdp_source == "统计年鉴"
    assert district.special_equipment_units is None
    again = exchange.import_workbook("statistics-bases", path, user=world.users["district"])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    export = tmp_path / "e.xlsx"
    exchange.export_workbook("statistics-bases", world.users["district"], export)
    assert exchange.import_workbook("statistics-bases", export, user=world.users["district"]).unchanged == 3


def test_statistics_base_file_with_a_year_and_area_twice_imports_nothing(world, tmp_path):
    path = _workbook(tmp_path / "d.xlsx", BASE_HEADERS, [
        _base_row(年度=2017, 区划代码=world.north.code), _base_row(年度=2017, 区划代码=world.north.code),
        _base_row(年度=2017, 区划代码="410199999000"),
    ])
    with pytest.raises(exchange.ImportFailed) as failed:
        exchange.import_workbook("statistics-bases", path, user=world.users["district"])
    assert {e["row"] for e in failed.value.as_list()} == {3, 4}
    assert not StatisticsBase.objects.exists()


def test_import_and_export_pages(world, client_for, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client = client_for("district")
    template = client.get(reverse("accidents:import_template", args=["accidents"]))
    assert template.status_code == 200
    path = _workbook(tmp_path / "p.xlsx", HEADERS, [_row(world)])
    upload = SimpleUploadedFile("p.xlsx", path.read_bytes())
    response = client.post(reverse("accidents:import", args=["accidents"]), {"file": upload})
    assert response.status_code == 302 and Accident.objects.count() == 1
    fake = SimpleUploadedFile("fake.xlsx", b"not a workbook")
    refused = client.post(reverse("accidents:import", args=["accidents"]), {"file": fake})
    assert refused.status_code == 400
    export = client.get(reverse("accidents:export", args=["accidents"]), {"year": "2017"})
    assert export.status_code == 200 and export["Content-Disposition"].startswith("attachment")
    assert client_for("leader").get(reverse("accidents:import", args=["accidents"])).status_code == 403
    assert client.get(reverse("accidents:export", args=["enterprises"])).status_code == 404
