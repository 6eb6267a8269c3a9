"""The months before an enterprise existed (成立日期, ``established_on``) do not count in its
self-inspection coverage: not on the coverage page, not in the indicator, not in its breakdowns and
not in the dashboard's one statement (hand-computed fixture).

On the demo date 2017-12-20 (the platform's date): north (operating all year, no date recorded)
self-inspected in January; south, established on 2017-07-10, in June (before it existed: not
counted), July and August. 2017: north 12 operating months, 1 covered; south 6 (Jul–Dec), 2 covered.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from anjian.core import clock
from anjian.enterprises.models import Enterprise
from anjian.indicators.registry import IndicatorScope, Period, compute, get
from anjian.inspections.coverage import coverage, month_period
from anjian.inspections.models import Inspection
from anjian.targets.breakdown import Request, grouped_function, per_unit, run
from anjian.utilities.testing import NORTH, SOUTH

D = datetime.date
YEAR = Period.year(2017)
CODE = "inspections.self_inspection_coverage"


@pytest.fixture
def founded(world):
    clock.record(D(2017, 12, 20), source="demo")
    Enterprise.objects.filter(pk=world.ent_south.pk).update(established_on=D(2017, 7, 10))
    for enterprise, months in ((world.ent_north, [1]), (world.ent_south, [6, 7, 8])):
        for m in months:
            Inspection.objects.create(enterprise=enterprise, kind="self", date=D(2017, m, 8), status="submitted")
    return world


def _figures(result):
    return result.numerator, result.denominator


def test_an_enterprise_established_in_july_counts_six_months_of_2017(founded):
    r = compute(CODE, IndicatorScope(), YEAR)
    assert _figures(r) == (3, 18) and r.value == Decimal("16.67")  # 12 + 6 months, not 24
    assert _figures(compute(CODE, IndicatorScope(area_code=SOUTH), YEAR)) == (2, 6)
    assert _figures(compute(CODE, IndicatorScope(area_code=NORTH), YEAR)) == (1, 12)
    assert _figures(compute(CODE, IndicatorScope(), Period.month(2017, 6))) == (0, 1)  # south not yet
    assert _figures(compute(CODE, IndicatorScope(), Period.month(2017, 7))) == (1, 2)
    assert set(r.denominator_rows.values_list("pk", flat=True)) == {founded.ent_north.pk, founded.ent_south.pk}
    june = compute(CODE, IndicatorScope(), Period.month(2017, 6))
    assert list(june.denominator_rows.values_list("pk", flat=True)) == [founded.ent_north.pk]
    assert june.rows.count() == 0  # south's June self-inspection came before it existed


def test_the_coverage_page_counts_from_the_month_of_establishment(founded, client_for):
    total = coverage(Enterprise.objects.all(), YEAR, today=clock.today())
    assert (total.numerator, total.denominator) == (3, 18)
    assert [op for _month, _covered, op in total.months] == [1] * 6 + [2] * 6
    client = client_for("district")
    june = client.get(reverse("inspections:coverage"), {"month": "2017-6"}).context
    assert (june["total"].numerator, june["total"].denominator) == (0, 1)
    assert june["total"].missing_ids == {founded.ent_north.pk}
    assert sum(g.operating for g in june["groups"]["town"]) == 1
    july = client.get(reverse("inspections:coverage"), {"month": "2017-7"}).context
    assert (july["total"].numerator, july["total"].denominator) == (1, 2)
    assert month_period(D(2017, 12, 20)) == Period.month(2017, 12)


def test_breakdowns_and_the_dashboard_statement_agree(founded):
    ind = get(CODE)
    scope = IndicatorScope()
    towns = (NORTH, SOUTH)
    months = tuple(range(1, 13))
    departments = (founded.dept_mines.pk, founded.dept_commerce.pk)
    requests = [Request(ind, scope, YEAR), Request(ind, scope, YEAR, "town", towns),
                Request(ind, scope, YEAR, "month", months), Request(ind, scope, YEAR, "department", departments)]
    got = run(requests)  # the inspections family answers these from one statement
    assert _figures(got[requests[0]]) == (3, 18)
    by_town = got[requests[1]].results
    assert _figures(by_town[NORTH]) == (1, 12) and _figures(by_town[SOUTH]) == (2, 6)
    by_month = got[requests[2]].results
    assert [by_month[m].denominator for m in months] == [1] * 6 + [2] * 6
    assert [by_month[m].numerator for m in months] == [1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0]
    by_department = got[requests[3]].results
    alone = per_unit(ind, scope, YEAR, "department", departments).results
    for key in departments:
        assert _figures(by_department[key]) == _figures(alone[key]), key
    assert _figures(by_department[founded.dept_mines.pk]) == (1, 12)
    grouped = grouped_function(ind)(scope, YEAR, "town", list(towns))  # the grouped queries (no statement)
    assert _figures(grouped[SOUTH]) == (2, 6)
