from django.utils.translation import gettext_lazy as _

from anjian.core.navigation import MenuItem

MENU = [
    MenuItem(_("Accidents"), "accidents:list", "accidents.view_accident", _("Accidents"), order=40),
    MenuItem(_("Statistics base"), "accidents:bases", "accidents.view_statisticsbase", _("Accidents"), order=41),
]
