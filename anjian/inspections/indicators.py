"""The plan's hazard-investigation indicators that rest on inspections (二、主要目标（二）).

Definitions and their sources: docs/inspections.md and data/inspection_rules.json.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.utilities.indicators import IndicatorResult, IndicatorScope, Period, indicator

from . import rules
from .coverage import OperatingCalendar, coverage
from .models import (
    AttachmentKind,
    Inspection,
    InspectionAttachment,
    InspectionKind,
    InspectionStatus,
)


def _enterprises(scope: IndicatorScope):  # type: ignore[no-untyped-def]
    from anjian.enterprises.models import Enterprise

    return scope.restrict(Enterprise.objects.all(), enterprise="pk")


@indicator(
    "inspections.self_inspection_coverage", _("Monthly self-inspection coverage (每月自查覆盖率)"), unit="%",
    description=_("Enterprises operating in a month that filed a self-inspection in it, over the enterprises "
                  "operating in it; for a longer period, covered enterprise-months over operating "
                  "enterprise-months of the months that have begun."),
    rows_label=_("self-inspections"), feeds=_("Submitted enterprise self-inspections (企业自查)."),
    tags=("plan_2017", "hazards"),
)
def self_inspection_coverage(scope: IndicatorScope, period: Period) -> IndicatorResult:
    enterprises = _enterprises(scope)
    result = coverage(enterprises, period)
    rows = Inspection.objects.filter(
        kind=InspectionKind.SELF, status=InspectionStatus.SUBMITTED, date__gte=period.start, date__lte=period.end,
        enterprise__in=result.operating_ids,
    )
    return IndicatorResult.ratio(result.numerator, result.denominator, scale=100, places=2, rows=rows,
                                 denominator_rows=enterprises.filter(pk__in=result.operating_ids))


@indicator(
    "inspections.key_enforcement_coverage", _("Key-enterprise enforcement coverage (重点企业执法检查覆盖率)"),
    unit="%",
    description=_("Key enterprises operating in the period with at least one submitted enforcement or routine "
                  "inspection in it, over the key enterprises operating in it."),
    rows_label=_("enterprises"), feeds=_("Submitted enforcement and routine inspections of key enterprises."),
    tags=("plan_2017", "hazards"),
)
def key_enforcement_coverage(scope: IndicatorScope, period: Period) -> IndicatorResult:
    key = _enterprises(scope).filter(key_enterprise=True)
    operating = OperatingCalendar.of(key).operating_during(period)
    inspected = Inspection.objects.filter(
        enterprise=OuterRef("pk"), kind__in=rules.key_enforcement_kinds(), status=InspectionStatus.SUBMITTED,
        date__gte=period.start, date__lte=period.end,
    )
    denominator = key.filter(pk__in=operating)
    covered = denominator.filter(Exists(inspected))
    return IndicatorResult.ratio(covered.count(), len(operating), scale=100, places=2, rows=covered,
                                 denominator_rows=denominator)


def filed_q():  # type: ignore[no-untyped-def]
    """A filed record: submitted, with a conclusion and at least one document attached."""
    documents = InspectionAttachment.objects.filter(inspection=OuterRef("pk"), kind=AttachmentKind.DOCUMENT)
    return Exists(documents)


@indicator(
    "inspections.special_filing_rate", _("Special (enforcement) filing rate (专项(执法)登记建档率)"), unit="%",
    description=_("Special-campaign and enforcement inspections held in the period whose record is filed "
                  "(submitted, with a conclusion and at least one document), over those inspections."),
    rows_label=_("inspections"), feeds=_("Special-campaign and enforcement inspections."),
    tags=("plan_2017", "hazards"),
)
def special_filing_rate(scope: IndicatorScope, period: Period) -> IndicatorResult:
    held = scope.restrict(Inspection.objects.all(), enterprise="enterprise").filter(
        kind__in=rules.special_filing_kinds(), date__gte=period.start,
        date__lte=min(period.end, timezone.localdate()),
    ).exclude(status=InspectionStatus.PLANNED)
    filed = held.filter(filed_q(), status=InspectionStatus.SUBMITTED).exclude(conclusion="")
    return IndicatorResult.ratio(filed.count(), held.count(), scale=100, places=2, rows=filed,
                                 denominator_rows=held)
