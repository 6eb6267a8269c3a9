from django.utils.translation import gettext_lazy as _

from anjian.core.navigation import MenuItem

MENU = [
    MenuItem(_("Accounts"), "accounts:users", "accounts.view_user", _("System"), order=800),
    MenuItem(_("Security policy"), "accounts:security", "accounts.change_securitypolicy", _("System"), order=810),
]
