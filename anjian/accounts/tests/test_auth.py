"""Login, lockout, password policy, idle timeout, three-way separation of duties."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from anjian.accounts.middleware import SESSION_KEY
from anjian.core.models import AuditAction, AuditEntry
from anjian.utilities.testing import PASSWORD


def _login(client: Client, username: str, password: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_it_logs_in_with_the_demo_password_and_records_it(world):
    client = Client()
    response = _login(client, "district", PASSWORD)
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert entry.username == "district"
    assert entry.ip == "127.0.0.1"


def test_failed_login_is_recorded_with_the_address(world):
    response = _login(Client(), "district", "wrong")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert (entry.username, entry.ip) == ("district", "127.0.0.1")


def test_five_failures_lock_the_account_even_with_the_right_password(world):
    client = Client()
    for _ in range(5):
        _login(client, "town_north", "wrong")
    response = _login(client, "town_north", PASSWORD)
    assert response.status_code == 200
    assert "锁定" in response.content.decode() or "locked" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The API token endpoint is locked too.
    api = Client().post("/api/v1/auth/token/", {"username": "town_north", "password": PASSWORD})
    assert api.status_code == 400


def test_lockout_is_per_user_and_expires_after_the_window(world, settings):
    client = Client()
    for _ in range(5):
        _login(client, "town_north", "wrong")
    assert _login(Client(), "district", PASSWORD).status_code == 302
    settings.ANJIAN_LOCKOUT_WINDOW_MINUTES = 0
    assert _login(Client(), "town_north", PASSWORD).status_code == 302


def test_a_successful_login_resets_the_failure_count(world):
    for _ in range(4):
        _login(Client(), "leader", "wrong")
    assert _login(Client(), "leader", PASSWORD).status_code == 302
    for _ in range(4):
        _login(Client(), "leader", "wrong")
    assert _login(Client(), "leader", PASSWORD).status_code == 302


@pytest.mark.parametrize("password", ["short1A", "alllowercase", "lowercase123", "ALLUPPER123"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", ["Demo@2017", "Anjian-2017", "safety2017X"])
def test_passwords_of_three_classes_and_eight_characters_pass(password):
    validate_password(password)


def test_idle_session_times_out(world, settings):
    client = Client()
    assert _login(client, "district", PASSWORD).status_code == 302
    assert client.get("/").status_code in (200, 302)
    session = client.session
    session[SESSION_KEY] = time.time() - settings.ANJIAN_IDLE_TIMEOUT_MINUTES * 60 - 5
    session.save()
    response = client.get(reverse("enterprises:list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_system_roles_see_no_business_data(world, api_for):
    for persona in ("sysadmin", "auditor"):
        response = api_for(persona).get("/api/v1/enterprises/")
        assert response.status_code == 403


def test_only_the_auditor_reads_the_audit_log(world, client_for):
    assert client_for("auditor").get(reverse("core:audit")).status_code == 200
    for persona in ("district", "sysadmin", "ent_north", "leader"):
        assert client_for(persona).get(reverse("core:audit")).status_code == 403


def test_anonymous_users_are_sent_to_the_login_page():
    response = Client().get("/")
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_three_way_separation_of_duties(world):
    sysadmin, auditor, district = (world.users[p] for p in ("sysadmin", "auditor", "district"))
    from anjian.accounts.models import Role, RoleAssignment, User

    secadmin = User.objects.create_user("secadmin", password=PASSWORD)
    RoleAssignment.objects.create(user=secadmin, role=Role.SECADMIN)
    assert sysadmin.has_perm("accounts.add_user") and sysadmin.has_perm("accounts.add_roleassignment")
    assert not sysadmin.has_perm("accounts.change_securitypolicy")
    assert not sysadmin.has_perm("core.view_auditentry")
    assert secadmin.has_perm("accounts.change_securitypolicy") and not secadmin.has_perm("accounts.add_user")
    assert auditor.has_perm("core.view_auditentry") and not auditor.has_perm("accounts.view_user")
    assert not district.has_perm("accounts.view_user") and not district.has_perm("core.view_auditentry")
