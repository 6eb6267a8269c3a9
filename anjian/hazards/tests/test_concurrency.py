"""Two people acting on one hazard at once cannot both succeed (row locks on PostgreSQL, immediate transactions on SQLite)."""

from __future__ import annotations

import pytest

from anjian.territory.catalogue import load_sectors
from anjian.utilities.testing import make_world
from anjian.utilities.testing.concurrency import race

from .. import actions
from ..exceptions import TransitionNotAllowed
from ..models import Hazard, HazardEvent, HazardStatus
from .factories import make_hazard

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    # A transactional test empties the tables afterwards, the sector catalogue of the data migration too.
    load_sectors()
    return make_world()


def test_two_reviewers_accepting_at_once_only_one_succeeds(world):
    hazard = make_hazard(world.ent_north, status=HazardStatus.RECTIFIED)
    reviewers = [world.users["inspector"], world.users["town_north"]]
    results = race(2, lambda i: actions.verify(actor=reviewers[i], hazard=hazard.pk, comment=f"reviewer {i}"))
    ok = [r for r in results if isinstance(r, Hazard)]
    refused = [r for r in results if isinstance(r, TransitionNotAllowed)]
    assert len(ok) == 1 and len(refused) == 1, results
    assert "verified" in str(refused[0]) or "销号" in str(refused[0])
    assert HazardEvent.objects.filter(hazard=hazard, action="verify").count() == 1
    assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.VERIFIED


def test_accept_and_reject_at_once_only_one_succeeds(world):
    hazard = make_hazard(world.ent_north, status=HazardStatus.RECTIFIED)
    inspector, town = world.users["inspector"], world.users["town_north"]
    results = race(2, lambda i: actions.verify(actor=inspector, hazard=hazard.pk) if i == 0
                    else actions.reject(actor=town, hazard=hazard.pk, comment="不合格"))
    assert sum(isinstance(r, Hazard) for r in results) == 1, results
    assert sum(isinstance(r, TransitionNotAllowed) for r in results) == 1, results
    assert HazardEvent.objects.filter(hazard=hazard, action__in=["verify", "reject"]).count() == 1


def test_two_overdue_jobs_at_once_issue_each_order_once(world):
    from datetime import timedelta

    from django.utils import timezone

    from ..models import SupervisionOrder
    from ..overdue import run_overdue

    for _ in range(3):
        make_hazard(world.ent_north, status=HazardStatus.RECTIFYING, deadline=timezone.localdate() - timedelta(days=2))
    results = race(2, lambda i: run_overdue())
    assert all(not isinstance(r, Exception) for r in results), results
    assert sum(r.issued for r in results) == 6  # 3 hazards × (town + department), whoever issued them
    assert SupervisionOrder.objects.count() == 6


@pytest.mark.parametrize("callers", [2, 3, 5])
def test_simultaneous_verify_calls_through_the_api_give_one_200_and_409s(world, callers):
    """The issue's reproduction: on SQLite 10 of 14 losers got a 500 "database is locked"."""
    from rest_framework.test import APIClient

    hazard = make_hazard(world.ent_north, status=HazardStatus.RECTIFIED)
    reviewers = [world.users["inspector"], world.users["town_north"], world.users["district"]]

    def call(i: int):
        client = APIClient(raise_request_exception=False)
        client.force_authenticate(reviewers[i % len(reviewers)])
        return client.post(f"/api/v1/hazards/{hazard.pk}/transition/", {"action": "verify", "comment": f"#{i}"},
                           format="json")

    responses = race(callers, call)
    codes = sorted(getattr(r, "status_code", r) for r in responses)
    assert codes == [200] + [409] * (callers - 1), codes
    refused = [r.json() for r in responses if r.status_code == 409]
    assert all(body.get("detail") for body in refused), refused
    assert HazardEvent.objects.filter(hazard=hazard, action="verify").count() == 1
    assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.VERIFIED
