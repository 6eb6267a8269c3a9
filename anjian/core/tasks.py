from celery import shared_task


@shared_task(name="anjian.core.run_job", acks_late=True)
def run_job(job_id: int) -> str:
    from .jobs import run

    return run(job_id).status
