"""Re-inspection and what a major hazard adds: plan, double report, listing, extension, suspension, resumption."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from anjian.core import clock
from anjian.utilities.workflow import Refusal

from .. import recipients, rules
from ..models import (
    ACTIVE_STATUSES,
    TRANSITIONS,
    DeadlineExtension,
    DecisionStatus,
    DoubleReport,
    DoubleReportKind,
    Hazard,
    HazardStatus,
    ListingLevel,
    Reinspection,
    RemediationPlan,
    ResumptionApplication,
    SupervisionListing,
    Suspension,
    SuspensionExtent,
)
from .base import (
    _alive,
    _close_orders,
    _event,
    _finish,
    _lock,
    _lock_with_hazard,
    _require,
    _tell,
)
from .transitions import reject, verify

# --- re-inspection --------------------------------------------------------------------------

def record_reinspection(*, actor: Any, hazard: Hazard | int, passed: bool, opinion: str = "",
                        inspected_on: date | None = None, inspectors: str = "") -> Reinspection:
    """Record an on-site re-inspection of a submitted rectification (mainly of a major hazard,
    whose closing needs one). A failed re-inspection sends the hazard back to rectification."""
    if not passed:
        h = reject(actor=actor, hazard=hazard, comment=opinion, inspected_on=inspected_on, inspectors=inspectors)
        return h.reinspections.order_by("-pk").first()  # type: ignore[return-value]
    with transaction.atomic():
        h = _lock(hazard)
        _alive(h)
        _require("hazards.supervise_hazard", actor, h, _("You may not re-inspect this hazard."))
        if h.status != HazardStatus.RECTIFIED:
            raise Refusal(_("A re-inspection checks a submitted rectification; this hazard is “{status}”.")
                                       .format(status=h.get_status_display()))
        day = inspected_on or clock.today()
        if h.rectified_on and day < h.rectified_on:
            raise ValidationError({"inspected_on": [_("The re-inspection cannot precede the rectification.")]})
        r = Reinspection.objects.create(hazard=h, inspected_on=day, passed=True, opinion=opinion,
                                        inspectors=inspectors or str(actor), recorded_by=actor)
        _event(h, actor, "reinspection", comment=opinion, data={"passed": True, "on": day.isoformat()}, audit=True)
    return r


# --- major hazards ---------------------------------------------------------------------------

def _major_open(h: Hazard, what: str) -> None:
    _alive(h)
    if not h.is_major:
        raise Refusal(_("{what} applies to major hazards only.").format(what=what))
    if h.status not in ACTIVE_STATUSES:
        raise Refusal(_("{what}: the hazard is already “{status}”.").format(
            what=what, status=h.get_status_display()))


def save_remediation_plan(*, actor: Any, hazard: Hazard | int, **parts: Any) -> RemediationPlan:
    """Write (or revise) the six-part remediation plan of a major hazard (16号令第十五条)."""
    allowed = {p["field"] for p in rules.plan_parts()} | {"funds", "target_date", "principal"}
    unknown = set(parts) - allowed
    if unknown:
        raise ValidationError(_("Unknown plan field(s): {names}.").format(names=", ".join(sorted(unknown))))
    with transaction.atomic():
        h = _lock(hazard)
        _require("hazards.plan_hazard", actor, h, _("Only the enterprise writes its remediation plan."))
        _major_open(h, _("A remediation plan"))
        plan = RemediationPlan.objects.filter(hazard=h).first() or RemediationPlan(hazard=h)
        for name, value in parts.items():
            setattr(plan, name, value if value != "" or name not in ("funds", "target_date") else None)
        plan.prepared_by = actor
        plan.full_clean(exclude=["hazard"])
        plan.save()
        if plan.target_date and not h.deadline:
            h.deadline = plan.target_date
            h.save()
        _event(h, actor, "plan", data={"missing": plan.missing_parts()}, audit=True)
        _tell(recipients.officials_for(h), h, _("Remediation plan saved: {hazard}").format(hazard=h), "", actor)
    return plan


def record_double_report(*, actor: Any, hazard: Hazard | int, kind: str, reported_on: date, recipient: str = "",
                         summary: str = "", department: Any = None) -> DoubleReport:
    """Record one half of the double report (双报告): to the supervising department or to the
    workers' congress (职代会)."""
    if kind not in DoubleReportKind.values:
        raise ValidationError({"kind": [_("Report either to the department or to the workers' congress.")]})
    if reported_on > clock.today():
        raise ValidationError({"reported_on": [_("The report date cannot be in the future.")]})
    with transaction.atomic():
        h = _lock(hazard)
        _require("hazards.plan_hazard", actor, h, _("Only the enterprise records its double report."))
        _alive(h)
        if not h.is_major:
            raise Refusal(_("The double report applies to major hazards only."))
        report = DoubleReport.objects.create(hazard=h, kind=kind, reported_on=reported_on, recipient=recipient,
                                             summary=summary, department=department, recorded_by=actor)
        _event(h, actor, "double_report", comment=summary, data={"kind": kind, "on": reported_on.isoformat()},
               audit=f"double_report: {kind}")
    return report


def list_for_supervision(*, actor: Any, hazard: Hazard | int, level: str, issuing_body: str, document_number: str,
                         listed_on: date) -> SupervisionListing:
    """挂牌督办: list a major hazard for supervision at district, city or province level."""
    if level not in ListingLevel.values:
        raise ValidationError({"level": [_("The listing level is district, city or province.")]})
    if not issuing_body.strip() or not document_number.strip():
        raise ValidationError(_("The issuing body and the document number are required."))
    with transaction.atomic():
        h = _lock(hazard)
        _require("hazards.list_hazard", actor, h, _("You may not list hazards for supervision."))
        _major_open(h, _("Listing for supervision"))
        listing = SupervisionListing.objects.create(hazard=h, level=level, issuing_body=issuing_body.strip(),
                                                    document_number=document_number.strip(), listed_on=listed_on,
                                                    recorded_by=actor)
        _event(h, actor, "listing", data={"level": level, "document": document_number},
               audit=f"listing: {document_number}")
        _tell([*recipients.enterprise_users(h.enterprise_id),
               *recipients.town_users(recipients.town_code(h.enterprise.area_id))], h,
              _("Major hazard listed for supervision (挂牌督办): {hazard}").format(hazard=h), document_number, actor)
    return listing


def request_extension(*, actor: Any, hazard: Hazard | int, new_deadline: date, reason: str) -> DeadlineExtension:
    """The enterprise asks for more time to rectify."""
    with transaction.atomic():
        h = _lock(hazard)
        _require("hazards.rectify_hazard", actor, h, _("Only the enterprise may ask for a deadline extension."))
        _alive(h)
        if h.status not in (HazardStatus.REPORTED, HazardStatus.RECTIFYING):
            raise Refusal(_("An extension can be asked for only before the rectification is submitted."))
        if not (reason or "").strip():
            raise ValidationError({"reason": [_("Say why more time is needed.")]})
        floor = max(h.deadline or h.found_on, clock.today())
        if new_deadline <= floor:
            raise ValidationError({"new_deadline": [_("The new deadline must be after {day}.").format(day=floor)]})
        if h.extensions.filter(status=DecisionStatus.PENDING).exists():
            raise Refusal(_("An extension request for this hazard is already waiting for a decision."))
        ext = DeadlineExtension.objects.create(hazard=h, requested_by=actor, old_deadline=h.deadline,
                                               new_deadline=new_deadline, reason=reason.strip())
        _event(h, actor, "extension_request", comment=reason, data={"new_deadline": new_deadline.isoformat()},
               audit=True)
        _tell(recipients.officials_for(h), h, _("Deadline extension requested: {hazard}").format(hazard=h), reason,
              actor)
    return ext


def decide_extension(*, actor: Any, extension: DeadlineExtension | int, approve: bool, comment: str = "") -> DeadlineExtension:
    """An official approves (the deadline moves) or refuses an extension request."""
    with transaction.atomic():
        h, ext = _lock_with_hazard(DeadlineExtension.objects.all(), extension, "hazard_id")
        _require("hazards.supervise_hazard", actor, h, _("You may not decide deadline extensions."))
        _alive(h)
        if ext.status != DecisionStatus.PENDING:
            raise Refusal(_("This extension request has already been decided ({status}).").format(
                status=ext.get_status_display()))
        if not approve and not (comment or "").strip():
            raise ValidationError({"comment": [_("Say why the extension is refused.")]})
        ext.status = DecisionStatus.APPROVED if approve else DecisionStatus.REFUSED
        ext.decided_by, ext.decided_on, ext.decision_comment = actor, clock.today(), comment
        ext.save()
        if approve:
            old = h.deadline
            h.deadline = ext.new_deadline
            h.version += 1
            h.save()
            _close_orders(h, _("deadline extended"), only_other_deadlines=True)
            _event(h, actor, "extension_approved", comment=comment,
                   data={"from": old.isoformat() if old else None, "to": ext.new_deadline.isoformat()}, audit=True)
        else:
            _event(h, actor, "extension_refused", comment=comment, audit=True)
        _tell(recipients.enterprise_users(h.enterprise_id), h,
              (_("Deadline extended to {day}: {hazard}") if approve else _("Deadline extension refused: {hazard}"))
              .format(day=ext.new_deadline, hazard=h), comment, actor)
    return ext


def order_suspension(*, actor: Any, hazard: Hazard | int, issuing_body: str, ordered_on: date,
                     extent: str = SuspensionExtent.PARTIAL, document_number: str = "") -> Suspension:
    """停产停业: order full or partial suspension while a major hazard is remediated."""
    if extent not in SuspensionExtent.values:
        raise ValidationError({"extent": [_("The suspension is full or partial.")]})
    if not (issuing_body or "").strip():
        raise ValidationError({"issuing_body": [_("Name the body ordering the suspension.")]})
    with transaction.atomic():
        h = _lock(hazard)
        _require("hazards.supervise_hazard", actor, h, _("You may not order a suspension."))
        _major_open(h, _("A suspension"))
        if h.suspensions.filter(lifted_on__isnull=True).exists():
            raise Refusal(_("A suspension for this hazard is already in force."))
        s = Suspension.objects.create(hazard=h, extent=extent, issuing_body=issuing_body.strip(),
                                      document_number=document_number, ordered_on=ordered_on, recorded_by=actor)
        _event(h, actor, "suspension", data={"extent": extent, "document": document_number},
               audit=f"suspension: {document_number}")
        _tell(recipients.enterprise_users(h.enterprise_id), h,
              _("Production suspended (停产停业) for: {hazard}").format(hazard=h), document_number, actor)
    return s


def apply_resumption(*, actor: Any, suspension: Suspension | int, content: str, assessment: str = "",
                     assessor: str = "", applied_on: date | None = None) -> ResumptionApplication:
    """The enterprise applies in writing to resume production after remediation (第十八条).
    The rectification must have been submitted; the on-site review is due within the
    review period (data: 10 days)."""
    with transaction.atomic():
        h, s = _lock_with_hazard(Suspension.objects.all(), suspension, "hazard_id")
        _require("hazards.plan_hazard", actor, h, _("Only the enterprise applies to resume production."))
        _alive(h)
        if s.lifted_on:
            raise Refusal(_("This suspension was lifted on {day}.").format(day=s.lifted_on))
        if h.status != HazardStatus.RECTIFIED:
            raise Refusal(_("Submit the rectification first: resumption is applied for when the "
                                         "remediation is finished."))
        if s.applications.filter(reviewed_on__isnull=True).exists():
            raise Refusal(_("An application to resume is already waiting for its on-site review."))
        if not (content or "").strip():
            raise ValidationError({"content": [_("Describe the remediation done.")]})
        day = applied_on or clock.today()
        app = ResumptionApplication.objects.create(
            suspension=s, applied_on=day, content=content.strip(), assessment=assessment, assessor=assessor,
            applicant=actor, review_due=rules.resumption_review_due(day))
        _event(h, actor, "resumption_application", comment=content,
               data={"review_due": app.review_due.isoformat()}, audit="resumption_application")
        _tell(recipients.officials_for(h), h,
              _("Resumption applied for; on-site review due by {day}: {hazard}").format(day=app.review_due, hazard=h),
              content, actor)
    return app


def review_resumption(*, actor: Any, application: ResumptionApplication | int, passed: bool, opinion: str = "",
                      reviewed_on: date | None = None) -> ResumptionApplication:
    """The on-site review of a resumption application (第二十三条). Passed: the suspension is
    lifted, the review counts as the passed re-inspection and, the plan being complete, the
    hazard is closed (核销). Not passed: the hazard goes back to rectification."""
    with transaction.atomic():
        h, app = _lock_with_hazard(ResumptionApplication.objects.all(), application, "suspension__hazard_id")
        _require("hazards.supervise_hazard", actor, h, _("You may not review resumption applications."))
        _alive(h)
        if app.reviewed_on:
            raise Refusal(_("This application was already reviewed on {day}.").format(
                day=app.reviewed_on))
        if not passed and not (opinion or "").strip():
            raise ValidationError({"opinion": [_("Say why resumption is refused.")]})
        day = reviewed_on or clock.today()
        if day < app.applied_on:
            raise ValidationError({"reviewed_on": [_("The review cannot precede the application.")]})
        app.reviewed_on, app.passed, app.reviewer, app.opinion = day, passed, actor, opinion
        app.save()
        Reinspection.objects.create(hazard=h, inspected_on=day, passed=passed, opinion=opinion,
                                    inspectors=str(actor), recorded_by=actor)
        _event(h, actor, "resumption_approved" if passed else "resumption_refused", comment=opinion,
               data={"on": day.isoformat(), "late": day > app.review_due},
               audit=f"resumption_review: {opinion or ''}".strip(": "))
        if passed:
            s = app.suspension
            s.lifted_on = day
            s.save()
    # The status change runs as its own transition (its own guard, event and notification).
    if passed and h.status == HazardStatus.RECTIFIED and actor.has_perm(TRANSITIONS["verify"].perm, h):
        h.refresh_from_db()
        if not h.verify_blockers():
            verify(actor=actor, hazard=h, comment=opinion)
    elif not passed and h.status == HazardStatus.RECTIFIED and actor.has_perm(TRANSITIONS["reject"].perm, h):
        with transaction.atomic():
            hl = _lock(h)
            if hl.status == HazardStatus.RECTIFIED:
                before = hl.status
                hl.status = HazardStatus.RECTIFYING
                hl.rectified_on = None
                _finish(hl, actor, "reject", before, comment=opinion)
                _tell(recipients.enterprise_users(hl.enterprise_id), hl,
                      _("Resumption refused after the on-site review: {hazard}").format(hazard=hl), opinion, actor)
    return app
