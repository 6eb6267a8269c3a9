"""Every list page and API collection costs the same number of queries for few and many rows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from anjian.utilities.testing import CountQueries

from .. import models as m
from ..overdue import run_overdue
from .scope_cases import SCOPE_CASES

pytestmark = pytest.mark.django_db


def _rows(world, n):
    """n records of each kind, in both enterprises, and n overdue hazards with their orders."""
    for case in SCOPE_CASES:
        if case.model is m.HazardReport:
            continue
        for _ in range(n):
            for ent in (world.ent_north, world.ent_south):
                case.make(world, ent)
    start = m.HazardReport.objects.count()
    for i in range(start, start + n):
        for ent in (world.ent_north, world.ent_south):
            m.HazardReport.objects.create(enterprise=ent, year=2000 + i // 4, quarter=i % 4 + 1, status="submitted",
                                          submitted_at=timezone.now())
    for i in range(n):
        m.Hazard.objects.create(enterprise=world.ent_north, description=f"逾期 {i}", found_on=date(2017, 3, 1),
                                deadline=timezone.localdate() - timedelta(days=2), status="rectifying")
    run_overdue()


def _count(client, url, params=None):
    client.get(url, params or {})  # warm up: the user's scope is cached on the (forced) user object
    with CountQueries() as q:
        response = client.get(url, params or {})
    assert response.status_code == 200, (url, response.status_code)
    return q.count


PAGES = [
    ("hazards:list", {}),
    ("hazards:list", {"level": "general", "town": "410199001000", "overdue": "true"}),
    ("hazards:list", {"indicator": "hazards.rectification_rate", "year": "2017"}),
    ("hazards:orders", {}),
    ("hazards:reports", {"period": "2016-1"}),
    ("hazards:major", {}),
    ("hazards:dashboard", {"year": "2017"}),
]


@pytest.mark.parametrize("persona", ["district", "ent_north"])
@pytest.mark.parametrize(("name", "params"), PAGES, ids=[f"{n}{'?' if p else ''}{'&'.join(p)}" for n, p in PAGES])
def test_list_pages_query_count_is_constant(world, client_for, name, params, persona):
    c = client_for(persona)
    _rows(world, 1)
    few = _count(c, reverse(name), params)
    _rows(world, 4)
    assert _count(c, reverse(name), params) == few


API = ["hazards", "supervision-orders", "hazard-reports", *[c.api for c in SCOPE_CASES[3:]]]


@pytest.mark.parametrize("api", API)
def test_api_collections_query_count_is_constant(world, api_for, api):
    c = api_for("district")
    _rows(world, 1)
    few = _count(c, f"/api/v1/{api}/")
    _rows(world, 4)
    assert _count(c, f"/api/v1/{api}/") == few


def test_hazard_detail_api_query_count_is_constant(world, api_for):
    from .. import actions
    from .factories import image_file

    h = actions.report_hazard(actor=world.users["inspector"], enterprise=world.ent_north, description="x",
                              level="general", photos=[image_file()])
    c = api_for("district")
    few = _count(c, f"/api/v1/hazards/{h.pk}/")
    for _ in range(3):
        actions.add_photos(actor=world.users["district"], hazard=h, photos=[image_file()])
    assert _count(c, f"/api/v1/hazards/{h.pk}/") == few


def test_filing_api_query_count_is_constant(world, api_for):
    c = api_for("district")
    few = _count(c, "/api/v1/hazard-reports/filing/", {"year": 2016, "quarter": 1})
    from anjian.enterprises.models import Enterprise
    from anjian.utilities.testing import valid_credit_code

    for i in range(5):
        Enterprise.objects.create(credit_code=valid_credit_code(700 + i), name=f"企业{i}", area=world.north_community)
    assert _count(c, "/api/v1/hazard-reports/filing/", {"year": 2016, "quarter": 1}) == few
