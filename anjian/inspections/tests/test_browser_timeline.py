"""The inspection's timeline on its detail page, in Chromium: the events recorded by the steps show in
order, nothing overflows at 360 px. Screenshots: docs/screenshots/inspection-timeline-{390,1366}.png."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from django.conf import settings

from anjian.utilities.testing import PASSWORD, make_world

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SCREENSHOTS = Path(settings.PROJECT_DIR) / "docs" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    return make_world()


@pytest.fixture
def submitted(world):
    from anjian.inspections import actions
    from anjian.inspections.models import ChecklistItem, ChecklistTemplate, Outcome

    template = ChecklistTemplate.objects.create(code="tl", name="测试检查表", template_version="1")
    ChecklistItem.objects.create(template=template, order=1, content="安全出口畅通")
    inspector = world.users["inspector"]
    inspection = actions.start_inspection(inspector, enterprise=world.ent_north, kind="routine",
                                          date=datetime.date(2017, 5, 10), template=template, place="北门",
                                          inspectors=[inspector, world.users["town_north"]])
    for r in inspection.results.all():
        actions.record_result(inspector, r, outcome=Outcome.PASS)
    actions.add_finding(inspector, inspection, content="灭火器过期，压力表指针在红区，需立即更换" * 3)
    actions.submit_inspection(inspector, inspection, conclusion="一项不合格", place="南门仓库")
    return inspection


@pytest.mark.parametrize("width", [360, 390, 1366])
def test_the_timeline_shows_the_steps(browser, live_server, world, submitted, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "inspector")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/inspections/{submitted.pk}/")
    items = page.locator("[data-testid=timeline] li")
    assert [items.nth(i).get_attribute("data-action") for i in range(items.count())] == [
        "start", "finding", "submit"]
    assert "提交检查" in page.locator("[data-testid=timeline]").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    if width != 360:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.locator("[data-testid=timeline]").scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"inspection-timeline-{width}.png"), full_page=True)
    context.close()
