"""Importing a workbook through the page in a real browser (Chromium through Playwright): the upload
becomes a background job (a thread: no Celery here) and the progress bar, polled by htmx, reaches 100%.

The screenshot goes to docs/screenshots/import-progress.png.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings

from anjian.core.models import Job
from anjian.enterprises.models import Enterprise
from anjian.territory.catalogue import load_sectors
from anjian.utilities.testing import PASSWORD, make_world

from .workbooks import write_large_workbook

# Playwright's sync API runs an event loop in this thread; the live server's database work is ours to allow.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SCREENSHOTS = Path(settings.PROJECT_DIR) / "docs" / "screenshots"
ROWS = 5000

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    load_sectors()  # a transactional test starts from emptied tables
    return make_world()


@pytest.fixture
def background_jobs(settings):
    settings.ANJIAN_IMPORT_BACKGROUND_ROWS = 100
    settings.ANJIAN_IMPORT_PROGRESS_ROWS = 100
    settings.ANJIAN_JOBS_INLINE = False  # run in a thread of the server, as without REDIS_URL
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.LANGUAGE_CODE = "zh-hans"


def test_district_imports_a_workbook_and_watches_the_progress_bar(browser, live_server, world, background_jobs,
                                                                  tmp_path):
    workbook = tmp_path / "批量导入.xlsx"
    write_large_workbook(workbook, ROWS, towns=(("北镇", ("北一社区",)), ("南镇", ("南一社区",))),
                         sectors=("非煤矿山", "商场超市"), departments=("矿山监管局", ""),
                         code_prefix="91410199MB")  # not the codes of the test world
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(live_server.url + "/enterprises/import/")
    page.fill("input[name=username]", "district")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/enterprises/import/$"))
    assert "统一社会信用代码" in page.content()

    polls: list[str] = []
    page.on("request", lambda request: polls.append(request.url) if "/core/jobs/" in request.url else None)
    page.set_input_files("input[name=file]", str(workbook))
    page.click("[data-testid=import-submit]")
    page.wait_for_url(re.compile(r".*/enterprises/import/\?job="))
    progress = page.locator("[data-testid=job-progress]")
    progress.wait_for()
    # htmx polls /core/jobs/<uuid>/ every second and swaps the bar until the job has finished.
    page.wait_for_selector("[data-testid=job-progress][data-status=succeeded], "
                           "[data-testid=job-progress][data-status=failed]", timeout=180_000)
    assert progress.get_attribute("data-status") == "succeeded", Job.objects.get().errors[:3]
    assert page.locator("[data-testid=job-percent]").inner_text() == "100%"
    result = page.locator("[data-testid=job-result]").inner_text()
    assert str(ROWS) in result
    assert polls, "the page should have polled the job while it ran"

    job = Job.objects.get()
    assert (job.status, job.result["created"], job.done, job.total) == ("succeeded", ROWS, ROWS, ROWS)
    assert Enterprise.objects.filter(name__startswith="批量测试企业").count() == ROWS
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "import-progress.png"), full_page=True)
    page.close()
