"""Who may do what with hazards (merged into the role table by anjian.accounts.permissions).

Viewing is granted to every business role by ``*.view_*``; what a user sees is
bounded by the data scope. The enterprise rectifies its own hazards and writes
its plans and reports; officials (inspector, town, department, district) find,
re-inspect, verify or reject within their scope; the leader only reads.
"""

from anjian.accounts.models import Role

OFFICIAL = {
    "hazards.add_hazard", "hazards.verify_hazard", "hazards.supervise_hazard", "hazards.delete_hazard",
    "hazards.export_hazard", "hazards.add_hazardphoto",
}

ROLE_PERMISSIONS = {
    Role.DISTRICT_ADMIN: OFFICIAL | {
        "hazards.list_hazard", "hazards.answer_supervisionorder", "hazards.close_supervisionorder",
    },
    Role.TOWN: OFFICIAL | {"hazards.answer_supervisionorder"},
    Role.DEPARTMENT: OFFICIAL | {"hazards.answer_supervisionorder"},
    Role.INSPECTOR: OFFICIAL,
    Role.ENTERPRISE: {
        "hazards.add_hazard", "hazards.rectify_hazard", "hazards.plan_hazard", "hazards.submit_hazardreport",
        "hazards.export_hazard", "hazards.add_hazardphoto",
    },
    Role.LEADER: {"hazards.export_hazard"},
}
