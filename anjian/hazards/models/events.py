"""A hazard's timeline: one ``HazardEvent`` per step, and the labels of the steps."""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from anjian.utilities.scoping import ScopeRule
from anjian.utilities.workflow import WorkflowEvent

from .hazard import Hazard, HazardStatus

EVENT_LABELS: dict[str, str | Promise] = {
    "report": _("reported"),
    "start_rectification": _("rectification started"),
    "submit_rectification": _("rectification submitted"),
    "verify": _("re-inspection accepted, closed (销号)"),
    "reject": _("re-inspection not accepted"),
    "cancel": _("withdrawn"),
    "reinspection": _("on-site re-inspection recorded"),
    "plan": _("remediation plan saved"),
    "double_report": _("double report recorded (双报告)"),
    "listing": _("listed for supervision (挂牌督办)"),
    "delisting": _("supervision listing removed (摘牌)"),
    "extension_request": _("deadline extension requested"),
    "extension_approved": _("deadline extension approved"),
    "extension_refused": _("deadline extension refused"),
    "suspension": _("production suspended (停产停业)"),
    "resumption_application": _("resumption applied for"),
    "resumption_approved": _("resumption approved on site"),
    "resumption_refused": _("resumption refused on site"),
    "order_issued": _("supervision order issued (督办)"),
    "order_escalated": _("escalated to the district"),
    "order_answered": _("supervision order answered"),
    "order_closed": _("supervision order closed"),
    "photos": _("photos added"),
}


class HazardEvent(WorkflowEvent):
    """One step of a hazard's timeline: who did what, when, from which status to which."""

    subject_field = "hazard"
    labels = EVENT_LABELS

    hazard = models.ForeignKey(Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=20, blank=True, choices=HazardStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, blank=True, choices=HazardStatus.choices)
    evidence = models.TextField(_("evidence"), blank=True)

    scope = ScopeRule(enterprise="hazard__enterprise")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("hazard event")
        verbose_name_plural = _("hazard events")
