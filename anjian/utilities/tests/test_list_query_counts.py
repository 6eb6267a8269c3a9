"""Every API collection and list page of a scoped model costs the same number of queries for one
row as for several: no query per row.

The rows come from the data-scope cases (``<app>/tests/scope_cases.py``, whose ``make`` creates a
row of a given enterprise), read by the district office, which sees them all. Each app keeps its
own, more specific query-count tests (``test_query_counts.py``); this one makes sure no collection
or list page is left without one.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from anjian.utilities.testing import CountQueries, valid_credit_code
from anjian.utilities.testing.scope import ScopeCase, all_cases

CASES = all_cases()
READER = "district"


def _more_rows(world, case: ScopeCase, n: int) -> int:
    """Up to ``n`` more rows, spread over new enterprises (a model may allow one row per enterprise)."""
    from anjian.enterprises.models import Enterprise

    if case.more is not None:
        for i in range(n):
            case.more(world, i)
        return n
    made = 0
    for i in range(n):
        enterprise = Enterprise.objects.create(credit_code=valid_credit_code(5000 + i + 10 * len(case.id)),
                                               name=f"加行企业{i}", area=world.north_community if i % 2 else
                                               world.south_community)
        enterprise.sectors.add(world.mines_sector if i % 2 else world.retail_sector)
        try:
            with transaction.atomic():
                case.make(world, enterprise)
            made += 1
        except IntegrityError:
            continue
    return made


def _count(get) -> tuple[int, object]:
    get()  # warm per-process caches (content types, permissions, reference data)
    with CountQueries() as q:
        response = get()
    return q.count, response


@pytest.mark.parametrize("case", [c for c in CASES if c.api], ids=lambda c: c.id)
def test_api_collection_query_count_does_not_grow_with_rows(world, api_for, case):
    client = api_for(READER)
    case.make(world, world.ent_north)

    def get():
        return client.get(f"/api/v1/{case.api}/", {"page_size": 50})

    few, response = _count(get)
    # The district office reads every collection: anything but 200 is a failure, never a skip.
    assert response.status_code == 200, (f"/api/v1/{case.api}/", response.status_code, response.content[:500])
    before = response.json()["count"]
    assert _more_rows(world, case, 4) >= 2, "the case's factory could not make more rows"
    many, response = _count(get)
    assert response.status_code == 200, (f"/api/v1/{case.api}/", response.status_code)
    assert response.json()["count"] > before
    assert many == few, f"/api/v1/{case.api}/: {few} queries for {before} rows, {many} for more"


@pytest.mark.parametrize("case", [c for c in CASES if c.page], ids=lambda c: c.id)
def test_list_page_query_count_does_not_grow_with_rows(world, client_for, case):
    client = client_for(READER)
    case.make(world, world.ent_north)
    url = reverse(case.page)

    def get():
        return client.get(url)

    few, response = _count(get)
    assert response.status_code == 200, (url, response.status_code, response.content[:500])
    assert _more_rows(world, case, 4) >= 2, "the case's factory could not make more rows"
    many, response = _count(get)
    assert response.status_code == 200
    assert many == few, f"{url}: {few} queries, then {many} with more rows"
