"""A transactional test empties every table when it ends; the next test still finds the
reference data the migrations loaded (conftest's ``_reference_data``)."""

import pytest

from anjian.territory.models import Sector


def _assert_reference_data() -> None:
    from anjian.accidents.models import AccidentTypeCode
    from anjian.inspections.models import ChecklistTemplate
    from anjian.targets.models import Plan

    assert Sector.objects.filter(code="non_coal_mine").exists()
    assert AccidentTypeCode.objects.exists()
    assert ChecklistTemplate.objects.exists()
    assert Plan.objects.filter(year=2017).exists()


@pytest.mark.parametrize("run", [1, 2])
def test_reference_data_survives_a_transactional_test(transactional_db, run):
    _assert_reference_data()


def test_reference_data_is_there_for_ordinary_tests(db):
    _assert_reference_data()
