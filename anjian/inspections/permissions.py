"""Who may do what with checklists, inspections and plans (data scope is checked separately).

* District office: everything, including writing and importing checklist templates.
* Departments, towns and inspectors: carry out inspections and keep plans of their scope.
* Enterprises: their own self-inspections (kind ``self`` only; ``views.allowed_kinds``).
* Everyone with a business role may read and export checklists.
"""

from anjian.accounts.models import Role

COVERAGE = "inspections.coverage_report"  # the self-inspection coverage page (government roles)
SELF_INSPECT = "inspections.self_inspect"  # an enterprise's own monthly self-inspection

ROLE_PERMISSIONS = {
    Role.DISTRICT_ADMIN: {"inspections.*"},
    Role.LEADER: {"inspections.export_checklisttemplate", COVERAGE},
    Role.DEPARTMENT: {
        "inspections.add_inspection", "inspections.change_inspection", "inspections.add_inspectionplan",
        "inspections.change_inspectionplan", "inspections.export_checklisttemplate", COVERAGE,
    },
    Role.TOWN: {
        "inspections.add_inspection", "inspections.change_inspection", "inspections.add_inspectionplan",
        "inspections.change_inspectionplan", "inspections.export_checklisttemplate", COVERAGE,
    },
    Role.INSPECTOR: {"inspections.add_inspection", "inspections.change_inspection",
                     "inspections.export_checklisttemplate", COVERAGE},
    Role.ENTERPRISE: {"inspections.add_inspection", "inspections.change_inspection",
                      "inspections.export_checklisttemplate", SELF_INSPECT},
}
