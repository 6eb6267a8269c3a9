"""Enterprise hazard statistics reports (隐患排查治理统计分析表, 16号令第十四条).

Each enterprise files one per quarter (by the 15th of the first month of the next
quarter) and one per year (by 31 January); the deadlines are data
(``data/hazard_rules.json``). The figures are generated from the enterprise's own
hazard records for the period, in the customary columns:

=====================  ==============================================================
一般隐患 排查数        general hazards found in the period
一般隐患 已整改数      of those, rectified (submitted or verified) by now
一般隐患 整改率        已整改 / 排查
重大隐患 排查数        major hazards found in the period
重大隐患 已整改销号数  of those, verified and closed (销号)
重大隐患 整改率        销号 / 排查
列入治理计划           of those, with a remediation plan
挂牌督办               of those, listed for supervision (挂牌督办) at any level
落实治理资金 (元)      funds of the period's hazards (the hazard's, else its plan's)
=====================  ==============================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, DecimalField, Exists, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from anjian.core import audit, clock
from anjian.core.models import AuditAction
from anjian.indicators.registry import Period
from anjian.utilities.workflow import Refusal

from . import rules
from .models import (
    DONE_STATUSES,
    Hazard,
    HazardLevel,
    HazardReport,
    HazardStatus,
    ReportStatus,
    SupervisionListing,
)

FIGURES = ("general_found", "general_rectified", "major_found", "major_closed", "major_in_plan", "major_listed",
           "funds")


def period_of(year: int, quarter: int) -> Period:
    return Period.quarter(year, quarter) if quarter else Period.year(year)


def check_period(year: int, quarter: int, today: date | None = None) -> None:
    today = today or clock.today()
    if quarter not in (0, 1, 2, 3, 4):
        raise ValidationError({"quarter": [_("The quarter is 1 to 4, or 0 for the annual report.")]})
    if year < 2000 or period_of(year, quarter).end >= today:
        raise ValidationError(_("A report covers a period that has ended."))


def figures(enterprise: Any, year: int, quarter: int) -> dict[str, Any]:
    """The report's figures generated from the enterprise's hazard records (one query)."""
    p = period_of(year, quarter)
    qs = Hazard.objects.filter(enterprise=enterprise, found_on__gte=p.start, found_on__lte=p.end)
    return _aggregate(qs)


def _aggregate(qs: QuerySet) -> dict[str, Any]:
    major = Q(level=HazardLevel.MAJOR)
    listed = Exists(SupervisionListing.objects.filter(hazard=OuterRef("pk")))
    out = qs.annotate(is_listed=listed).aggregate(
        general_found=Count("pk", filter=Q(level=HazardLevel.GENERAL)),
        general_rectified=Count("pk", filter=Q(level=HazardLevel.GENERAL, status__in=DONE_STATUSES)),
        major_found=Count("pk", filter=major),
        major_closed=Count("pk", filter=major & Q(status=HazardStatus.VERIFIED)),
        major_in_plan=Count("pk", filter=major & Q(plan__isnull=False)),
        major_listed=Count("pk", filter=major & Q(is_listed=True)),
        funds=Coalesce(Sum(Coalesce("funds", "plan__funds", Value(Decimal(0)),
                                    output_field=DecimalField(max_digits=16, decimal_places=2))),
                       Value(Decimal(0)), output_field=DecimalField(max_digits=16, decimal_places=2)),
    )
    return out


def submit_report(*, actor: Any, enterprise: Any, year: int, quarter: int, principal: str,
                  notes: str = "") -> HazardReport:
    """Generate the figures and submit the report, signed by the principal (主要负责人)."""
    if not actor.has_perm("hazards.submit_hazardreport", enterprise):
        raise PermissionDenied(_("Only the enterprise itself submits its hazard statistics report."))
    check_period(year, quarter)
    if not (principal or "").strip():
        raise ValidationError({"principal": [_("The report is signed by the enterprise's principal (主要负责人).")]})
    with transaction.atomic():
        report, _created = HazardReport.objects.select_for_update().get_or_create(
            enterprise=enterprise, year=year, quarter=quarter)
        if report.status == ReportStatus.SUBMITTED:
            raise Refusal(_("The report for {period} was already submitted on {day}.").format(
                period=report.period_label, day=report.submitted_on))
        for name, value in figures(enterprise, year, quarter).items():
            setattr(report, name, value)
        report.principal, report.notes = principal.strip(), notes
        report.status, report.submitted_at, report.submitted_by = ReportStatus.SUBMITTED, clock.now(), actor
        report.save()
        audit.record(AuditAction.TRANSITION, report, changes={"status": ["draft", "submitted"]},
                     message="late" if report.is_late else "on time")
    return report


@dataclass
class FilingRow:
    enterprise: Any
    report: HazardReport | None
    deadline: date
    state: str  # on_time | late | missing | not_due

    @property
    def state_label(self) -> str:
        return str({"on_time": _("on time"), "late": _("late"), "missing": _("not filed, overdue"),
                    "not_due": _("not yet due")}[self.state])


def filing_status(enterprises: QuerySet, year: int, quarter: int, today: date | None = None) -> list[FilingRow]:
    """Who filed the report for the period on time, late, or not at all (two queries)."""
    today = today or clock.today()
    deadline = rules.report_deadline(year, quarter or None)
    reports = {r.enterprise_id: r for r in HazardReport.objects.filter(
        enterprise__in=enterprises, year=year, quarter=quarter, status=ReportStatus.SUBMITTED)}
    rows = []
    for e in enterprises:
        r = reports.get(e.pk)
        if r is not None:
            state = "late" if r.submitted_on and r.submitted_on > deadline else "on_time"
        else:
            state = "missing" if today > deadline else "not_due"
        rows.append(FilingRow(e, r, deadline, state))
    return rows


def filing_periods(today: date | None = None, count: int = 6) -> list[tuple[int, int]]:
    """The most recent ended periods (year, quarter; 0 for the year), newest first."""
    today = today or clock.today()
    out: list[tuple[int, int]] = []
    y, q = today.year, (today.month - 1) // 3  # the last ended quarter
    if q == 0:
        y, q = y - 1, 4
    while len(out) < count:
        out.append((y, q))
        if q == 4:
            out.append((y, 0))
        y, q = (y, q - 1) if q > 1 else (y - 1, 4)
    return out[:count]
