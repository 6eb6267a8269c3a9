"""The sectors a department supervises in effect (``Supervision``): kept in step with its named
sectors, the safety-authority flag and the sector tree; and every count by department, the
department's own numbers and a department user's lists agree on it.

The test world's 商务局 names the parent sector 商贸; 南方商贸 is registered under its sub-sector
商场超市. Before ``Supervision``, the accident indicators counted it for 商务局 while the hazard,
inspection and standardisation indicators did not.
"""

from __future__ import annotations

import datetime

import pytest

from anjian.territory.models import Department, Sector, Supervision
from anjian.territory.supervision import rebuild, sectors_of

D = datetime.date


def _supervised(dept):
    return set(Supervision.objects.filter(department=dept).values_list("sector__code", flat=True))


def test_a_named_parent_sector_brings_its_sub_sectors(world):
    assert _supervised(world.dept_commerce) >= {"commerce", "retail"}
    assert "retail" not in _supervised(world.dept_mines)


def test_supervision_follows_the_named_sectors(world):
    chemicals = Sector.objects.get(code="hazardous_chemicals")
    world.dept_mines.sectors.add(chemicals)
    assert {"hazardous_chemicals", "chem_production", "chem_operation", "chem_use"} <= _supervised(world.dept_mines)
    world.dept_mines.sectors.remove(chemicals)
    assert "chem_use" not in _supervised(world.dept_mines)
    chemicals.departments.add(world.dept_commerce)  # from the sector's side
    assert "chem_production" in _supervised(world.dept_commerce)
    chemicals.departments.clear()
    assert "chem_production" not in _supervised(world.dept_commerce)


def test_supervision_follows_the_sector_tree(world):
    commerce = Sector.objects.get(code="commerce")
    new = Sector.objects.create(code="e_commerce_hub", name="电商仓储", parent=commerce)
    assert "e_commerce_hub" in _supervised(world.dept_commerce)
    new.parent = None
    new.save()
    assert "e_commerce_hub" not in _supervised(world.dept_commerce)
    new.delete()
    assert "e_commerce_hub" not in _supervised(world.dept_commerce)


def test_the_safety_authority_supervises_every_sector(world):
    authority = Department.objects.create(code="ajj", name="应急管理局", area=world.district, is_safety_authority=True)
    assert _supervised(authority) == set(Sector.objects.values_list("code", flat=True))
    authority.is_safety_authority = False
    authority.save()
    assert _supervised(authority) == set()


def test_rebuild_is_idempotent_and_repairs_rows_written_behind_the_orm(world):
    before = sectors_of([world.dept_commerce.pk, world.dept_mines.pk])
    assert rebuild() == 0  # in step: nothing to write
    Supervision.objects.filter(department=world.dept_commerce).delete()  # as a bulk load with COPY leaves it
    Supervision.objects.create(department=world.dept_mines, sector=Sector.objects.get(code="retail"))  # stale
    assert rebuild() == len(before[world.dept_commerce.pk]) + 1
    assert rebuild() == 0
    assert sectors_of([world.dept_commerce.pk, world.dept_mines.pk]) == before


@pytest.fixture
def records(world):
    from anjian.accidents.tests import factories as acc
    from anjian.hazards.tests.factories import make_hazard
    from anjian.inspections.models import Inspection

    shop = world.ent_south  # 商场超市, under 商贸
    shop.above_scale = True
    shop.standardisation_grade = "grade3"
    shop.save()
    make_hazard(shop, found_on=D(2017, 3, 3), deadline=D(2017, 3, 20))
    Inspection.objects.create(enterprise=shop, kind="self", date=D(2017, 3, 8), status="submitted")
    acc.make_base(world.district, 2017, industrial_employees=10_000)
    acc.make_accident(enterprise=shop, occurred_at=acc.aware(2017, 4, 1), deaths=1)
    return shop


CODES = ("hazards.rectification_rate", "inspections.self_inspection_coverage",
         "targets.above_scale_standardisation_rate", "accidents.count")


@pytest.mark.parametrize("code", CODES)
def test_every_family_counts_a_sub_sector_for_the_department_naming_its_parent(world, records, code):
    from anjian.enterprises.models import Enterprise
    from anjian.indicators.registry import IndicatorScope, Period, registry
    from anjian.targets.breakdown import Request, run

    ind = registry()[code]
    period = Period(D(2017, 1, 1), D(2017, 9, 30))
    district = IndicatorScope(area_code=world.district.code)
    alone = ind.compute(IndicatorScope(area_code=world.district.code, department_id=world.dept_commerce.pk), period)
    assert alone.denominator or alone.numerator, f"{code}: 商务局 must count 南方商贸 (商场超市 under 商贸)"
    keys = (world.dept_commerce.pk, world.dept_mines.pk)
    cells = run([Request(ind, district, period, "department", keys)])
    got = next(iter(cells.values())).results
    assert (got[world.dept_commerce.pk].numerator, got[world.dept_commerce.pk].denominator) == (
        alone.numerator, alone.denominator)
    behind = set()
    for qs in (alone.rows, alone.denominator_rows):
        if qs is not None:
            behind |= set(qs.values_list("pk" if qs.model is Enterprise else "enterprise_id", flat=True))
    assert records.pk in behind, f"{code}: the drill-down of 商务局's number lists 南方商贸's rows"


def test_a_department_user_sees_the_enterprises_its_numbers_count(world, records):
    from anjian.accounts.models import Role, RoleAssignment, User
    from anjian.enterprises.models import Enterprise
    from anjian.indicators.registry import IndicatorScope, Period, registry

    user = User.objects.create_user(username="commerce", password="x")
    RoleAssignment.objects.create(user=user, role=Role.DEPARTMENT, department=world.dept_commerce)
    visible = set(Enterprise.objects.visible_to(user).values_list("pk", flat=True))
    counted = registry()["targets.above_scale_standardisation_rate"].compute(
        IndicatorScope(area_code=world.district.code, department_id=world.dept_commerce.pk),
        Period(D(2017, 1, 1), D(2017, 9, 30)))
    assert set(counted.denominator_rows.values_list("pk", flat=True)) <= visible
    assert records.pk in visible


def test_the_rebuild_command_repairs_and_then_writes_nothing(world):
    from io import StringIO

    from django.core.management import call_command

    Supervision.objects.filter(department=world.dept_commerce).delete()
    out = StringIO()
    call_command("rebuild_supervision", stdout=out)
    assert "row(s) changed" in out.getvalue() and not out.getvalue().startswith("supervision: 0 ")
    assert {"commerce", "retail"} <= _supervised(world.dept_commerce)
    out = StringIO()
    call_command("rebuild_supervision", stdout=out)
    assert out.getvalue().strip() == "supervision: 0 row(s) changed"
