"""The hazard workflow as atomic domain functions (the only way a hazard changes state).

One module per part: ``transitions`` (report, the four transitions of SPEC §2, withdrawal,
``run_transition``), ``major`` (re-inspection and the major-hazard procedures), ``photos``;
``base`` holds the shared helpers. Everything public is re-exported here.

Each action runs in ``transaction.atomic()``, locks the hazard row
(``select_for_update``), checks the guard on the model
(``hazard.check_transition(action, user)``), writes a ``HazardEvent``, records
the transition in the audit log and notifies the people concerned when the
transaction commits. Two people acting on one hazard at once are serialised by
the row lock: the second sees the state the first left and is refused with a
clear message (``Refusal``, HTTP 409).

Errors: ``PermissionDenied`` (the user may not do this at all: 403),
``Refusal`` (``anjian.utilities.workflow``; not in this state: 409), ``ValidationError`` (bad
input: 400).
"""

from .major import (
    apply_resumption,
    decide_extension,
    list_for_supervision,
    order_suspension,
    record_double_report,
    record_reinspection,
    request_extension,
    review_resumption,
    save_remediation_plan,
)
from .photos import add_photos
from .transitions import (
    ACTIONS,
    cancel_hazard,
    reject,
    report_hazard,
    run_transition,
    start_rectification,
    submit_rectification,
    verify,
)

__all__ = [
    "ACTIONS", "add_photos", "apply_resumption", "cancel_hazard", "decide_extension", "list_for_supervision",
    "order_suspension", "record_double_report", "record_reinspection", "reject", "report_hazard",
    "request_extension", "review_resumption", "run_transition", "save_remediation_plan", "start_rectification",
    "submit_rectification", "verify",
]
