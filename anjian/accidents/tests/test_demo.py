"""The accidents demo loader: the plan's scale, 双下降 with one town worse, idempotent."""

from __future__ import annotations

import datetime

import pytest

from anjian.accidents import demo
from anjian.accidents.models import Accident, AccidentReport, Investigation, StatisticsBase
from anjian.demo.loader import DemoContext, rng_for
from anjian.indicators.registry import IndicatorScope, Period, compute
from anjian.territory.models import Sector

pytestmark = pytest.mark.django_db


def _ctx(world):
    enterprises = [world.ent_north, world.ent_south]
    return DemoContext(
        district=world.district, towns=[world.north, world.south],
        communities=[world.north_community, world.south_community], departments={},
        sectors={s.code: s for s in Sector.objects.all()}, enterprises=enterprises,
        users={"district": world.users["district"]}, rng=rng_for(2017, "accidents"),
        today=datetime.date(2017, 12, 20),
        sector_codes={e.pk: tuple(e.sectors.values_list("code", flat=True)) for e in enterprises})


def test_demo_loads_two_years_at_the_plans_scale_and_is_idempotent(world):
    first = demo.load_demo(_ctx(world))
    assert first > 0
    assert demo.load_demo(_ctx(world)) == 0
    assert Accident.objects.in_year(2016).count() == 11 and Accident.objects.in_year(2017).count() == 9
    assert StatisticsBase.objects.filter(year=2017).count() == 3  # the district and its two towns
    year = Period.year(2017)
    deaths = compute("accidents.deaths", IndicatorScope(), year)
    assert deaths.value == 7
    assert compute("accidents.deaths", IndicatorScope(), Period.year(2016)).value == 9
    assert compute("accidents.count_yoy", IndicatorScope(), year).value < 0
    assert compute("accidents.deaths_yoy", IndicatorScope(), year).value < 0
    assert compute("accidents.larger_and_above_count", IndicatorScope(), year).value == 0
    assert compute("accidents.larger_and_above_count", IndicatorScope(), Period.year(2016)).value == 1
    assert Accident.objects.filter(special_equipment=True).count() >= 4
    assert Accident.objects.exclude(grade="general").count() == 1
    gdp = compute("accidents.deaths_per_100m_gdp", IndicatorScope(area_code=world.district.code), year)
    assert gdp.value is not None and gdp.denominator > 100
    # the toll changed after the first report of two accidents: a 续报 each
    assert AccidentReport.objects.filter(kind="follow_up").count() == 2
    assert Investigation.objects.count() == 20
    assert Investigation.objects.filter(status="ongoing").exists()


def test_demo_bases_give_each_figure_a_source(world):
    demo.load_demo(_ctx(world))
    base = StatisticsBase.objects.get(year=2017, area=world.district)
    assert base.gdp_source and base.industrial_employees_source and base.special_equipment_units_source
    assert base.villages_communities == 2 and base.is_demo
