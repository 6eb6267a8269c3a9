"""The enterprise list page and the API collection cost the same number of queries for 10 rows as for 200."""

from __future__ import annotations

import pytest

from anjian.enterprises.models import Enterprise
from anjian.territory.models import Sector
from anjian.utilities.testing import CountQueries, valid_credit_code


def make_enterprises(world, count: int, start: int = 10_000) -> None:
    """``count`` enterprises spread over both towns, two sectors and a department each, in a few queries."""
    areas = [world.north, world.north_community, world.south, world.south_community]
    rows = Enterprise.objects.bulk_create([
        Enterprise(credit_code=valid_credit_code(start + i), name=f"批量企业{i:04d}", area=areas[i % 4],
                   employees=i, key_enterprise=i % 5 == 0)
        for i in range(count)
    ])
    sectors = list(Sector.objects.filter(code__in=["non_coal_mine", "retail", "construction"]))
    Enterprise.sectors.through.objects.bulk_create([
        Enterprise.sectors.through(enterprise_id=e.pk, sector_id=s.pk)
        for i, e in enumerate(rows) for s in (sectors[i % 3], sectors[(i + 1) % 3])
    ])
    Enterprise.departments.through.objects.bulk_create([
        Enterprise.departments.through(enterprise_id=e.pk, department_id=world.dept_mines.pk) for e in rows
    ])


def count_queries(request) -> int:  # type: ignore[no-untyped-def]
    with CountQueries() as q:
        response = request()
    assert response.status_code == 200
    return q.count


@pytest.mark.parametrize("persona", ["district", "town_north", "dept_mines"])
@pytest.mark.parametrize("query", [{}, {"sector": "commerce", "sort": "-employees"}, {"town": "410199001000"}])
def test_enterprise_list_page_queries_do_not_grow_with_rows(world, client_for, persona, query):
    client = client_for(persona)
    client.get("/enterprises/")  # warm the session
    make_enterprises(world, 10)
    few = count_queries(lambda: client.get("/enterprises/", query))
    make_enterprises(world, 190, start=20_000)
    many = count_queries(lambda: client.get("/enterprises/", query))
    assert few == many, (few, many)


def test_enterprise_list_partial_queries_do_not_grow_with_rows(world, client_for):
    client = client_for("district")
    make_enterprises(world, 10)
    few = count_queries(lambda: client.get("/enterprises/", HTTP_HX_REQUEST="true"))
    make_enterprises(world, 190, start=20_000)
    many = count_queries(lambda: client.get("/enterprises/", HTTP_HX_REQUEST="true"))
    assert few == many, (few, many)


@pytest.mark.parametrize("persona", ["district", "dept_mines"])
def test_enterprise_api_queries_do_not_grow_with_rows(world, api_for, persona):
    client = api_for(persona)
    client.get("/api/v1/enterprises/")  # warm up: the user's roles and scope are computed once per user object
    make_enterprises(world, 10)
    few = count_queries(lambda: client.get("/api/v1/enterprises/", {"page_size": 500}))
    make_enterprises(world, 190, start=20_000)
    many = count_queries(lambda: client.get("/api/v1/enterprises/", {"page_size": 500}))
    assert few == many, (few, many)


def test_enterprise_detail_queries_do_not_grow_with_history(world, client_for):
    client = client_for("district")
    url = f"/enterprises/{world.ent_north.pk}/"
    few = count_queries(lambda: client.get(url))
    for n in range(30):
        world.ent_north.employees = 200 + n
        world.ent_north.save()
    world.ent_north.sectors.add(*Sector.objects.filter(code__in=["retail", "construction"]))
    many = count_queries(lambda: client.get(url))
    assert many - few <= 2, (few, many)  # the area and sector names of the history, looked up once each


@pytest.mark.parametrize(("persona", "url"), [("district", "/core/overview/"), ("town_north", "/")])
def test_overview_queries_do_not_grow_with_rows(world, client_for, persona, url):
    client = client_for(persona)
    make_enterprises(world, 10)
    few = count_queries(lambda: client.get(url))
    make_enterprises(world, 190, start=20_000)
    many = count_queries(lambda: client.get(url))
    assert few == many, (few, many)
