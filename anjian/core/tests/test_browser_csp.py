"""The strict Content-Security-Policy breaks no page: in Chromium, the pages with charts and inline
scripts (home, hazard dashboard, target dashboard with its map select), the account's token page
and the API docs load with no CSP violation and no script error, and their charts draw.

Screenshots of the token page go to docs/screenshots/tokens-{390,1366}.png."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token

from anjian.utilities.testing import PASSWORD

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SCREENSHOTS = Path(settings.PROJECT_DIR) / "docs" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    from anjian.targets.tests.test_browser_dashboard import world as dashboard_world

    return dashboard_world.__wrapped__(transactional_db)


def signed_in(browser, base: str, username: str, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    # CSP violations are console errors ("Refused to execute inline script ..."); failed requests are
    # told apart by the response handler (the browser's own /favicon.ico has no page to blame).
    page.on("console", lambda m: problems.append(m.text) if (
        m.type == "error" and not m.text.startswith("Failed to load resource")) else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if (
        r.status >= 400 and not r.url.endswith("/favicon.ico")) else None)
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url
    return context, page, problems


def test_pages_with_charts_and_inline_scripts_work_under_the_policy(browser, live_server, world):
    context, page, problems = signed_in(browser, live_server.url, "district", 1366)
    response = page.goto(live_server.url + "/core/overview/")
    assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
    page.wait_for_selector("#chart-towns canvas")  # drawn by the page's inline (nonced) script
    page.goto(live_server.url + "/hazards/dashboard/")
    page.wait_for_selector("#chart-months canvas")
    page.goto(live_server.url + "/targets/?year=2017&map=accidents.larger_count")
    page.wait_for_function("() => document.querySelector('#town-map canvas') !== null")
    assert page.locator(".spark canvas").count() >= 1
    select = page.locator("[data-testid=map-indicator]")
    other = [v for v in select.locator("option").evaluate_all("o => o.map(x => x.value)")
             if v != "accidents.larger_count"][0]
    select.select_option(other)  # the select submits its form: a listener now, not an onchange attribute
    page.wait_for_url(re.compile(r"map=" + re.escape(other)))
    page.goto(live_server.url + "/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .info")
    assert problems == [], problems
    context.close()


@pytest.mark.parametrize("width", [390, 1366])
def test_the_token_page(browser, live_server, world, width):
    Token.objects.create(user=world.users["district"])
    context, page, problems = signed_in(browser, live_server.url, "district", width)
    page.goto(live_server.url + "/accounts/tokens/")
    assert page.locator("[data-testid=tokens] li").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    button = page.get_by_role("button", name="撤销").bounding_box()
    assert button["height"] >= 44
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"tokens-{width}.png"), full_page=True)
    page.get_by_role("button", name="撤销").click()
    page.wait_for_selector("[data-testid=no-tokens]")
    assert not Token.objects.filter(user=world.users["district"]).exists()
    assert problems == [], problems
    context.close()
