"""The hazards demo loader: a plausible year, idempotent, deterministic."""

from __future__ import annotations

import datetime

import pytest

from anjian.demo.loader import DemoContext, rng_for
from anjian.indicators.registry import IndicatorScope, Period, compute
from anjian.inspections.models import Inspection
from anjian.territory.models import Sector

from .. import demo
from ..models import Hazard, HazardEvent, HazardReport, SupervisionOrder

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2017, 12, 20)


def _ctx(world):
    enterprises = [world.ent_north, world.ent_south]
    return DemoContext(
        district=world.district, towns=[world.north, world.south],
        communities=[world.north_community, world.south_community], departments={},
        sectors={s.code: s for s in Sector.objects.all()}, enterprises=enterprises,
        users={"district": world.users["district"], "inspector-1": world.users["inspector"],
               f"ent-{world.ent_north.credit_code}": world.users["ent_north"],
               "town-410199001000": world.users["town_north"]},
        rng=rng_for(2017, "hazards"), today=TODAY,
        sector_codes={e.pk: tuple(e.sectors.values_list("code", flat=True)) for e in enterprises})


@pytest.fixture
def inspections(world):
    rows = []
    for month in range(1, 13):
        for ent in (world.ent_north, world.ent_south):
            for kind, day in (("routine", 5), ("enforcement", 12), ("self", 20)):
                when = datetime.date(2017, month, day)
                if when <= TODAY:
                    rows.append(Inspection(enterprise=ent, kind=kind, date=when, status="submitted", is_demo=True))
    Inspection.objects.bulk_create(rows)


def test_demo_loads_a_plausible_year_and_is_idempotent(world, inspections):
    first = demo.load_demo(_ctx(world))
    assert first > 0
    hazards = Hazard.objects.all()
    assert hazards.filter(level="general").count() >= 20 and hazards.filter(level="major").count() == 2
    assert hazards.filter(status="verified").count() > hazards.count() / 2
    for h in hazards:
        events = list(h.events.order_by("at", "pk"))
        assert events[0].action == "report" and events[0].at.date() == h.found_on
        if h.status == "verified":
            assert h.verified_on and h.rectified_on and h.verified_on >= h.rectified_on >= h.found_on
    assert SupervisionOrder.objects.exists()  # some hazards are left overdue
    assert HazardReport.objects.filter(year=2017).exists()
    rate = compute("hazards.rectification_rate", IndicatorScope(area_code="410199000000"), Period.year(2017))
    assert rate.value is not None and 50 < rate.value < 100
    counts = (Hazard.objects.count(), HazardEvent.objects.count(), SupervisionOrder.objects.count(),
              HazardReport.objects.count())
    assert demo.load_demo(_ctx(world)) == 0
    assert (Hazard.objects.count(), HazardEvent.objects.count(), SupervisionOrder.objects.count(),
            HazardReport.objects.count()) == counts


def test_demo_is_deterministic(world, inspections):
    demo.load_demo(_ctx(world))
    first = list(Hazard.objects.order_by("number").values_list("number", "description", "status", "deadline"))
    Hazard.objects.update(description="changed")
    demo.load_demo(_ctx(world))
    assert list(Hazard.objects.order_by("number").values_list("number", "description", "status", "deadline")) == first
