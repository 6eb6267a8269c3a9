"""Who may do what with accidents and statistics bases (merged into the role table by accounts).

Every business role reads accidents in its scope (``*.view_*`` of the foundation's table).
The district office, towns and departments record accidents and their follow-up reports
within their scope; the district office conducts investigations (the county government
investigates 一般 accidents, 第十九条, through its safety office) and keeps the statistics base.
Leaders read only.
"""

from anjian.accounts.models import Role

RECORD = {
    "accidents.add_accident", "accidents.change_accident", "accidents.add_accidentreport",
    "accidents.import_accident", "accidents.export_accident",
}

ROLE_PERMISSIONS = {
    Role.DISTRICT_ADMIN: RECORD | {
        "accidents.manage_investigation",
        "accidents.add_statisticsbase", "accidents.change_statisticsbase", "accidents.import_statisticsbase",
    },
    Role.TOWN: RECORD,
    Role.DEPARTMENT: RECORD,
    Role.LEADER: {"accidents.export_accident"},
}
