"""Background jobs: inline, in a thread, through a real Celery worker on Redis; at most once;
failures in words; progress visible while the job's transaction is open."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from anjian.core import exchange, jobs
from anjian.core.models import Job, JobStatus
from anjian.enterprises.models import Enterprise
from anjian.enterprises.tests.workbooks import build_workbook, enterprise_row, good_rows
from anjian.territory.catalogue import load_sectors
from anjian.utilities.testing import make_world
from anjian.utilities.testing.services import redis_url, require_postgres

ROOT = Path(__file__).resolve().parents[3]
CALLS: list[int] = []


@jobs.job_handler("test.echo")
def _echo(job: Job, progress) -> dict:
    CALLS.append(job.pk)
    progress(1, 2)
    progress(2, 2)
    return {"echo": job.params.get("x")}


@jobs.job_handler("test.invalid")
def _invalid(job: Job, progress) -> dict:
    raise jobs.JobError([{"row": 3, "column": "单位名称", "message": "bad"}, "plain words"])


@jobs.job_handler("test.crash")
def _crash(job: Job, progress) -> dict:
    raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def new_job(kind: str = "test.echo", **params) -> Job:
    return Job.objects.create(kind=kind, params=params)


def wait_for(job: Job, seconds: float = 60) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job.pk} still {job.status} after {seconds}s")


# -- running ------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_inline_job_starts_when_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = jobs.enqueue(new_job(x=7))
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING  # nothing runs before the commit
    callbacks[0]()
    job.refresh_from_db()
    assert (job.status, job.result, job.done, job.total) == (JobStatus.SUCCEEDED, {"echo": 7}, 2, 2)
    assert job.started and job.finished


@pytest.mark.django_db
def test_a_job_runs_at_most_once():
    job = new_job()
    CALLS.clear()
    jobs.run(job.pk)
    again = jobs.run(job.pk)  # e.g. a Celery message delivered twice
    assert CALLS == [job.pk]
    assert again.status == JobStatus.SUCCEEDED


@pytest.mark.django_db
def test_job_errors_are_kept_for_the_user():
    job = jobs.run(new_job("test.invalid").pk)
    assert job.status == JobStatus.FAILED
    assert job.errors == [{"row": 3, "column": "单位名称", "message": "bad"}, {"message": "plain words"}]


@pytest.mark.django_db
def test_an_unexpected_exception_fails_the_job_in_words(caplog):
    job = jobs.run(new_job("test.crash").pk)
    assert job.status == JobStatus.FAILED
    assert "unexpected error (RuntimeError)" in job.errors[0]["message"]
    assert "boom" in caplog.text  # the details are for the operators' log


@pytest.mark.django_db
def test_an_unknown_kind_of_job_fails():
    job = jobs.run(new_job("test.nobody-handles-this").pk)
    assert job.status == JobStatus.FAILED
    assert "Unknown kind of job" in job.errors[0]["message"]


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_jobs_run_in_a_thread(settings):
    settings.ANJIAN_JOBS_INLINE = False
    settings.CELERY_TASK_ALWAYS_EAGER = True  # no REDIS_URL
    job = jobs.enqueue(new_job(x="threaded"))
    assert wait_for(job, 20).result == {"echo": "threaded"}


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_broker_falls_back_to_a_thread(settings, monkeypatch):
    from anjian.core import tasks

    settings.ANJIAN_JOBS_INLINE = False
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def unreachable(*args, **kwargs):
        raise ConnectionRefusedError("no broker")

    monkeypatch.setattr(tasks.run_job, "delay", unreachable)
    job = jobs.enqueue(new_job(x="fallback"))
    assert wait_for(job, 20).status == JobStatus.SUCCEEDED


# -- progress -----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_progress_inside_a_transaction_is_visible_to_the_job_page(client_for, world):
    job = Job.objects.create(kind="test.echo", user=world.users["district"], status=JobStatus.RUNNING,
                             started=timezone.now(), total=100)
    reporter = jobs.ProgressReporter(job)
    with transaction.atomic():
        reporter(40, 100)
        status = client_for("district").get(reverse("core:job", args=[job.uuid]),
                                            HTTP_ACCEPT="application/json").json()
        assert (status["done"], status["percent"]) == (40, 40)
    reporter.close()


@pytest.mark.django_db(transaction=True)
def test_progress_is_written_to_the_job_row():
    job = Job.objects.create(kind="test.echo", status=JobStatus.RUNNING, started=timezone.now(), total=100)
    reporter = jobs.ProgressReporter(job)
    reporter(10, 100)  # outside a transaction: the job's row
    assert Job.objects.get(pk=job.pk).done == 10
    with transaction.atomic():
        reporter(60, 100)
        if connection.vendor == "postgresql":
            # Through a second connection, committed at once: other processes (the web) see it.
            assert Job.objects.get(pk=job.pk).done == 60
    reporter.close()


@pytest.mark.django_db
def test_job_page_polls_while_running_and_stops_when_finished(client_for, world):
    job = Job.objects.create(kind="test.echo", user=world.users["district"], total=10, done=3,
                             status=JobStatus.RUNNING, started=timezone.now())
    c = client_for("district")
    running = c.get(reverse("core:job", args=[job.uuid]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in running and "30%" in running
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, result={"message": "All done."})
    finished = c.get(reverse("core:job", args=[job.uuid]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in finished and "All done." in finished and "100%" in finished
    assert "<html" not in finished  # the partial only


@pytest.mark.django_db
def test_a_job_is_visible_to_its_owner_only(client_for, world):
    job = Job.objects.create(kind="test.echo", user=world.users["district"])
    assert client_for("district").get(reverse("core:job", args=[job.uuid])).status_code == 200
    assert client_for("leader").get(reverse("core:job", args=[job.uuid])).status_code == 404


# -- housekeeping -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_stale_jobs_are_marked_interrupted(settings):
    settings.ANJIAN_JOB_TIMEOUT_MINUTES = 10
    old = timezone.now() - datetime.timedelta(minutes=30)
    stuck = Job.objects.create(kind="test.echo", status=JobStatus.RUNNING, started=old)
    fresh = Job.objects.create(kind="test.echo", status=JobStatus.RUNNING, started=timezone.now())
    assert jobs.fail_stale_jobs() == 1
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.status == JobStatus.FAILED and "interrupted" in stuck.errors[0]["message"]
    assert fresh.status == JobStatus.RUNNING


@pytest.mark.django_db
def test_old_jobs_are_purged_with_their_files():
    job = Job.objects.create(kind="test.echo", status=JobStatus.SUCCEEDED,
                             finished=timezone.now() - datetime.timedelta(days=40))
    job.input_file.save("old.xlsx", ContentFile(b"x"))
    path = Path(job.input_file.path)
    recent = Job.objects.create(kind="test.echo", status=JobStatus.SUCCEEDED, finished=timezone.now())
    assert jobs.purge_old_jobs(30) == 1
    assert not path.exists()
    assert list(Job.objects.all()) == [recent]


def test_the_worker_beat_runs_the_housekeeping():
    from anjian.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"anjian.core.fail_stale_jobs", "anjian.core.purge_old_jobs"} <= tasks


# -- the same import through a real Celery worker and in-process -----------------------------------
EXPECTED = {"kind": "enterprises", "filename": "scenario.xlsx", "rows": 25, "created": 20, "updated": 2,
            "unchanged": 3}


def scenario(tmp_path: Path) -> tuple[Job, object]:
    """The world, 5 enterprises already imported, and a workbook adding 20, changing 2, repeating 3."""
    load_sectors()  # a transactional test starts from an emptied database
    world = make_world()
    district = world.users["district"]
    exchange.import_workbook("enterprises", _file(tmp_path, good_rows(5), "before.xlsx"), user=district)
    rows = good_rows(25)
    rows[0]["从业人员数"] = 500
    rows[1]["行业领域"] = "商场超市、非煤矿山"
    job = Job(kind="import", user=district, params={"kind": "enterprises", "filename": "scenario.xlsx",
                                                    "language": "en"})
    job.input_file.save("scenario.xlsx", ContentFile(build_workbook(rows)), save=False)
    job.save()
    return job, world


def _file(tmp_path: Path, rows, name: str) -> Path:
    path = tmp_path / name
    build_workbook(rows, path=path)
    return path


def outcome() -> list[tuple]:
    return sorted(
        (e.credit_code, e.name, e.area_id, e.employees, e.version, tuple(sorted(e.sectors.values_list("code", flat=True))))
        for e in Enterprise.objects.all()
    )


EXPECTED_FIRST_ROWS = [
    (enterprise_row(1)["统一社会信用代码"], "测试企业1有限公司", "410199001001", 500, 2, ("non_coal_mine",)),
    (enterprise_row(2)["统一社会信用代码"], "测试企业2有限公司", "410199001001", 12, 2, ("non_coal_mine", "retail")),
]


def check_outcome(job: Job) -> None:
    assert job.status == JobStatus.SUCCEEDED, job.errors
    assert {k: v for k, v in job.result.items() if k != "message"} == EXPECTED
    state = outcome()
    assert len(state) == 27
    for expected in EXPECTED_FIRST_ROWS:
        assert expected in state


@pytest.mark.django_db
def test_the_import_job_in_process(tmp_path):
    """Runs on SQLite and on PostgreSQL; the Celery test below expects the same outcome."""
    job, _world = scenario(tmp_path)
    check_outcome(jobs.run(job.pk))


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_import_job_through_a_real_celery_worker(tmp_path, settings):
    require_postgres()
    broker = redis_url()
    from anjian.celery import app
    from anjian.core.tasks import run_job

    job, _world = scenario(tmp_path)
    queue = f"anjian-test-{uuid.uuid4().hex[:8]}"  # other checkouts may run workers on the same Redis
    db = connection.settings_dict
    database_url = "postgres://{user}:{password}@{host}:{port}/{name}".format(
        user=db["USER"], password=db["PASSWORD"] or "", host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
        name=db["NAME"])
    env = {**os.environ, "REDIS_URL": broker, "DATABASE_URL": database_url, "MEDIA_ROOT": str(settings.MEDIA_ROOT),
           "ANJIAN_VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "anjian.settings"}
    env.pop("ANJIAN_TEST_DB_NAME", None)
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "anjian", "worker", "--pool=solo", "-Q", queue, "--loglevel=INFO",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    eager = app.conf.task_always_eager
    try:
        app.conf.task_always_eager = False
        with app.connection_for_write(broker) as conn:
            run_job.apply_async(args=[job.pk], queue=queue, connection=conn)
        finished = wait_for(job, 90)
    finally:
        app.conf.task_always_eager = eager
        worker.terminate()
        worker.wait(20)
        log.close()
    assert "anjian.core.run_job" in (tmp_path / "worker.log").read_text(), "the worker did not run the task"
    check_outcome(finished)
