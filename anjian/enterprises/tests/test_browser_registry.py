"""The registry in a real browser (Chromium through Playwright): log in, filter, open; phone-sized too.

Screenshots of the pages go to docs/screenshots/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings

from anjian.enterprises.models import Enterprise
from anjian.territory.catalogue import load_sectors
from anjian.territory.models import Sector
from anjian.utilities.testing import NORTH, PASSWORD, make_world, valid_credit_code

# Playwright's sync API runs an event loop in this thread; the live server's database work is ours to allow.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SCREENSHOTS = Path(settings.PROJECT_DIR) / "docs" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A few more enterprises so that the pages look like a working registry (fictional names).
NAMES = [
    ("北镇宏达建材有限公司", "building_materials", "north"), ("北镇鑫源机械制造厂", "machinery", "north_community"),
    ("北一社区便民超市", "retail", "north_community"), ("北镇安顺危险品运输有限公司", "road_transport", "north"),
    ("北镇第一中学", "education", "north"), ("北镇华润燃气站", "gas", "north_community"),
    ("南镇永兴纺织有限公司", "textiles", "south"), ("南镇金盛冶炼厂", "metal_smelting", "south"),
    ("南一社区农贸市场", "retail", "south_community"), ("南镇恒达冷链仓储有限公司", "ammonia_refrigeration", "south"),
    ("南镇中心小学", "education", "south_community"), ("南镇星光烟花爆竹批发部", "fireworks", "south"),
]


@pytest.fixture
def world(transactional_db):
    # A transactional test empties the tables afterwards, the sector catalogue of the data migration too.
    # (serialized_rollback cannot restore it here: Playwright's event loop gives the test another connection.)
    load_sectors()
    return make_world()


@pytest.fixture
def registry(world):
    for i, (name, sector, area) in enumerate(NAMES):
        enterprise = Enterprise.objects.create(
            credit_code=valid_credit_code(900 + i), name=name, area=getattr(world, area), employees=12 + 37 * i,
            key_enterprise=i % 4 == 0, above_scale=i % 3 == 0, address=f"{getattr(world, area).name}建设路{i + 1}号",
            status="suspended" if i == 7 else "operating",
        )
        enterprise.sectors.add(Sector.objects.get(code=sector))
    return world


def screenshot(page, name: str, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=full_page)


def settled(page) -> None:
    """Wait until htmx has swapped and settled (new content gets its handlers when it settles)."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')")


def log_in(page, base: str, username: str, path: str = "/", shot: str | None = None) -> None:
    """Open ``path``, get sent to the login page, log in there, come back to ``path``."""
    page.goto(base + path)
    assert "/accounts/login/" in page.url
    if shot:
        screenshot(page, shot)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, page.content()


def test_district_logs_in_filters_by_town_and_opens_an_enterprise(browser, live_server, registry):
    world = registry
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    log_in(page, live_server.url, "district", "/enterprises/", shot="login.png")
    assert page.url == live_server.url + "/enterprises/"
    assert page.locator(f'a[href="/enterprises/{world.ent_south.pk}/"]').count() == 1

    # Choosing a town swaps the table in place (htmx) and puts the filter in the address.
    page.select_option("#id_town", NORTH)
    page.wait_for_url(re.compile(rf"town={NORTH}"))
    page.wait_for_function(f'() => !document.querySelector(\'a[href="/enterprises/{world.ent_south.pk}/"]\')')
    settled(page)
    assert page.locator(f'a[href="/enterprises/{world.ent_north.pk}/"]').is_visible()
    assert page.locator('[data-testid="enterprise-count"] strong').inner_text() == "7"
    # The community choices now follow the town.
    communities = page.locator("#id_community option").all_inner_texts()
    assert "北一社区" in communities and "南一社区" not in communities
    screenshot(page, "enterprise-list.png")

    # The address works on its own (reload, or a link sent to a colleague).
    page.reload()
    assert page.locator('[data-testid="enterprise-count"] strong').inner_text() == "7"

    page.click(f'a[href="/enterprises/{world.ent_north.pk}/"]')
    page.wait_for_load_state("networkidle")
    assert page.locator('[data-testid="enterprise-name"]').inner_text().startswith("北方矿业有限公司")
    assert "北镇" in page.locator('[data-testid="area-path"]').inner_text()
    assert page.locator('[data-testid="edit-enterprise"]').is_visible()
    screenshot(page, "enterprise-detail.png")

    page.goto(live_server.url + "/core/overview/")
    page.wait_for_load_state("networkidle")
    assert page.locator('[data-testid="total-enterprises"]').inner_text() == str(2 + len(NAMES))
    assert page.locator("#chart-towns canvas").count() == 1  # ECharts drew the bar chart
    screenshot(page, "home-district.png")
    page.close()


def test_enterprise_user_logs_in_and_sees_only_itself(browser, live_server, registry):
    world = registry
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    log_in(page, live_server.url, "ent_north")
    assert page.url == f"{live_server.url}/enterprises/{world.ent_north.pk}/"  # its own record is its home
    page.goto(live_server.url + "/enterprises/")
    links = page.locator('#enterprise-results a[href^="/enterprises/"]').evaluate_all(
        "links => links.map(a => a.getAttribute('href')).filter(h => /^\\/enterprises\\/\\d+\\/$/.test(h))")
    assert links == [f"/enterprises/{world.ent_north.pk}/"]
    response = page.goto(f"{live_server.url}/enterprises/{world.ent_south.pk}/")
    assert response is not None and response.status == 404
    page.close()


def test_phone_sized_list_is_usable(browser, live_server, registry):
    world = registry
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server.url, "district", "/enterprises/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    body_overflow = page.evaluate("document.body.scrollWidth - document.body.clientWidth")
    assert overflow <= 0 and body_overflow <= 0, (overflow, body_overflow)
    assert page.locator("#id_q").is_visible() and page.locator("#id_town").is_visible()
    first_row = page.locator(f'a[href="/enterprises/{world.ent_north.pk}/"]')
    assert first_row.is_visible()
    box = first_row.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    # The search filters as one types.
    page.fill("#id_q", "南镇")
    page.wait_for_url(re.compile(r"q="))
    page.wait_for_function(f'() => !document.querySelector(\'a[href="/enterprises/{world.ent_north.pk}/"]\')')
    settled(page)
    page.fill("#id_q", "")
    page.locator("#id_q").blur()
    page.wait_for_function(f'() => !!document.querySelector(\'a[href="/enterprises/{world.ent_north.pk}/"]\')')
    settled(page)
    # The table's headers are hidden on a phone; the sort order is a select beside the count.
    page.select_option("#id_sort", "-employees")
    page.wait_for_url(re.compile(r"sort=-employees"))
    page.wait_for_function("() => document.querySelector('#enterprise-results tbody a').textContent.includes('南镇星光烟花爆竹批发部')")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "enterprise-list-phone.png", full_page=False)
    context.close()
