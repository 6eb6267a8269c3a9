"""Photos render under a real server with DEBUG off (as under ``anjian serve``): no MEDIA_URL, only /files/.

Screenshots of the hazard page with its photo go to docs/screenshots/files-hazard-photo-*.png."""

from __future__ import annotations

import os
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from anjian.files import testing as t
from anjian.territory.catalogue import load_sectors
from anjian.utilities.testing import PASSWORD, make_world

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's event loop runs in this thread

SCREENSHOTS = Path(settings.PROJECT_DIR) / "docs" / "screenshots"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(transactional_db):
    load_sectors()  # a transactional test empties the tables, the data migration's catalogue too
    return make_world()


def fetch(url: str, session: str | None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={session}"} if session else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310 (the test's own live server)
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def test_an_uploaded_photo_renders_with_debug_off(live_server, world):
    from anjian.hazards.actions import add_photos
    from anjian.hazards.tests.factories import make_hazard

    assert not settings.DEBUG
    hazard = make_hazard(world.ent_north)
    add_photos(actor=world.users["inspector"], hazard=hazard, photos=[t.jpeg("site.jpg", size=(800, 600))])
    client = Client()
    client.force_login(world.users["ent_north"])
    session = client.cookies["sessionid"].value

    status, _, page = fetch(f"{live_server.url}/hazards/{hazard.pk}/", session)
    assert status == 200
    sources = re.findall(r'<img src="(/files/[^"]+)"', page.decode())
    assert sources, "the page shows the photo through /files/"
    for src in sources:
        status, content_type, data = fetch(live_server.url + src, session)
        assert (status, content_type) == (200, "image/jpeg") and data[:2] == b"\xff\xd8"
    photo = hazard.photos.get()
    assert fetch(live_server.url + photo.image.url, session)[:2] == (200, "image/jpeg")
    assert fetch(live_server.url + photo.image.url, None)[0] == 401
    # Never served directly (asked of the application: Django's live server itself serves MEDIA_URL).
    assert client.get(f"/media/{photo.image.name}").status_code == 404


@pytest.mark.browser
def test_the_hazard_page_shows_an_uploaded_photo_on_a_phone_and_a_desktop(browser, live_server, world, tmp_path):
    from PIL import Image, ImageDraw

    from anjian.hazards.tests.factories import make_hazard

    hazard = make_hazard(world.ent_north, description="二号车间安全出口被货物堵塞")
    path = tmp_path / "exit.jpg"
    img = Image.new("RGB", (1200, 900), (190, 60, 40))
    ImageDraw.Draw(img).rectangle((350, 250, 850, 650), outline=(255, 255, 255), width=30)
    img.save(path, "JPEG")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((390, 844), (1366, 900)):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_username", "inspector")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.goto(f"{live_server.url}/hazards/{hazard.pk}/")
        if width == 390:  # upload once, through the page's form
            form = page.locator('form[action$="/photos/"]')
            form.locator('input[type="file"]').set_input_files(str(path))
            form.locator("button[type=submit]").click()
            page.wait_for_load_state("networkidle")
        photos = page.locator('[data-testid="photos"] img')
        assert photos.count() == 1
        photos.first.scroll_into_view_if_needed()
        page.wait_for_function("() => [...document.querySelectorAll('[data-testid=photos] img')]"
                               ".every(i => i.complete && i.naturalWidth > 0)")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SCREENSHOTS / f"files-hazard-photo-{width}.png"), full_page=True)
        context.close()
    assert hazard.photos.count() == 1
