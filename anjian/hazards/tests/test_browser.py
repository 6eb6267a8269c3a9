"""The whole hazard loop in a real browser on a phone (390×844): an inspector records an
inspection with a failed item and a photo, the enterprise rectifies with an after-photo, the
inspector accepts, and the district's rectification rate moves accordingly.

Screenshots go to docs/screenshots/hazard-*.png.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from anjian.territory.catalogue import load_sectors
from anjian.utilities.testing import PASSWORD, make_world

from ..models import Hazard, HazardStatus

# Playwright's sync API runs an event loop in this thread; the live server's database work is ours to allow.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SCREENSHOTS = Path(settings.PROJECT_DIR) / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    # A transactional test empties the tables afterwards, the sector catalogue of the data migration too.
    load_sectors()
    return make_world()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"hazard-{name}.png"), full_page=True)


def phone(browser, base: str, username: str):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN")
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, page.content()
    return context, page


def photo(tmp_path: Path, name: str, colour: tuple[int, int, int]) -> str:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (640, 480), colour)
    ImageDraw.Draw(img).rectangle((200, 150, 440, 330), outline=(255, 255, 255), width=12)
    path = tmp_path / name
    img.save(path, "JPEG")
    return str(path)


def rate_on_dashboard(page, base: str, code: str) -> str:
    page.goto(f"{base}/hazards/dashboard/?year={date.today().year}")
    page.wait_for_load_state("networkidle")
    return page.get_attribute(f'a[data-code="{code}"]', "data-value")


def act(page, action: str) -> None:
    page.click(f'[data-testid="open-{action}"]')
    page.wait_for_selector(f"#form-{action}.collapse.show")  # opened, the transition over
    page.wait_for_selector(f'[data-testid="do-{action}"]', state="visible")


def test_inspection_to_rectification_to_acceptance_on_a_phone(browser, live_server, world, tmp_path):
    base = live_server.url
    north = world.ent_north

    # 1. The inspector records a routine inspection with a failed item and a photo.
    ctx, page = phone(browser, base, "inspector")
    page.goto(f"{base}/inspections/add/?enterprise={north.pk}&kind=routine")
    page.select_option("#id_enterprise", str(north.pk))
    page.select_option("#id_kind", "routine")
    page.fill("#id_date", date.today().isoformat())
    page.click("main form button[type=submit] >> nth=-1")
    page.wait_for_load_state("networkidle")
    assert "/inspections/" in page.url and "/add/" not in page.url, [e.inner_text() for e in page.query_selector_all(".invalid-feedback, .alert")]
    page.fill('textarea[name="content"], input[name="content"]', "二号车间安全出口被货物堵塞")
    page.click('form[action$="/finding/"] button[type=submit]')
    page.wait_for_load_state("networkidle")
    inspection_url = page.url.split("#")[0]
    page.goto(inspection_url + "walk/?i=0")
    page.check("#outcome-fail", force=True)
    page.set_input_files('input[name="photo"]', photo(tmp_path, "before.jpg", (190, 40, 40)))
    shot(page, "1-inspection-walk")
    with page.expect_response(lambda r: "/walk/" in r.url and r.request.method == "POST"):
        page.click("#walk form button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(inspection_url + "#submit")
    assert page.query_selector("#submit"), page.inner_text("main")[:3000]
    page.click("#submit button[type=submit]")
    page.wait_for_load_state("networkidle")
    hazard = Hazard.objects.get(enterprise=north)
    assert hazard.inspection_id and hazard.photos.filter(kind="before").count() == 1

    # The district sees the finding, not yet rectified.
    dctx, district = phone(browser, base, "district")
    assert rate_on_dashboard(district, base, "hazards.rectification_rate") == "0.00"
    shot(district, "2-dashboard-before")

    # 2. The enterprise rectifies and submits an after-photo.
    ectx, ent = phone(browser, base, "ent_north")
    ent.goto(f"{base}/hazards/")
    ent.click(f'a[href="/hazards/{hazard.pk}/"] >> nth=0')
    ent.wait_for_load_state("networkidle")
    shot(ent, "3-enterprise-sees-hazard")
    act(ent, "start_rectification")
    ent.click('[data-testid="do-start_rectification"]')
    ent.wait_for_load_state("networkidle")
    act(ent, "submit_rectification")
    ent.fill("#id_submit_rectification-evidence", "已清理通道货物，划设禁放线")
    ent.set_input_files("#id_submit_rectification-photos", photo(tmp_path, "after.jpg", (40, 160, 60)))
    shot(ent, "4-enterprise-submits")
    ent.click('[data-testid="do-submit_rectification"]')
    ent.wait_for_load_state("networkidle")
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFIED and hazard.photos.filter(kind="after").count() == 1
    assert ent.get_attribute('[data-testid="hazard-status"] .badge', "data-status") == "rectified"

    # 3. The inspector re-inspects and accepts (销号).
    page.goto(f"{base}/hazards/{hazard.pk}/")
    act(page, "verify")
    page.fill("#id_verify-comment", "现场复查，通道畅通，合格")
    page.click('[data-testid="do-verify"]')
    page.wait_for_load_state("networkidle")
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.VERIFIED
    assert page.locator('[data-testid="timeline"] [data-action="verify"]').count() == 1
    shot(page, "5-verified-timeline")

    # 4. The district's rates moved: 1 of 1 rectified, 1 of 1 accepted.
    assert rate_on_dashboard(district, base, "hazards.rectification_rate") == "100.00"
    assert district.get_attribute('a[data-code="hazards.reinspection_acceptance_rate"]', "data-value") == "100.00"
    shot(district, "6-dashboard-after")
    district.goto(f"{base}/hazards/")
    district.wait_for_load_state("networkidle")
    shot(district, "7-ledger")
    for c in (ctx, dctx, ectx):
        c.close()
