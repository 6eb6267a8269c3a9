"""External services for tests: skip with a reason when absent, fail under
``ANJIAN_REQUIRE_SERVICES=1`` (CI)."""

from __future__ import annotations

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.db import connection

REQUIRED = os.environ.get("ANJIAN_REQUIRE_SERVICES", "") in ("1", "true", "yes")
CHROMIUM = os.environ.get("ANJIAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--disable-quic", "--disable-gpu",
]


def _missing(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"ANJIAN_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def redis_url() -> str:
    url = os.environ.get("ANJIAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    if not _reachable(url, 6379):
        _missing(f"Redis is not reachable at {url}")
    return url


def mqtt_url() -> str:
    url = os.environ.get("ANJIAN_TEST_MQTT_URL", "mqtt://127.0.0.1:1883")
    if not _reachable(url, 1883):
        _missing(f"no MQTT broker at {url}")
    return url


def require_postgres() -> None:
    if connection.vendor != "postgresql":
        _missing("this test needs PostgreSQL (set DATABASE_URL=postgres://...)")


def chromium_path() -> str:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        _missing(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        _missing("the playwright package is not installed")
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")  # type: ignore[return-value]
