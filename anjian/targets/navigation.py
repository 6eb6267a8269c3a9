from django.utils.translation import gettext_lazy as _

from anjian.core.navigation import MenuItem

MENU = [
    MenuItem(_("Targets"), "targets:dashboard", "targets.view_target", order=10),
    MenuItem(_("Assessment"), "targets:assessment_list", "targets.export_assessmentscheme", order=85),
]
