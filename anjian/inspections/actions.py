"""Inspection workflow as domain functions: start, record results, attach photos,
submit (failed items become hazards), generate planned inspections, remind
enterprises of their monthly self-inspection.

Each function is atomic, takes the acting user, locks the inspection
(``workflow.lock``), checks the step in ``INSPECTION_TRANSITIONS`` (the status
and its guards: enough inspectors, every item answered), writes the timeline
event (``InspectionEvent.record``, with the audit entry of a status change) and
notifies on commit: the workflow kit of ``anjian.utilities.workflow``. A rule
saying no raises the kit's ``Refusal`` (``InspectionError`` is its old name).
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

from anjian.core import clock
from anjian.utilities.scoping import area_prefix, ensure_in_scope
from anjian.utilities.workflow import Refusal, lock, notify_on_commit

from .models import INSPECTION_TRANSITIONS as STEPS
from .models import (
    AttachmentKind,
    Frequency,
    Inspection,
    InspectionAttachment,
    InspectionEvent,
    InspectionKind,
    InspectionPlan,
    InspectionResult,
    InspectionStatus,
    Outcome,
    SelfInspectionReminder,
    inspector_count_error,
)
from .uploads import validate_document, validate_photo

# A rule of the workflow saying no is the kit's ``Refusal`` (409 in the API, a message on the
# pages); ``InspectionError`` is kept as its name for code that still catches it.
InspectionError = Refusal

# Where a submission may correct the inspection's place on the way.
PLACE_FIELDS = ("place", "latitude", "longitude")


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
            raise Refusal(error)
    inspection = Inspection.objects.create(
        enterprise=enterprise, kind=kind, date=date, template=template, place=place, latitude=latitude,
        longitude=longitude, campaign=campaign, record_number=record_number, created_by=actor,
        status=InspectionStatus.DRAFT,
    )
    if inspectors:
        inspection.inspectors.set(inspectors)
    InspectionResult.objects.bulk_create(_result_rows(inspection))
    ensure_in_scope(actor, inspection, "inspections.add_inspection")
    InspectionEvent.record(inspection, "start", actor=actor, to_status=inspection.status,
                           data={"kind": kind, "inspectors": len(inspectors)})
    return inspection


@transaction.atomic
def begin_planned(actor: Any, inspection: Inspection) -> Inspection:
    """A planned (generated) inspection becomes a draft when an inspector opens it."""
    locked = _lock(inspection)
    if locked.status != InspectionStatus.PLANNED:
        return locked
    step = STEPS.check(locked, "begin", actor)
    locked.status = step.target
    locked.save(update_fields=["status", "last_updated"])
    if not locked.results.exists():
        InspectionResult.objects.bulk_create(_result_rows(locked))
    InspectionEvent.record(locked, "begin", actor=actor, from_status=InspectionStatus.PLANNED, to_status=step.target)
    return locked


def _lock(inspection: Inspection | int) -> Inspection:
    return lock(Inspection.objects.all(), inspection, missing=_("This inspection no longer exists."))


def _editable(inspection: Inspection) -> None:
    if not inspection.is_editable:
        raise Refusal(_("This inspection was submitted on {date}; it can no longer be changed.").format(
            date=timezone.localtime(inspection.submitted_at).strftime("%Y-%m-%d %H:%M")
            if inspection.submitted_at else "-"))


@transaction.atomic
def record_result(actor: Any, result: InspectionResult, *, outcome: str, note: str | None = None,
                  location: str | None = None) -> InspectionResult:
    row = lock(InspectionResult.objects.select_related("inspection"), result,
               missing=_("This checklist item is no longer part of the inspection."))
    _editable(row.inspection)
    if outcome not in Outcome.values and outcome != "":
        raise Refusal(_("“{value}” is not a result; use pass, fail or not applicable.").format(value=outcome))
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
    locked = _lock(inspection)
    _editable(locked)
    if not content.strip():
        raise Refusal(_("Describe what was found."))
    last = locked.results.order_by("-order").values_list("order", flat=True).first() or 0
    row = InspectionResult.objects.create(inspection=locked, content=content.strip(), outcome=outcome,
                                          note=note, location=location, order=last + 1)
    InspectionEvent.record(locked, "finding", actor=actor, comment=row.content, audit=False,
                           data={"result": row.pk, "outcome": outcome})
    return row


@transaction.atomic
def add_attachment(actor: Any, inspection: Inspection, upload: Any, *, kind: str = AttachmentKind.PHOTO,
                   result: InspectionResult | None = None) -> InspectionAttachment:
    """Attach a photo (of an item) or a document of the record; checked by content and size."""
    inspection = _lock(inspection)
    _editable(inspection)
    try:
        content_type = validate_photo(upload) if kind == AttachmentKind.PHOTO else validate_document(upload)
    except ValidationError as exc:
        raise Refusal(" ".join(exc.messages)) from exc
    if result is not None and result.inspection_id != inspection.pk:
        raise Refusal(_("That result belongs to another inspection."))
    name = upload.name.rsplit("/", 1)[-1][:200]
    attachment = InspectionAttachment(inspection=inspection, result=result, kind=kind, original_name=name,
                                      content_type=content_type, size=upload.size, uploaded_by=actor)
    attachment.file.save(name, upload, save=False)
    attachment.save()
    InspectionEvent.record(inspection, "attachment", actor=actor, comment=name, audit=False,
                           data={"attachment": attachment.pk, "kind": kind, "result": getattr(result, "pk", None)})
    return attachment


def _hazard_level(result: InspectionResult) -> str:
    return "major" if result.item_id and result.item.major_criterion else "general"


def _hazard_description(result: InspectionResult) -> str:
    text = result.text
    if result.note:
        text = f"{text}\n{result.note}"
    return text


@transaction.atomic
def submit_inspection(actor: Any, inspection: Inspection, *, conclusion: str | None = None,
                      **place: Any) -> list[Any]:
    """Submit the inspection; each failed item becomes a prefilled hazard. Returns the hazards.

    ``place`` may correct ``place``, ``latitude`` and ``longitude`` on the way (an empty value
    keeps the recorded one); the corrections are in the event's data."""
    unknown = set(place) - set(PLACE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown field(s): {names}.").format(names=", ".join(sorted(unknown))))
    locked = _lock(inspection)
    step = STEPS.check(locked, "submit", actor)
    before = locked.status
    if conclusion is not None:
        locked.conclusion = conclusion
    corrected = {}
    for name, value in place.items():
        if value not in (None, "") and getattr(locked, name) != value:
            corrected[name] = value
            setattr(locked, name, value)
    if corrected:
        locked.full_clean(exclude=[f.name for f in locked._meta.fields if f.name not in corrected])
    results = list(locked.results.select_related("item").prefetch_related("attachments"))
    locked.status = step.target
    locked.submitted_at = clock.now()
    locked.submitted_by = actor
    locked.save()
    failed = [r for r in results if r.outcome == Outcome.FAIL]
    event = InspectionEvent.record(
        locked, "submit", actor=actor, from_status=before, to_status=locked.status, comment=locked.conclusion,
        data={"failed": len(failed), **({"corrected": corrected} if corrected else {})},
        audit=_("Inspection submitted; {n} failed item(s).").format(n=len(failed)))
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
                raise Refusal(_("The failed item “{item}” could not be reported as a hazard: {error}").format(
                    item=r.text[:60], error=" ".join(exc.messages))) from exc
    if locked.kind != InspectionKind.SELF:
        url = reverse("inspections:detail", args=[locked.pk])
        notify_on_commit(enterprise_users(locked.enterprise),
                         _("Inspection result: {name}").format(name=locked.enterprise.name),
                         _("{kind} on {date}: {n} item(s) failed.").format(
                             kind=locked.get_kind_display(), date=locked.date, n=len(failed)),
                         url, kind="inspections.submitted", actor=actor)
    if hazards:
        event.data["hazards"] = [h.pk for h in hazards]
        event.save(update_fields=["data", "last_updated"])
    for name in ("status", "submitted_at", "submitted_by", "conclusion", *PLACE_FIELDS):
        setattr(inspection, name, getattr(locked, name))
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
    today = today or clock.today()
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

    today = today or clock.today()
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
            notify_on_commit(enterprise_users(enterprise),
                             _("Monthly self-inspection due: {month}").format(month=f"{month:%Y-%m}"),
                             _("{name} has not yet filed its self-inspection (企业自查) for {month}. Please complete "
                               "it before the end of the month.").format(name=enterprise.name, month=f"{month:%Y-%m}"),
                             url, kind="inspections.self_inspection_reminder")
            reminded += 1
    return reminded
