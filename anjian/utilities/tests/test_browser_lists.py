"""The list pages built on the generic views, in a real browser (Chromium through Playwright):
on a 360 px phone nothing overflows sideways, the rows are cards and every button, field and
page link is at least 44 px tall; filtering swaps the results in place and pushes the
address. Screenshots at 390 and 1366 px go to docs/screenshots/lists-*.png."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from anjian.accidents.tests.factories import make_accident
from anjian.hazards.tests.factories import make_hazard
from anjian.territory.catalogue import load_sectors
from anjian.utilities.testing import PASSWORD, make_world

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SCREENSHOTS = Path(settings.PROJECT_DIR) / "docs" / "screenshots"
PAGES = {"enterprises": "/enterprises/", "hazards": "/hazards/", "accidents": "/accidents/",
         "inspections": "/inspections/"}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    load_sectors()
    world = make_world()
    for n in range(35):  # more than a page of hazards: the pager shows
        make_hazard(world.ent_north if n % 2 else world.ent_south, description=f"第{n + 1}处：安全出口堵塞，消防通道堆放杂物")
    make_accident(enterprise=world.ent_north)
    return world


def _log_in(browser, base: str, width: int):
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", "district")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def test_list_pages_fit_a_phone_and_a_desktop(world, live_server, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (360, 390, 1366):
        page = _log_in(browser, live_server.url, width)
        for name, path in PAGES.items():
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            assert page.locator('[data-testid="filter-form"]').count() == 1, name
            if width < 576:
                overflow = page.evaluate("() => document.documentElement.scrollWidth")
                assert overflow <= width, f"{name} is {overflow} px wide on a {width} px screen"
                # The table's header row is hidden: every row is a card.
                assert not page.locator("table.table-mobile-cards thead").first.is_visible(), name
                heights = page.evaluate(
                    "() => [...document.querySelectorAll('.list-page .btn, .list-page .form-control,"
                    " .list-page .form-select, .pagination a.page-link')]"
                    ".filter(e => e.offsetParent !== null).map(e => e.getBoundingClientRect().height)")
                assert heights and min(heights) >= 44, (name, heights)
            if width in (390, 1366):
                page.screenshot(path=str(SCREENSHOTS / f"lists-{name}-{width}.png"))  # the first screen
        page.close()


def test_paging_and_filtering_swap_the_results_and_push_the_address(world, live_server, browser):
    page = _log_in(browser, live_server.url, 1366)
    page.goto(live_server.url + "/hazards/")
    assert page.locator('[data-testid="hazard-count"] strong').inner_text() == "35"
    page.locator(".pagination a[rel=next]").click()
    page.wait_for_url("**/hazards/?page=2")
    page.wait_for_selector("#hazard-results tbody tr:nth-child(5)")
    assert page.locator("#hazard-results tbody tr").count() == 5
    page.select_option("#id_town", world.north.code)
    page.wait_for_url(f"**/hazards/?town={world.north.code}")
    page.wait_for_selector('[data-testid="hazard-count"] strong:text-is("17")')
    assert page.locator('[data-testid="filter-form"]').count() == 1  # the form stayed, the results changed
    page.close()
