"""Fixtures shared by every app's tests. See anjian/utilities/testing."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from anjian.utilities.testing import PASSWORD, World, make_world


@pytest.fixture(autouse=True)
def _isolated_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ANJIAN_JOBS_INLINE = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests only
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    from anjian.core import clock

    settings.ANJIAN_TODAY = ""  # the platform's date: recorded or real, unless a test sets it
    clock.reset_cache()  # a date recorded by an earlier test's rolled-back transaction is gone


DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Put back the data migrations' reference data if a transactional test emptied the tables."""
    if request.node.get_closest_marker("django_db") or DB_FIXTURES & set(request.fixturenames):
        from anjian.utilities.testing.reference import ensure_reference_data

        request.getfixturevalue("django_db_setup")
        with request.getfixturevalue("django_db_blocker").unblock():
            ensure_reference_data()
            from anjian.core import clock

            clock.recorded_date()  # read the platform's date now, as a running process has, not in a counted block


@pytest.fixture
def world(db) -> World:
    return make_world()


@pytest.fixture
def client_for(client, world):
    """``client_for("town_north")``: a Django test client logged in as that persona."""

    def login(persona: str):
        from django.test import Client

        c = Client()
        c.force_login(world.users[persona])
        return c

    return login


@pytest.fixture
def api_for(world):
    """``api_for("district")``: a DRF client authenticated as that persona."""

    def make(persona: str) -> APIClient:
        c = APIClient()
        c.force_authenticate(world.users[persona])
        return c

    return make


__all__ = ["PASSWORD"]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright, one per test module (the browser tests).

    Module-scoped, it starts before the database fixtures: Playwright's sync API runs the test in
    another context, and a connection opened before it (by make_world) would stay open past the
    test database's teardown."""
    from playwright.sync_api import sync_playwright

    from anjian.utilities.testing.services import CHROMIUM_ARGS, chromium_path

    executable = chromium_path()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
