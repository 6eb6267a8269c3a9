"""Issue 10, item 3: values without bounds. One set of bounds (anjian.utilities.bounds) for the
model, the page form, the Excel import and the API; a value past it is a 400 in words."""

from __future__ import annotations

import pytest

from anjian.accidents.forms import FollowUpReportForm
from anjian.accidents.models import Accident
from anjian.enterprises.models import Enterprise
from anjian.hazards.models import Hazard
from anjian.utilities.bounds import EMPLOYEES, LONG_TEXT, PEOPLE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # the messages compared below are the English ones

HUGE = 9223372036854775807  # the largest 64-bit integer


def _accident(world, **overrides):
    data = {"occurred_at": "2017-05-04T09:30:00+08:00", "place": "采场", "area_code": world.north_community.code,
            "enterprise": world.ent_north.pk, "sector": "non_coal_mine", "type_code": "10", "deaths": 0,
            "serious_injuries": 0, "minor_injuries": 0, "direct_loss": "1000.00", "description": "坍塌",
            "reported_at": "2017-05-04T10:00:00+08:00"}
    return {**data, **overrides}


@pytest.mark.parametrize("field", ["deaths", "serious_injuries", "minor_injuries"])
def test_an_accident_toll_past_the_bound_is_refused(world, api_for, field):
    client = api_for("town_north")
    response = client.post("/api/v1/accidents/", _accident(world, **{field: HUGE}), format="json")
    assert response.status_code == 400
    assert response.json() == {field: [f"Ensure this value is less than or equal to {PEOPLE.max}."]}
    assert not Accident.objects.exists()
    # The list and the deaths indicator keep answering.
    assert client.get("/api/v1/accidents/").status_code == 200
    at_bound = client.post("/api/v1/accidents/", _accident(world, **{field: PEOPLE.max}), format="json")
    assert at_bound.status_code == 201, at_bound.content
    assert client.get("/api/v1/accidents/").status_code == 200
    indicator = client.get("/api/v1/indicators/", {"code": "accident_deaths", "year": 2017})
    assert indicator.status_code in (200, 400, 404)


def test_a_follow_up_report_past_the_bound_is_refused(world, api_for):
    client = api_for("town_north")
    created = client.post("/api/v1/accidents/", _accident(world), format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    response = client.post(f"/api/v1/accidents/{pk}/follow-up-reports/", {
        "reported_at": "2017-05-05T10:00:00+08:00", "deaths": HUGE, "serious_injuries": 0, "minor_injuries": 0,
    }, format="json")
    assert response.status_code == 400
    assert "deaths" in response.json()
    # The page's form of the same step has the same bound.
    form = FollowUpReportForm({"reported_at": "2017-05-05 10:00", "deaths": PEOPLE.max + 1, "serious_injuries": 0,
                               "minor_injuries": 0})
    assert not form.is_valid() and "deaths" in form.errors


def test_employees_past_the_import_bound_are_refused_by_the_api(world, api_for):
    client = api_for("town_north")
    url = f"/api/v1/enterprises/{world.ent_north.pk}/"
    response = client.patch(url, {"employees": 10**12}, format="json")
    assert response.status_code == 400
    assert response.json() == {"employees": [f"Ensure this value is less than or equal to {EMPLOYEES.max}."]}
    assert Enterprise.objects.get(pk=world.ent_north.pk).employees == 120
    assert client.patch(url, {"employees": EMPLOYEES.max}, format="json").status_code == 200


def test_the_import_reads_the_same_bounds():
    from anjian.accidents.exchange import COUNT
    from anjian.core.exchange.cells import CellError

    assert COUNT(PEOPLE.max) == PEOPLE.max
    with pytest.raises(CellError):
        COUNT(PEOPLE.max + 1)


def test_a_megabyte_of_hazard_description_is_refused(world, api_for):
    client = api_for("town_north")
    response = client.post("/api/v1/hazards/", {"enterprise": world.ent_north.pk, "level": "general",
                                                "description": "x" * 1_000_000}, format="json")
    assert response.status_code == 400
    assert response.json() == {"description": [f"Ensure this field has no more than {LONG_TEXT} characters."]}
    assert not Hazard.all_objects.exists()
    long_location = client.post("/api/v1/hazards/", {"enterprise": world.ent_north.pk, "level": "general",
                                                     "description": "x", "location": "x" * 201}, format="json")
    assert long_location.status_code == 400 and "location" in long_location.json()
    too_large = client.post("/api/v1/hazards/", {"enterprise": world.ent_north.pk, "level": "general",
                                                 "description": "隐" * 1_000_000}, format="json")  # 3 MB
    assert too_large.status_code == 413 and too_large.json() == {"detail": "The request is too large."}
    ok = client.post("/api/v1/hazards/", {"enterprise": world.ent_north.pk, "level": "general",
                                          "description": "隐" * LONG_TEXT}, format="json")
    assert ok.status_code == 201, ok.content


def test_a_megabyte_of_accident_description_is_refused(world, api_for):
    response = api_for("town_north").post("/api/v1/accidents/", _accident(world, description="x" * (LONG_TEXT + 1)),
                                          format="json")
    assert response.status_code == 400 and "description" in response.json()


def test_the_schema_states_the_bounds(world, api_for):
    schema = api_for("district").get("/api/v1/schema/", {"format": "json"}).json()
    accident = schema["components"]["schemas"]["AccidentRequest"]["properties"]
    assert (accident["deaths"]["minimum"], accident["deaths"]["maximum"]) == (PEOPLE.min, PEOPLE.max)
    assert accident["description"]["maxLength"] == LONG_TEXT
    hazard = schema["components"]["schemas"]["HazardCreateRequest"]["properties"]
    assert hazard["description"]["maxLength"] == LONG_TEXT
    enterprise = schema["components"]["schemas"]["EnterpriseRequest"]["properties"]
    assert enterprise["employees"]["maximum"] == EMPLOYEES.max
