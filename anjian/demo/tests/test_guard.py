"""`anjian demo` refuses to mix the fictional district into a database with real data."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from anjian.accounts.models import User


def test_it_refuses_a_database_with_real_data(world):
    before = User.objects.get(username="sysadmin").password
    with pytest.raises(CommandError, match="--force"):
        call_command("demo", "--skip-migrate")
    assert User.objects.get(username="sysadmin").password == before
