from django.utils.translation import gettext_lazy as _

from anjian.core.navigation import MenuItem

from .permissions import COVERAGE, SELF_INSPECT

MENU = [
    MenuItem(_("Self-inspection"), "inspections:self_inspect", SELF_INSPECT, _("Hazards"), 29),
    MenuItem(_("Inspections"), "inspections:list", "inspections.view_inspection", _("Hazards"), 30),
    MenuItem(_("Self-inspection coverage"), "inspections:coverage", COVERAGE, _("Hazards"), 31),
    MenuItem(_("Inspection plans"), "inspections:plan_list", "inspections.add_inspectionplan", _("Hazards"), 32),
    MenuItem(_("Checklists"), "inspections:template_list", "inspections.view_checklisttemplate", _("Hazards"), 33),
]
