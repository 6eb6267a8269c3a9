"""Account administration by the 三权分立 system roles: accounts and roles, the security policy, the audit log."""

from __future__ import annotations

import pytest
from django.test import Client

from anjian.accounts.models import Role, RoleAssignment, User
from anjian.core.models import AuditEntry
from anjian.utilities.testing import NORTH, NORTH_CODE, PASSWORD


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def secadmin(world):
    user = User.objects.create_user(username="secadmin", password=PASSWORD, full_name="secadmin")
    RoleAssignment.objects.create(user=user, role=Role.SECADMIN)
    client = Client()
    client.force_login(user)
    return client


def new_user(username: str = "newbie") -> User:
    return User.objects.create_user(username=username, password=PASSWORD)


def test_sysadmin_lists_accounts_with_their_roles(world, client_for):
    html = client_for("sysadmin").get("/accounts/users/").content.decode()
    for name in ("district", "town_north", "ent_north", "auditor"):
        assert f">{name}</a>" in html
    assert "北镇" in html  # the town office's scope unit
    assert 'href="/accounts/users/add/"' in html


def test_account_list_filters(world, client_for):
    client = client_for("sysadmin")
    html = client.get("/accounts/users/", {"role": "town"}).content.decode()
    assert ">town_north</a>" in html and ">district</a>" not in html
    html = client.get("/accounts/users/", {"q": "dept"}, HTTP_HX_REQUEST="true").content.decode()
    assert ">dept_mines</a>" in html and "<html" not in html


def test_sysadmin_creates_an_account_under_the_password_policy(world, client_for):
    client = client_for("sysadmin")
    weak = client.post("/accounts/users/add/", {"username": "wang", "full_name": "王五", "password1": "abcdefgh",
                                                 "password2": "abcdefgh"})
    assert weak.status_code == 200 and not User.objects.filter(username="wang").exists()
    assert "must mix at least 3 kinds" in weak.content.decode()
    response = client.post("/accounts/users/add/", {"username": "wang", "full_name": "王五", "phone": "13800138000",
                                                     "password1": "Anjian@2017x", "password2": "Anjian@2017x"})
    user = User.objects.get(username="wang")
    assert response.status_code == 302 and response["Location"] == f"/accounts/users/{user.pk}/"
    assert user.check_password("Anjian@2017x") and user.is_active and not user.role_codes


def test_sysadmin_gives_roles_with_their_scope_unit(world, client_for):
    client = client_for("sysadmin")
    user = new_user()
    missing = client.post(f"/accounts/users/{user.pk}/roles/", {"role": "town"})
    assert missing.status_code == 400 and "A town role needs its area" in missing.content.decode()
    assert client.post(f"/accounts/users/{user.pk}/roles/", {"role": "town", "area": NORTH}).status_code == 302
    assignment = user.role_assignments.get()
    assert (assignment.role, assignment.area_id) == ("town", NORTH)
    duplicate = client.post(f"/accounts/users/{user.pk}/roles/", {"role": "town", "area": NORTH})
    assert duplicate.status_code == 400 and "already has this role" in duplicate.content.decode()


def test_enterprise_role_is_given_by_credit_code(world, client_for):
    client = client_for("sysadmin")
    user = new_user()
    unknown = client.post(f"/accounts/users/{user.pk}/roles/", {"role": "enterprise", "enterprise": "91410199MA0000009X"})
    assert unknown.status_code == 400 and "No enterprise has the credit code" in unknown.content.decode()
    ok = client.post(f"/accounts/users/{user.pk}/roles/", {"role": "enterprise", "enterprise": NORTH_CODE.lower(),
                                                             "area": NORTH})
    assert ok.status_code == 302
    assignment = user.role_assignments.get()
    assert assignment.enterprise == world.ent_north and assignment.area_id is None  # units a role doesn't take are dropped


def test_inspector_needs_a_department_or_a_town(world, client_for):
    client = client_for("sysadmin")
    user = new_user()
    response = client.post(f"/accounts/users/{user.pk}/roles/", {"role": "inspector"})
    assert response.status_code == 400 and "An inspector belongs to a department or a town" in response.content.decode()
    assert client.post(f"/accounts/users/{user.pk}/roles/", {"role": "inspector",
                                                              "department": world.dept_mines.pk}).status_code == 302


def test_system_roles_are_separated_from_every_other_role(world, client_for):
    client = client_for("sysadmin")
    auditor = world.users["auditor"]
    response = client.post(f"/accounts/users/{auditor.pk}/roles/", {"role": "sysadmin"})
    assert response.status_code == 400 and "cannot be combined" in response.content.decode()
    response = client.post(f"/accounts/users/{auditor.pk}/roles/", {"role": "town", "area": NORTH})
    assert response.status_code == 400 and "must go to another account" in response.content.decode()
    town = world.users["town_north"]
    assert client.post(f"/accounts/users/{town.pk}/roles/", {"role": "auditor"}).status_code == 400
    assert set(auditor.role_assignments.values_list("role", flat=True)) == {"auditor"}


def test_sysadmin_removes_a_role(world, client_for):
    town = world.users["town_north"]
    assignment = town.role_assignments.get()
    response = client_for("sysadmin").post(f"/accounts/users/{town.pk}/roles/{assignment.pk}/remove/")
    assert response.status_code == 302 and not town.role_assignments.exists()
    assert AuditEntry.objects.filter(action="delete", object_type="accounts.roleassignment",
                                     object_id=str(assignment.pk)).exists()


def test_sysadmin_cannot_remove_its_own_role_or_deactivate_itself(world, client_for):
    me = world.users["sysadmin"]
    client = client_for("sysadmin")
    client.post(f"/accounts/users/{me.pk}/roles/{me.role_assignments.get().pk}/remove/")
    client.post(f"/accounts/users/{me.pk}/active/", {"active": "0"})
    me.refresh_from_db()
    assert me.is_active and me.role_assignments.exists()


def test_deactivated_account_cannot_log_in(world, client_for):
    town = world.users["town_north"]
    assert client_for("sysadmin").post(f"/accounts/users/{town.pk}/active/", {"active": "0"}).status_code == 302
    town.refresh_from_db()
    assert not town.is_active
    assert not Client().login(username="town_north", password=PASSWORD)
    assert AuditEntry.objects.filter(object_type="accounts.user", object_id=str(town.pk), action="update",
                                     changes__is_active=[True, False]).exists()
    client_for("sysadmin").post(f"/accounts/users/{town.pk}/active/", {"active": "1"})
    assert Client().login(username="town_north", password=PASSWORD)


def test_sysadmin_resets_a_password_under_the_policy(world, client_for):
    town = world.users["town_north"]
    client = client_for("sysadmin")
    weak = client.post(f"/accounts/users/{town.pk}/password/", {"new_password1": "short", "new_password2": "short"})
    assert weak.status_code == 200 and "too short" in weak.content.decode()
    ok = client.post(f"/accounts/users/{town.pk}/password/", {"new_password1": "Reset#2017abc",
                                                               "new_password2": "Reset#2017abc"})
    assert ok.status_code == 302
    town.refresh_from_db()
    assert town.check_password("Reset#2017abc")
    assert AuditEntry.objects.filter(object_type="accounts.user", object_id=str(town.pk),
                                     message__contains="sysadmin").exists()


def test_sysadmin_edits_name_and_contact(world, client_for):
    town = world.users["town_north"]
    response = client_for("sysadmin").post(f"/accounts/users/{town.pk}/edit/", {"full_name": "北镇安监办",
                                                                               "phone": "0371-1234567", "email": ""})
    assert response.status_code == 302
    town.refresh_from_db()
    assert town.full_name == "北镇安监办"


def test_secadmin_reads_the_security_policy(world, secadmin, settings):
    settings.ANJIAN_LOCKOUT_FAILURES = 7
    html = secadmin.get("/accounts/security/").content.decode()
    assert "Failed logins before the account is locked" in html and "<dd class=\"col-5\">7</dd>" in html
    assert "at least 8 characters" in html and "must mix at least 3 kinds" in html
    assert secadmin.post("/accounts/users/add/", {}).status_code == 403  # reads accounts, changes none


def test_secadmin_and_auditor_see_no_business_data(world, secadmin, client_for):
    for client in (secadmin, client_for("auditor"), client_for("sysadmin")):
        assert client.get("/enterprises/").status_code == 403
        assert client.get(f"/enterprises/{world.ent_north.pk}/").status_code == 404
        assert client.get("/api/v1/enterprises/").status_code in (403, 404)


def test_auditor_reads_the_audit_log_but_not_accounts(world, client_for):
    auditor = client_for("auditor")
    assert auditor.get("/core/audit/").status_code == 200
    assert auditor.get("/accounts/users/").status_code == 403
    assert auditor.get("/accounts/security/").status_code == 403
    assert client_for("sysadmin").get("/core/audit/").status_code == 403


def test_business_roles_cannot_administer_accounts(world, client_for):
    town = world.users["town_north"]
    for persona in ("district", "town_north", "ent_north"):
        client = client_for(persona)
        assert client.post("/accounts/users/add/", {}).status_code == 403
        assert client.post(f"/accounts/users/{town.pk}/roles/", {"role": "district_admin"}).status_code == 403
        assert client.post(f"/accounts/users/{town.pk}/password/", {}).status_code == 403
    assert client_for("town_north").get("/accounts/users/").status_code == 403


def test_system_menu_per_role(world, secadmin, client_for):
    sysadmin = client_for("sysadmin").get("/").content.decode()
    assert 'href="/accounts/users/"' in sysadmin and 'href="/core/audit/"' not in sysadmin
    assert 'href="/accounts/security/"' in secadmin.get("/").content.decode()
    auditor = client_for("auditor").get("/").content.decode()
    assert 'href="/core/audit/"' in auditor and 'href="/accounts/users/"' not in auditor
