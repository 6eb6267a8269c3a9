"""The demo district, loaded once per test module.

Loading takes a few seconds, so a module-scoped fixture loads it inside an
outer transaction that is rolled back when the module ends; each test's
``db`` fixture then runs in a savepoint inside it (and is rolled back too).
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test.utils import override_settings

from anjian.demo.loader import LoadResult, load

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as the project's conftest does


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> LoadResult:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield load(write=lambda line: None)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
