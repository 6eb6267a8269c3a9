"""The accident and statistics-base pages: filters, create/edit with the live grade, permissions,
and a constant number of queries whatever the number of rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from anjian.accidents.models import Accident, AccidentReport, StatisticsBase
from anjian.utilities.testing import CountQueries

from . import factories as f

pytestmark = pytest.mark.django_db


def _form_data(world, **overrides):
    data = {
        "occurred_at": "2017-05-04T09:30", "place": "北方矿业采场", "area": world.north_community.code,
        "enterprise_code": world.ent_north.credit_code, "sector": world.mines_sector.pk,
        "accident_type": f.accident_type("10").pk, "deaths": "1", "serious_injuries": "0", "minor_injuries": "2",
        "direct_loss": "1200000", "description": "边坡坍塌", "causes": "", "reported_at": "2017-05-04T10:00",
        "reported_by": "北方矿业安全科",
    }
    data.update(overrides)
    return data


def test_town_officer_records_an_accident_with_its_first_report(world, client_for):
    response = client_for("town_north").post(reverse("accidents:add"), _form_data(world))
    assert response.status_code == 302, response.content.decode()[:2000]
    accident = Accident.objects.get()
    assert accident.enterprise == world.ent_north and accident.grade == "general"
    assert accident.number == "SG201700001"
    assert accident.reports.get().kind == "first"
    page = client_for("town_north").get(response["Location"])
    assert page.status_code == 200 and "边坡坍塌" in page.content.decode()


def test_three_deaths_make_a_larger_accident_and_the_leaders_hear_of_it(world, client_for,
                                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for("district").post(reverse("accidents:add"), _form_data(world, deaths="3"))
    accident = Accident.objects.get()
    assert accident.grade == "larger"
    assert world.users["leader"].notifications.filter(kind="accidents.recorded").exists()
    assert world.users["town_north"].notifications.exists()
    assert not world.users["ent_north"].notifications.exists()


def test_town_officer_cannot_record_an_accident_in_another_town(world, client_for):
    data = _form_data(world, area=world.south_community.code, enterprise_code="")
    response = client_for("town_north").post(reverse("accidents:add"), data)
    assert response.status_code == 400
    assert not Accident.objects.exists()
    assert "area" in response.context["form"].errors


def test_an_enterprise_outside_the_scope_is_refused_in_words(world, client_for):
    data = _form_data(world, enterprise_code=world.ent_south.credit_code)
    response = client_for("town_north").post(reverse("accidents:add"), data)
    assert not Accident.objects.exists()
    assert world.ent_south.credit_code in str(response.context["form"].errors["enterprise_code"])


def test_a_type_of_a_code_table_not_in_force_is_refused(world, client_for):
    data = _form_data(world, accident_type=f.accident_type("WSA10001", "GB 6441-2025").pk)
    response = client_for("district").post(reverse("accidents:add"), data)
    assert not Accident.objects.exists()
    assert "GB 6441-2025" in str(response.context["form"].errors["accident_type"])


def test_leader_reads_but_cannot_record(world, client_for):
    assert client_for("leader").get(reverse("accidents:add")).status_code == 403
    assert client_for("leader").get(reverse("accidents:list")).status_code == 200
    assert client_for("ent_north").get(reverse("accidents:add")).status_code == 403


def test_grade_is_shown_live_while_typing(world, client_for):
    response = client_for("town_north").post(reverse("accidents:grade_preview"),
                                             {"deaths": "2", "serious_injuries": "10", "direct_loss": "0"},
                                             HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-grade="larger"' in response.content.decode()
    response = client_for("town_north").post(reverse("accidents:grade_preview"),
                                             {"deaths": "0", "direct_loss": "100000000"})
    assert 'data-grade="especially_major"' in response.content.decode()


def test_grade_preview_of_the_edit_form_keeps_the_recorded_toll(world, client_for):
    accident = f.make_accident(enterprise=world.ent_north, deaths=3)
    url = reverse("accidents:grade_preview") + f"?pk={accident.pk}"
    response = client_for("town_north").post(url, {"direct_loss": "0"})
    assert 'data-grade="larger"' in response.content.decode()
    assert client_for("town_north").get(reverse("accidents:edit", args=[accident.pk])).status_code == 200
    other = f.make_accident(enterprise=world.ent_south)
    assert client_for("town_north").post(reverse("accidents:grade_preview") + f"?pk={other.pk}", {}).status_code == 404


def test_editing_keeps_the_toll_which_changes_only_by_a_follow_up(world, client_for):
    accident = f.make_accident(enterprise=world.ent_north, deaths=1)
    data = _form_data(world, deaths="5", place="新地点", occurred_at="2017-06-15T10:00",
                      reported_at="2017-06-15T10:30", direct_loss="20000000")
    response = client_for("town_north").post(reverse("accidents:edit", args=[accident.pk]), data)
    assert response.status_code == 302
    accident.refresh_from_db()
    assert accident.deaths == 1 and accident.place == "新地点"
    assert accident.grade == "larger"  # the direct loss of 2000万元 lifts it
    assert accident.events.filter(action="grade_changed").exists()


def test_list_filters_by_year_town_grade_and_late(world, client_for):
    a2016 = f.make_accident(enterprise=world.ent_north, occurred_at=f.aware(2016))
    a2017 = f.make_accident(enterprise=world.ent_south, occurred_at=f.aware(2017), deaths=3)
    late = f.make_accident(enterprise=world.ent_north, occurred_at=f.aware(2017, 3),
                           reported_after=__import__("datetime").timedelta(hours=2))
    client = client_for("district")

    def numbers(**params):
        page = client.get(reverse("accidents:list"), params)
        return {a.number for a in page.context["page"]}

    assert numbers(year="2016") == {a2016.number}
    assert numbers(town=world.south.code) == {a2017.number}
    assert numbers(grade="larger") == {a2017.number}
    assert numbers(late="1") == {late.number}
    assert numbers(year="2017", sector=world.mines_sector.code) == {late.number}
    htmx = client.get(reverse("accidents:list"), {"year": "2016"}, HTTP_HX_REQUEST="true")
    assert "<html" not in htmx.content.decode() and a2016.number in htmx.content.decode()


def _queries(client, url):
    with CountQueries() as q:
        assert client.get(url).status_code == 200
    return q.count


def test_accident_list_takes_the_same_queries_for_few_and_many(world, client_for):
    client = client_for("town_north")
    f.make_accident(enterprise=world.ent_north)
    few = _queries(client, reverse("accidents:list"))
    for month in range(1, 10):
        a = f.make_accident(enterprise=world.ent_north, occurred_at=f.aware(2017, month))
        f.make_investigation(a)
    f.make_accident(area=world.north, sector=world.retail_sector)
    assert _queries(client, reverse("accidents:list")) == few


def test_statistics_base_list_takes_the_same_queries_for_few_and_many(world, client_for):
    client = client_for("leader")
    f.make_base(world.district, 2016)
    few = _queries(client, reverse("accidents:bases"))
    for year in range(2000, 2012):
        f.make_base(world.north, year)
    assert _queries(client, reverse("accidents:bases")) == few


def test_accident_detail_takes_the_same_queries_for_few_and_many_reports(world, client_for):
    from anjian.accidents import actions

    client = client_for("district")
    accident = f.make_accident(enterprise=world.ent_north, occurred_at=f.aware(2017, 6, 1))
    actions.start_investigation(world.users["district"], accident, leader="王五", started_on=accident.occurred_on)
    f.make_measure(accident)
    few = _queries(client, reverse("accidents:detail", args=[accident.pk]))
    for day in range(2, 6):
        actions.add_follow_up_report(world.users["district"], accident, reported_at=f.aware(2017, 6, day),
                                     deaths=day, serious_injuries=0, minor_injuries=0)
        f.make_measure(accident)
    assert _queries(client, reverse("accidents:detail", args=[accident.pk])) == few


def test_district_office_keeps_the_statistics_base(world, client_for):
    data = {"year": "2017", "area": world.north.code, "gdp": "123.4567", "gdp_source": "2017年统计年鉴",
            "industrial_employees": "45000", "industrial_employees_source": "人社局"}
    assert client_for("town_north").post(reverse("accidents:base_add"), data).status_code == 403
    response = client_for("district").post(reverse("accidents:base_add"), data)
    assert response.status_code == 302
    base = StatisticsBase.objects.get()
    assert base.gdp == Decimal("123.4567") and base.special_equipment_units is None
    detail = client_for("ent_north").get(reverse("accidents:base_detail", args=[base.pk]))
    assert "2017年统计年鉴" in detail.content.decode()
    again = client_for("district").post(reverse("accidents:base_add"), data)
    assert again.status_code == 400 and StatisticsBase.objects.count() == 1  # unique per (year, area)


def test_follow_up_report_from_the_detail_page(world, client_for):
    accident = f.make_accident(enterprise=world.ent_north, occurred_at=f.aware(2017, 6, 1), deaths=1)
    response = client_for("town_north").post(reverse("accidents:add_report", args=[accident.pk]), {
        "reported_at": "2017-06-03T08:00", "deaths": "3", "serious_injuries": "0", "minor_injuries": "0",
        "text": "一名重伤人员抢救无效死亡"})
    assert response.status_code == 302
    accident.refresh_from_db()
    assert accident.deaths == 3 and accident.grade == "larger"
    assert AccidentReport.objects.filter(accident=accident, kind="follow_up").count() == 1
    assert client_for("leader").post(reverse("accidents:add_report", args=[accident.pk]), {
        "reported_at": "2017-06-04T08:00", "deaths": "4", "serious_injuries": "0",
        "minor_injuries": "0"}).status_code in (302, 403)
    accident.refresh_from_db()
    assert accident.deaths == 3
