from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The fictional demo district (示范区), loaded by ``anjian demo``. No tables of its own."""

    name = "anjian.demo"
    verbose_name = _("Demo district")
