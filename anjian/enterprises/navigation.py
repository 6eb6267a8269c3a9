from django.utils.translation import gettext_lazy as _

from anjian.core.navigation import MenuItem

MENU = [
    MenuItem(_("Enterprise overview"), "core:overview", "enterprises.view_enterprise", _("Registry"), order=90),
    MenuItem(_("Enterprises"), "enterprises:list", "enterprises.view_enterprise", _("Registry"), order=100),
]
