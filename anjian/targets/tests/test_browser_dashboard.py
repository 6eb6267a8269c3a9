"""The target dashboard in a real browser: the leader lands on it, clicks a town on the map and a
number, and reaches the rows behind them. Screenshots go to docs/screenshots/dashboard*.png."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings

from anjian.utilities.testing import PASSWORD, make_world

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
SCREENSHOTS = Path(settings.PROJECT_DIR) / "docs" / "screenshots"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _square(lng: float, lat: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[lng, lat], [lng + .05, lat], [lng + .05, lat + .05],
                                                [lng, lat + .05], [lng, lat]]]}


@pytest.fixture
def world(transactional_db):
    from anjian.accidents.catalogue import load_accident_types
    from anjian.accidents.tests.factories import aware, make_accident, make_base
    from anjian.targets.loader import load_plan, load_scheme, read
    from anjian.territory.catalogue import load_sectors

    load_sectors()
    load_accident_types()
    w = make_world()
    w.north.geometry = _square(113.60, 34.80)
    w.north.save()
    w.south.geometry = _square(113.60, 34.70)
    w.south.save()
    load_plan(read("plan-2017.json"))
    load_scheme(read("assessment-2017.json"))
    make_base(w.district, 2017)
    make_base(w.district, 2016)
    make_accident(enterprise=w.ent_north, occurred_at=aware(2016, 4), deaths=1)
    make_accident(enterprise=w.ent_north, occurred_at=aware(2016, 8), deaths=2)
    w.north_accident = make_accident(enterprise=w.ent_north, occurred_at=aware(2017, 3), deaths=1)
    w.south_accident = make_accident(enterprise=w.ent_south, occurred_at=aware(2017, 5), deaths=3)
    return w


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def rows_on(page) -> set[int]:
    return {int(x) for x in page.locator("[data-testid=rows-table] tr[data-pk]").evaluate_all(
        "rows => rows.map(r => r.dataset.pk)")}


def test_leader_clicks_a_town_and_a_number_and_reaches_the_rows(browser, live_server, world):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(live_server.url + "/")
    page.fill("#id_username", "leader")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/targets/"))
    page.goto(live_server.url + "/targets/?year=2017&map=accidents.larger_count")
    page.wait_for_function("() => document.querySelector('#town-map canvas') !== null")
    page.wait_for_timeout(800)  # the map's GeoJSON arrives by fetch
    shot(page, "dashboard.png")

    # Click the south town on the map: its accident rows open.
    point = page.evaluate("""() => {
        const chart = echarts.getInstanceByDom(document.getElementById('town-map'));
        return chart.convertToPixel({seriesIndex: 0}, [113.625, 34.725]);
    }""")
    box = page.locator("#town-map").bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    page.wait_for_url(re.compile(r"/targets/rows/.*area_code=" + world.south.code))
    assert rows_on(page) == {world.south_accident.pk}
    shot(page, "dashboard-rows.png")

    # Back on the dashboard, the 较大 number lists the 较大 accident, and only it.
    page.go_back()
    page.click("[data-testid=value-larger_accidents]")
    page.wait_for_url(re.compile(r"/targets/rows/\?code=accidents.larger_count"))
    assert rows_on(page) == {world.south_accident.pk}
    assert page.locator("[data-testid=rows-table] a").first.get_attribute("href")


def test_town_officer_sees_its_town_on_a_phone(browser, live_server, world):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(live_server.url + "/targets/?year=2017")
    page.fill("#id_username", "town_north")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(live_server.url + "/targets/?year=2017")
    assert world.south.name not in page.content()
    shot(page, "dashboard-phone.png")
