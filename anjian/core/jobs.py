"""Background jobs: Celery on Redis when configured, a thread in-process otherwise.

A job kind is registered with ``@job_handler("enterprises.import")``; the
handler receives the ``Job`` and a ``progress(done, total)`` callback and
returns the result dict (or raises ``JobError`` with a list of errors).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from . import context
from .models import Job, JobStatus

log = logging.getLogger(__name__)

Handler = Callable[[Job, Callable[[int, int], None]], dict]
HANDLERS: dict[str, Handler] = {}


class JobError(Exception):
    def __init__(self, errors: list[Any]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        HANDLERS[kind] = func
        return func

    return register


def uses_celery() -> bool:
    return not settings.CELERY_TASK_ALWAYS_EAGER and not settings.ANJIAN_JOBS_INLINE


def enqueue(job: Job) -> Job:
    """Start the job after the current transaction commits."""

    def start() -> None:
        if settings.ANJIAN_JOBS_INLINE:
            run(job.pk)
        elif uses_celery():
            from .tasks import run_job

            run_job.delay(job.pk)
        else:
            threading.Thread(target=_run_in_thread, args=(job.pk,), daemon=True, name=f"job-{job.pk}").start()

    transaction.on_commit(start)
    return job


def _run_in_thread(job_id: int) -> None:
    try:
        run(job_id)
    finally:
        close_old_connections()


def run(job_id: int) -> Job:
    """Run a job now, in this process; records status, progress, result and errors."""
    job = Job.objects.select_related("user").get(pk=job_id)
    handler = HANDLERS[job.kind]
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started=timezone.now())

    def progress(done: int, total: int) -> None:
        Job.objects.filter(pk=job.pk).update(done=done, total=total)

    with context.acting_as(job.user, source="job", request_id=job.params.get("request_id")):
        try:
            result = handler(job, progress)
        except JobError as exc:
            Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, errors=exc.errors, finished=timezone.now())
        except Exception as exc:  # noqa: BLE001  (recorded for the user, logged for the operator)
            log.exception("job %s failed", job.pk)
            Job.objects.filter(pk=job.pk).update(
                status=JobStatus.FAILED, errors=[{"message": f"{type(exc).__name__}: {exc}"}], finished=timezone.now()
            )
        else:
            Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, result=result or {}, finished=timezone.now())
    job.refresh_from_db()
    return job
