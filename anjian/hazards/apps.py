from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "anjian.hazards"
    verbose_name = _("Hidden hazards")

    def ready(self) -> None:
        from celery.schedules import crontab
        from django.conf import settings

        # The overdue job runs daily at 01:10 (Asia/Shanghai); see overdue.py.
        schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", None)
        if isinstance(schedule, dict):
            schedule.setdefault("hazards-overdue", {"task": "anjian.hazards.overdue",
                                                    "schedule": crontab(hour=1, minute=10)})
