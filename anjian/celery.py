"""Celery application. Used when REDIS_URL (or CELERY_BROKER_URL) is set; otherwise
jobs run in-process (see ``anjian.core.jobs``). Start a worker with ``anjian worker``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anjian.settings")

app = Celery("anjian")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Housekeeping of background jobs, run by the worker's beat (``anjian worker`` starts both).
CORE_SCHEDULE = {
    "anjian-fail-stale-jobs": {"task": "anjian.core.fail_stale_jobs", "schedule": 600.0},
    "anjian-purge-old-jobs": {"task": "anjian.core.purge_old_jobs", "schedule": 24 * 3600.0},
}


@app.on_after_configure.connect
def _add_core_schedule(sender: Celery, **kwargs: object) -> None:
    sender.conf.beat_schedule = {**CORE_SCHEDULE, **(sender.conf.beat_schedule or {})}
