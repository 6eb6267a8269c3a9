"""Every list page and API collection costs the same number of queries for few and many rows."""

import datetime

import pytest
from django.urls import reverse

from anjian.inspections import actions
from anjian.inspections.models import Inspection, InspectionPlan
from anjian.utilities.testing import CountQueries


def _inspections(world, template, n):
    for i in range(n):
        inspection = actions.start_inspection(world.users["inspector"], enterprise=world.ent_north, kind="routine",
                                              date=datetime.date(2017, 5, 1 + i % 20), template=template,
                                              inspectors=[world.users["inspector"], world.users["town_north"]])
        Inspection.objects.filter(pk=inspection.pk).update(status="submitted")
        Inspection.objects.create(enterprise=world.ent_south, kind="self", date=datetime.date(2017, 5, 2),
                                  status="submitted")


def _plans(world, n):
    for i in range(n):
        plan = InspectionPlan.objects.create(name=f"p{i}", kind="routine", area=world.district,
                                             start_date=datetime.date(2017, 1, 1))
        plan.enterprises.add(world.ent_north)
        plan.sectors.add(world.mines_sector)
        plan.inspectors.add(world.users["inspector"])


def _count(fn):
    with CountQueries() as q:
        response = fn()
    assert response.status_code == 200, getattr(response, "content", b"")[:500]
    return q.count


CASES = {
    "inspection_page": lambda c, a: c.get(reverse("inspections:list")),
    "plan_page": lambda c, a: c.get(reverse("inspections:plan_list")),
    "template_page": lambda c, a: c.get(reverse("inspections:template_list")),
    "coverage_page": lambda c, a: c.get(reverse("inspections:coverage"), {"month": "2017-05"}),
    "inspection_api": lambda c, a: a.get("/api/v1/inspections/"),
    "plan_api": lambda c, a: a.get("/api/v1/inspection-plans/"),
    "template_api": lambda c, a: a.get("/api/v1/checklist-templates/"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_collection_query_count_does_not_grow_with_rows(world, client_for, api_for, template, case):
    client, api = client_for("district"), api_for("district")
    fn = CASES[case]
    _inspections(world, template, 2)
    _plans(world, 2)
    fn(client, api)  # warm caches (content types, sessions)
    few = _count(lambda: fn(client, api))
    _inspections(world, template, 12)
    _plans(world, 12)
    many = _count(lambda: fn(client, api))
    assert few == many, (case, few, many)


def test_self_inspection_coverage_page_drills_down(world, client_for):
    Inspection.objects.create(enterprise=world.ent_north, kind="self", date=datetime.date(2017, 5, 3),
                              status="submitted")
    client = client_for("district")
    html = client.get(reverse("inspections:coverage"), {"month": "2017-05"}).content.decode()
    assert "50.0" in html  # 1 of 2
    assert world.ent_south.name in html and world.ent_north.name not in html.split('id="missing"')[1]
    north = client.get(reverse("inspections:coverage"), {"month": "2017-05", "by": "town", "key": world.north.code})
    assert world.ent_south.name not in north.content.decode().split('id="missing"')[1]
    assert client_for("ent_north").get(reverse("inspections:coverage")).status_code == 403
    town = client_for("town_north").get(reverse("inspections:coverage"), {"month": "2017-05"}).content.decode()
    assert world.ent_south.name not in town
