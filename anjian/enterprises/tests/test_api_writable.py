"""Issue 10, item 1: each role writes through the API exactly the fields it may change on the page,
from one definition (``Enterprise.writable``); item 8 (part): a PATCH answers with the new area's name."""

from __future__ import annotations

import pytest

from anjian.accounts.models import Role, RoleAssignment
from anjian.enterprises.forms import EnterpriseContactForm, EnterpriseForm, form_class_for
from anjian.enterprises.models import CONTACT_FIELDS, REGISTRY_FIELDS, Enterprise
from anjian.territory.models import Area, AreaLevel
from anjian.utilities.testing import valid_credit_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # the messages compared below are the English ones

URL = "/api/v1/enterprises/{}/"

# What an enterprise user tried in the issue: close itself, move to another town's supervision...
FORBIDDEN_FOR_ENTERPRISE = [
    ("status", "closed"),
    ("area_code", "410199002001"),
    ("sectors", ["retail"]),
    ("key_enterprise", False),
    ("above_scale", False),
    ("name", "改名企业"),
    ("credit_code", valid_credit_code(99)),
]


@pytest.mark.parametrize(("field", "value"), FORBIDDEN_FOR_ENTERPRISE)
def test_enterprise_user_cannot_change_registry_fields(world, api_for, field, value):
    enterprise = world.ent_north
    response = api_for("ent_north").patch(URL.format(enterprise.pk), {field: value}, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {field: ["Your role may not change this field."]}
    fresh = Enterprise.objects.get(pk=enterprise.pk)
    assert (fresh.status, fresh.area_id, fresh.name, fresh.key_enterprise, fresh.version) == (
        "operating", world.north_community.code, "北方矿业有限公司", True, 1)
    assert list(fresh.sectors.values_list("code", flat=True)) == ["non_coal_mine"]


def test_enterprise_user_changes_its_contact_details(world, api_for):
    enterprise = world.ent_north
    response = api_for("ent_north").patch(URL.format(enterprise.pk), {
        "safety_manager": "赵安全", "safety_manager_phone": "0371-12345678", "address": "新地址", "employees": 130,
    }, format="json")
    assert response.status_code == 200, response.content
    fresh = Enterprise.objects.get(pk=enterprise.pk)
    assert (fresh.safety_manager, fresh.safety_manager_phone, fresh.address, fresh.employees, fresh.version) == (
        "赵安全", "0371-12345678", "新地址", 130, 2)


def test_enterprise_user_may_send_back_the_record_unchanged(world, api_for):
    """A PUT of the representation it read, with only a contact field changed, is accepted."""
    client = api_for("ent_north")
    url = URL.format(world.ent_north.pk)
    record = client.get(url).json()
    response = client.put(url, {**record, "safety_manager": "钱经理"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["safety_manager"] == "钱经理"
    changed = client.put(url, {**record, "status": "closed"}, format="json")
    assert changed.status_code == 400
    assert list(changed.json()) == ["status"]


def test_a_leader_role_lends_no_write_to_the_enterprise_manager(world, api_for):
    """SPEC §0: an enterprise manager who is also a leader reads the district, changes only its
    own contact details."""
    RoleAssignment.objects.create(user=world.users["ent_north"], role=Role.LEADER, area=world.district)
    client = api_for("ent_north")
    assert client.patch(URL.format(world.ent_north.pk), {"status": "closed"}, format="json").status_code == 400
    assert client.patch(URL.format(world.ent_south.pk), {"address": "x"}, format="json").status_code in (403, 404)
    assert Enterprise.objects.get(pk=world.ent_north.pk).status == "operating"


def test_a_town_role_writes_the_registry_only_in_its_own_town(world, api_for):
    """The same user is the enterprise manager of ent_north (in the north town) and a town officer
    of the south: it keeps ent_south's whole record, and only ent_north's contact details."""
    RoleAssignment.objects.create(user=world.users["ent_north"], role=Role.TOWN, area=world.south)
    client = api_for("ent_north")
    ok = client.patch(URL.format(world.ent_south.pk), {"key_enterprise": True}, format="json")
    assert ok.status_code == 200, ok.content
    refused = client.patch(URL.format(world.ent_north.pk), {"key_enterprise": False}, format="json")
    assert refused.status_code == 400
    assert Enterprise.objects.get(pk=world.ent_north.pk).key_enterprise is True


def test_town_moving_an_enterprise_out_of_its_town_is_refused(world, api_for):
    response = api_for("town_north").patch(URL.format(world.ent_north.pk), {"area_code": world.south_community.code},
                                           format="json")
    assert response.status_code == 403
    assert "scope" in response.json()["detail"]
    assert Enterprise.objects.get(pk=world.ent_north.pk).area_id == world.north_community.code


def test_patch_answers_with_the_new_area_name(world, api_for):
    second = Area.objects.create(code="410199001002", name="北二社区", level=AreaLevel.COMMUNITY, parent=world.north)
    response = api_for("town_north").patch(URL.format(world.ent_north.pk), {"area_code": second.code}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["area_code"], response.json()["area_name"]) == (second.code, "北二社区")
    assert api_for("town_north").get(URL.format(world.ent_north.pk)).json()["area_name"] == "北二社区"


def test_registry_roles_write_every_field(world):
    for persona in ("district", "town_north", "dept_mines"):
        names = Enterprise.writable.for_user(world.users[persona], "enterprises.change_enterprise", world.ent_north)
        assert names == set(REGISTRY_FIELDS), persona
    for persona in ("leader", "inspector", "auditor"):
        assert not Enterprise.writable.for_user(world.users[persona], "enterprises.change_enterprise",
                                                world.ent_north), persona


def test_the_page_form_reads_the_same_definition(world):
    """The page's form offers exactly the fields the API accepts from the same user."""
    user = world.users["ent_north"]
    form_class = form_class_for(user, world.ent_north)
    assert form_class is EnterpriseContactForm
    form = form_class(instance=world.ent_north, user=user)
    assert set(form.fields) - {"version"} == set(CONTACT_FIELDS)
    town = EnterpriseForm(instance=world.ent_north, user=world.users["town_north"])
    assert set(town.fields) - {"version"} == set(REGISTRY_FIELDS)
    # A town role over the south does not widen the form of the user's own enterprise.
    RoleAssignment.objects.create(user=user, role=Role.TOWN, area=world.south)
    user = type(user).objects.get(pk=user.pk)
    assert form_class_for(user, world.ent_north) is EnterpriseContactForm
    assert set(EnterpriseForm(instance=world.ent_north, user=user).fields) - {"version"} == set(CONTACT_FIELDS)
    assert form_class_for(user, world.ent_south) is EnterpriseForm


def test_page_form_of_an_enterprise_user_ignores_registry_fields(world, client_for):
    enterprise = world.ent_north
    client = client_for("ent_north")
    response = client.post(f"/enterprises/{enterprise.pk}/edit/", {
        "version": 1, "safety_manager": "孙", "safety_manager_phone": "", "address": "", "employees": 5,
        "status": "closed", "area": world.south_community.code, "name": "改名",
    })
    assert response.status_code == 302
    fresh = Enterprise.objects.get(pk=enterprise.pk)
    assert (fresh.status, fresh.area_id, fresh.name, fresh.safety_manager) == (
        "operating", world.north_community.code, "北方矿业有限公司", "孙")
