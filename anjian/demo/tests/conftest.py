"""The demo district, loaded once per test module.

Loading takes a few seconds, so a module-scoped fixture loads it inside an
outer transaction that is rolled back when the module ends; each test's
``db`` fixture then runs in a savepoint inside it (and is rolled back too).
The fixture loads the foundation only; the other apps' demo loaders run in
the tests about the hook (``test_a_second_run_of_every_app_loader_changes_nothing``
and the end-to-end command test).
"""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import transaction
from django.test.utils import override_settings

from anjian.demo import loader
from anjian.demo.loader import LoadResult, load

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as the project's conftest does


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> LoadResult:  # type: ignore[no-untyped-def]
    from anjian.utilities.testing.reference import ensure_reference_data

    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        # A transactional test earlier on this worker may have flushed the data migrations' reference
        # data; the project's autouse fixture puts it back per test, too late for a module fixture.
        ensure_reference_data()
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with mock.patch.object(loader, "app_demo_modules", lambda: []):
                result = load(write=lambda line: None)
            yield result
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
