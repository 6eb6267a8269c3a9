"""Every response carries a strict Content-Security-Policy; each inline script of a page carries the
response's nonce, a new one each time. (The browser test, test_browser_csp.py, checks the pages work.)"""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>", re.I)


def nonce_of(response) -> str:
    header = response["Content-Security-Policy"]
    assert "default-src 'self'" in header and "object-src 'none'" in header and "frame-ancestors 'none'" in header
    assert "'unsafe-inline'" not in header.split("style-src-attr")[0]  # no inline script or style element
    assert "unsafe-eval" not in header
    return re.search(r"script-src 'self' 'nonce-([^']+)'", header).group(1)


@pytest.mark.parametrize(("persona", "url"), [
    ("town_north", "/core/overview/"), ("town_north", "/hazards/dashboard/"), ("town_north", "/accounts/tokens/"),
    ("district", "/targets/plans/add/"),
])
def test_inline_scripts_carry_the_nonce_of_the_response(world, persona, url):
    client = Client()
    client.force_login(world.users[persona])
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200
    assert nonce_of(first) != nonce_of(second)
    html = first.content.decode()
    for match in SCRIPT.finditer(html):
        attrs = match.group("attrs")
        if "src=" in attrs or "application/json" in attrs:
            continue
        assert f'nonce="{nonce_of(first)}"' in attrs, match.group(0)
    assert " onchange=" not in html and " onclick=" not in html


def test_api_responses_and_errors_carry_it_too(world):
    assert Client().get("/api/v1/me/").has_header("Content-Security-Policy")
    assert Client().get("/no-such-page/").has_header("Content-Security-Policy")


def test_the_api_docs_get_the_policy_their_inline_scripts_need(world):
    client = Client()
    client.force_login(world.users["district"])
    header = client.get("/api/v1/docs/")["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in header and "frame-ancestors 'none'" in header
