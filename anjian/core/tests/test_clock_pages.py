"""Pages and the API on the demo's date: with 2017-12-20 recorded as the platform's date (as
``anjian demo`` records it), deadlines, "this month" and report periods read as they did then."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from anjian.core import clock
from anjian.hazards.tests.factories import make_hazard

DEMO_DAY = datetime.date(2017, 12, 20)


@pytest.fixture
def on_demo_day(db):
    clock.record(DEMO_DAY, source="demo")
    return DEMO_DAY


def test_an_open_hazard_due_after_the_demo_date_is_not_overdue(world, api_for, client_for, on_demo_day):
    due_soon = make_hazard(world.ent_north, found_on=datetime.date(2017, 12, 1), deadline=datetime.date(2017, 12, 25))
    late = make_hazard(world.ent_north, found_on=datetime.date(2017, 11, 1), deadline=datetime.date(2017, 12, 17))
    api = api_for("district")
    assert api.get(f"/api/v1/hazards/{due_soon.pk}/").json()["overdue"] is False
    assert api.get(f"/api/v1/hazards/{late.pk}/").json()["overdue"] is True
    ids = {h["id"] for h in api.get("/api/v1/hazards/", {"overdue": "true", "page_size": 50}).json()["results"]}
    assert late.pk in ids and due_soon.pk not in ids
    page = client_for("district").get(reverse("hazards:detail", args=[late.pk]))
    assert page.context["today"] == DEMO_DAY
    assert late.days_overdue() == 3 and due_soon.days_overdue() == 0


def test_the_self_inspection_page_is_the_demo_month(world, client_for, on_demo_day):
    response = client_for("ent_north").get(reverse("inspections:self_inspect"))
    assert response.status_code == 200
    month = response.context["month"]
    assert (month.start, month.end) == (datetime.date(2017, 12, 1), datetime.date(2017, 12, 31))


def test_the_coverage_page_defaults_to_the_demo_month(world, client_for, on_demo_day):
    response = client_for("district").get(reverse("inspections:coverage"))
    assert response.status_code == 200
    assert response.context["month"].start == datetime.date(2017, 12, 1)
    assert response.context["following"] is None  # January 2018 has not begun


def test_the_statistics_report_form_defaults_to_the_last_ended_quarter(world, client_for, on_demo_day):
    district = client_for("district").get(reverse("hazards:reports"))
    assert district.status_code == 200 and district.context["period"] == "2017-3"
    enterprise = client_for("ent_north").get(reverse("hazards:reports"))
    assert enterprise.context["submit_form"].fields["period"].choices[0][0] == "2017-3"


def test_me_shows_the_demo_date(world, api_for, on_demo_day):
    assert api_for("town_north").get("/api/v1/me/").json()["today"] == "2017-12-20"
