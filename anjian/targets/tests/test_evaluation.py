from datetime import date
from decimal import Decimal

import pytest

from anjian.indicators.registry import Indicator
from anjian.targets.choices import Status
from anjian.targets.evaluation import (
    CURRENT,
    FINAL,
    LINEAR,
    Projection,
    compare,
    elapsed_fraction,
    project,
    status_of,
)

D = Decimal


def _ind(unit: str = "起", tags: tuple[str, ...] = ()) -> Indicator:
    return Indicator("x.y", "x", unit, "lower", lambda s, p: None, tags=tags)  # type: ignore[arg-type,return-value]


@pytest.mark.parametrize(("value", "comparator", "threshold", "expected"), [
    (D("0.034"), "lt", D("0.035"), True), (D("0.035"), "lt", D("0.035"), False),
    (D("0.035"), "le", D("0.035"), True), (D("75"), "ge", D("75"), True), (D("74.99"), "ge", D("75"), False),
    (D("100"), "eq", D("100"), True), (D("99.5"), "eq", D("100"), False), (D("1"), "gt", D("0"), True),
])
def test_compare_follows_the_comparator(value, comparator, threshold, expected):
    assert compare(value, comparator, threshold) is expected


def test_projection_of_a_count_is_linear_by_elapsed_days():
    # 2017 is not a leap year: 30 June is day 181 of 365.
    assert elapsed_fraction(2017, date(2017, 6, 30)) == (181, 365)
    p = project(_ind(), D(10), 2017, date(2017, 6, 30))
    assert p.method == LINEAR
    assert p.value == (D(10) * 365 / 181).quantize(D("0.0001"))


def test_projection_of_a_percentage_is_its_current_value():
    p = project(_ind("%"), D("82.5"), 2017, date(2017, 3, 1))
    assert p == Projection(D("82.5"), CURRENT)


def test_an_indicator_may_name_its_projection_method():
    assert project(_ind("%", ("projection:linear",)), D(1), 2017, date(2017, 1, 31)).method == LINEAR
    assert project(_ind("起", ("projection:current",)), D(1), 2017, date(2017, 1, 31)).method == CURRENT


def test_a_closed_year_projects_its_final_value():
    assert project(_ind(), D(3), 2017, date(2017, 12, 31)) == Projection(D(3), FINAL)


def test_status_of_a_closed_year_is_met_or_missed():
    final = Projection(D("0.03"), FINAL)
    assert status_of("lt", D("0.035"), D("0.03"), final, closed=True) == Status.MET
    assert status_of("lt", D("0.035"), D("0.04"), Projection(D("0.04"), FINAL), closed=True) == Status.MISSED


def test_upper_bound_within_now_but_projected_beyond_is_at_risk():
    p = Projection(D("0.040"), LINEAR)
    assert status_of("lt", D("0.035"), D("0.020"), p, closed=False) == Status.AT_RISK


def test_upper_bound_within_now_and_projected_within_is_met():
    assert status_of("lt", D("0.035"), D("0.010"), Projection(D("0.02"), LINEAR), closed=False) == Status.MET


def test_upper_bound_already_exceeded_by_a_count_is_missed_during_the_year():
    # A 较大 accident has happened: the count cannot come back to 0.
    assert status_of("le", D(0), D(1), Projection(D(2), LINEAR), closed=False) == Status.MISSED
    assert status_of("eq", D(0), D(1), Projection(D(2), LINEAR), closed=False) == Status.MISSED


def test_percentage_below_target_during_the_year_is_at_risk_not_missed():
    assert status_of("eq", D(100), D(92), Projection(D(92), CURRENT), closed=False) == Status.AT_RISK
    assert status_of("ge", D(75), D(80), Projection(D(80), CURRENT), closed=False) == Status.MET


def test_no_value_is_no_data():
    assert status_of("lt", D(1), None, Projection(None, LINEAR), closed=False) == Status.NO_DATA
