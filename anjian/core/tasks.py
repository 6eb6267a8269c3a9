"""Celery tasks of the core: running jobs and the jobs' housekeeping."""

from celery import shared_task


@shared_task(name="anjian.core.run_job", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_job(job_id: int) -> str:
    """Run one job. At most once: ``jobs.run`` claims it, so a redelivered message does nothing."""
    from .jobs import run

    return run(job_id).status


@shared_task(name="anjian.core.fail_stale_jobs", ignore_result=True)
def fail_stale_jobs() -> int:
    from .jobs import fail_stale_jobs as fail

    return fail()


@shared_task(name="anjian.core.purge_old_jobs", ignore_result=True)
def purge_old_jobs() -> int:
    """Daily: finished jobs past ``ANJIAN_JOB_RETENTION_DAYS``, and export files older than a day."""
    from .jobs import purge_expired_exports
    from .jobs import purge_old_jobs as purge

    purge_expired_exports()
    return purge()
