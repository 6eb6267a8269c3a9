"""The plan's accident indicators against hand-computed values.

2017 (district base: GDP 300 亿元, 100,000 工矿商贸 employees, 20,000 special-equipment units):
  A1 北方矿业 (非煤矿山, 工矿商贸)  March  2 deaths
  A2 南方商贸 (商场超市, 工矿商贸)  June   1 death, special equipment
  A3 road in 北镇 (道路交通, not 工矿商贸) June 3 deaths -> 较大
  A4 北方矿业                        Sept   0 deaths, 1 serious injury
2016: three accidents with 1 death each (北方矿业, 南方商贸, road in 北镇).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from anjian.accidents.indicators import accidents
from anjian.indicators.registry import IndicatorScope, Period, compute, get
from anjian.territory.models import Sector
from anjian.utilities.testing import CountQueries

from . import factories as f

pytestmark = pytest.mark.django_db
Y2017 = Period.year(2017)


@pytest.fixture
def data(world):
    road = Sector.objects.get(code="road_traffic")
    f.make_base(world.district, 2017, gdp=Decimal("300"), industrial_employees=100_000, special_equipment_units=20_000)
    f.make_base(world.north, 2017, gdp=Decimal("120"), industrial_employees=40_000, special_equipment_units=5_000)
    f.make_base(world.south, 2017, gdp=Decimal("100"), industrial_employees=0, special_equipment_units=None)
    rows = {
        "A1": f.make_accident(enterprise=world.ent_north, occurred_at=f.aware(2017, 3, 10), deaths=2),
        "A2": f.make_accident(enterprise=world.ent_south, occurred_at=f.aware(2017, 6, 1), deaths=1,
                              special_equipment=True, type_code="04"),
        "A3": f.make_accident(area=world.north, sector=road, occurred_at=f.aware(2017, 6, 20), deaths=3,
                              type_code="02"),
        "A4": f.make_accident(enterprise=world.ent_north, occurred_at=f.aware(2017, 9, 1), serious_injuries=1),
        "B1": f.make_accident(enterprise=world.ent_north, occurred_at=f.aware(2016, 2, 1), deaths=1),
        "B2": f.make_accident(enterprise=world.ent_south, occurred_at=f.aware(2016, 5, 1), deaths=1),
        "B3": f.make_accident(area=world.north, sector=road, occurred_at=f.aware(2016, 7, 1), deaths=1,
                              type_code="02"),
    }
    return rows


def _value(code, area=None, period=Y2017, **scope):
    return compute(code, IndicatorScope(area_code=area, **scope), period)


def test_deaths_per_100m_gdp(world, data):
    r = _value("accidents.deaths_per_100m_gdp")
    assert (r.numerator, r.denominator, r.value) == (6, Decimal("300"), Decimal("0.0200"))
    assert {a.number for a in r.rows} == {data[k].number for k in ("A1", "A2", "A3")}
    assert _value("accidents.deaths_per_100m_gdp", world.north.code).value == Decimal("0.0417")  # 5 / 120
    assert _value("accidents.deaths_per_100m_gdp", world.south.code).value == Decimal("0.0100")


def test_deaths_per_100k_workers_counts_only_industrial_commercial_sectors(world, data):
    r = _value("accidents.deaths_per_100k_workers")
    assert (r.numerator, r.denominator, r.value) == (3, 100_000, Decimal("3.0000"))  # the road deaths left out
    assert data["A3"] not in set(r.rows)
    assert _value("accidents.deaths_per_100k_workers", world.north.code).value == Decimal("5.0000")  # 2/40000


def test_deaths_per_10k_special_equipment(world, data):
    r = _value("accidents.deaths_per_10k_special_equipment")
    assert (r.numerator, r.denominator, r.value) == (1, 20_000, Decimal("0.5000"))
    assert _value("accidents.deaths_per_10k_special_equipment", world.north.code).value == Decimal("0.0000")


def test_zero_or_missing_denominator_is_no_data(world, data):
    zero = _value("accidents.deaths_per_100k_workers", world.south.code)
    assert zero.numerator == 1 and zero.value is None and not zero.has_data
    missing = _value("accidents.deaths_per_10k_special_equipment", world.south.code)
    assert missing.value is None and missing.note
    no_base = _value("accidents.deaths_per_100m_gdp", world.north_community.code)
    assert no_base.value is None and no_base.denominator is None and no_base.note
    assert _value("accidents.deaths_per_100m_gdp", period=Period.year(2015)).value is None


def test_counts_and_one_eradication(world, data):
    assert _value("accidents.count").value == 4
    assert _value("accidents.deaths").value == 6
    larger = _value("accidents.larger_and_above_count")
    assert larger.value == 1 and list(larger.rows) == [data["A3"]]
    assert _value("accidents.larger_count").value == 1
    assert _value("accidents.major_and_above_count").value == 0
    assert _value("accidents.count", world.south.code).value == 1


def test_year_on_year_change_for_the_double_decline(world, data):
    count = _value("accidents.count_yoy")
    assert (count.numerator, count.denominator, count.value) == (4, 3, Decimal("33.33"))
    deaths = _value("accidents.deaths_yoy")
    assert (deaths.numerator, deaths.denominator, deaths.value) == (6, 3, Decimal("100.00"))
    south = _value("accidents.deaths_yoy", world.south.code)
    assert south.value == Decimal("0.00")  # 1 on 1
    assert _value("accidents.count_yoy", period=Period.year(2016)).value is None  # nothing in 2015


def test_department_narrows_to_its_sectors_over_the_area_base(world, data):
    r = _value("accidents.deaths_per_100m_gdp", department_id=world.dept_mines.pk)
    assert (r.numerator, r.value) == (2, Decimal("0.0067"))  # 2 / 300


def test_user_bound_limits_the_rows(world, data):
    r = _value("accidents.deaths", user=world.users["town_north"])
    assert r.value == 5  # A1 + A3: the town sees accidents in its area


def test_indicators_are_registered_with_units(world):
    ind = get("accidents.deaths_per_100k_workers")
    assert ind.better == "lower" and "projection:linear" in ind.tags
    assert get("accidents.count_yoy").unit == "%"


CODES = ["accidents.deaths_per_100m_gdp", "accidents.deaths_per_100k_workers",
         "accidents.deaths_per_10k_special_equipment", "accidents.count", "accidents.deaths",
         "accidents.count_yoy", "accidents.deaths_yoy", "accidents.larger_and_above_count"]


@pytest.mark.parametrize("code", CODES)
def test_grouped_breakdown_by_town_equals_each_town_alone(world, data, code):
    fn = get(code).compute.breakdown
    keys = [world.north.code, world.south.code]
    with CountQueries() as q:
        got = fn(IndicatorScope(), Y2017, "town", keys)
    for key in keys:
        alone = _value(code, key)
        assert (got[key].numerator, got[key].value) == (alone.numerator, alone.value), key
    assert set(got[world.south.code].rows) == set(_value(code, world.south.code).rows)
    assert q.count <= 3


@pytest.mark.parametrize("code", CODES)
def test_grouped_breakdown_by_department_equals_each_department_alone(world, data, code):
    fn = get(code).compute.breakdown
    keys = [world.dept_mines.pk, world.dept_commerce.pk]
    got = fn(IndicatorScope(), Y2017, "department", keys)
    for key in keys:
        alone = _value(code, department_id=key)
        assert (got[key].numerator, got[key].value) == (alone.numerator, alone.value), key


@pytest.mark.parametrize("code", CODES)
def test_grouped_breakdown_by_month_and_year_to_date(world, data, code):
    fn = get(code).compute.breakdown
    months = list(range(1, 13))
    by_month = fn(IndicatorScope(), Y2017, "month", months)
    ytd = fn(IndicatorScope(), Y2017, "ytd", months)
    for m in (3, 6, 9, 12):
        month = Period.month(2017, m)
        alone = _value(code, period=month)
        assert (by_month[m].numerator, by_month[m].value) == (alone.numerator, alone.value), m
        upto = _value(code, period=Period(Y2017.start, month.end))
        assert (ytd[m].numerator, ytd[m].value) == (upto.numerator, upto.value), m


def test_grouped_breakdown_query_count_does_not_grow_with_towns_or_rows(world, data):
    from anjian.territory.models import Area, AreaLevel

    fn = get("accidents.deaths_per_100m_gdp").compute.breakdown
    with CountQueries() as few:
        fn(IndicatorScope(), Y2017, "town", [world.north.code])
    towns = [Area.objects.create(code=f"410199{n:03d}000", name=f"镇{n}", level=AreaLevel.TOWN, parent=world.district)
             for n in range(10, 20)]
    for t in towns:
        f.make_accident(area=t, sector=world.retail_sector, occurred_at=f.aware(2017, 5, 5), deaths=1)
    with CountQueries() as many:
        fn(IndicatorScope(), Y2017, "town", [world.north.code, *[t.code for t in towns]])
    assert many.count == few.count


def test_accidents_helper_period_is_local_time(world):
    f.make_accident(enterprise=world.ent_north, occurred_at=f.aware(2016, 12, 31, 23, 30))
    f.make_accident(enterprise=world.ent_north, occurred_at=f.aware(2017, 1, 1, 0, 10))
    assert accidents(IndicatorScope(), Y2017).count() == 1
