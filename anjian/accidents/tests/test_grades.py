"""Grades by 《生产安全事故报告和调查处理条例》第三条: the highest of three criteria; a bound
belongs to the grade it starts (“以上”包括本数，“以下”不包括本数)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from anjian.accidents.rules import Grade, grade_for, grade_rule_sets, reporting_rules_for

WAN = Decimal(10_000)  # 万元 in yuan


@pytest.mark.parametrize(("deaths", "grade"), [
    (0, Grade.GENERAL), (2, Grade.GENERAL), (3, Grade.LARGER), (9, Grade.LARGER), (10, Grade.MAJOR),
    (29, Grade.MAJOR), (30, Grade.ESPECIALLY_MAJOR), (31, Grade.ESPECIALLY_MAJOR),
])
def test_grade_by_deaths(deaths, grade):
    assert grade_for(deaths, 0, 0) == grade


@pytest.mark.parametrize(("serious", "grade"), [
    (9, Grade.GENERAL), (10, Grade.LARGER), (49, Grade.LARGER), (50, Grade.MAJOR), (99, Grade.MAJOR),
    (100, Grade.ESPECIALLY_MAJOR),
])
def test_grade_by_serious_injuries(serious, grade):
    assert grade_for(0, serious, 0) == grade


@pytest.mark.parametrize(("loss", "grade"), [
    (Decimal("999.99") * WAN, Grade.GENERAL), (1000 * WAN, Grade.LARGER),
    (Decimal("4999.99") * WAN, Grade.LARGER), (5000 * WAN, Grade.MAJOR),
    (Decimal("9999.99") * WAN, Grade.MAJOR), (10000 * WAN, Grade.ESPECIALLY_MAJOR),
    (Decimal("9999999.99"), Grade.GENERAL), (Decimal("10000000.00"), Grade.LARGER),
])
def test_grade_by_direct_loss(loss, grade):
    assert grade_for(0, 0, loss) == grade


@pytest.mark.parametrize(("deaths", "serious", "loss", "grade"), [
    (2, 10, 0, Grade.LARGER),  # serious injuries lift a 2-death accident to 较大
    (0, 0, 5000 * WAN, Grade.MAJOR),  # the loss alone makes it 重大
    (3, 100, 0, Grade.ESPECIALLY_MAJOR),  # the highest criterion wins
    (30, 0, 1, Grade.ESPECIALLY_MAJOR),
    (9, 49, Decimal("4999.99") * WAN, Grade.LARGER),  # every criterion just below 重大
    (1, 1, 100, Grade.GENERAL),
])
def test_the_highest_criterion_wins(deaths, serious, loss, grade):
    assert grade_for(deaths, serious, loss) == grade


def test_rule_set_cites_the_regulation():
    (rules,) = grade_rule_sets()
    assert "第三条" in rules.title and "国务院令第493号" in rules.source
    assert rules.effective_from == date(2007, 6, 1)


def test_reporting_clocks_come_from_the_data():
    rules = reporting_rules_for(date(2017, 1, 1))
    assert rules.first_report_hours == 1
    assert rules.follow_up_days == 30 and rules.follow_up_days_short == 7
    assert rules.investigation_days == 60 and rules.investigation_max_extension_days == 60
    assert rules.approval_window_days(Grade.GENERAL) == 15
    assert rules.approval_window_days(Grade.ESPECIALLY_MAJOR) == 30
    assert rules.follow_up_window_days("road_traffic", "GB 6441-86", "02") == 7
    assert rules.follow_up_window_days("machinery", "GB 6441-86", "08") == 7  # 火灾
    assert rules.follow_up_window_days("machinery", "GB 6441-2025", "WSA10009") == 7
    assert rules.follow_up_window_days("machinery", "GB 6441-86", "03") == 30
