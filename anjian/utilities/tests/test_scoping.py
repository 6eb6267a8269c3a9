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


# --- several roles: each permission on an object comes from one role whose own scope holds it ---

def _with_role(user, **spec):
    from anjian.accounts.models import RoleAssignment

    RoleAssignment.objects.create(user=user, **spec)
    return type(user).objects.get(pk=user.pk)


def test_enterprise_manager_who_is_also_leader_changes_only_its_own_enterprise(world):
    """SPEC §0: the leader role reads the district; the enterprise role changes its enterprise."""
    from rest_framework.test import APIClient

    from anjian.accounts.models import Role

    user = _with_role(world.users["ent_north"], role=Role.LEADER, area=world.district)
    api = APIClient()
    api.force_authenticate(user)
    assert api.get(f"/api/v1/enterprises/{world.ent_south.pk}/").status_code == 200  # the leader reads it
    before = Enterprise.objects.get(pk=world.ent_south.pk).version
    response = api.patch(f"/api/v1/enterprises/{world.ent_south.pk}/", {"name": "被改名"}, format="json")
    assert response.status_code == 403, response.content
    assert Enterprise.objects.get(pk=world.ent_south.pk).version == before
    assert api.patch(f"/api/v1/enterprises/{world.ent_north.pk}/", {"employees": 121},
                     format="json").status_code == 200
    assert user.has_perm("enterprises.change_enterprise", world.ent_north)
    assert not user.has_perm("enterprises.change_enterprise", world.ent_south)
    assert user.has_perm("enterprises.view_enterprise", world.ent_south)


def test_town_officer_who_inspects_in_a_second_town_changes_only_its_own_towns_enterprises(world):
    from rest_framework.test import APIClient

    from anjian.accounts.models import Role

    user = _with_role(world.users["town_north"], role=Role.INSPECTOR, area=world.south)
    api = APIClient()
    api.force_authenticate(user)
    assert api.get(f"/api/v1/enterprises/{world.ent_south.pk}/").status_code == 200  # the inspector reads it
    response = api.patch(f"/api/v1/enterprises/{world.ent_south.pk}/", {"name": "被改名"}, format="json")
    assert response.status_code == 403, response.content
    assert Enterprise.objects.get(pk=world.ent_south.pk).name == world.ent_south.name
    # Nor may the town role move its own enterprise into the town it only inspects.
    moved = api.patch(f"/api/v1/enterprises/{world.ent_north.pk}/", {"area_code": world.south_community.code},
                      format="json")
    assert moved.status_code in (400, 403), moved.content
    assert Enterprise.objects.get(pk=world.ent_north.pk).area_id == world.north_community.code
    # The page refuses as well.
    from django.test import Client
    from django.urls import reverse

    page = Client()
    page.force_login(user)
    edit = page.post(reverse("enterprises:edit", args=[world.ent_south.pk]), {"name": "被改名"})
    assert edit.status_code in (403, 404)
    assert Enterprise.objects.get(pk=world.ent_south.pk).name == world.ent_south.name


def test_visible_to_for_a_permission_is_the_union_of_the_roles_granting_it(world):
    from anjian.accounts.models import Role

    user = _with_role(world.users["town_north"], role=Role.INSPECTOR, area=world.south)
    assert set(Enterprise.objects.visible_to(user)) == {world.ent_north, world.ent_south}
    assert set(Enterprise.objects.visible_to(user, perm="enterprises.change_enterprise")) == {world.ent_north}
    assert set(Enterprise.objects.visible_to(user, perm="enterprises.export_enterprise")) == {
        world.ent_north, world.ent_south}
    assert not Enterprise.objects.visible_to(user, perm="accounts.view_user").exists()
