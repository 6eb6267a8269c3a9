"""Every registered indicator's grouped breakdown (and its family's batch) gives exactly what the
indicator computes for each unit on its own, so the dashboard's cells cannot drift from the
numbers their drill-downs recompute.

The fixture touches every app that registers indicators: enterprises in two towns and several
sectors (one in two sectors, one closed in June through the change log, one closed in 2016, a
hazardous-chemicals trader with a grade), self-inspections, enforcement, special and routine
inspections with and without record documents, hazards in every state, accidents of 2016 and
2017 with statistics bases, an accident on a road with no enterprise.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from anjian.indicators.registry import IndicatorScope, Period, registry
from anjian.targets.breakdown import (
    Request,
    family_of,
    grouped_function,
    per_unit,
    run,
    unit_period,
    unit_scope,
)
from anjian.utilities.testing import CountQueries, valid_credit_code

D = datetime.date
AS_OF = D(2017, 9, 15)  # mid-month: a year-to-date period that ends inside a month
YTD = Period(D(2017, 1, 1), AS_OF)
YEAR = Period.year(2017)


def _close(enterprise, on):
    from anjian.enterprises.models import EnterpriseStatus

    moment = timezone.make_aware(datetime.datetime.combine(on, datetime.time(10)))
    enterprise.status = EnterpriseStatus.CLOSED
    with mock.patch("django.utils.timezone.now", return_value=moment):
        enterprise.save()


@pytest.fixture
def records(world):
    from anjian.accidents.tests import factories as acc
    from anjian.enterprises.models import Enterprise
    from anjian.hazards.tests.factories import make_hazard
    from anjian.inspections.models import Inspection, InspectionAttachment
    from anjian.territory.models import Area, AreaLevel, Department, Sector

    east = Area.objects.create(code="410199003000", name="东镇", level=AreaLevel.TOWN, parent=world.district)
    east_c = Area.objects.create(code="410199003001", name="东一社区", level=AreaLevel.COMMUNITY, parent=east)
    Area.objects.create(code="410199004000", name="空镇", level=AreaLevel.TOWN, parent=world.district)
    dust, confined = Sector.objects.get(code="dust_explosion"), Sector.objects.get(code="confined_space")
    trade = Sector.objects.get(code="chem_operation")
    safety = Department.objects.create(code="ajj", name="安监局", area=world.district, is_safety_authority=True)
    safety.sectors.add(dust, trade, world.mines_sector)
    retail_dept = Department.objects.create(code="retail", name="零售监管", area=world.district)
    retail_dept.sectors.add(world.retail_sector, confined)
    Department.objects.create(code="empty", name="无行业部门", area=world.district)
    twin = Department.objects.create(code="retail2", name="零售监管（二）", area=world.district)
    twin.sectors.add(world.retail_sector, confined)  # the same sectors as another department

    def ent(n, area, *sectors, **kw):
        e = Enterprise.objects.create(credit_code=valid_credit_code(700 + n), name=f"企业{n}", area=area, **kw)
        e.sectors.add(*sectors)
        return e

    two = ent(1, world.north_community, dust, confined, key_enterprise=True, above_scale=True,
              standardisation_grade="grade3")
    shop = ent(2, world.south_community, world.retail_sector, key_enterprise=True)
    chem = ent(3, east_c, trade, above_scale=True, standardisation_grade="grade2", key_enterprise=True)
    gone = ent(4, east_c, trade, key_enterprise=True)
    _close(shop, D(2017, 6, 15))
    _close(gone, D(2016, 12, 1))
    world.ent_north.standardisation_grade = "grade1"
    world.ent_north.save()
    everyone = [world.ent_north, world.ent_south, two, shop, chem, gone]

    def insp(e, kind, day, status="submitted", conclusion="", document=False):
        i = Inspection.objects.create(enterprise=e, kind=kind, date=day, status=status, conclusion=conclusion)
        if document:
            InspectionAttachment.objects.create(inspection=i, kind="document", file="inspections/record.pdf")
        return i

    for m in range(1, 13):
        for e in everyone:
            if (e.pk + m) % 3:
                insp(e, "self", D(2017, m, 8))
    insp(world.ent_north, "self", D(2017, 3, 20))  # twice in a month counts once
    insp(shop, "self", D(2017, 8, 8))  # after it closed
    insp(world.ent_south, "self", D(2017, 5, 9), status="draft")
    insp(world.ent_north, "enforcement", D(2017, 4, 2), conclusion="责令整改", document=True)
    insp(chem, "routine", D(2017, 9, 10))
    insp(shop, "enforcement", D(2017, 7, 3), conclusion="合格", document=True)  # after it closed
    insp(two, "special", D(2017, 5, 5), conclusion="合格")  # no document
    insp(chem, "special", D(2017, 2, 2), document=True)  # no conclusion
    insp(chem, "enforcement", D(2017, 9, 20), status="draft", conclusion="x", document=True)
    insp(world.ent_south, "enforcement", D(2017, 8, 1), status="planned")

    statuses = ["reported", "rectifying", "rectified", "verified", "verified"]
    for n, e in enumerate(everyone):
        for m in (1, 4, 6, 9, 11):
            day = D(2017, m, 3 + n)
            status = statuses[(n + m) % len(statuses)]
            make_hazard(e, status=status, level="major" if (n + m) % 4 == 0 else "general", found_on=day,
                        deadline=day + datetime.timedelta(days=10 + 5 * n),
                        rectified_on=day + datetime.timedelta(days=3 * n) if status in ("rectified", "verified") else None)
    make_hazard(two, found_on=D(2016, 12, 1), level="major", deadline=D(2017, 2, 1))

    road = Sector.objects.get(code="road_traffic")
    for area in (world.district, world.north, world.south, east):
        for year in (2016, 2017):
            acc.make_base(area, year, gdp=Decimal("100"), industrial_employees=30_000, special_equipment_units=4_000)
    acc.make_accident(enterprise=world.ent_north, occurred_at=acc.aware(2017, 3, 10), deaths=2)
    acc.make_accident(enterprise=chem, occurred_at=acc.aware(2017, 6, 1), deaths=1, special_equipment=True)
    acc.make_accident(area=world.north, sector=road, occurred_at=acc.aware(2017, 9, 20), deaths=3)
    acc.make_accident(enterprise=two, occurred_at=acc.aware(2017, 9, 1), serious_injuries=1)
    acc.make_accident(enterprise=world.ent_south, occurred_at=acc.aware(2016, 5, 1), deaths=1)
    acc.make_accident(area=east, sector=road, occurred_at=acc.aware(2016, 9, 1), deaths=1)
    acc.make_accident(enterprise=chem, occurred_at=acc.aware(2016, 2, 1))
    towns = [world.north.code, world.south.code, east.code, "410199004000"]
    departments = [world.dept_mines.pk, world.dept_commerce.pk, safety.pk, retail_dept.pk,
                   Department.objects.get(code="empty").pk, twin.pk]
    sectors = [world.mines_sector.pk, world.retail_sector.pk, dust.pk, confined.pk, trade.pk, road.pk]
    return {"town": towns, "department": departments, "sector": sectors,
            "month": list(range(1, 13)), "ytd": list(range(1, 10))}


def _scopes(world):
    return [IndicatorScope(user=world.users["leader"], area_code=world.district.code),
            IndicatorScope(area_code=world.district.code),
            IndicatorScope(user=world.users["dept_mines"])]


def _same(got, alone, label):
    assert got is not None, label
    assert (got.numerator, got.denominator, got.value) == (alone.numerator, alone.denominator, alone.value), label


def _pks(qs):
    return set(qs.values_list("pk", flat=True)) if qs is not None else None


BREAKDOWNS = [(code, by) for code in sorted(registry()) for by in ("town", "department", "sector", "month", "ytd")]


@pytest.mark.parametrize(("code", "by"), BREAKDOWNS)
def test_grouped_breakdown_equals_each_unit_computed_alone(world, records, code, by):
    ind = registry()[code]
    fn = grouped_function(ind)
    if fn is None:
        pytest.skip("no grouped breakdown")
    for scope in _scopes(world):
        for period in ((YEAR, YTD) if by != "month" else (YEAR,)):
            got = fn(scope, period, by, records[by])
            if got is None:
                assert by == "sector", f"{code} must break down by {by}"
                continue
            alone = per_unit(ind, scope, period, by, records[by])
            for key in records[by]:
                _same(got[key], alone.results[key], (code, by, key, scope, period))


@pytest.mark.parametrize("code", sorted(registry()))
def test_every_registered_indicator_breaks_down_by_town_department_and_month(code):
    fn = grouped_function(registry()[code])
    assert fn is not None, f"{code} has no grouped breakdown: the dashboard would compute it town by town"


@pytest.mark.parametrize("code", sorted(registry()))
def test_the_drilldown_rows_of_a_grouped_unit_are_the_rows_of_the_unit_alone(world, records, code):
    ind = registry()[code]
    scope = _scopes(world)[0]
    for by in ("town", "department", "month"):
        period = YEAR if by == "month" else YTD
        got = grouped_function(ind)(scope, period, by, records[by])
        for key in records[by]:
            alone = ind.compute(unit_scope(scope, by, key), unit_period(period, by, key))
            assert _pks(got[key].rows) == _pks(alone.rows), (code, by, key)
            assert _pks(got[key].denominator_rows) == _pks(alone.denominator_rows), (code, by, key)


def test_a_family_batch_gives_what_each_indicator_gives_alone(world, records):
    scope = _scopes(world)[0]
    reg = registry()
    requests = []
    for code in sorted(reg):
        ind = reg[code]
        requests.append(Request(ind, scope, YTD))
        for by in ("town", "department", "ytd"):
            requests.append(Request(ind, scope, YTD, by, tuple(records[by])))
        requests.append(Request(ind, scope, YEAR, "month", tuple(records["month"])))
    got = run(requests)
    for req in requests:
        if req.by is None:
            _same(got[req], req.ind.compute(req.scope, req.period), req.ind.code)
        else:
            alone = per_unit(req.ind, req.scope, req.period, req.by, req.keys)
            for key in req.keys:
                _same(got[req].results[key], alone.results[key], (req.ind.code, req.by, key))
    families = {family_of(reg[c]).name for c in reg if family_of(reg[c]) is not None}
    assert {"hazards", "accidents"} <= families


def test_breakdown_query_count_does_not_grow_with_the_units(world, records):
    from anjian.enterprises.models import Enterprise
    from anjian.territory.models import Area, AreaLevel, Department

    scope = _scopes(world)[0]
    reg = registry()

    def count(keys_by):
        with CountQueries() as q:
            for code in sorted(reg):
                for by, keys in keys_by.items():
                    grouped_function(reg[code])(scope, YTD, by, keys)
        return q.count

    count({"town": records["town"][:1], "department": records["department"][:1]})  # warm the caches
    few = count({"town": records["town"][:1], "department": records["department"][:1]})
    towns = []
    for n in range(10, 16):
        town = Area.objects.create(code=f"410199{n:03d}000", name=f"镇{n}", level=AreaLevel.TOWN,
                                   parent=world.district)
        Enterprise.objects.create(credit_code=valid_credit_code(900 + n), name=f"新企业{n}", area=town)
        towns.append(town.code)
    depts = [Department.objects.create(code=f"d{n}", name=f"部门{n}", area=world.district).pk for n in range(4)]
    many = count({"town": records["town"] + towns, "department": records["department"] + depts})
    assert many == few
