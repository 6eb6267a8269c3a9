"""Celery tasks of the hazards app. The beat entry is added in ``apps.HazardsConfig.ready``."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="anjian.hazards.overdue")
def hazards_overdue() -> dict[str, int]:
    from anjian.core.context import acting_as

    from .overdue import run_overdue

    with acting_as(None, source="job"):
        return run_overdue().as_dict()
