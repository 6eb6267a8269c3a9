"""The reporting clock (条例第九条: the first report within 1 hour) and follow-up reports
(第十三条: a change of the toll within 30 days, 7 for road traffic and fire, is a 续报)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from anjian.accidents import actions
from anjian.accidents.models import Accident, AccidentReport

from . import factories as f

pytestmark = pytest.mark.django_db


def test_first_report_within_the_hour_is_on_time(world):
    assert not f.make_accident(enterprise=world.ent_north, reported_after=timedelta(minutes=60)).reported_late


def test_first_report_after_the_hour_is_late(world):
    accident = f.make_accident(enterprise=world.ent_north, reported_after=timedelta(minutes=61))
    assert accident.reported_late
    assert Accident.objects.filter(reported_late=True).count() == 1


def test_record_accident_writes_the_first_report_and_the_timeline(world):
    accident = actions.record_accident(
        world.users["town_north"], occurred_at=f.aware(2017, 4, 1, 8), place="路口", area=world.north,
        sector=world.retail_sector, accident_type=f.accident_type("02"), deaths=1, serious_injuries=0,
        minor_injuries=0, direct_loss=Decimal("5000"), description="车辆伤害", reported_at=f.aware(2017, 4, 1, 10))
    report = accident.reports.get()
    assert report.kind == "first" and report.deaths == 1 and report.reporter == world.users["town_north"]
    assert accident.reported_late
    assert list(accident.events.values_list("action", flat=True)) == ["recorded"]


def test_follow_up_within_30_days_changes_the_toll_and_the_grade(world):
    accident = f.make_accident(enterprise=world.ent_north, occurred_at=f.aware(2017, 6, 1), deaths=2)
    report = actions.add_follow_up_report(world.users["district"], accident, reported_at=f.aware(2017, 7, 1, 9),
                                          deaths=3, serious_injuries=1, minor_injuries=0, text="一人抢救无效死亡")
    accident.refresh_from_db()
    assert report.kind == "follow_up" and report.within_window and report.toll_changed
    assert (accident.deaths, accident.serious_injuries, accident.grade) == (3, 1, "larger")
    assert list(accident.events.values_list("action", flat=True)) == ["follow_up", "grade_changed"]


def test_follow_up_after_30_days_is_recorded_but_not_counted(world):
    accident = f.make_accident(enterprise=world.ent_north, occurred_at=f.aware(2017, 6, 1), deaths=2)
    report = actions.add_follow_up_report(world.users["district"], accident, reported_at=f.aware(2017, 7, 2, 9),
                                          deaths=3, serious_injuries=0, minor_injuries=0)
    accident.refresh_from_db()
    assert not report.within_window and report.toll_changed
    assert (accident.deaths, accident.grade) == (2, "general")


def test_road_traffic_accident_has_a_7_day_window(world):
    road = world.mines_sector.__class__.objects.get(code="road_traffic")
    accident = f.make_accident(area=world.north, sector=road, occurred_at=f.aware(2017, 6, 1), deaths=1,
                               type_code="02")
    assert accident.follow_up_window_days == 7
    inside = actions.add_follow_up_report(world.users["district"], accident, reported_at=f.aware(2017, 6, 8, 23),
                                          deaths=2, serious_injuries=0, minor_injuries=0)
    outside = actions.add_follow_up_report(world.users["district"], accident, reported_at=f.aware(2017, 6, 9, 0, 5),
                                           deaths=3, serious_injuries=0, minor_injuries=0)
    accident.refresh_from_db()
    assert inside.within_window and not outside.within_window
    assert accident.deaths == 2


def test_fire_accident_has_a_7_day_window(world):
    accident = f.make_accident(enterprise=world.ent_south, type_code="08")
    assert accident.follow_up_window_days == 7
    assert f.make_accident(enterprise=world.ent_south, type_code="09").follow_up_window_days == 30


def test_follow_up_before_the_first_report_is_refused(world):
    accident = f.make_accident(enterprise=world.ent_north, occurred_at=f.aware(2017, 6, 1))
    with pytest.raises(actions.ActionError):
        actions.add_follow_up_report(world.users["district"], accident, reported_at=f.aware(2017, 6, 1, 9),
                                     deaths=1, serious_injuries=0, minor_injuries=0)
    assert AccidentReport.objects.filter(kind="follow_up").count() == 0


def test_only_units_in_scope_add_follow_up_reports(world):
    accident = f.make_accident(enterprise=world.ent_south, occurred_at=f.aware(2017, 6, 1))
    for persona in ("leader", "town_north", "ent_north", "dept_mines"):
        with pytest.raises(PermissionDenied):
            actions.add_follow_up_report(world.users[persona], accident, reported_at=f.aware(2017, 6, 2),
                                         deaths=1, serious_injuries=0, minor_injuries=0)


def test_a_higher_loss_in_a_follow_up_regrades_even_after_the_window(world, django_capture_on_commit_callbacks):
    accident = f.make_accident(enterprise=world.ent_north, occurred_at=f.aware(2017, 6, 1))
    with django_capture_on_commit_callbacks(execute=True):
        actions.add_follow_up_report(world.users["district"], accident, reported_at=f.aware(2017, 8, 1),
                                     deaths=0, serious_injuries=0, minor_injuries=0,
                                     direct_loss=Decimal("50000000"))
    accident.refresh_from_db()
    assert accident.grade == "major"
    assert world.users["leader"].notifications.filter(kind="accidents.grade_changed").exists()


def test_api_adds_a_follow_up_report(world, api_for):
    accident = f.make_accident(enterprise=world.ent_north, occurred_at=f.aware(2017, 6, 1), deaths=1)
    response = api_for("town_north").post(f"/api/v1/accidents/{accident.pk}/reports/", {
        "reported_at": "2017-06-02T10:00:00+08:00", "deaths": 3, "serious_injuries": 0, "minor_injuries": 1,
        "text": "续报"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["within_window"] is True
    detail = api_for("town_north").get(f"/api/v1/accidents/{accident.pk}/").json()
    assert detail["deaths"] == 3 and detail["grade"] == "larger"
    assert [r["kind"] for r in detail["reports"]] == ["first", "follow_up"]
    refused = api_for("leader").post(f"/api/v1/accidents/{accident.pk}/reports/", {
        "reported_at": "2017-06-03T10:00:00+08:00", "deaths": 4, "serious_injuries": 0, "minor_injuries": 1},
        format="json")
    assert refused.status_code == 403
    early = api_for("town_north").post(f"/api/v1/accidents/{accident.pk}/reports/", {
        "reported_at": "2017-06-01T09:00:00+08:00", "deaths": 4, "serious_injuries": 0, "minor_injuries": 1},
        format="json")
    assert early.status_code == 409 and early.json()["detail"]
