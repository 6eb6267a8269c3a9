"""API tokens expire, are revoked by a password change, and their owner sees and revokes them
(page and API); the token endpoint keeps SPEC §8's contract."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from anjian.core.models import AuditEntry
from anjian.utilities.testing import PASSWORD

NEW_PASSWORD = "Xin#Mima2026"  # noqa: S105


def obtain(username: str = "district", password: str = PASSWORD) -> str:
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"token"}
    return response.json()["token"]


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_works_until_it_expires_then_a_new_one_is_issued(world, settings):
    settings.ANJIAN_TOKEN_TTL_HOURS = 2
    key = obtain()
    assert with_token(key).get("/api/v1/me/").json()["username"] == "district"
    assert obtain() == key  # still valid: the same token
    Token.objects.filter(key=key).update(created=timezone.now() - datetime.timedelta(hours=2, seconds=1))
    response = with_token(key).get("/api/v1/me/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"] or "过期" in response.json()["detail"]
    assert not Token.objects.filter(key=key).exists()
    fresh = obtain()
    assert fresh != key
    assert with_token(fresh).get("/api/v1/me/").status_code == 200


def test_a_token_is_refused_from_the_moment_its_lifetime_ends(world, settings):
    key = obtain()
    Token.objects.filter(key=key).update(created=timezone.now() - datetime.timedelta(hours=settings.ANJIAN_TOKEN_TTL_HOURS))
    assert with_token(key).get("/api/v1/me/").status_code == 401


def test_changing_the_password_revokes_the_token(world):
    key = obtain()
    client = Client()
    client.force_login(world.users["district"])
    response = client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert with_token(key).get("/api/v1/me/").status_code == 401
    assert not Token.objects.filter(user=world.users["district"]).exists()
    assert AuditEntry.objects.filter(object_id=str(world.users["district"].pk), message__contains="API").exists()
    assert with_token(obtain(password=NEW_PASSWORD)).get("/api/v1/me/").status_code == 200


def test_an_administrator_reset_revokes_the_token_too(world):
    user = world.users["town_north"]
    key = obtain("town_north")
    user.set_password(NEW_PASSWORD)
    user.save()
    assert with_token(key).get("/api/v1/me/").status_code == 401


def test_other_saves_and_a_hasher_upgrade_at_login_keep_the_token(world, settings):
    key = obtain()
    user = world.users["district"]
    user.full_name = "区安监局"
    user.save()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher",
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]
    obtain()  # checks the MD5 password and rehashes it with PBKDF2
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_")
    assert with_token(key).get("/api/v1/me/").status_code == 200


def test_the_api_lists_and_revokes_only_the_callers_own_tokens(world):
    key = obtain()
    other = obtain("town_north")
    client = with_token(key)
    listing = client.get("/api/v1/auth/tokens/").json()
    assert listing["count"] == 1
    (row,) = listing["results"]
    assert row["id"] == key[:8] and row["current"] is True and row["expired"] is False
    assert set(row) == {"id", "created", "expires", "expired", "current"}
    assert key not in str(listing)  # the list never hands out a key
    response = client.delete(f"/api/v1/auth/tokens/{other[:8]}/")
    assert response.status_code == 404 and response.json()["detail"]
    assert Token.objects.filter(key=other).exists()
    assert client.delete(f"/api/v1/auth/tokens/{key[:8]}/").status_code == 204
    assert client.get("/api/v1/auth/tokens/").status_code == 401  # it was the token of this request
    session = APIClient()
    session.force_login(world.users["district"])
    assert session.get("/api/v1/auth/tokens/").json()["count"] == 0
    assert APIClient().get("/api/v1/auth/tokens/").status_code == 401


def test_the_account_page_shows_and_revokes_the_users_token(world):
    key = obtain()
    obtain("town_north")
    client = Client()
    client.force_login(world.users["district"])
    page = client.get(reverse("accounts:tokens"))
    assert page.status_code == 200
    body = page.content.decode()
    assert key[:8] in body and key not in body
    assert Token.objects.get(user=world.users["town_north"]).key[:8] not in body
    response = client.post(reverse("accounts:token_revoke", args=[key[:8]]), follow=True)
    assert response.status_code == 200
    assert not Token.objects.filter(key=key).exists()
    assert 'data-testid="no-tokens"' in response.content.decode()
    assert client.get(reverse("accounts:token_revoke", args=[key[:8]])).status_code == 405
    assert Client().get(reverse("accounts:tokens")).status_code == 302


@pytest.mark.parametrize("password", ["District@2017", "MyDISTRICT#2017!", "x1!district9Y"])
def test_a_password_containing_the_username_is_refused(world, password):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        validate_password(password, world.users["district"])
    assert "password_has_username" in {e.code for e in refused.value.error_list}


def test_the_password_messages_are_chinese_in_the_chinese_ui(world):
    client = Client()
    client.force_login(world.users["district"])
    response = client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": "Ab1!", "new_password2": "Ab1!"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "too short" not in body and "密码太短" in body
    response = client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": "District#2026", "new_password2": "District#2026"})
    assert "不能包含" in response.content.decode()
