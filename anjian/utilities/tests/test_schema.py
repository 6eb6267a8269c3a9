"""Issue 10, item 7: the OpenAPI schema describes what the API does. Real answers are checked
against the schema served at /api/v1/schema/ (with jsonschema, OpenAPI's ``nullable`` read as a
null type); the whole API is fuzzed against it by tests/fuzz/run.py in CI."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jsonschema
import pytest
from django.utils import timezone

from anjian.accidents.tests import factories as accident_factories
from anjian.hazards import models as hm

pytestmark = pytest.mark.django_db


def _jsonschema(node: Any) -> Any:
    """OpenAPI 3.0 → JSON Schema: ``nullable: true`` becomes a null alternative; refs stay."""
    if isinstance(node, list):
        return [_jsonschema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _jsonschema(v) for k, v in node.items() if k not in ("nullable", "readOnly", "writeOnly")}
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


@pytest.fixture(scope="module")
def schema():
    """The schema /api/v1/schema/ serves (generated once for the module: it takes seconds)."""
    import json

    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.renderers import JSONRenderer

    return json.loads(JSONRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


def test_the_served_schema_is_the_generated_one(world, api_for, schema):
    response = api_for("district").get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    assert response.json()["components"]["schemas"].keys() == schema["components"]["schemas"].keys()


def conforms(schema: dict, path: str, method: str, status: int, body: Any) -> None:
    """Fail unless ``body`` is what the schema says ``method path`` answers with ``status``."""
    operation = schema["paths"][path][method]
    assert str(status) in operation["responses"], f"{method.upper()} {path}: {status} not declared"
    content = operation["responses"][str(status)].get("content", {}).get("application/json")
    assert content is not None, f"{method.upper()} {path} {status}: no JSON schema"
    document = {"components": _jsonschema(schema["components"]), **_jsonschema(content["schema"])}
    jsonschema.validate(body, document)


def test_an_accident_without_an_enterprise_conforms(world, api_for, schema):
    accident = accident_factories.make_accident(area=world.north_community, sector=world.retail_sector)
    assert accident.enterprise_id is None
    body = api_for("district").get(f"/api/v1/accidents/{accident.pk}/").json()
    assert body["enterprise_name"] is None
    conforms(schema, "/api/v1/accidents/{id}/", "get", 200, body)
    listing = api_for("district").get("/api/v1/accidents/").json()
    conforms(schema, "/api/v1/accidents/", "get", 200, listing)


def test_hazard_events_conform(world, api_for, schema):
    hazard = hm.Hazard.objects.create(enterprise=world.ent_north, description="隐患")
    hm.HazardEvent.objects.create(hazard=hazard, action="report")  # no actor, no status change
    hm.HazardEvent.objects.create(hazard=hazard, action="start_rectification", actor=world.users["district"],
                                  from_status="reported", to_status="rectifying")
    client = api_for("district")
    listing = client.get("/api/v1/hazard-events/").json()
    assert {e["to_status"] for e in listing["results"]} == {"", "rectifying"}
    conforms(schema, "/api/v1/hazard-events/", "get", 200, listing)
    one = listing["results"][0]["id"]
    conforms(schema, "/api/v1/hazard-events/{id}/", "get", 200, client.get(f"/api/v1/hazard-events/{one}/").json())
    detail = client.get(f"/api/v1/hazards/{hazard.pk}/").json()
    assert {e["actor"] for e in detail["events"]} == {None, "district"}  # the username in the detail
    conforms(schema, "/api/v1/hazards/{id}/", "get", 200, detail)


def test_one_component_per_name_for_hazard_events(db, schema):
    components = schema["components"]["schemas"]
    assert components["HazardEvent"]["properties"]["actor"]["type"] == "string"  # the username
    assert components["HazardEventRecord"]["properties"]["actor"]["type"] == "integer"  # the collection's id
    detail_events = components["HazardDetail"]["properties"]["events"]["items"]
    assert detail_events == {"$ref": "#/components/schemas/HazardEvent"}


def test_a_supervision_order_without_an_area_conforms(world, api_for, schema):
    hazard = hm.Hazard.objects.create(enterprise=world.ent_north, description="x",
                                      deadline=timezone.localdate() - timedelta(days=1))
    hm.SupervisionOrder.objects.create(hazard=hazard, level=hm.OrderLevel.TOWN, recipient_key="department:1",
                                       department=world.dept_mines, deadline=hazard.deadline, due=timezone.localdate())
    listing = api_for("district").get("/api/v1/supervision-orders/").json()
    assert listing["results"][0]["area_code"] is None
    conforms(schema, "/api/v1/supervision-orders/", "get", 200, listing)


def test_error_answers_are_declared_and_conform(world, api_for, schema):
    client = api_for("ent_north")
    missing = client.get("/api/v1/accidents/999999/")
    assert missing.status_code == 404
    conforms(schema, "/api/v1/accidents/{id}/", "get", 404, missing.json())
    refused = client.patch(f"/api/v1/enterprises/{world.ent_north.pk}/", {"status": "closed"}, format="json")
    assert refused.status_code == 400
    conforms(schema, "/api/v1/enterprises/{id}/", "patch", 400, refused.json())
    forbidden = client.post("/api/v1/accidents/", {}, format="json")
    assert forbidden.status_code == 403
    conforms(schema, "/api/v1/accidents/", "post", 403, forbidden.json())
    past_the_last = client.get("/api/v1/enterprises/", {"page": 99})
    assert past_the_last.status_code == 404
    conforms(schema, "/api/v1/enterprises/", "get", 404, past_the_last.json())
    from rest_framework.test import APIClient

    anonymous = APIClient().get("/api/v1/enterprises/")
    assert anonymous.status_code == 401
    conforms(schema, "/api/v1/enterprises/", "get", 401, anonymous.json())


def test_every_operation_declares_its_error_answers(db, schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert "403" in codes, (method, path)
            if path != "/api/v1/auth/token/":
                assert "401" in codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method in ("post", "put", "patch"):
                assert {"400", "409"} <= codes or path == "/api/v1/auth/token/", (method, path)


@pytest.mark.parametrize("collection", ["hazard-reinspections", "hazard-photos", "hazard-events"])
def test_a_huge_hazard_filter_is_a_400(world, api_for, schema, collection):
    """Found by the fuzzing run: a number past the largest id overflowed SQLite (500)."""
    response = api_for("leader").get(f"/api/v1/{collection}/", {"hazard": "-824580044037250220032"})
    assert response.status_code == 400
    conforms(schema, f"/api/v1/{collection}/", "get", 400, response.json())


def test_the_indicator_registry_conforms(world, api_for, schema):
    client = api_for("district")
    listing = client.get("/api/v1/indicators/").json()
    conforms(schema, "/api/v1/indicators/", "get", 200, listing)
    code = listing["results"][0]["code"]
    value = client.get("/api/v1/indicators/", {"code": code, "year": 2017})
    assert value.status_code == 200, value.content
    conforms(schema, "/api/v1/indicators/", "get", 200, value.json())
    unknown = client.get("/api/v1/indicators/", {"code": "no.such", "year": 2017})
    assert unknown.status_code == 400
    conforms(schema, "/api/v1/indicators/", "get", 400, unknown.json())
    rows = client.get("/api/v1/indicators/rows/", {"code": "accidents.count", "year": 2017})
    assert rows.status_code in (200, 400, 404)
    conforms(schema, "/api/v1/indicators/rows/", "get", rows.status_code, rows.json())
