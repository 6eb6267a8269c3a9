"""Background jobs: Celery on Redis when configured, a thread in-process otherwise.

A job kind is registered with ``@job_handler("import")``; the handler receives
the ``Job`` and a ``progress(done, total)`` callback and returns the result
dict (or raises ``JobError`` with a list of errors). Handlers live in the
apps' ``jobs.py`` or ``exchange.py`` modules, found by ``autodiscover()`` so
that a Celery worker knows them too.

Where a job runs (``enqueue``):

* ``ANJIAN_JOBS_INLINE`` (tests): at once, in the caller;
* ``REDIS_URL`` / ``CELERY_BROKER_URL`` set: a Celery task (``anjian worker``);
  if the broker cannot be reached the job falls back to a thread;
* otherwise: a daemon thread of the web process.

A job runs at most once: ``run`` claims it with a compare-and-swap on its
status, so a redelivered Celery message does nothing. A job interrupted by a
crash is marked failed by ``fail_stale_jobs`` (periodic task of the worker,
and checked when someone looks at the job).

Export jobs write their workbook to ``export_dir()`` (``VAR_DIR/exports``,
outside the media directory the web server serves), handed out only by the
owner-checked download view; ``purge_expired_exports`` removes files older
than a day.

Progress is written every few rows. An import holds its rows in one open
transaction, so the progress goes where readers can see it meanwhile: the
cache (shared through Redis when configured), and on PostgreSQL also the
job's row through a second, autocommitting connection.

On SQLite the job's row is written through that second connection outside a
transaction too: an export calls ``progress`` while its own connection is in
the middle of reading the rows, and a write there would have to upgrade a
read snapshot that other writers (the pages polled meanwhile) have made stale,
which SQLite refuses at once with "database is locked". Following a job
(``live_progress``) writes nothing unless the job is stale, so the polled page
never waits for the job's writes (docs/architecture.md, Concurrency).
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import context
from .models import Job, JobStatus

log = logging.getLogger(__name__)

Handler = Callable[[Job, Callable[[int, int], None]], dict]
HANDLERS: dict[str, Handler] = {}
_discovered = False


class JobError(Exception):
    """The job failed for reasons the user can correct; ``errors`` are dicts with at least ``message``."""

    def __init__(self, errors: list[Any]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = [e if isinstance(e, dict) else {"message": str(e)} for e in errors]


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        HANDLERS[kind] = func
        return func

    return register


def autodiscover() -> None:
    """Import the modules where handlers register (``<app>.jobs``, ``<app>.exchange``)."""
    global _discovered
    if _discovered:
        return
    from anjian.utilities.discovery import app_modules

    for module in ("jobs", "exchange"):
        app_modules(module)
    _discovered = True


def get_handler(kind: str) -> Handler | None:
    if kind not in HANDLERS:
        autodiscover()
    return HANDLERS.get(kind)


def uses_celery() -> bool:
    return not settings.CELERY_TASK_ALWAYS_EAGER and not settings.ANJIAN_JOBS_INLINE


def enqueue(job: Job) -> Job:
    """Start the job after the current transaction commits."""

    def start() -> None:
        if settings.ANJIAN_JOBS_INLINE:
            run(job.pk)
            return
        if uses_celery():
            from .tasks import run_job

            try:
                run_job.delay(job.pk)
                return
            except Exception:  # noqa: BLE001  (broker down: do the work here rather than lose it)
                log.exception("job %s: the Celery broker is unreachable; running it in a thread", job.pk)
        threading.Thread(target=_run_in_thread, args=(job.pk,), daemon=True, name=f"job-{job.pk}").start()

    transaction.on_commit(start)
    return job


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        run(job_id)
    except Exception:  # noqa: BLE001  (a thread has nobody to raise to)
        log.exception("job %s crashed", job_id)
    finally:
        connection.close()


def _finish(job_id: int, status: str, **fields: Any) -> None:
    Job.objects.filter(pk=job_id).update(status=status, finished=timezone.now(), **fields)


def run(job_id: int) -> Job:
    """Run a job now, in this process; records status, progress, result and errors.

    Does nothing (and returns the job) if the job is no longer waiting.
    """
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING, started=timezone.now())
    job = Job.objects.select_related("user").get(pk=job_id)
    if not claimed:
        log.info("job %s is %s already; not run again", job_id, job.status)
        return job
    handler = get_handler(job.kind)
    if handler is None:
        _finish(job.pk, JobStatus.FAILED, errors=[{"message": _("Unknown kind of job: {kind}.").format(kind=job.kind)}])
        job.refresh_from_db()
        return job
    progress = ProgressReporter(job)
    params = job.params or {}
    try:
        with context.acting_as(job.user, source="job", request_id=params.get("request_id"), ip=params.get("ip")):
            try:
                result = handler(job, progress)
            except JobError as exc:
                _finish(job.pk, JobStatus.FAILED, errors=exc.errors)
            except Exception as exc:  # noqa: BLE001  (recorded for the user, logged for the operator)
                log.exception("job %s failed", job.pk)
                _finish(job.pk, JobStatus.FAILED, errors=[{"message": _(
                    "The job stopped because of an unexpected error ({error}). Nothing was changed; the "
                    "operators can find the details in the log.").format(error=type(exc).__name__)}])
            else:
                result = result or {}
                done = max(progress.done, job.total)
                _finish(job.pk, JobStatus.SUCCEEDED, result=result, done=done, total=done)
    finally:
        progress.close()
    job.refresh_from_db()
    return job


# ---------------------------------------------------------------------------------------------
# Progress
# ---------------------------------------------------------------------------------------------
def _cache_key(job: Job) -> str:
    return f"anjian:job-progress:{job.uuid}"


class ProgressReporter:
    """``progress(done, total)``: where the job's followers can see it while its transaction is open."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.done = 0
        self.total = job.total
        self._side: Any = None
        self._last_write = 0.0

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total or self.total
        try:
            cache.set(_cache_key(self.job), (done, self.total), timeout=24 * 3600)
        except Exception:  # noqa: BLE001  (progress is a nicety; never fail the job for it)
            log.warning("job %s: cannot write progress to the cache", self.job.pk, exc_info=True)
        if connection.vendor == "sqlite":
            if not connection.in_atomic_block:  # in one, this connection holds the only write lock
                self._write_aside(done, self.total)
        elif not connection.in_atomic_block:
            Job.objects.filter(pk=self.job.pk).update(done=done, total=self.total)
        else:
            self._write_aside(done, self.total)

    def _write_aside(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last_write < 0.5 and done < total:
            return
        self._last_write = now
        try:
            if self._side is None:
                main = connections[DEFAULT_DB_ALIAS]
                self._side = type(main)(dict(main.settings_dict), DEFAULT_DB_ALIAS)
            with self._side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {Job._meta.db_table} SET done = %s, total = %s WHERE id = %s",  # noqa: S608
                    [done, total, self.job.pk],
                )
        except Exception:  # noqa: BLE001
            log.warning("job %s: cannot write progress aside", self.job.pk, exc_info=True)

    def close(self) -> None:
        if self._side is not None:
            try:
                self._side.close()
            except Exception:  # noqa: BLE001
                log.debug("job %s: cannot close the progress connection", self.job.pk, exc_info=True)
            self._side = None
        try:
            cache.delete(_cache_key(self.job))
        except Exception:  # noqa: BLE001
            log.debug("job %s: cannot clear its progress from the cache", self.job.pk, exc_info=True)


def live_progress(job: Job) -> Job:
    """The job with its latest progress (from the cache while it runs); marks it failed if stale."""
    if job.is_finished:
        return job
    if fail_stale_jobs(Job.objects.filter(pk=job.pk)):
        job.refresh_from_db()
        return job
    try:
        cached = cache.get(_cache_key(job))
    except Exception:  # noqa: BLE001
        cached = None
    if cached and cached[0] >= job.done:
        job.done, job.total = cached
    return job


# ---------------------------------------------------------------------------------------------
# Housekeeping (periodic tasks of the worker; see anjian/celery.py)
# ---------------------------------------------------------------------------------------------
def job_timeout() -> datetime.timedelta:
    return datetime.timedelta(minutes=int(getattr(settings, "ANJIAN_JOB_TIMEOUT_MINUTES", 180)))


def fail_stale_jobs(jobs: Any = None) -> int:
    """Mark jobs that have run (or waited) longer than the timeout as failed; returns how many."""
    jobs = Job.objects.all() if jobs is None else jobs
    limit = timezone.now() - job_timeout()
    stale = jobs.filter(status=JobStatus.RUNNING, started__lt=limit) | jobs.filter(
        status=JobStatus.PENDING, created__lt=limit)
    if not stale.exists():  # a read: following a job must not queue behind the writers (SQLite)
        return 0
    return stale.update(status=JobStatus.FAILED, finished=timezone.now(), errors=[{"message": _(
        "The job was interrupted (the server or worker stopped while it ran). Nothing was changed; "
        "please start it again.")}])


def purge_old_jobs(days: int | None = None) -> int:
    """Delete finished jobs older than ``ANJIAN_JOB_RETENTION_DAYS`` with their files."""
    days = days if days is not None else int(getattr(settings, "ANJIAN_JOB_RETENTION_DAYS", 30))
    old = Job.objects.filter(finished__lt=timezone.now() - datetime.timedelta(days=days))
    count = 0
    for job in old.iterator():
        for stored in (job.input_file, job.output_file):
            if stored:
                stored.delete(save=False)
        exported = export_file(job)
        if exported is not None:
            exported.unlink(missing_ok=True)
        job.delete()
        count += 1
    return count


# ---------------------------------------------------------------------------------------------
# Export files (written by export jobs, served to their owner by ``core:export_download``)
# ---------------------------------------------------------------------------------------------
EXPORT_RETENTION = datetime.timedelta(days=1)


def export_dir() -> Path:
    """Where export jobs write their workbooks: ``VAR_DIR/exports``. Not under ``MEDIA_ROOT``, which
    the web server serves to anyone logged in: only the download view, which checks the owner, reads it."""
    return Path(settings.VAR_DIR) / "exports"


def export_file(job: Job) -> Path | None:
    """The workbook an export job wrote, if it is still kept."""
    name = job.result.get("file") if job.kind == "export" and isinstance(job.result, dict) else None
    if not isinstance(name, str) or not name or Path(name).name != name or name.startswith("."):
        return None
    path = export_dir() / name
    return path if path.is_file() else None


def purge_expired_exports(max_age: datetime.timedelta = EXPORT_RETENTION) -> int:
    """Delete the export files (and unfinished parts) older than ``max_age``; returns how many.

    Run by the daily ``anjian.core.purge_old_jobs`` task and whenever an export job starts."""
    directory = export_dir()
    if not directory.is_dir():
        return 0
    limit = time.time() - max_age.total_seconds()
    count = 0
    for path in directory.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                count += 1
        except FileNotFoundError:  # removed meanwhile by another process
            continue
    return count
