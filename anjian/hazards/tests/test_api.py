"""The hazards API (SPEC §8): fields, transitions with 409/403/404, orders, statistics reports."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from ..models import Hazard, HazardEvent, HazardStatus, SupervisionOrder
from ..overdue import run_overdue
from .factories import fake_jpeg, image_file, make_hazard

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_hazard_carries_the_contract_fields(world, api_for):
    h = make_hazard(world.ent_north, deadline=TODAY() + timedelta(days=3))
    item = api_for("district").get("/api/v1/hazards/").json()["results"][0]
    assert item["id"] == h.pk and item["enterprise"] == world.ent_north.pk
    assert item["level"] == "general" and item["status"] == "reported"
    assert item["deadline"] == (TODAY() + timedelta(days=3)).isoformat() and item["overdue"] is False
    for key in ("count", "next", "previous", "results"):
        assert key in api_for("district").get("/api/v1/hazards/").json()


def test_transition_endpoint_walks_the_lifecycle(world, api_for):
    h = make_hazard(world.ent_north)
    ent, insp = api_for("ent_north"), api_for("inspector")
    url = f"/api/v1/hazards/{h.pk}/transition/"
    r = ent.post(url, {"action": "start_rectification", "comment": "开始整改"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "rectifying"
    r = ent.post(url, {"action": "submit_rectification", "comment": "完成", "evidence": "已修复"}, format="json")
    assert r.json()["status"] == "rectified"
    r = insp.post(url, {"action": "reject", "comment": "不合格"}, format="json")
    assert r.json()["status"] == "rectifying"
    ent.post(url, {"action": "submit_rectification", "evidence": "再次修复"}, format="json")
    r = insp.post(url, {"action": "verify", "comment": "合格"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "verified"
    assert HazardEvent.objects.filter(hazard=h).count() == 5


def test_illegal_transition_is_409_with_a_message(world, api_for):
    h = make_hazard(world.ent_north, status=HazardStatus.VERIFIED)
    r = api_for("inspector").post(f"/api/v1/hazards/{h.pk}/transition/", {"action": "verify"}, format="json")
    assert r.status_code == 409
    assert "Cannot" in r.json()["detail"] or "不能" in r.json()["detail"]
    r = api_for("inspector").post(f"/api/v1/hazards/{h.pk}/transition/", {"action": "fly"}, format="json")
    assert r.status_code == 409 and "fly" in r.json()["detail"]


def test_wrong_role_is_403_and_outside_scope_is_404(world, api_for):
    h = make_hazard(world.ent_north, status=HazardStatus.RECTIFIED)
    for persona in ("ent_north", "leader"):
        r = api_for(persona).post(f"/api/v1/hazards/{h.pk}/transition/", {"action": "verify"}, format="json")
        assert r.status_code == 403, persona
        assert r.json()["detail"]
    south = make_hazard(world.ent_south, status=HazardStatus.RECTIFIED)
    r = api_for("town_north").post(f"/api/v1/hazards/{south.pk}/transition/", {"action": "verify"}, format="json")
    assert r.status_code == 404
    r = api_for("sysadmin").post(f"/api/v1/hazards/{h.pk}/transition/", {"action": "verify"}, format="json")
    assert r.status_code in (403, 404)


def test_reject_without_comment_is_400(world, api_for):
    h = make_hazard(world.ent_north, status=HazardStatus.RECTIFIED)
    r = api_for("inspector").post(f"/api/v1/hazards/{h.pk}/transition/", {"action": "reject"}, format="json")
    assert r.status_code == 400 and "comment" in r.json()


def test_report_a_hazard_through_the_api(world, api_for):
    r = api_for("inspector").post("/api/v1/hazards/", {
        "enterprise": world.ent_north.pk, "description": "叉车无证驾驶", "level": "general",
        "deadline": (TODAY() + timedelta(days=5)).isoformat(), "category": "site_behaviour"}, format="json")
    assert r.status_code == 201, r.content
    assert Hazard.objects.get(pk=r.json()["id"]).reporter == world.users["inspector"]
    r = api_for("town_north").post("/api/v1/hazards/", {"enterprise": world.ent_south.pk, "description": "x",
                                                        "level": "general"}, format="json")
    assert r.status_code == 404
    r = api_for("inspector").post("/api/v1/hazards/", {"enterprise": world.ent_north.pk, "description": "x",
                                                       "level": "general", "category": "astrology"}, format="json")
    assert r.status_code == 400 and "category" in r.json()


def test_photo_upload_checks_content(world, api_for):
    h = make_hazard(world.ent_north, status=HazardStatus.RECTIFYING)
    c = api_for("ent_north")
    r = c.post(f"/api/v1/hazards/{h.pk}/photos/", {"kind": "after", "image": fake_jpeg()}, format="multipart")
    assert r.status_code == 400 and "不是图片文件" in str(r.json())  # the UI speaks Chinese
    r = c.post(f"/api/v1/hazards/{h.pk}/photos/", {"kind": "after", "image": image_file()}, format="multipart")
    assert r.status_code == 201
    detail = c.get(f"/api/v1/hazards/{h.pk}/").json()
    assert [p["kind"] for p in detail["photos"]] == ["after"] and detail["actions"] == ["submit_rectification"]


def test_withdrawn_hazard_leaves_the_list_and_refuses_transitions(world, api_for):
    h = make_hazard(world.ent_north)
    c = api_for("district")
    r = c.post(f"/api/v1/hazards/{h.pk}/transition/", {"action": "cancel", "comment": "误报"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert c.get("/api/v1/hazards/").json()["count"] == 0
    assert c.get(f"/api/v1/hazards/{h.pk}/").json()["deleted_reason"] == "误报"
    r = c.post(f"/api/v1/hazards/{h.pk}/transition/", {"action": "start_rectification"}, format="json")
    assert r.status_code in (403, 409)


def test_major_reinspection_through_the_api(world, api_for):
    from .factories import complete_plan

    h = make_hazard(world.ent_north, level="major", status=HazardStatus.RECTIFIED)
    complete_plan(h)
    c = api_for("inspector")
    r = c.post(f"/api/v1/hazards/{h.pk}/transition/", {"action": "verify"}, format="json")
    assert r.status_code == 409 and "现场复查" in r.json()["detail"]
    r = c.post(f"/api/v1/hazards/{h.pk}/transition/", {"action": "reinspect", "passed": True, "comment": "合格"},
               format="json")
    assert r.status_code == 200
    r = c.post(f"/api/v1/hazards/{h.pk}/transition/", {"action": "verify"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "verified"


def test_supervision_orders_api(world, api_for):
    make_hazard(world.ent_north, status=HazardStatus.RECTIFYING, deadline=TODAY() - timedelta(days=4))
    run_overdue()
    orders = api_for("town_north").get("/api/v1/supervision-orders/", {"status": "open"}).json()["results"]
    assert {o["level"] for o in orders} == {"town", "department"}
    town = next(o for o in orders if o["level"] == "town")
    assert town["enterprise"] == world.ent_north.pk and town["area_code"] == "410199001000"
    r = api_for("ent_north").post(f"/api/v1/supervision-orders/{town['id']}/answer/", {"answer": "x"}, format="json")
    assert r.status_code == 403
    r = api_for("town_north").post(f"/api/v1/supervision-orders/{town['id']}/answer/", {"answer": "已约谈"},
                                   format="json")
    assert r.status_code == 200 and r.json()["status"] == "answered"
    r = api_for("district").post(f"/api/v1/supervision-orders/{town['id']}/close/", {"reason": "已整改"},
                                 format="json")
    assert r.json()["status"] == "closed"
    r = api_for("district").post(f"/api/v1/supervision-orders/{town['id']}/close/", {"reason": "again"},
                                 format="json")
    assert r.status_code == 409
    assert api_for("district").post("/api/v1/supervision-orders/", {}, format="json").status_code in (403, 405)
    assert SupervisionOrder.objects.count() == 2


def test_statistics_reports_api(world, api_for):
    make_hazard(world.ent_north, found_on=date(2017, 5, 2), status=HazardStatus.VERIFIED)
    c = api_for("ent_north")
    r = c.post("/api/v1/hazard-reports/", {"enterprise": world.ent_north.pk, "year": 2017, "quarter": 2,
                                           "principal": "王总"}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["general_found"], body["general_rectified"], body["general_rate"]) == (1, 1, "100.0%")
    assert body["deadline"] == "2017-07-15" and body["late"] is True
    r = c.post("/api/v1/hazard-reports/", {"enterprise": world.ent_north.pk, "year": 2017, "quarter": 2,
                                           "principal": "王总"}, format="json")
    assert r.status_code == 409
    r = api_for("town_north").post("/api/v1/hazard-reports/", {"enterprise": world.ent_north.pk, "year": 2017,
                                                               "quarter": 3, "principal": "x"}, format="json")
    assert r.status_code == 403
    r = c.post("/api/v1/hazard-reports/", {"enterprise": world.ent_north.pk, "year": 2099, "quarter": 1,
                                           "principal": "王总"}, format="json")
    assert r.status_code == 400
    filing = api_for("district").get("/api/v1/hazard-reports/filing/", {"year": 2017, "quarter": 2}).json()
    states = {row["name"]: row["state"] for row in filing["results"]}
    assert states == {world.ent_north.name: "late", world.ent_south.name: "missing"}
    assert api_for("district").get("/api/v1/hazard-reports/filing/").status_code == 400


def test_openapi_schema_builds(world, api_for):
    r = api_for("district").get("/api/v1/schema/")
    assert r.status_code == 200
    assert b"/api/v1/hazards/{id}/transition/" in r.content


def test_fast_representation_matches_drf(world, api_for):
    from rest_framework import serializers as drf

    from ..api.serializers import HazardSerializer

    make_hazard(world.ent_north, deadline=TODAY() - timedelta(days=1), status=HazardStatus.RECTIFYING, funds=1234.5,
                location="仓库", legal_basis="消防法")
    make_hazard(world.ent_south, status=HazardStatus.VERIFIED)
    for h in Hazard.objects.select_related("enterprise"):
        fast = HazardSerializer(h, context={"today": TODAY()}).data
        slow = drf.ModelSerializer.to_representation(HazardSerializer(context={"today": TODAY()}), h)
        assert dict(fast) == dict(slow)
