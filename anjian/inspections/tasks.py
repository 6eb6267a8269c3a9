"""Periodic jobs: generate the inspections plans make due, remind enterprises of their
monthly self-inspection. Both are idempotent; the beat entries are registered here."""

from __future__ import annotations

from celery import shared_task
from celery.schedules import crontab
from django.conf import settings

BEAT_SCHEDULE = {
    "inspections.generate_planned": {
        "task": "anjian.inspections.generate_planned", "schedule": crontab(hour=1, minute=15),
    },
    "inspections.self_inspection_reminders": {
        "task": "anjian.inspections.self_inspection_reminders", "schedule": crontab(hour=9, minute=0),
    },
}


def register_beat() -> None:
    settings.CELERY_BEAT_SCHEDULE.update(BEAT_SCHEDULE)
    try:
        from anjian.celery import app

        app.conf.beat_schedule = {**(app.conf.beat_schedule or {}), **BEAT_SCHEDULE}
    except Exception:  # noqa: BLE001,S110  (no Celery app configured: the commands still work)
        pass


register_beat()


@shared_task(name="anjian.inspections.generate_planned")
def generate_planned() -> int:
    from anjian.core.context import acting_as

    from .actions import generate_planned_inspections

    with acting_as(None, source="job"):
        return generate_planned_inspections()


@shared_task(name="anjian.inspections.self_inspection_reminders")
def self_inspection_reminders() -> int:
    from anjian.core.context import acting_as

    from .actions import send_self_inspection_reminders

    with acting_as(None, source="job"):
        return send_self_inspection_reminders()
