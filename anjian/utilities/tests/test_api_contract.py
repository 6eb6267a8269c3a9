"""SPEC §8: token auth, /me/, paginated collections, JSON errors, the OpenAPI schema."""

from __future__ import annotations

from rest_framework.test import APIClient

from anjian.utilities.testing import PASSWORD


def test_token_login_and_use(world):
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "town_north", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "town_north"
    assert me.json()["roles"] == [
        {"role": "town", "area_code": world.north.code, "department": None, "enterprise": None}
    ]


def test_bad_credentials_give_a_json_error(world):
    response = APIClient().post("/api/v1/auth/token/", {"username": "town_north", "password": "x"}, format="json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


def test_me_lists_every_role_with_its_scope(world):
    from anjian.accounts.models import Role, RoleAssignment

    user = world.users["dept_mines"]
    RoleAssignment.objects.create(user=user, role=Role.INSPECTOR, department=world.dept_mines)
    client = APIClient()
    client.force_authenticate(user)
    roles = client.get("/api/v1/me/").json()["roles"]
    assert roles == [
        {"role": "department", "area_code": None, "department": world.dept_mines.pk, "enterprise": None},
        {"role": "inspector", "area_code": None, "department": world.dept_mines.pk, "enterprise": None},
    ]
    client.force_authenticate(world.users["ent_north"])
    assert client.get("/api/v1/me/").json()["roles"][0]["enterprise"] == world.ent_north.pk


def test_collections_are_paginated_and_carry_ids(world, api_for):
    body = api_for("district").get("/api/v1/enterprises/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    first = body["results"][0]
    assert {"id", "credit_code", "name", "area_code"} <= set(first)


def test_unauthenticated_requests_get_json_401_or_403():
    response = APIClient().get("/api/v1/enterprises/")
    assert response.status_code in (401, 403)
    assert "detail" in response.json()


def test_unknown_urls_under_the_api_are_json_404(world, api_for):
    response = api_for("district").get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."} or "detail" in response.json()


def test_validation_errors_name_the_field_in_words(world, api_for):
    response = api_for("district").post("/api/v1/enterprises/", {
        "credit_code": "91410199MA00000019", "name": "新公司", "area_code": world.north_community.code,
        "sectors": ["retail"], "employees": -1,
    }, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert "credit_code" in errors and "B" in errors["credit_code"][0]
    assert "employees" in errors


def test_district_creates_an_enterprise_and_town_cannot_create_outside_its_area(world, api_for):
    from anjian.utilities.testing import valid_credit_code

    payload = {"credit_code": valid_credit_code(77), "name": "新建材有限公司", "area_code": world.south_community.code,
               "sectors": ["building_materials"], "employees": 12}
    assert api_for("town_north").post("/api/v1/enterprises/", payload, format="json").status_code == 403
    from anjian.enterprises.models import Enterprise

    assert not Enterprise.objects.filter(credit_code=payload["credit_code"]).exists()
    created = api_for("district").post("/api/v1/enterprises/", payload, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["area_code"] == world.south_community.code


def test_a_town_cannot_move_its_enterprise_out_of_its_area(world, api_for):
    response = api_for("town_north").patch(f"/api/v1/enterprises/{world.ent_north.pk}/",
                                           {"area_code": world.south_community.code}, format="json")
    assert response.status_code == 403
    world.ent_north.refresh_from_db()
    assert world.ent_north.area_id == world.north_community.code


def test_leader_is_read_only(world, api_for):
    response = api_for("leader").patch(f"/api/v1/enterprises/{world.ent_north.pk}/", {"employees": 1}, format="json")
    assert response.status_code == 403


def test_openapi_schema_and_docs_pages_work_offline(world, client_for):
    client = client_for("district")
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/enterprises/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn" not in html.lower() and "unpkg" not in html
