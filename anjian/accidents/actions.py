"""Domain actions on accidents: recording, follow-up reports (续报) and the investigation.

Each action is atomic, takes the acting user, checks the role permission and
the data scope, locks the row it changes (``workflow.lock``), checks the step
in the investigation's transition table (``INVESTIGATION_TRANSITIONS``), writes
a timeline event (``AccidentEvent.record``, with its audit entry) and notifies
on commit (``workflow.notify_on_commit``): the workflow kit of
``anjian.utilities.workflow``. A rule saying no raises the kit's ``Refusal``
(409 in the API, a message on the pages; ``ActionError`` is its old name).
Views and the API call these; nothing else changes these rows.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from anjian.core import clock
from anjian.territory.supervision import departments_supervising
from anjian.utilities.models import json_value
from anjian.utilities.scoping import area_prefix, ensure_in_scope
from anjian.utilities.workflow import Refusal, lock, notify_on_commit

from .models import INVESTIGATION_TRANSITIONS as STEPS
from .models import (
    Accident,
    AccidentEvent,
    AccidentReport,
    Accountability,
    EventKind,
    Investigation,
    RectificationMeasure,
    ReportKind,
)
from .rules import Grade, grade_rank


def _clean(obj: Any) -> None:
    obj.full_clean()


# The refusal of a rule (an illegal step, figures the rules refuse): the kit's ``Refusal`` (409 in the
# API, a message on the pages). ``ActionError`` is kept as its name for code that still catches it.
ActionError = Refusal


# Fields a user enters when recording an accident (the rest is computed).
ACCIDENT_FIELDS = (
    "number", "occurred_at", "place", "area", "enterprise", "sector", "accident_type", "deaths", "serious_injuries",
    "minor_injuries", "direct_loss", "special_equipment", "description", "causes", "reported_at", "reported_by",
)
# Fields that change only through a follow-up report once the accident is recorded.
TOLL_FIELDS = ("deaths", "serious_injuries", "minor_injuries")


def _require(user: Any, perm: str, obj: Any = None) -> None:
    allowed = user.has_perm(perm, obj) if obj is not None else user.has_perm(perm)
    if not allowed:
        raise PermissionDenied(_("You may not do this."))


def _locked_accident(user: Any, accident: Accident | int, perm: str) -> Accident:
    obj = lock(Accident.objects.select_related("accident_type", "sector", "area"), accident,
               missing=_("This accident no longer exists."))
    _require(user, perm, obj)
    return obj


def _locked_investigation(user: Any, accident: Accident | int) -> Investigation:
    inv = lock(Investigation.objects.select_related("accident"), accident_id=getattr(accident, "pk", accident),
               missing=_("This accident has no investigation yet."))
    _require(user, "accidents.manage_investigation", inv.accident)
    return inv


def _event(accident: Accident, kind: str, user: Any, comment: str = "", *, step: Any = None,
           **data: Any) -> AccidentEvent:
    """Write the timeline event and the audit entry of a step (the ``data`` are the audit's changes).
    ``step``: the investigation's transition, whose statuses the event records."""
    values = {k: json_value(v) for k, v in data.items()}
    statuses = {"from_status": step.sources[0], "to_status": step.target} if step is not None and step.target else {}
    return AccidentEvent.record(accident, kind, actor=user, comment=comment, data=values, audit=kind,
                                audit_changes=values, **statuses)


def recipients(accident: Accident, *, leaders: bool = False, exclude: Any = None) -> list[Any]:
    """The users who must hear of the accident: the district office, the town of its area, the
    departments supervising its sector (and the district leaders when ``leaders``)."""
    from anjian.accounts.models import Role, RoleAssignment

    roles = [Role.DISTRICT_ADMIN, Role.TOWN, Role.DEPARTMENT] + ([Role.LEADER] if leaders else [])
    # The departments supervising its sector in effect, and the safety authority of its area.
    told = set(departments_supervising([accident.sector_id], area_code=accident.area_id).values_list("pk", flat=True))
    users: dict[int, Any] = {}
    assignments = (RoleAssignment.objects.filter(role__in=roles, user__is_active=True)
                   .select_related("user", "department"))
    for a in assignments:
        if a.role in (Role.DISTRICT_ADMIN, Role.LEADER, Role.TOWN):
            code = a.area_id or settings.ANJIAN_DISTRICT_CODE
            if a.role == Role.TOWN and not a.area_id:
                continue
            if not accident.area_id.startswith(area_prefix(code)):
                continue
        elif a.department_id not in told:
            continue
        users[a.user_id] = a.user
    if exclude is not None:
        users.pop(exclude.pk, None)
    return list(users.values())


def _url(accident: Accident) -> str:
    return reverse("accidents:detail", args=[accident.pk])


# --- accidents -----------------------------------------------------------------------------------------------

@transaction.atomic
def record_accident(user: Any, **fields: Any) -> Accident:
    """Record a new accident with its first report (首报)."""
    _require(user, "accidents.add_accident")
    unknown = set(fields) - set(ACCIDENT_FIELDS) - {"is_demo"}
    if unknown:
        raise Refusal(_("Unknown fields: {fields}").format(fields=", ".join(sorted(unknown))))
    accident = Accident(**fields)
    _clean(accident)
    for attempt in range(5):
        try:
            with transaction.atomic():  # a savepoint: a number taken meanwhile is drawn again
                accident.save()
            break
        except IntegrityError:
            if attempt == 4 or "number" in fields:
                raise
            accident.number = ""
    ensure_in_scope(user, accident, "accidents.add_accident")
    AccidentReport.objects.create(
        accident=accident, kind=ReportKind.FIRST, reported_at=accident.reported_at, deaths=accident.deaths,
        serious_injuries=accident.serious_injuries, minor_injuries=accident.minor_injuries,
        direct_loss=accident.direct_loss, text=accident.description, reporter=user, within_window=True,
        toll_changed=False,
    )
    _event(accident, EventKind.RECORDED, user, grade=accident.grade, late=accident.reported_late)
    serious = grade_rank(accident.grade) >= grade_rank(Grade.LARGER)
    title = _("Accident: {title} ({grade}, {deaths} dead)").format(
        title=accident.title, grade=accident.get_grade_display(), deaths=accident.deaths)
    notify_on_commit(recipients(accident, leaders=serious), title, accident.description[:500], _url(accident),
                     kind="accidents.recorded", sms=serious, actor=user)
    return accident


@transaction.atomic
def update_accident(user: Any, accident: Accident | int, **fields: Any) -> Accident:
    """Correct the record of an accident. The toll changes only through a follow-up report."""
    obj = _locked_accident(user, accident, "accidents.change_accident")
    blocked = set(fields) & set(TOLL_FIELDS)
    changed_toll = [f for f in blocked if getattr(obj, f) != fields[f]]
    if changed_toll:
        raise Refusal(_("Deaths and injuries change through a follow-up report (续报), not by editing."))
    unknown = set(fields) - set(ACCIDENT_FIELDS)
    if unknown:
        raise Refusal(_("Unknown fields: {fields}").format(fields=", ".join(sorted(unknown))))
    before = obj.grade
    for name, value in fields.items():
        setattr(obj, name, value)
    _clean(obj)
    obj.version += 1
    obj.save()
    ensure_in_scope(user, obj, "accidents.change_accident")
    if obj.grade != before:
        _grade_changed(user, obj, before)
    return obj


def _grade_changed(user: Any, accident: Accident, before: str) -> None:
    _event(accident, EventKind.GRADE_CHANGED, user, before=before, after=accident.grade)
    raised = grade_rank(accident.grade) > grade_rank(before)
    title = _("Accident grade changed: {title} is now {grade}").format(
        title=accident.title, grade=accident.get_grade_display())
    notify_on_commit(recipients(accident, leaders=raised and grade_rank(accident.grade) >= grade_rank(Grade.LARGER)),
                     title, "", _url(accident), kind="accidents.grade_changed", sms=raised, actor=user)


@transaction.atomic
def add_follow_up_report(user: Any, accident: Accident | int, *, reported_at: datetime, deaths: int,
                         serious_injuries: int, minor_injuries: int, direct_loss: Decimal | None = None,
                         text: str = "") -> AccidentReport:
    """A 续报: the toll at ``reported_at``. Within the 补报 window (30 days, 7 for road traffic and fire,
    第十三条) it becomes the accident's toll and may change its grade; after it, it is recorded only."""
    obj = _locked_accident(user, accident, "accidents.add_accidentreport")
    if reported_at < obj.reported_at:
        raise Refusal(_("A follow-up report cannot come before the first report."))
    if reported_at > clock.now() + timedelta(minutes=5):
        raise Refusal(_("The time of the report is in the future."))
    if min(deaths, serious_injuries, minor_injuries) < 0 or (direct_loss is not None and direct_loss < 0):
        raise Refusal(_("Figures cannot be negative."))
    within = obj.in_follow_up_window(reported_at)
    toll = (deaths, serious_injuries, minor_injuries)
    toll_changed = toll != (obj.deaths, obj.serious_injuries, obj.minor_injuries)
    report = AccidentReport.objects.create(
        accident=obj, kind=ReportKind.FOLLOW_UP, reported_at=reported_at, deaths=deaths,
        serious_injuries=serious_injuries, minor_injuries=minor_injuries, direct_loss=direct_loss, text=text,
        reporter=user, within_window=within, toll_changed=toll_changed,
    )
    before = obj.grade
    changed = False
    if within and toll_changed:
        obj.deaths, obj.serious_injuries, obj.minor_injuries = toll
        changed = True
    if direct_loss is not None and direct_loss != obj.direct_loss:
        obj.direct_loss = direct_loss
        changed = True
    if changed:
        obj.version += 1
        obj.save()
    _event(obj, EventKind.FOLLOW_UP, user, text, deaths=deaths, serious_injuries=serious_injuries,
           minor_injuries=minor_injuries, within_window=within, toll_changed=toll_changed)
    if obj.grade != before:
        _grade_changed(user, obj, before)
    elif toll_changed:
        title = _("Follow-up report: {title}, {deaths} dead").format(title=obj.title, deaths=deaths)
        notify_on_commit(recipients(obj), title, text[:500], _url(obj), kind="accidents.follow_up", actor=user)
    return report


# --- investigation -------------------------------------------------------------------------------------------

@transaction.atomic
def start_investigation(user: Any, accident: Accident | int, *, leader: str, started_on: date,
                        members: str = "", organised_by: str = "") -> Investigation:
    obj = _locked_accident(user, accident, "accidents.manage_investigation")
    if Investigation.objects.filter(accident=obj).exists():
        raise Refusal(_("This accident is already under investigation."))
    if not leader.strip():
        raise Refusal(_("An investigation needs a team leader (事故调查组组长负责制)."))
    if started_on < obj.occurred_on:
        raise Refusal(_("The investigation cannot start before the accident."))
    inv = Investigation.objects.create(accident=obj, leader=leader.strip(), members=members,
                                       organised_by=organised_by, started_on=started_on,
                                       due_on=obj.investigation_due)
    _event(obj, EventKind.INVESTIGATION_STARTED, user, leader=inv.leader, due_on=inv.due_on)
    notify_on_commit(recipients(obj), _("Investigation started: {title}").format(title=obj.title),
                     _("Team leader: {leader}; report due {due}.").format(leader=inv.leader, due=inv.due_on.isoformat()),
                     _url(obj), kind="accidents.investigation", actor=user)
    return inv


@transaction.atomic
def extend_investigation(user: Any, accident: Accident | int, *, days: int, reason: str) -> Investigation:
    """Extend the report deadline (第二十九条: at most 60 days in all, with a reason)."""
    inv = _locked_investigation(user, accident)
    if not reason.strip():
        raise Refusal(_("An extension needs a reason."))
    STEPS.check(inv, "extend", user)
    if not inv.can_extend(days):
        left = inv.rules.investigation_max_extension_days - inv.extension_days
        raise Refusal(_("The extension may be 1 to {left} more days (at most {max} in all).").format(
            left=left, max=inv.rules.investigation_max_extension_days))
    inv.extension_days += days
    inv.extension_reason = (inv.extension_reason + "\n" if inv.extension_reason else "") + reason.strip()
    inv.due_on = inv.accident.investigation_due + timedelta(days=inv.extension_days)
    inv.version += 1
    inv.save()
    _event(inv.accident, EventKind.INVESTIGATION_EXTENDED, user, reason, days=days, due_on=inv.due_on)
    return inv


@transaction.atomic
def submit_investigation_report(user: Any, accident: Accident | int, *, submitted_on: date, direct_cause: str,
                                nature: str, summary: str = "", indirect_cause: str = "",
                                report_file: Any = None) -> Investigation:
    inv = _locked_investigation(user, accident)
    step = STEPS.check(inv, "submit_report", user)
    if not direct_cause.strip() or not nature:
        raise Refusal(_("The report states the cause and the nature of the accident (第三十条)."))
    if submitted_on < inv.started_on:
        raise Refusal(_("The report cannot be submitted before the investigation started."))
    inv.report_submitted_on = submitted_on
    inv.direct_cause, inv.indirect_cause, inv.nature, inv.report_summary = direct_cause, indirect_cause, nature, summary
    if report_file is not None:
        inv.report_file = report_file
    inv.status = step.target
    _clean(inv)
    inv.version += 1
    inv.save()
    late = submitted_on > inv.due_on
    _event(inv.accident, EventKind.REPORT_SUBMITTED, user, summary, step=step, late=late, nature=nature)
    return inv


@transaction.atomic
def approve_investigation(user: Any, accident: Accident | int, *, approved_on: date,
                          reference: str = "") -> Investigation:
    """The government's 批复 of the report (第三十二条: within 15 days, 30 for 特别重大)."""
    inv = _locked_investigation(user, accident)
    step = STEPS.check(inv, "approve", user)
    if approved_on < inv.report_submitted_on:
        raise Refusal(_("The approval cannot come before the report."))
    inv.approved_on, inv.approval_reference = approved_on, reference
    inv.status = step.target
    inv.version += 1
    inv.save()
    _event(inv.accident, EventKind.REPORT_APPROVED, user, reference, step=step, late=approved_on > inv.approval_due)
    measures = list(inv.measures.all())
    if measures:
        notify_on_commit(recipients(inv.accident),
                         _("Rectification measures to check: {title}").format(title=inv.accident.title),
                         _("{n} measure(s) of the approved report.").format(n=len(measures)),
                         _url(inv.accident), kind="accidents.measures", actor=user)
    return inv


@transaction.atomic
def add_accountability(user: Any, accident: Accident | int, *, person: str, measure: str, position: str = "",
                       details: str = "", fine_yuan: Decimal | None = None) -> Accountability:
    inv = _locked_investigation(user, accident)
    STEPS.check(inv, "edit_findings", user)
    row = Accountability(investigation=inv, person=person, position=position, measure=measure, details=details,
                         fine_yuan=fine_yuan)
    _clean(row)
    row.save()
    _event(inv.accident, EventKind.ACCOUNTABILITY_ADDED, user, details, person=person, measure=measure)
    return row


@transaction.atomic
def add_rectification_measure(user: Any, accident: Accident | int, *, measure: str, responsible: str = "",
                              deadline: date | None = None) -> RectificationMeasure:
    inv = _locked_investigation(user, accident)
    STEPS.check(inv, "edit_findings", user)
    row = RectificationMeasure(investigation=inv, measure=measure, responsible=responsible, deadline=deadline)
    _clean(row)
    row.save()
    _event(inv.accident, EventKind.MEASURE_ADDED, user, measure=measure[:100], responsible=responsible,
           deadline=deadline.isoformat() if deadline else None)
    return row


@transaction.atomic
def check_rectification_measure(user: Any, measure: RectificationMeasure | int, *, done: bool, checked_on: date,
                                result: str) -> RectificationMeasure:
    """The follow-up check (整改措施落实情况核查) of one measure."""
    row = lock(RectificationMeasure.objects.select_related("investigation__accident"), measure,
               missing=_("This measure no longer exists."))
    inv = _locked_investigation(user, row.investigation.accident_id)
    STEPS.check(inv, "check_measures", user)
    if not result.strip():
        raise Refusal(_("Say what the check found."))
    row.done, row.checked_on, row.check_result, row.checked_by = done, checked_on, result.strip(), user
    row.version += 1
    row.save()
    _event(inv.accident, EventKind.MEASURE_CHECKED, user, result, measure=row.measure[:100], done=done)
    return row


@transaction.atomic
def close_investigation(user: Any, accident: Accident | int, *, closed_on: date | None = None) -> Investigation:
    inv = _locked_investigation(user, accident)
    step = STEPS.check(inv, "close", user)
    inv.status = step.target
    inv.closed_on = closed_on or clock.today()
    inv.version += 1
    inv.save()
    _event(inv.accident, EventKind.CLOSED, user, step=step)
    return inv
