"""Role permissions of the targets app (merged by anjian.accounts.permissions)."""

from anjian.accounts.models import Role

ROLE_PERMISSIONS = {
    # 区安委办 enters plans and targets, imports them, keeps the assessment and scores it.
    Role.DISTRICT_ADMIN: {"targets.*"},
    # 区领导 reads the dashboard and the assessment, and exports them.
    Role.LEADER: {"targets.view_*", "targets.export_assessmentscheme"},
}
