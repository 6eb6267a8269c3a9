"""Inspection workflow as domain functions: start, record results, attach photos,
submit (failed items become hazards), generate planned inspections, remind
enterprises of their monthly self-inspection.

Each function is atomic, takes the acting user, checks the guard on the model
and writes an audit entry for the transition; notifications go out on commit.
The hazards app depends on this one, so ``report_hazard`` is imported locally.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from anjian.core import audit
from anjian.core.models import AuditAction
from anjian.core.notify import notify
from anjian.utilities.scoping import area_prefix, ensure_in_scope

from . import rules
from .models import (
    AttachmentKind,
    Frequency,
    Inspection,
    InspectionAttachment,
    InspectionKind,
    InspectionPlan,
    InspectionResult,
    InspectionStatus,
    Outcome,
    SelfInspectionReminder,
)
from .uploads import validate_document, validate_photo


class InspectionError(Exception):
    """A workflow rule refused the action; the message says why, in words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = str(message)

    def __str__(self) -> str:
        return self.message


def inspector_count_error(kind: str, count: int) -> str | None:
    """The message refusing too few inspectors for ``kind``, or None."""
    needed = rules.min_inspectors(kind)
    if count < needed:
        return ngettext(
            "An {kind} needs at least {n} inspector; {count} given.",
            "An {kind} needs at least {n} inspectors (执法人员不得少于两人); {count} given.",
            needed,
        ).format(kind=InspectionKind(kind).label, n=needed, count=count)
    return None


def _result_rows(inspection: Inspection) -> list[InspectionResult]:
    if inspection.template_id is None:
        return []
    return [
        InspectionResult(inspection=inspection, item=item, order=item.order)
        for item in inspection.template.items.all()
    ]


@transaction.atomic
def start_inspection(actor: Any, *, enterprise: Any, kind: str, date: datetime.date, template: Any = None,
                     inspectors: Sequence[Any] = (), place: str = "", latitude: Any = None, longitude: Any = None,
                     campaign: str = "", record_number: str = "") -> Inspection:
    """Create a draft inspection with one empty result per checklist item."""
    if kind != InspectionKind.SELF:
        error = inspector_count_error(kind, len(inspectors))
        if error:
            raise InspectionError(error)
    inspection = Inspection.objects.create(
        enterprise=enterprise, kind=kind, date=date, template=template, place=place, latitude=latitude,
        longitude=longitude, campaign=campaign, record_number=record_number, created_by=actor,
        status=InspectionStatus.DRAFT,
    )
    if inspectors:
        inspection.inspectors.set(inspectors)
    InspectionResult.objects.bulk_create(_result_rows(inspection))
    ensure_in_scope(actor, inspection, "inspections.add_inspection")
    return inspection


@transaction.atomic
def begin_planned(actor: Any, inspection: Inspection) -> Inspection:
    """A planned (generated) inspection becomes a draft when an inspector opens it."""
    locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if locked.status != InspectionStatus.PLANNED:
        return locked
    locked.status = InspectionStatus.DRAFT
    locked.save(update_fields=["status", "last_updated"])
    if not locked.results.exists():
        InspectionResult.objects.bulk_create(_result_rows(locked))
    return locked


def _editable(inspection: Inspection) -> None:
    if not inspection.is_editable:
        raise InspectionError(_("This inspection was submitted on {date}; it can no longer be changed.").format(
            date=timezone.localtime(inspection.submitted_at).strftime("%Y-%m-%d %H:%M")
            if inspection.submitted_at else "-"))


@transaction.atomic
def record_result(actor: Any, result: InspectionResult, *, outcome: str, note: str | None = None,
                  location: str | None = None) -> InspectionResult:
    row = InspectionResult.objects.select_for_update().select_related("inspection").get(pk=result.pk)
    _editable(row.inspection)
    if outcome not in Outcome.values and outcome != "":
        raise InspectionError(_("“{value}” is not a result; use pass, fail or not applicable.").format(value=outcome))
    row.outcome = outcome
    if note is not None:
        row.note = note
    if location is not None:
        row.location = location
    row.save()
    if row.inspection.status == InspectionStatus.PLANNED:
        begin_planned(actor, row.inspection)
    return row


@transaction.atomic
def add_finding(actor: Any, inspection: Inspection, *, content: str, outcome: str = Outcome.FAIL,
                note: str = "", location: str = "") -> InspectionResult:
    """A finding outside the checklist (or in an inspection without one)."""
    _editable(inspection)
    if not content.strip():
        raise InspectionError(_("Describe what was found."))
    last = inspection.results.order_by("-order").values_list("order", flat=True).first() or 0
    return InspectionResult.objects.create(inspection=inspection, content=content.strip(), outcome=outcome,
                                           note=note, location=location, order=last + 1)


@transaction.atomic
def add_attachment(actor: Any, inspection: Inspection, upload: Any, *, kind: str = AttachmentKind.PHOTO,
                   result: InspectionResult | None = None) -> InspectionAttachment:
    """Attach a photo (of an item) or a document of the record; checked by content and size."""
    _editable(inspection)
    try:
        content_type = validate_photo(upload) if kind == AttachmentKind.PHOTO else validate_document(upload)
    except ValidationError as exc:
        raise InspectionError(" ".join(exc.messages)) from exc
    if result is not None and result.inspection_id != inspection.pk:
        raise InspectionError(_("That result belongs to another inspection."))
    name = upload.name.rsplit("/", 1)[-1][:200]
    attachment = InspectionAttachment(inspection=inspection, result=result, kind=kind, original_name=name,
                                      content_type=content_type, size=upload.size, uploaded_by=actor)
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment


def _hazard_level(result: InspectionResult) -> str:
    return "major" if result.item_id and result.item.major_criterion else "general"


def _hazard_description(result: InspectionResult) -> str:
    text = result.text
    if result.note:
        text = f"{text}\n{result.note}"
    return text


@transaction.atomic
def submit_inspection(actor: Any, inspection: Inspection, *, conclusion: str | None = None) -> list[Any]:
    """Submit the inspection; each failed item becomes a prefilled hazard. Returns the hazards."""
    locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if not locked.can_submit():
        raise InspectionError(_("This inspection was already submitted."))
    if conclusion is not None:
        locked.conclusion = conclusion
    if locked.kind != InspectionKind.SELF:
        error = inspector_count_error(locked.kind, locked.inspectors.count())
        if error:
            raise InspectionError(error)
    results = list(locked.results.select_related("item").prefetch_related("attachments"))
    unanswered = [r for r in results if not r.outcome]
    if unanswered:
        raise InspectionError(ngettext(
            "{n} checklist item has no result yet; mark it pass, fail or not applicable before submitting.",
            "{n} checklist items have no result yet; mark each pass, fail or not applicable before submitting.",
            len(unanswered)).format(n=len(unanswered)))
    locked.status = InspectionStatus.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = actor
    locked.save()
    failed = [r for r in results if r.outcome == Outcome.FAIL]
    audit.record(AuditAction.TRANSITION, locked, changes={"status": [inspection.status, locked.status]},
                 message=_("Inspection submitted; {n} failed item(s).").format(n=len(failed)))
    hazards = []
    if failed:
        from anjian.hazards.actions import report_hazard  # hazards depends on inspections

        for r in failed:
            try:
                hazards.append(report_hazard(
                    actor=actor, enterprise=locked.enterprise, description=_hazard_description(r),
                    level=_hazard_level(r), inspection=locked, checklist_item=r.item,
                    legal_basis=r.item.basis if r.item_id else "", location=r.location or locked.place,
                    photos=[a.file for a in r.attachments.all() if a.kind == AttachmentKind.PHOTO], deadline=None,
                ))
            except ValidationError as exc:  # the whole submit is rolled back
                raise InspectionError(_("The failed item “{item}” could not be reported as a hazard: {error}").format(
                    item=r.text[:60], error=" ".join(exc.messages))) from exc
    if locked.kind != InspectionKind.SELF:
        url = reverse("inspections:detail", args=[locked.pk])
        notify(enterprise_users(locked.enterprise), _("Inspection result: {name}").format(name=locked.enterprise.name),
               _("{kind} on {date}: {n} item(s) failed.").format(kind=locked.get_kind_display(), date=locked.date,
                                                                  n=len(failed)),
               url, kind="inspections.submitted")
    inspection.status, inspection.submitted_at = locked.status, locked.submitted_at
    return hazards


def enterprise_users(enterprise: Any) -> list[Any]:
    from anjian.accounts.models import Role, User

    return list(User.objects.filter(is_active=True, role_assignments__role=Role.ENTERPRISE,
                                    role_assignments__enterprise=enterprise).distinct())


# Plans ---------------------------------------------------------------------------------

def period_of(frequency: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The plan period (first day, last day) containing ``day``."""
    if frequency == Frequency.MONTHLY:
        start = day.replace(day=1)
        end = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    elif frequency == Frequency.QUARTERLY:
        first = 3 * ((day.month - 1) // 3) + 1
        start = datetime.date(day.year, first, 1)
        end = datetime.date(day.year, first + 2, calendar.monthrange(day.year, first + 2)[1])
    else:
        start, end = datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)
    return start, end


def plan_targets(plan: InspectionPlan) -> Any:
    """The operating enterprises a plan covers: those it names, or those matching its filter."""
    from anjian.enterprises.models import Enterprise, EnterpriseStatus

    named = plan.enterprises.all()
    if named.exists():
        qs = Enterprise.objects.filter(pk__in=named.values("pk"))
    else:
        qs = Enterprise.objects.filter(area__code__startswith=area_prefix(plan.area_id))
        sector_ids = list(plan.sectors.values_list("pk", flat=True))
        if sector_ids:
            from anjian.territory.models import Sector

            sector_ids += list(Sector.objects.filter(parent__in=sector_ids).values_list("pk", flat=True))
            qs = qs.filter(pk__in=Enterprise.objects.filter(sectors__in=sector_ids).values("pk"))
        if plan.key_only:
            qs = qs.filter(key_enterprise=True)
    return qs.filter(status=EnterpriseStatus.OPERATING)


def generate_planned_inspections(today: datetime.date | None = None, plans: Iterable[InspectionPlan] | None = None) -> int:
    """Create the inspections due in the current period of every active plan. Idempotent:
    an (plan, enterprise, period) already generated is left alone. Returns how many were created."""
    today = today or timezone.localdate()
    created = 0
    if plans is None:
        plans = InspectionPlan.objects.filter(active=True, start_date__lte=today).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today)).prefetch_related("inspectors")
    for plan in plans:
        start, end = period_of(plan.frequency, today)
        have = set(Inspection.objects.filter(plan=plan, plan_period=start).values_list("enterprise_id", flat=True))
        inspector_ids = [u.pk for u in plan.inspectors.all()]
        for enterprise_id in plan_targets(plan).exclude(pk__in=have).values_list("pk", flat=True):
            try:
                with transaction.atomic():
                    inspection = Inspection.objects.create(
                        enterprise_id=enterprise_id, kind=plan.kind, date=end, status=InspectionStatus.PLANNED,
                        template=plan.template, plan=plan, plan_period=start, is_demo=plan.is_demo,
                    )
                    if inspector_ids:
                        inspection.inspectors.set(inspector_ids)
            except IntegrityError:  # generated by a concurrent run
                continue
            created += 1
    return created


# Monthly self-inspection -------------------------------------------------------------

def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def self_inspected_ids(month: datetime.date) -> Any:
    """Ids of enterprises with a submitted self-inspection dated in ``month``."""
    start = month_start(month)
    end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    return Inspection.objects.filter(kind=InspectionKind.SELF, status=InspectionStatus.SUBMITTED,
                                     date__gte=start, date__lte=end).values("enterprise_id")


def send_self_inspection_reminders(today: datetime.date | None = None) -> int:
    """On or after the reminder day, remind each operating enterprise that has not yet
    self-inspected this month. Once per enterprise and month. Returns how many were reminded."""
    from anjian.enterprises.models import Enterprise, EnterpriseStatus

    today = today or timezone.localdate()
    if today.day < settings.ANJIAN_SELF_INSPECTION_REMINDER_DAY:
        return 0
    month = month_start(today)
    pending = (Enterprise.objects.filter(status=EnterpriseStatus.OPERATING)
               .exclude(pk__in=self_inspected_ids(month))
               .exclude(pk__in=SelfInspectionReminder.objects.filter(month=month).values("enterprise_id")))
    url = reverse("inspections:self_inspect")
    reminded = 0
    for enterprise in pending.iterator():
        with transaction.atomic():
            _row, created = SelfInspectionReminder.objects.get_or_create(enterprise=enterprise, month=month)
            if not created:
                continue
            notify(enterprise_users(enterprise), _("Monthly self-inspection due: {month}").format(month=f"{month:%Y-%m}"),
                   _("{name} has not yet filed its self-inspection (企业自查) for {month}. Please complete it "
                     "before the end of the month.").format(name=enterprise.name, month=f"{month:%Y-%m}"),
                   url, kind="inspections.self_inspection_reminder")
            reminded += 1
    return reminded
