"""Reads never fail because a background job writes: the issue's reproduction (on SQLite a
background export whose job page was polled every 0.2 s failed 3 times in 9 with "database is
locked"). The export runs in a thread of the web process, as it does without Redis; the page is
polled meanwhile. Runs on SQLite (a file database) and on PostgreSQL."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from anjian.accounts.middleware import SESSION_KEY
from anjian.core.models import Job, JobStatus
from anjian.enterprises.models import Enterprise
from anjian.utilities.testing import make_world, valid_credit_code

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 4500  # more than the export reads in one chunk (2000): progress is written while a read is open


@pytest.fixture
def registry(transactional_db, settings, tmp_path):
    settings.ANJIAN_JOBS_INLINE = False  # a thread of the web process, as without Redis
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.ANJIAN_EXPORT_INLINE_MAX_ROWS = 2
    settings.ANJIAN_IMPORT_PROGRESS_ROWS = 5  # the job writes its progress every 5 rows
    settings.VAR_DIR = tmp_path / "var"
    world = make_world()
    Enterprise.objects.bulk_create(
        Enterprise(credit_code=valid_credit_code(60_000 + i), name=f"轮询企业{i}", area=world.north_community)
        for i in range(ROWS))
    return world


def follow(client: Client, job: Job, *, deadline_seconds: float = 120) -> list[int]:
    """Poll the job page (full page, htmx partial and JSON in turn) until the job ends."""
    url = reverse("core:job", kwargs={"uuid": job.uuid})
    kinds = [{}, {"HTTP_HX_REQUEST": "true"}, {"HTTP_ACCEPT": "application/json"}]
    codes: list[int] = []
    end = time.monotonic() + deadline_seconds
    while time.monotonic() < end:
        codes.append(client.get(url, **kinds[len(codes) % 3]).status_code)
        job.refresh_from_db()
        if job.is_finished:
            break
    codes.append(client.get(url).status_code)
    return codes


@pytest.mark.parametrize("attempt", range(3))
def test_a_job_page_polled_while_a_background_export_writes_never_fails(registry, attempt):
    client = Client(raise_request_exception=False)
    client.force_login(registry.users["town_north"])
    response = client.get(reverse("enterprises:export"))
    assert response.status_code == 302, response.status_code
    job = Job.objects.get(kind="export")
    codes = follow(client, job)
    assert set(codes) == {200}, codes
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.errors
    assert job.result["rows"] == job.done == job.total >= ROWS


def test_following_a_running_job_writes_nothing(transactional_db):
    """Nothing for the poll to wait for: no session write, no job update while the job is not stale."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    world = make_world()
    job = Job.objects.create(kind="export", user=world.users["town_north"], status=JobStatus.RUNNING,
                             started=timezone.now(), total=10, done=3)
    client = Client()
    client.force_login(world.users["town_north"])
    session = client.session
    session[SESSION_KEY] = time.time() - 120  # an ordinary page stamps the activity again
    session.save()
    url = reverse("core:job", kwargs={"uuid": job.uuid})
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}, {"HTTP_ACCEPT": "application/json"}):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, **headers).status_code == 200
        writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
        assert writes == [], writes
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("accounts:tokens"))
    assert any(q["sql"].startswith("UPDATE") and "django_session" in q["sql"] for q in queries)
