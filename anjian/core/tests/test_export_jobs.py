"""Large web exports run as background jobs: over ``ANJIAN_EXPORT_INLINE_MAX_ROWS`` rows the export
answers with the job's progress page, the job writes exactly the rows of the requester's scope and
filters under the var dir, only the requester can download the file, the export is audited when the
job completes, and the file is removed after a day. Under the limit the export is the file, as before."""

from __future__ import annotations

import io
import os
import time
from urllib.parse import quote

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from anjian.accidents.tests import factories as accident_factories
from anjian.core import jobs, tasks
from anjian.core.models import AuditAction, AuditEntry, Job, JobStatus, Notification
from anjian.enterprises.models import Enterprise
from anjian.hazards.models import HazardStatus
from anjian.hazards.tests.factories import make_hazard
from anjian.utilities.testing import valid_credit_code

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _small_limit(settings, tmp_path):
    settings.ANJIAN_EXPORT_INLINE_MAX_ROWS = 2
    settings.VAR_DIR = tmp_path / "var"  # never the repository's var/


@pytest.fixture
def registry(world):
    """Three more enterprises in each town: 北镇 sees 4, the district 8."""
    for serial in range(1, 7):
        Enterprise.objects.create(
            credit_code=valid_credit_code(50_000 + serial), name=f"导出企业{serial}",
            area=world.north_community if serial <= 3 else world.south_community)
    return world


def codes_in(scope) -> set[str]:
    return set(scope.values_list("credit_code", flat=True))


def workbook_of(response) -> openpyxl.Workbook:
    assert response.status_code == 200, response.content[:500] if not response.streaming else ""
    assert response["Content-Type"] == XLSX
    data = b"".join(response.streaming_content)  # the test client closes the response (and the file) after this
    return openpyxl.load_workbook(io.BytesIO(data))


def first_column(book: openpyxl.Workbook) -> list:
    return [row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]


def start(client, url: str, capture, **query):
    """GET an export; the job (if one is made) runs once the request's transaction commits
    (ANJIAN_JOBS_INLINE in tests: at once, in-process)."""
    with capture(execute=True):
        return client.get(url, query)


def the_job(response) -> Job:
    assert response.status_code == 302, response.status_code
    job = Job.objects.get(kind="export")
    assert response["Location"] == reverse("core:job", kwargs={"uuid": job.uuid})
    return job


# -- enterprises ----------------------------------------------------------------------------------------
def test_a_large_export_runs_as_a_job_and_ends_with_a_download(registry, client_for, settings,
                                                               django_capture_on_commit_callbacks):
    c = client_for("town_north")
    job = the_job(start(c, reverse("enterprises:export"), django_capture_on_commit_callbacks))
    assert job.user == registry.users["town_north"]
    assert job.status == JobStatus.SUCCEEDED, job.errors
    assert (job.done, job.total, job.result["rows"]) == (4, 4, 4)

    page = c.get(reverse("core:job", kwargs={"uuid": job.uuid}))
    html = page.content.decode()
    assert 'data-testid="job-progress"' in html and "100%" in html
    download = reverse("core:export_download", kwargs={"uuid": job.uuid})
    assert f'href="{download}"' in html and 'data-testid="job-download"' in html
    assert c.get(reverse("core:job", kwargs={"uuid": job.uuid}), HTTP_ACCEPT="application/json").json()[
        "result"]["url"] == download

    response = c.get(download)
    filename = job.result["filename"]
    assert filename.endswith(f"-{timezone.localdate():%Y%m%d}.xlsx") and not filename.isascii()
    assert f"filename*=utf-8''{quote(filename)}" in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment")
    assert set(first_column(workbook_of(response))) == codes_in(
        Enterprise.objects.visible_to(registry.users["town_north"]))
    # The file is under the var dir, not in the media directory the web server serves.
    written = jobs.export_file(job)
    assert written is not None and written.parent == settings.VAR_DIR / "exports"
    assert not written.is_relative_to(settings.MEDIA_ROOT)


def test_the_job_holds_exactly_the_scoped_and_filtered_rows(registry, client_for,
                                                           django_capture_on_commit_callbacks):
    # A filter naming another town never widens the town office's scope: it is refused in words ...
    c = client_for("town_north")
    refused = c.get(reverse("enterprises:export"), {"town": registry.south.code})
    assert refused.status_code == 400 and not Job.objects.exists()
    job = the_job(start(c, reverse("enterprises:export"), django_capture_on_commit_callbacks))
    rows = set(first_column(workbook_of(c.get(reverse("core:export_download", kwargs={"uuid": job.uuid})))))
    assert rows == codes_in(Enterprise.objects.visible_to(registry.users["town_north"]))
    assert len(rows) == 4 and not rows & codes_in(Enterprise.objects.filter(area=registry.south_community))
    # ... while the district's filter selects that town only.
    Job.objects.all().delete()
    d = client_for("district")
    job = the_job(start(d, reverse("enterprises:export"), django_capture_on_commit_callbacks,
                        town=registry.south.code))
    rows = set(first_column(workbook_of(d.get(reverse("core:export_download", kwargs={"uuid": job.uuid})))))
    assert rows == codes_in(Enterprise.objects.filter(area=registry.south_community))
    assert len(rows) == 4


def test_only_the_requester_can_follow_or_download_the_export(registry, client_for,
                                                             django_capture_on_commit_callbacks):
    job = the_job(start(client_for("town_north"), reverse("enterprises:export"), django_capture_on_commit_callbacks))
    for persona in ("district", "inspector", "sysadmin"):
        other = client_for(persona)
        assert other.get(reverse("core:export_download", kwargs={"uuid": job.uuid})).status_code == 404
        assert other.get(reverse("core:job", kwargs={"uuid": job.uuid})).status_code == 404
    anonymous = client_for("town_north").__class__()
    response = anonymous.get(reverse("core:export_download", kwargs={"uuid": job.uuid}))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_export_is_audited_when_the_job_completes(registry, client_for, django_capture_on_commit_callbacks):
    job = the_job(start(client_for("town_north"), reverse("enterprises:export"), django_capture_on_commit_callbacks,
                        status="operating"))
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert (entry.username, entry.source, entry.object_type) == ("town_north", "job", "enterprises.enterprise")
    assert entry.changes == {"rows": 4, "filters": {"status": "operating"}}
    assert entry.object_repr == job.result["filename"]
    assert "4" in entry.message
    # The requester is told in the inbox, with the link to the job's page.
    notice = Notification.objects.get(recipient=registry.users["town_north"], kind="export")
    assert notice.url == reverse("core:job", kwargs={"uuid": job.uuid})


def test_under_the_limit_the_export_is_the_file_as_before(registry, client_for, settings):
    settings.ANJIAN_EXPORT_INLINE_MAX_ROWS = 4
    c = client_for("town_north")
    response = c.get(reverse("enterprises:export"))
    assert "attachment" in response["Content-Disposition"]
    assert len(first_column(workbook_of(response))) == 4
    assert not Job.objects.exists()
    assert AuditEntry.objects.get(action=AuditAction.EXPORT).changes["rows"] == 4


def test_the_job_applies_the_scope_and_permission_the_user_has_when_it_runs(
        registry, client_for, django_capture_on_commit_callbacks):
    user = registry.users["town_north"]
    c = client_for("town_north")
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        job = the_job(c.get(reverse("enterprises:export")))
    assert job.status == JobStatus.PENDING
    # Meanwhile the page shows the progress bar, polled by htmx, and no download yet.
    html = c.get(reverse("core:job", kwargs={"uuid": job.uuid})).content.decode()
    assert 'data-testid="job-progress"' in html and 'hx-trigger="every 1s"' in html
    assert 'data-testid="export-note"' in html and 'data-testid="job-download"' not in html
    assert c.get(reverse("core:export_download", kwargs={"uuid": job.uuid})).status_code == 404
    user.is_active = False  # the account was disabled before the worker got to the job
    user.save(update_fields=["is_active"])
    for callback in waiting:
        callback()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.errors[0]["message"]
    assert jobs.export_file(job) is None
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()
    assert not jobs.export_dir().exists() or not any(jobs.export_dir().iterdir())


# -- accidents ------------------------------------------------------------------------------------------
def test_a_large_accident_export_runs_as_a_job_with_the_scoped_rows(world, client_for,
                                                                    django_capture_on_commit_callbacks):
    north = [accident_factories.make_accident(enterprise=world.ent_north, occurred_at=accident_factories.aware(
        2017, month)) for month in (1, 2, 3)]
    accident_factories.make_accident(enterprise=world.ent_south)
    accident_factories.make_accident(enterprise=world.ent_south, occurred_at=accident_factories.aware(2016))
    c = client_for("town_north")
    url = reverse("accidents:export", args=["accidents"])
    job = the_job(start(c, url, django_capture_on_commit_callbacks, year="", town=""))
    assert job.status == JobStatus.SUCCEEDED, job.errors
    rows = first_column(workbook_of(c.get(reverse("core:export_download", kwargs={"uuid": job.uuid}))))
    assert sorted(rows) == sorted(a.number for a in north)
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert (entry.object_type, entry.changes) == ("accidents.accident", {"rows": 3, "filters": {}})
    assert client_for("district").get(reverse("core:export_download", kwargs={"uuid": job.uuid})).status_code == 404


def test_a_small_accident_export_is_the_file(world, client_for):
    accident_factories.make_accident(enterprise=world.ent_north)
    response = client_for("town_north").get(reverse("accidents:export", args=["accidents"]))
    assert len(first_column(workbook_of(response))) == 1
    assert not Job.objects.exists()


# -- the hazard ledger ----------------------------------------------------------------------------------
def test_a_large_ledger_export_runs_as_a_job_with_the_page_filters(world, client_for,
                                                                  django_capture_on_commit_callbacks):
    reported = [make_hazard(world.ent_north, description=f"北{i}") for i in range(2)]
    rectifying = make_hazard(world.ent_north, description="北整改中", status=HazardStatus.RECTIFYING)
    make_hazard(world.ent_north, description="北已销号", status=HazardStatus.VERIFIED)
    make_hazard(world.ent_south, description="南", status=HazardStatus.RECTIFYING)
    c = client_for("town_north")
    with django_capture_on_commit_callbacks(execute=True):  # a repeated parameter, as the list page sends it
        response = c.get(reverse("hazards:export") + "?status=reported&status=rectifying&page=2")
    job = the_job(response)
    assert job.status == JobStatus.SUCCEEDED, job.errors
    book = workbook_of(c.get(reverse("core:export_download", kwargs={"uuid": job.uuid})))
    described = [row[4] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert sorted(described) == sorted([h.description for h in reported] + [rectifying.description])
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert (entry.object_type, entry.changes["rows"]) == ("hazards.hazard", 3)
    assert entry.changes["filters"]["status"] == "rectifying"  # as the ledger export records them


def test_a_small_ledger_export_is_the_file(world, client_for, settings):
    settings.ANJIAN_EXPORT_INLINE_MAX_ROWS = 5
    make_hazard(world.ent_north)
    response = client_for("town_north").get(reverse("hazards:export"))
    assert len(first_column(workbook_of(response))) == 1
    assert not Job.objects.exists()


# -- housekeeping ---------------------------------------------------------------------------------------
def test_export_files_older_than_a_day_are_removed_by_the_daily_cleanup(registry, client_for,
                                                                       django_capture_on_commit_callbacks):
    c = client_for("town_north")
    job = the_job(start(c, reverse("enterprises:export"), django_capture_on_commit_callbacks))
    path = jobs.export_file(job)
    assert path is not None
    tasks.purge_old_jobs()
    assert path.exists()  # a fresh file is kept
    day_and_more = time.time() - 25 * 3600
    os.utime(path, (day_and_more, day_and_more))
    tasks.purge_old_jobs()
    assert not path.exists()
    response = c.get(reverse("core:export_download", kwargs={"uuid": job.uuid}))
    assert response.status_code == 404
    assert Job.objects.filter(pk=job.pk).exists()  # the job itself is kept ANJIAN_JOB_RETENTION_DAYS
