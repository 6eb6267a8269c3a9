"""Reporting a hazard and the transitions of SPEC §2 (start, submit, verify, reject) and withdrawal."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core import audit, clock
from anjian.core.models import AuditAction
from anjian.utilities.workflow import Refusal

from .. import recipients, rules
from ..models import (
    Hazard,
    HazardLevel,
    HazardSource,
    HazardStatus,
    PhotoKind,
    Reinspection,
    SupervisionListing,
)
from .base import (
    REPORT_FIELDS,
    _check_photos,
    _close_orders,
    _default_source,
    _event,
    _finish,
    _lock,
    _require,
    _save_photos,
    _tell,
)

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
    found_on = fields.get("found_on") or getattr(inspection, "date", None) or clock.today()
    if found_on > clock.today():
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
        event = _event(hazard, actor, "report", to_status=hazard.status, audit=True,
                       data={"level": level, **({"inspection": inspection.pk} if inspection is not None else {})})
        _save_photos(hazard, photos, PhotoKind.BEFORE, actor, event)
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
        day = rectified_on or clock.today()
        if day > clock.today() or day < h.found_on:
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
        today = clock.today()
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
        Reinspection.objects.create(hazard=h, inspected_on=inspected_on or clock.today(), passed=False,
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
        raise Refusal(_("Unknown action “{action}”; use one of: {known}.").format(action=action,
                                                                                              known=known))
    if action == "cancel":
        return cancel_hazard(actor=actor, hazard=hazard, reason=kwargs.get("reason") or comment)
    return func(actor=actor, hazard=hazard, comment=comment, **kwargs)
