"""The hazard's page in a real browser: the photo upload button is a finger's width on a phone,
and nothing runs off the screen at 360 px. Screenshots: docs/screenshots/hazard-detail-*.png."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from anjian.utilities.testing import PASSWORD, make_world

from ..models import HazardStatus
from .factories import make_hazard

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SCREENSHOTS = Path(settings.PROJECT_DIR) / "docs" / "screenshots"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    from anjian.territory.catalogue import load_sectors

    load_sectors()
    return make_world()


@pytest.mark.parametrize("width", [360, 390, 1366])
def test_the_upload_button_is_a_tap_target_and_nothing_overflows(browser, live_server, world, width):
    hazard = make_hazard(world.ent_north, status=HazardStatus.REPORTED)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN",
                                  is_mobile=width < 576, has_touch=width < 576)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_username", "inspector")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.goto(f"{live_server.url}/hazards/{hazard.pk}/")
        page.wait_for_load_state("networkidle")
        button = page.locator('[data-testid="upload-photos"]')
        assert button.inner_text().strip() == "上传"
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, box
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if width != 360:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"hazard-detail-{width}.png"), full_page=True)
    finally:
        context.close()
