from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoryConfig(AppConfig):
    name = "anjian.territory"
    verbose_name = _("Territory and organisation")

    def ready(self) -> None:
        from .supervision import connect

        connect()
