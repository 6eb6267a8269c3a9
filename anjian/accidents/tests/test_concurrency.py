"""Two people acting on one accident at once cannot both succeed (row locks on PostgreSQL, immediate transactions on SQLite), and two
accidents recorded at once get different numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from anjian.utilities.testing.concurrency import race

from .. import actions
from ..models import Accident, AccidentEvent, Investigation
from . import factories as f

# The catalogues a transactional test's flush removes are put back by conftest's _reference_data.
pytestmark = [pytest.mark.django_db(transaction=True)]


def test_two_officers_starting_the_investigation_at_once_only_one_succeeds(world):
    accident = f.make_accident(enterprise=world.ent_north, occurred_at=f.aware(2017, 3, 1))
    results = race(2, lambda i: actions.start_investigation(world.users["district"], accident.pk,
                                                             leader=f"组长{i}", started_on=date(2017, 3, 2)))
    assert sum(isinstance(r, Investigation) for r in results) == 1, results
    assert sum(isinstance(r, actions.ActionError) for r in results) == 1, results
    assert AccidentEvent.objects.filter(accident=accident, action="investigation_started").count() == 1


def test_approving_twice_at_once_only_one_succeeds(world):
    accident = f.make_accident(enterprise=world.ent_north, occurred_at=f.aware(2017, 3, 1))
    user = world.users["district"]
    actions.start_investigation(user, accident, leader="王", started_on=date(2017, 3, 2))
    actions.submit_investigation_report(user, accident, submitted_on=date(2017, 4, 1), direct_cause="x",
                                        nature="liability")
    results = race(2, lambda i: actions.approve_investigation(user, accident.pk, approved_on=date(2017, 4, 10),
                                                               reference=f"文{i}"))
    assert sum(isinstance(r, Investigation) for r in results) == 1, results
    assert AccidentEvent.objects.filter(accident=accident, action="report_approved").count() == 1


def test_accidents_recorded_at_once_get_different_numbers(world):

    def record(i: int) -> Accident:
        return actions.record_accident(
            world.users["district"], occurred_at=f.aware(2017, 5, 1 + i), place=f"地点{i}", area=world.north,
            sector=world.retail_sector, accident_type=f.accident_type("01"), deaths=0, serious_injuries=0,
            minor_injuries=1, direct_loss=Decimal("1000"), description="x", reported_at=f.aware(2017, 5, 1 + i, 11))

    results = race(3, record)
    assert all(isinstance(r, Accident) for r in results), results
    assert len({r.number for r in results}) == 3
