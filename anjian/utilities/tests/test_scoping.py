from __future__ import annotations

import pytest

from anjian.enterprises.models import Enterprise
from anjian.utilities.scoping import area_prefix, scope_for


@pytest.mark.parametrize(("code", "prefix"), [
    ("410000000000", "41"),
    ("410100000000", "4101"),
    ("410199000000", "410199"),
    ("410199001000", "410199001"),
    ("410199001001", "410199001001"),
])
def test_area_prefix_follows_the_statistical_code_levels(code, prefix):
    assert area_prefix(code) == prefix


def test_town_officer_cannot_see_other_towns(world):
    assert list(Enterprise.objects.visible_to(world.users["town_north"])) == [world.ent_north]


def test_department_sees_the_enterprises_of_its_sectors(world):
    assert list(Enterprise.objects.visible_to(world.users["dept_mines"])) == [world.ent_north]


def test_department_also_sees_enterprises_it_is_named_to_supervise(world):
    world.ent_south.departments.add(world.dept_mines)
    assert set(Enterprise.objects.visible_to(world.users["dept_mines"])) == {world.ent_north, world.ent_south}


def test_a_person_with_two_roles_sees_the_union(world):
    from anjian.accounts.models import Role, RoleAssignment

    user = world.users["ent_north"]
    RoleAssignment.objects.create(user=user, role=Role.TOWN, area=world.south)
    user = type(user).objects.get(pk=user.pk)
    assert set(Enterprise.objects.visible_to(user)) == {world.ent_north, world.ent_south}


def test_system_roles_and_anonymous_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    for user in (world.users["sysadmin"], world.users["auditor"], AnonymousUser(), None):
        assert not Enterprise.objects.visible_to(user).exists()
        assert scope_for(user).is_empty


def test_inactive_users_see_nothing(world):
    user = world.users["district"]
    user.is_active = False
    user.save()
    assert not Enterprise.objects.visible_to(type(user).objects.get(pk=user.pk)).exists()


def test_object_permission_checks_scope(world):
    town = world.users["town_north"]
    assert town.has_perm("enterprises.change_enterprise", world.ent_north)
    assert not town.has_perm("enterprises.change_enterprise", world.ent_south)
    assert not world.users["leader"].has_perm("enterprises.change_enterprise")
    assert not world.users["sysadmin"].has_perm("enterprises.view_enterprise")
