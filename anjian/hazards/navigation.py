from django.utils.translation import gettext_lazy as _

from anjian.core.navigation import MenuItem

MENU = [
    MenuItem(_("Hazard ledger"), "hazards:list", "hazards.view_hazard", _("Hazards"), 34),
    MenuItem(_("Hazard dashboard"), "hazards:dashboard", "hazards.view_hazard", _("Hazards"), 35),
    MenuItem(_("Major hazards"), "hazards:major", "hazards.view_hazard", _("Hazards"), 36),
    MenuItem(_("Supervision orders"), "hazards:orders", "hazards.view_supervisionorder", _("Hazards"), 37),
    MenuItem(_("Hazard statistics reports"), "hazards:reports", "hazards.view_hazardreport", _("Hazards"), 38),
]
