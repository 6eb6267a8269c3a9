"""Hazard indicators against hand-computed figures (see the table in each test).

The fixture, district 2017 (d = 2017-12-31 for the snapshot indicators):

====  ==========  =====  ==========  ==========  ==========  ==========  ==========================
id    enterprise  level  found       deadline    status      rectified   verified
====  ==========  =====  ==========  ==========  ==========  ==========  ==========================
h1    north       gen.   2017-03-01  2017-03-10  verified    2017-03-05  2017-03-06
h2    north       gen.   2017-05-01  2017-05-10  rectified   2017-05-20  (late)
h3    north       gen.   2017-06-01  2017-06-10  rectifying  —           (open, overdue)
h4    north       gen.   2017-12-20  2018-01-10  verified    2018-01-05  2018-01-08 (Dec → Jan)
h5    north       major  2017-04-01  2017-09-30  verified    2017-09-01  2017-09-15
h6    north       major  2017-08-01  2017-11-30  rectifying  —           (open, overdue)
h7    north       major  2016-06-01  2016-12-01  verified    2018-01-20  2018-02-01 (earlier year)
h8    north       gen.   2017-07-01  —           withdrawn   (never counts)
h9    closed      gen.   2017-02-01  2017-02-15  reported    —           (enterprise closed in June)
h10   two         gen.   2017-10-01  —           rectifying  —           (no deadline: undecided)
h11   two         major  2017-11-01  2018-03-01  rectified   2017-12-15
h12   south       gen.   2018-01-15  —           reported    —           (January 2018 only)
====  ==========  =====  ==========  ==========  ==========  ==========  ==========================

north and closed are in 北镇 (sector 非煤矿山); south and two in 南镇; "two" is in two
sectors (非煤矿山 and 商场超市).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from anjian.enterprises.models import Enterprise, EnterpriseStatus
from anjian.indicators.registry import IndicatorScope, Period, compute, registry
from anjian.utilities.testing import valid_credit_code

from ..indicators import CODES, breakdown_many
from ..models import HazardLevel, HazardStatus
from .factories import make_hazard

pytestmark = pytest.mark.django_db
S, G, M = HazardStatus, HazardLevel.GENERAL, HazardLevel.MAJOR
Y2017 = Period.year(2017)
DISTRICT = IndicatorScope(area_code="410199000000")


@pytest.fixture
def fx(world):
    closed = Enterprise.objects.create(credit_code=valid_credit_code(901), name="关停厂", area=world.north_community,
                                       status=EnterpriseStatus.CLOSED)
    closed.sectors.add(world.mines_sector)
    two = Enterprise.objects.create(credit_code=valid_credit_code(902), name="两业公司", area=world.south_community)
    two.sectors.add(world.mines_sector, world.retail_sector)
    n, s = world.ent_north, world.ent_south
    d = date
    h = {
        "h1": make_hazard(n, level=G, found_on=d(2017, 3, 1), deadline=d(2017, 3, 10), status=S.VERIFIED,
                          rectified_on=d(2017, 3, 5), verified_on=d(2017, 3, 6)),
        "h2": make_hazard(n, level=G, found_on=d(2017, 5, 1), deadline=d(2017, 5, 10), status=S.RECTIFIED,
                          rectified_on=d(2017, 5, 20)),
        "h3": make_hazard(n, level=G, found_on=d(2017, 6, 1), deadline=d(2017, 6, 10), status=S.RECTIFYING),
        "h4": make_hazard(n, level=G, found_on=d(2017, 12, 20), deadline=d(2018, 1, 10), status=S.VERIFIED,
                          rectified_on=d(2018, 1, 5), verified_on=d(2018, 1, 8)),
        "h5": make_hazard(n, level=M, found_on=d(2017, 4, 1), deadline=d(2017, 9, 30), status=S.VERIFIED,
                          rectified_on=d(2017, 9, 1), verified_on=d(2017, 9, 15)),
        "h6": make_hazard(n, level=M, found_on=d(2017, 8, 1), deadline=d(2017, 11, 30), status=S.RECTIFYING),
        "h7": make_hazard(n, level=M, found_on=d(2016, 6, 1), deadline=d(2016, 12, 1), status=S.VERIFIED,
                          rectified_on=d(2018, 1, 20), verified_on=d(2018, 2, 1)),
        "h8": make_hazard(n, level=G, found_on=d(2017, 7, 1), status=S.CANCELLED, deleted_at=timezone.now(),
                          deleted_reason="重复"),
        "h9": make_hazard(closed, level=G, found_on=d(2017, 2, 1), deadline=d(2017, 2, 15), status=S.REPORTED),
        "h10": make_hazard(two, level=G, found_on=d(2017, 10, 1), status=S.RECTIFYING),
        "h11": make_hazard(two, level=M, found_on=d(2017, 11, 1), deadline=d(2018, 3, 1), status=S.RECTIFIED,
                           rectified_on=d(2017, 12, 15)),
        "h12": make_hazard(s, level=G, found_on=d(2018, 1, 15), status=S.REPORTED),
    }
    return {"world": world, "closed": closed, "two": two, **h}


def _figures(result):
    return result.numerator, result.denominator, result.value


def _ids(fx, qs):
    names = {v.pk: k for k, v in fx.items() if k.startswith("h")}
    return sorted((names[pk] for pk in qs.values_list("pk", flat=True)), key=lambda k: int(k[1:]))


def test_district_2017_against_hand_computed_figures(fx):
    r = {code: compute(code, DISTRICT, Y2017) for code in CODES}
    assert _figures(r["hazards.found"]) == (9, None, Decimal(9))
    assert _figures(r["hazards.found_major"])[0] == 3
    assert _figures(r["hazards.found_general"])[0] == 6
    assert _figures(r["hazards.rectification_rate"]) == (5, 9, Decimal("55.56"))
    assert _figures(r["hazards.on_time_rectification_rate"]) == (4, 8, Decimal("50.00"))
    assert _figures(r["hazards.reinspection_acceptance_rate"]) == (3, 5, Decimal("60.00"))
    assert _figures(r["hazards.major_open"])[0] == 3
    assert _figures(r["hazards.major_overdue"])[0] == 2
    # The rows behind each number.
    assert _ids(fx, r["hazards.rectification_rate"].rows) == ["h1", "h2", "h4", "h5", "h11"]
    assert _ids(fx, r["hazards.rectification_rate"].denominator_rows) == [
        "h1", "h2", "h3", "h4", "h5", "h6", "h9", "h10", "h11"]
    assert _ids(fx, r["hazards.on_time_rectification_rate"].rows) == ["h1", "h4", "h5", "h11"]
    assert _ids(fx, r["hazards.on_time_rectification_rate"].denominator_rows) == [
        "h1", "h2", "h3", "h4", "h5", "h6", "h9", "h11"]
    assert _ids(fx, r["hazards.major_open"].rows) == ["h6", "h7", "h11"]
    assert _ids(fx, r["hazards.major_overdue"].rows) == ["h6", "h7"]


def test_hazard_found_in_december_and_rectified_in_january(fx):
    """h4 counts in December's (and 2017's) found and rectified, never in January 2018."""
    december = {c: compute(c, DISTRICT, Period.month(2017, 12)) for c in CODES}
    assert _figures(december["hazards.rectification_rate"]) == (1, 1, Decimal("100.00"))
    assert _figures(december["hazards.on_time_rectification_rate"]) == (1, 1, Decimal("100.00"))
    january = {c: compute(c, DISTRICT, Period.month(2018, 1)) for c in CODES}
    assert _ids(fx, january["hazards.found"].rows) == ["h12"]
    assert _figures(january["hazards.rectification_rate"]) == (0, 1, Decimal("0.00"))
    # The January snapshot: h7 rectified on 20 January, closed 1 February; h11 rectified, not closed.
    assert _ids(fx, january["hazards.major_open"].rows) == ["h6", "h7", "h11"]
    assert _ids(fx, january["hazards.major_overdue"].rows) == ["h6"]


def test_enterprise_closed_mid_year_keeps_its_hazards(fx):
    north = compute("hazards.rectification_rate", IndicatorScope(area_code="410199001000"), Y2017)
    assert _figures(north) == (4, 7, Decimal("57.14"))
    assert "h9" in _ids(fx, north.denominator_rows)


def test_enterprise_in_two_sectors_counts_once_per_sector(fx):
    world = fx["world"]
    mines = compute("hazards.found", IndicatorScope(area_code="410199000000", sector_id=world.mines_sector.pk), Y2017)
    retail = compute("hazards.found", IndicatorScope(area_code="410199000000", sector_id=world.retail_sector.pk), Y2017)
    assert (mines.numerator, retail.numerator) == (9, 2)  # 11 > 9: h10 and h11 are in both sectors
    assert compute("hazards.found", DISTRICT, Y2017).numerator == 9  # but once in the district


def test_zero_denominators_are_no_data(world):
    for code in ("hazards.rectification_rate", "hazards.on_time_rectification_rate",
                 "hazards.reinspection_acceptance_rate"):
        result = compute(code, DISTRICT, Y2017)
        assert result.value is None and not result.has_data and result.denominator == 0
    assert compute("hazards.found", DISTRICT, Y2017).value == 0
    # Only undecided and unsubmitted hazards: the on-time and acceptance rates still have no data.
    make_hazard(world.ent_north, found_on=date(2017, 5, 1), status=S.REPORTED)
    assert compute("hazards.on_time_rectification_rate", DISTRICT, Y2017).value is None
    assert compute("hazards.reinspection_acceptance_rate", DISTRICT, Y2017).value is None
    assert compute("hazards.rectification_rate", DISTRICT, Y2017).value == Decimal("0.00")


def test_breakdown_by_town_in_one_query(fx, django_assert_num_queries):
    towns = ["410199001000", "410199002000", "410199003000"]
    with django_assert_num_queries(1):
        got = breakdown_many(CODES, DISTRICT, Y2017, "town", towns)
    north, south, empty = towns
    assert _figures(got["hazards.found"][north])[0] == 7
    assert _figures(got["hazards.rectification_rate"][north]) == (4, 7, Decimal("57.14"))
    assert _figures(got["hazards.on_time_rectification_rate"][north]) == (3, 7, Decimal("42.86"))
    assert _figures(got["hazards.reinspection_acceptance_rate"][north]) == (3, 4, Decimal("75.00"))
    assert _figures(got["hazards.major_open"][north])[0] == 2
    assert _figures(got["hazards.major_overdue"][north])[0] == 2
    assert _figures(got["hazards.rectification_rate"][south]) == (1, 2, Decimal("50.00"))
    assert _figures(got["hazards.reinspection_acceptance_rate"][south]) == (0, 1, Decimal("0.00"))
    assert _figures(got["hazards.on_time_rectification_rate"][south]) == (1, 1, Decimal("100.00"))
    assert _figures(got["hazards.major_open"][south])[0] == 1
    assert got["hazards.rectification_rate"][empty].value is None
    assert got["hazards.found"][empty].value == 0


@pytest.mark.parametrize("by", ["town", "department", "sector", "month", "ytd"])
def test_breakdown_agrees_with_one_computation_per_unit(fx, by):
    world = fx["world"]
    keys = {
        "town": ["410199001000", "410199002000"],
        "department": [world.dept_mines.pk, world.dept_commerce.pk],
        "sector": [world.mines_sector.pk, world.retail_sector.pk],
        "month": list(range(1, 13)),
        "ytd": list(range(1, 13)),
    }[by]
    got = breakdown_many(CODES, DISTRICT, Y2017, by, keys)
    for key in keys:
        if by == "town":
            scope, period = IndicatorScope(area_code=key), Y2017
        elif by == "department":
            scope, period = IndicatorScope(area_code="410199000000", department_id=key), Y2017
        elif by == "sector":
            scope, period = IndicatorScope(area_code="410199000000", sector_id=key), Y2017
        elif by == "month":
            scope, period = DISTRICT, Period.month(2017, key)
        else:
            scope, period = DISTRICT, Period(date(2017, 1, 1), Period.month(2017, key).end)
        for code in CODES:
            one = compute(code, scope, period)
            assert _figures(got[code][key]) == _figures(one), (by, key, code)
            assert set(got[code][key].rows.values_list("pk", flat=True)) == set(one.rows.values_list("pk", flat=True))


def test_breakdown_is_offered_on_the_registered_functions(fx):
    ind = registry()["hazards.rectification_rate"]
    got = ind.compute.breakdown(DISTRICT, Y2017, "town", ["410199001000"])
    assert got["410199001000"].numerator == 4
    assert ind.compute.breakdown(DISTRICT, Y2017, "planet", ["x"]) is None


def test_indicators_respect_the_users_scope(fx):
    world = fx["world"]
    town = compute("hazards.found", IndicatorScope(user=world.users["town_north"]), Y2017)
    assert town.numerator == 7
    ent = compute("hazards.found", IndicatorScope(user=world.users["ent_north"]), Y2017)
    assert ent.numerator == 6  # h1–h6
    assert compute("hazards.found", IndicatorScope(user=world.users["sysadmin"]), Y2017).numerator == 0


def test_registered_with_names_and_units(fx):
    reg = registry()
    for code in CODES:
        assert reg[code].name and reg[code].unit
    assert reg["hazards.rectification_rate"].unit == "%"


@pytest.mark.parametrize("by", ["town", "sector", "month"])
def test_breakdown_rows_are_the_rows_counted(fx, by):
    """The figures come from a compiled, cached query; the rows from querysets: they must agree."""
    world = fx["world"]
    keys = {"town": ["410199001000", "410199002000"], "sector": [world.mines_sector.pk, world.retail_sector.pk],
            "month": list(range(1, 13))}[by]
    got = breakdown_many(CODES, DISTRICT, Y2017, by, keys)
    for code in CODES:
        for key in keys:
            r = got[code][key]
            assert r.rows.count() == r.numerator, (code, key)
            if r.denominator is not None:
                assert r.denominator_rows.count() == r.denominator, (code, key)


def test_the_cached_query_binds_each_periods_dates(fx):
    for month in range(1, 13):
        compute("hazards.found", DISTRICT, Period.month(2017, month))  # the same shape, compiled once
    assert compute("hazards.found", DISTRICT, Period.month(2017, 12)).numerator == 1
    assert compute("hazards.found", DISTRICT, Period.month(2018, 1)).numerator == 1
    assert compute("hazards.found", DISTRICT, Period.month(2017, 7)).numerator == 0  # h8 is withdrawn
