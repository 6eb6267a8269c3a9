"""The hazard workflow as atomic domain functions (the only way a hazard changes state).

Each action runs in ``transaction.atomic()``, locks the hazard row
(``select_for_update``), checks the guard on the model
(``hazard.check_transition(action, user)``), writes a ``HazardEvent``, records
the transition in the audit log and notifies the people concerned when the
transaction commits. Two people acting on one hazard at once are serialised by
the row lock: the second sees the state the first left and is refused with a
clear message (``TransitionNotAllowed``, HTTP 409).

Errors: ``PermissionDenied`` (the user may not do this at all: 403),
``TransitionNotAllowed`` (not in this state: 409), ``ValidationError`` (bad
input: 400).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core import audit
from anjian.core.models import AuditAction
from anjian.core.notify import notify

from . import recipients, rules
from .exceptions import TransitionNotAllowed
from .models import (
    ACTIVE_STATUSES,
    TRANSITIONS,
    DeadlineExtension,
    DecisionStatus,
    DoubleReport,
    DoubleReportKind,
    Hazard,
    HazardEvent,
    HazardLevel,
    HazardPhoto,
    HazardSource,
    HazardStatus,
    ListingLevel,
    OrderStatus,
    PhotoKind,
    Reinspection,
    RemediationPlan,
    ResumptionApplication,
    SupervisionListing,
    SupervisionOrder,
    Suspension,
    SuspensionExtent,
)
from .uploads import validate_photo

__all__ = [
    "apply_resumption", "cancel_hazard", "decide_extension", "list_for_supervision", "order_suspension",
    "record_double_report", "record_reinspection", "reject", "report_hazard", "request_extension",
    "review_resumption", "run_transition", "save_remediation_plan", "start_rectification",
    "submit_rectification", "verify",
]

REPORT_FIELDS = {"source", "category", "found_on", "responsible_person", "measures", "funds"}


# --- helpers --------------------------------------------------------------------------------

def _lock(hazard: Hazard | int) -> Hazard:
    pk = getattr(hazard, "pk", hazard)
    try:
        return Hazard.all_objects.select_for_update().get(pk=pk)
    except Hazard.DoesNotExist as exc:
        raise TransitionNotAllowed(_("This hazard no longer exists.")) from exc


def _url(hazard: Hazard) -> str:
    return reverse("hazards:detail", args=[hazard.pk])


def _event(hazard: Hazard, actor: Any, action: str, *, from_status: str = "", to_status: str = "",
           comment: str = "", evidence: str = "", data: dict | None = None) -> HazardEvent:
    return HazardEvent.objects.create(
        hazard=hazard, actor=actor if getattr(actor, "pk", None) else None, action=action,
        from_status=from_status, to_status=to_status, comment=comment or "", evidence=evidence or "", data=data or {},
    )


def _audit(hazard: Hazard, action: str, before: str, after: str, comment: str = "") -> None:
    changes = {"status": [before, after]} if before != after else {}
    audit.record(AuditAction.TRANSITION, hazard, changes=changes, message=f"{action}: {comment}".strip(": ")[:2000])


def _tell(users: Iterable[Any], hazard: Hazard, title: str, body: str = "", actor: Any = None) -> None:
    notify([u for u in users if u is not None and getattr(u, "pk", None) != getattr(actor, "pk", None)],
           title, body, _url(hazard), kind="hazards")


def _check_photos(photos: Iterable[Any]) -> list[Any]:
    photos = [p for p in photos or () if p]
    errors = []
    for p in photos:
        try:
            validate_photo(p)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"photos": errors})
    return photos


def _save_photos(hazard: Hazard, photos: list[Any], kind: str, actor: Any, event: HazardEvent | None) -> None:
    for p in photos:
        photo = HazardPhoto(hazard=hazard, kind=kind, event=event, uploaded_by=actor if getattr(actor, "pk", None) else None)
        photo.image.save(getattr(p, "name", "photo.jpg") or "photo.jpg", p, save=False)
        photo.save()


def _require(perm: str, actor: Any, obj: Any, message: str) -> None:
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


def _alive(hazard: Hazard) -> None:
    if hazard.is_deleted:
        raise TransitionNotAllowed(_("This hazard has been withdrawn; nothing more can be done with it."))


def _close_orders(hazard: Hazard, reason: str, *, only_other_deadlines: bool = False) -> int:
    orders = SupervisionOrder.objects.filter(hazard=hazard).exclude(status=OrderStatus.CLOSED)
    if only_other_deadlines and hazard.deadline:
        orders = orders.exclude(deadline=hazard.deadline)
    return orders.update(status=OrderStatus.CLOSED, closed_at=timezone.now(), closed_reason=reason[:200])


def _finish(h: Hazard, actor: Any, action: str, before: str, *, comment: str = "", evidence: str = "",
            data: dict | None = None) -> HazardEvent:
    h.version += 1
    h.save()
    event = _event(h, actor, action, from_status=before, to_status=h.status, comment=comment, evidence=evidence,
                   data=data)
    _audit(h, action, before, h.status, comment)
    return event


def _default_source(actor: Any, inspection: Any) -> str:
    kind = getattr(inspection, "kind", None)
    if kind == "self":
        return HazardSource.SELF_INSPECTION
    if kind == "tipoff":
        return HazardSource.TIP_OFF
    if kind is None and actor.has_role("enterprise") and not actor.has_role(
            "district_admin", "town", "department", "inspector"):
        return HazardSource.SELF_INSPECTION
    return HazardSource.SUPERVISION


# --- reporting ------------------------------------------------------------------------------

def report_hazard(*, actor: Any, enterprise: Any, description: str, level: str, inspection: Any = None,
                  checklist_item: Any = None, legal_basis: str = "", location: str = "", photos: Iterable[Any] = (),
                  deadline: date | None = None, **fields: Any) -> Hazard:
    """Record a hazard found at ``enterprise`` (by an inspection, a self-inspection, a tip-off).

    ``fields`` may carry ``source``, ``category``, ``found_on``, ``responsible_person``,
    ``measures`` and ``funds``. ``photos`` are the "before" photos (uploaded files).
    """
    _require("hazards.add_hazard", actor, enterprise, _("You may not report hazards of this enterprise."))
    unknown = set(fields) - REPORT_FIELDS
    if unknown:
        raise ValidationError(_("Unknown hazard field(s): {names}.").format(names=", ".join(sorted(unknown))))
    errors: dict[str, list[str]] = {}
    if not (description or "").strip():
        errors["description"] = [_("Describe the hazard.")]
    if level not in HazardLevel.values:
        errors["level"] = [_("The level must be “general” (一般) or “major” (重大).")]
    found_on = fields.get("found_on") or getattr(inspection, "date", None) or timezone.localdate()
    if found_on > timezone.localdate():
        errors["found_on"] = [_("A hazard cannot be found in the future.")]
    if deadline is not None and deadline < found_on:
        errors["deadline"] = [_("The rectification deadline cannot be before the day the hazard was found.")]
    category = fields.get("category") or ""
    if category and category not in dict(rules.category_choices()):
        errors["category"] = [_("Unknown category “{code}”.").format(code=category)]
    source = fields.get("source") or _default_source(actor, inspection)
    if source not in HazardSource.values:
        errors["source"] = [_("Unknown source “{code}”.").format(code=source)]
    funds = fields.get("funds")
    if funds not in (None, "") and Decimal(str(funds)) < 0:
        errors["funds"] = [_("Funds cannot be negative.")]
    if errors:
        raise ValidationError(errors)
    photos = _check_photos(photos)
    with transaction.atomic():
        hazard = Hazard(
            enterprise=enterprise, description=description.strip(), level=level, legal_basis=legal_basis or "",
            location=location or "", deadline=deadline, found_on=found_on, category=category, source=source,
            responsible_person=fields.get("responsible_person") or "", measures=fields.get("measures") or "",
            funds=funds if funds not in ("",) else None, reporter=actor if getattr(actor, "pk", None) else None,
        )
        hazard.inspection = inspection
        hazard.checklist_item = checklist_item
        hazard.save()
        hazard.number = f"YH{found_on:%Y}{hazard.pk:07d}"
        Hazard.all_objects.filter(pk=hazard.pk).update(number=hazard.number)
        hazard._loaded_values = hazard.snapshot()
        event = _event(hazard, actor, "report", to_status=hazard.status,
                       data={"level": level, **({"inspection": inspection.pk} if inspection is not None else {})})
        _save_photos(hazard, photos, PhotoKind.BEFORE, actor, event)
        audit.record(AuditAction.TRANSITION, hazard, changes={"status": [None, hazard.status]}, message="report")
        title = _("Hazard found at {enterprise}: {text}").format(enterprise=enterprise, text=str(hazard))
        if level == HazardLevel.MAJOR:
            title = _("MAJOR hazard found at {enterprise}: {text}").format(enterprise=enterprise, text=str(hazard))
            town = recipients.town_code(enterprise.area_id)
            officials = [*recipients.town_users(town), *recipients.district_users(recipients.district_code(town))]
            for dept in recipients.responsible_departments(enterprise):
                officials.extend(recipients.department_users(dept.pk))
            _tell(officials, hazard, title, hazard.description, actor)
        _tell(recipients.enterprise_users(enterprise.pk), hazard, title, hazard.description, actor)
    return hazard


# --- the four transitions of SPEC §2 (and withdrawal) ------------------------------------------

def start_rectification(*, actor: Any, hazard: Hazard | int, comment: str = "", responsible_person: str = "",
                        measures: str = "") -> Hazard:
    """The enterprise takes the hazard in hand: ``reported`` → ``rectifying``."""
    with transaction.atomic():
        h = _lock(hazard)
        h.check_transition("start_rectification", actor)
        before = h.status
        if responsible_person:
            h.responsible_person = responsible_person
        if measures:
            h.measures = measures
        h.status = HazardStatus.RECTIFYING
        _finish(h, actor, "start_rectification", before, comment=comment)
        _tell(recipients.officials_for(h), h, _("Rectification started: {hazard}").format(hazard=h), comment, actor)
    return h


def submit_rectification(*, actor: Any, hazard: Hazard | int, evidence: str = "", comment: str = "",
                         photos: Iterable[Any] = (), funds: Any = None, measures: str = "",
                         rectified_on: date | None = None) -> Hazard:
    """The enterprise reports the hazard fixed, with evidence (text and/or after-photos):
    ``rectifying`` → ``rectified``, awaiting the re-inspection."""
    photos = _check_photos(photos)
    with transaction.atomic():
        h = _lock(hazard)
        h.check_transition("submit_rectification", actor)
        if not (evidence or "").strip() and not photos:
            raise ValidationError({"evidence": [_("Describe what was done or attach photos after rectification.")]})
        day = rectified_on or timezone.localdate()
        if day > timezone.localdate() or day < h.found_on:
            raise ValidationError({"rectified_on": [_("The rectification date must lie between the day the "
                                                      "hazard was found and today.")]})
        before = h.status
        h.status = HazardStatus.RECTIFIED
        h.rectified_on = day
        if funds not in (None, ""):
            h.funds = Decimal(str(funds))
        if measures:
            h.measures = measures
        event = _finish(h, actor, "submit_rectification", before, comment=comment, evidence=evidence,
                        data={"photos": len(photos)})
        _save_photos(h, photos, PhotoKind.AFTER, actor, event)
        _tell(recipients.officials_for(h), h, _("Rectification submitted for re-inspection: {hazard}").format(hazard=h),
              evidence, actor)
    return h


def verify(*, actor: Any, hazard: Hazard | int, comment: str = "", inspected_on: date | None = None,
           inspectors: str = "") -> Hazard:
    """Accept the re-inspection and close the hazard (销号): ``rectified`` → ``verified``.

    For a general hazard this records the (passed) re-inspection itself. A major hazard
    must already have its complete remediation plan and a passed on-site re-inspection
    (``record_reinspection`` or the resumption review), and no suspension still in force.
    """
    with transaction.atomic():
        h = _lock(hazard)
        h.check_transition("verify", actor)
        before = h.status
        today = timezone.localdate()
        if not h.is_major:
            Reinspection.objects.create(hazard=h, inspected_on=inspected_on or today, passed=True, opinion=comment,
                                        inspectors=inspectors or str(actor), recorded_by=actor)
        h.status = HazardStatus.VERIFIED
        h.verified_on = today
        h.verified_by = actor
        closed = _close_orders(h, _("hazard verified and closed"))
        delisted = SupervisionListing.objects.filter(hazard=h, delisted_on__isnull=True).update(delisted_on=today)
        _finish(h, actor, "verify", before, comment=comment,
                data={k: v for k, v in (("orders_closed", closed), ("delisted", delisted)) if v})
        _tell(recipients.enterprise_users(h.enterprise_id), h, _("Hazard closed (销号): {hazard}").format(hazard=h),
              comment, actor)
    return h


def reject(*, actor: Any, hazard: Hazard | int, comment: str, inspected_on: date | None = None,
           inspectors: str = "") -> Hazard:
    """The re-inspection does not accept the rectification: back to ``rectifying``. A comment saying
    why is required."""
    with transaction.atomic():
        h = _lock(hazard)
        h.check_transition("reject", actor)
        if not (comment or "").strip():
            raise ValidationError({"comment": [_("Say why the rectification is not accepted.")]})
        before = h.status
        Reinspection.objects.create(hazard=h, inspected_on=inspected_on or timezone.localdate(), passed=False,
                                    opinion=comment, inspectors=inspectors or str(actor), recorded_by=actor)
        h.status = HazardStatus.RECTIFYING
        h.rectified_on = None
        _finish(h, actor, "reject", before, comment=comment)
        _tell(recipients.enterprise_users(h.enterprise_id), h,
              _("Rectification not accepted: {hazard}").format(hazard=h), comment, actor)
    return h


def cancel_hazard(*, actor: Any, hazard: Hazard | int, reason: str) -> Hazard:
    """Withdraw a hazard recorded in error (soft delete, with a reason): it leaves every list
    and every figure, but stays in the audit log and can still be opened."""
    with transaction.atomic():
        h = _lock(hazard)
        h.check_transition("cancel", actor)
        if not (reason or "").strip():
            raise ValidationError({"reason": [_("Say why the hazard is withdrawn.")]})
        before = h.status
        h.status = HazardStatus.CANCELLED
        h.deleted_at = timezone.now()
        h.deleted_reason = reason.strip()
        _finish(h, actor, "cancel", before, comment=reason)
        audit.record(AuditAction.DELETE, h, changes={"deleted_at": [None, h.deleted_at.isoformat()]},
                     message=reason[:2000])
        _close_orders(h, _("hazard withdrawn"))
        _tell(recipients.enterprise_users(h.enterprise_id), h, _("Hazard withdrawn: {hazard}").format(hazard=h),
              reason, actor)
    return h


ACTIONS = {
    "start_rectification": start_rectification,
    "submit_rectification": submit_rectification,
    "verify": verify,
    "reject": reject,
    "cancel": cancel_hazard,
}


def run_transition(action: str, *, actor: Any, hazard: Hazard | int, comment: str = "", **kwargs: Any) -> Hazard:
    """Dispatch a transition by name (the API and the pages use this)."""
    func = ACTIONS.get(action)
    if func is None:
        known = ", ".join(ACTIONS)
        raise TransitionNotAllowed(_("Unknown action “{action}”; use one of: {known}.").format(action=action,
                                                                                              known=known))
    if action == "cancel":
        return cancel_hazard(actor=actor, hazard=hazard, reason=kwargs.get("reason") or comment)
    return func(actor=actor, hazard=hazard, comment=comment, **kwargs)


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
            raise TransitionNotAllowed(_("A re-inspection checks a submitted rectification; this hazard is “{status}”.")
                                       .format(status=h.get_status_display()))
        day = inspected_on or timezone.localdate()
        if h.rectified_on and day < h.rectified_on:
            raise ValidationError({"inspected_on": [_("The re-inspection cannot precede the rectification.")]})
        r = Reinspection.objects.create(hazard=h, inspected_on=day, passed=True, opinion=opinion,
                                        inspectors=inspectors or str(actor), recorded_by=actor)
        _event(h, actor, "reinspection", comment=opinion, data={"passed": True, "on": day.isoformat()})
        _audit(h, "reinspection", h.status, h.status, opinion)
    return r


# --- major hazards ---------------------------------------------------------------------------

def _major_open(h: Hazard, what: str) -> None:
    _alive(h)
    if not h.is_major:
        raise TransitionNotAllowed(_("{what} applies to major hazards only.").format(what=what))
    if h.status not in ACTIVE_STATUSES:
        raise TransitionNotAllowed(_("{what}: the hazard is already “{status}”.").format(
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
        _event(h, actor, "plan", data={"missing": plan.missing_parts()})
        _audit(h, "plan", h.status, h.status)
        _tell(recipients.officials_for(h), h, _("Remediation plan saved: {hazard}").format(hazard=h), "", actor)
    return plan


def record_double_report(*, actor: Any, hazard: Hazard | int, kind: str, reported_on: date, recipient: str = "",
                         summary: str = "", department: Any = None) -> DoubleReport:
    """Record one half of the double report (双报告): to the supervising department or to the
    workers' congress (职代会)."""
    if kind not in DoubleReportKind.values:
        raise ValidationError({"kind": [_("Report either to the department or to the workers' congress.")]})
    if reported_on > timezone.localdate():
        raise ValidationError({"reported_on": [_("The report date cannot be in the future.")]})
    with transaction.atomic():
        h = _lock(hazard)
        _require("hazards.plan_hazard", actor, h, _("Only the enterprise records its double report."))
        _alive(h)
        if not h.is_major:
            raise TransitionNotAllowed(_("The double report applies to major hazards only."))
        report = DoubleReport.objects.create(hazard=h, kind=kind, reported_on=reported_on, recipient=recipient,
                                             summary=summary, department=department, recorded_by=actor)
        _event(h, actor, "double_report", comment=summary, data={"kind": kind, "on": reported_on.isoformat()})
        _audit(h, "double_report", h.status, h.status, kind)
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
        _event(h, actor, "listing", data={"level": level, "document": document_number})
        _audit(h, "listing", h.status, h.status, document_number)
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
            raise TransitionNotAllowed(_("An extension can be asked for only before the rectification is submitted."))
        if not (reason or "").strip():
            raise ValidationError({"reason": [_("Say why more time is needed.")]})
        floor = max(h.deadline or h.found_on, timezone.localdate())
        if new_deadline <= floor:
            raise ValidationError({"new_deadline": [_("The new deadline must be after {day}.").format(day=floor)]})
        if h.extensions.filter(status=DecisionStatus.PENDING).exists():
            raise TransitionNotAllowed(_("An extension request for this hazard is already waiting for a decision."))
        ext = DeadlineExtension.objects.create(hazard=h, requested_by=actor, old_deadline=h.deadline,
                                               new_deadline=new_deadline, reason=reason.strip())
        _event(h, actor, "extension_request", comment=reason, data={"new_deadline": new_deadline.isoformat()})
        _audit(h, "extension_request", h.status, h.status, reason)
        _tell(recipients.officials_for(h), h, _("Deadline extension requested: {hazard}").format(hazard=h), reason,
              actor)
    return ext


def decide_extension(*, actor: Any, extension: DeadlineExtension | int, approve: bool, comment: str = "") -> DeadlineExtension:
    """An official approves (the deadline moves) or refuses an extension request."""
    ext_pk = getattr(extension, "pk", extension)
    with transaction.atomic():
        hazard_id = DeadlineExtension.objects.values_list("hazard_id", flat=True).get(pk=ext_pk)
        h = _lock(hazard_id)
        ext = DeadlineExtension.objects.select_for_update().get(pk=ext_pk)
        _require("hazards.supervise_hazard", actor, h, _("You may not decide deadline extensions."))
        _alive(h)
        if ext.status != DecisionStatus.PENDING:
            raise TransitionNotAllowed(_("This extension request has already been decided ({status}).").format(
                status=ext.get_status_display()))
        if not approve and not (comment or "").strip():
            raise ValidationError({"comment": [_("Say why the extension is refused.")]})
        ext.status = DecisionStatus.APPROVED if approve else DecisionStatus.REFUSED
        ext.decided_by, ext.decided_on, ext.decision_comment = actor, timezone.localdate(), comment
        ext.save()
        if approve:
            old = h.deadline
            h.deadline = ext.new_deadline
            h.version += 1
            h.save()
            _close_orders(h, _("deadline extended"), only_other_deadlines=True)
            _event(h, actor, "extension_approved", comment=comment,
                   data={"from": old.isoformat() if old else None, "to": ext.new_deadline.isoformat()})
        else:
            _event(h, actor, "extension_refused", comment=comment)
        _audit(h, "extension_approved" if approve else "extension_refused", h.status, h.status, comment)
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
            raise TransitionNotAllowed(_("A suspension for this hazard is already in force."))
        s = Suspension.objects.create(hazard=h, extent=extent, issuing_body=issuing_body.strip(),
                                      document_number=document_number, ordered_on=ordered_on, recorded_by=actor)
        _event(h, actor, "suspension", data={"extent": extent, "document": document_number})
        _audit(h, "suspension", h.status, h.status, document_number)
        _tell(recipients.enterprise_users(h.enterprise_id), h,
              _("Production suspended (停产停业) for: {hazard}").format(hazard=h), document_number, actor)
    return s


def apply_resumption(*, actor: Any, suspension: Suspension | int, content: str, assessment: str = "",
                     assessor: str = "", applied_on: date | None = None) -> ResumptionApplication:
    """The enterprise applies in writing to resume production after remediation (第十八条).
    The rectification must have been submitted; the on-site review is due within the
    review period (data: 10 days)."""
    s_pk = getattr(suspension, "pk", suspension)
    with transaction.atomic():
        hazard_id = Suspension.objects.values_list("hazard_id", flat=True).get(pk=s_pk)
        h = _lock(hazard_id)
        s = Suspension.objects.get(pk=s_pk)
        _require("hazards.plan_hazard", actor, h, _("Only the enterprise applies to resume production."))
        _alive(h)
        if s.lifted_on:
            raise TransitionNotAllowed(_("This suspension was lifted on {day}.").format(day=s.lifted_on))
        if h.status != HazardStatus.RECTIFIED:
            raise TransitionNotAllowed(_("Submit the rectification first: resumption is applied for when the "
                                         "remediation is finished."))
        if s.applications.filter(reviewed_on__isnull=True).exists():
            raise TransitionNotAllowed(_("An application to resume is already waiting for its on-site review."))
        if not (content or "").strip():
            raise ValidationError({"content": [_("Describe the remediation done.")]})
        day = applied_on or timezone.localdate()
        app = ResumptionApplication.objects.create(
            suspension=s, applied_on=day, content=content.strip(), assessment=assessment, assessor=assessor,
            applicant=actor, review_due=rules.resumption_review_due(day))
        _event(h, actor, "resumption_application", comment=content,
               data={"review_due": app.review_due.isoformat()})
        _audit(h, "resumption_application", h.status, h.status)
        _tell(recipients.officials_for(h), h,
              _("Resumption applied for; on-site review due by {day}: {hazard}").format(day=app.review_due, hazard=h),
              content, actor)
    return app


def review_resumption(*, actor: Any, application: ResumptionApplication | int, passed: bool, opinion: str = "",
                      reviewed_on: date | None = None) -> ResumptionApplication:
    """The on-site review of a resumption application (第二十三条). Passed: the suspension is
    lifted, the review counts as the passed re-inspection and, the plan being complete, the
    hazard is closed (核销). Not passed: the hazard goes back to rectification."""
    a_pk = getattr(application, "pk", application)
    with transaction.atomic():
        hazard_id = ResumptionApplication.objects.values_list("suspension__hazard_id", flat=True).get(pk=a_pk)
        h = _lock(hazard_id)
        app = ResumptionApplication.objects.select_for_update().get(pk=a_pk)
        _require("hazards.supervise_hazard", actor, h, _("You may not review resumption applications."))
        _alive(h)
        if app.reviewed_on:
            raise TransitionNotAllowed(_("This application was already reviewed on {day}.").format(
                day=app.reviewed_on))
        if not passed and not (opinion or "").strip():
            raise ValidationError({"opinion": [_("Say why resumption is refused.")]})
        day = reviewed_on or timezone.localdate()
        if day < app.applied_on:
            raise ValidationError({"reviewed_on": [_("The review cannot precede the application.")]})
        app.reviewed_on, app.passed, app.reviewer, app.opinion = day, passed, actor, opinion
        app.save()
        Reinspection.objects.create(hazard=h, inspected_on=day, passed=passed, opinion=opinion,
                                    inspectors=str(actor), recorded_by=actor)
        _event(h, actor, "resumption_approved" if passed else "resumption_refused", comment=opinion,
               data={"on": day.isoformat(), "late": day > app.review_due})
        if passed:
            s = app.suspension
            s.lifted_on = day
            s.save()
        _audit(h, "resumption_review", h.status, h.status, opinion)
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


def add_photos(*, actor: Any, hazard: Hazard | int, photos: Iterable[Any], kind: str = PhotoKind.BEFORE) -> int:
    """Add photos to a hazard still in the workflow (the reporter's "before", the enterprise's "after")."""
    photos = _check_photos(photos)
    if not photos:
        raise ValidationError({"photos": [_("Choose at least one photo.")]})
    with transaction.atomic():
        h = _lock(hazard)
        _alive(h)
        perm = "hazards.rectify_hazard" if kind == PhotoKind.AFTER else "hazards.add_hazard"
        _require(perm, actor, h, _("You may not add these photos."))
        if h.status not in ACTIVE_STATUSES:
            raise TransitionNotAllowed(_("The hazard is closed; its photos can no longer change."))
        event = _event(h, actor, "photos", data={"kind": kind, "count": len(photos)})
        _save_photos(h, photos, kind, actor, event)
    return len(photos)
