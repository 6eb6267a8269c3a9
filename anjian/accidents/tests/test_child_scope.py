"""Rows that hang off an accident (reports, investigation, accountability, measures, events) are
seen exactly by those who see the accident; and an accident without an enterprise is seen by its
town and by the department of its sector."""

from __future__ import annotations

import pytest

from anjian.utilities.testing import World

from .scope_cases import SCOPE_CASES

pytestmark = pytest.mark.django_db
CHILD_CASES = [c for c in SCOPE_CASES if c.api is None and c.page is None and not c.public]


@pytest.mark.parametrize("persona", list(World.VISIBLE))
@pytest.mark.parametrize("case", CHILD_CASES, ids=lambda c: c.id)
def test_child_rows_follow_the_accident(world, case, persona):
    rows = {"ent_north": case.make(world, world.ent_north), "ent_south": case.make(world, world.ent_south)}
    expected = {rows[name].pk for name in World.VISIBLE[persona]}
    seen = set(case.model.objects.visible_to(world.users[persona]).filter(
        pk__in=[r.pk for r in rows.values()]).values_list("pk", flat=True))
    assert seen == expected


def test_a_road_accident_without_enterprise_is_seen_by_its_town_and_sector_department(world):
    from anjian.accidents.models import Accident

    from . import factories as f

    road = f.make_accident(area=world.north, sector=world.mines_sector)  # a mining-sector accident off-site
    shop = f.make_accident(area=world.south, sector=world.retail_sector)
    visible = {p: set(Accident.objects.visible_to(world.users[p])) for p in World.VISIBLE}
    assert visible["town_north"] == {road} and visible["dept_mines"] == {road}
    assert visible["district"] == {road, shop} and visible["leader"] == {road, shop}
    assert visible["ent_north"] == set() and visible["sysadmin"] == set()
