"""Test data for accidents: rows made through the models, with sensible defaults."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ..models import (
    Accident,
    AccidentEvent,
    AccidentReport,
    AccidentTypeCode,
    Accountability,
    Investigation,
    RectificationMeasure,
    StatisticsBase,
)


def aware(year: int, month: int = 6, day: int = 15, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour, minute))


def accident_type(code: str = "01", scheme: str = "GB 6441-86") -> AccidentTypeCode:
    return AccidentTypeCode.objects.get(scheme=scheme, code=code)


def make_accident(*, enterprise: Any = None, area: Any = None, sector: Any = None, occurred_at: datetime | None = None,
                  deaths: int = 0, serious_injuries: int = 0, minor_injuries: int = 0,
                  direct_loss: Decimal | int = 0, special_equipment: bool = False, type_code: str = "01",
                  reported_after: timedelta = timedelta(minutes=30), **extra: Any) -> Accident:
    """An accident (with its first report) at ``enterprise`` or, without one, in ``area`` of ``sector``."""
    if enterprise is not None:
        area = area or enterprise.area
        sector = sector or enterprise.sectors.order_by("pk").first()
    occurred_at = occurred_at or aware(2017)
    scheme = "GB 6441-2025" if occurred_at.date() >= date(2026, 7, 1) else "GB 6441-86"
    if scheme == "GB 6441-2025" and type_code == "01":
        type_code = "WSA10001"
    accident = Accident.objects.create(
        occurred_at=occurred_at, place=extra.pop("place", "车间"), area=area, enterprise=enterprise, sector=sector,
        accident_type=accident_type(type_code, scheme), deaths=deaths, serious_injuries=serious_injuries,
        minor_injuries=minor_injuries, direct_loss=Decimal(direct_loss), special_equipment=special_equipment,
        description=extra.pop("description", "事故经过"), reported_at=occurred_at + reported_after, **extra,
    )
    AccidentReport.objects.create(accident=accident, kind="first", reported_at=accident.reported_at, deaths=deaths,
                                  serious_injuries=serious_injuries, minor_injuries=minor_injuries)
    return accident


def make_investigation(accident: Accident, **extra: Any) -> Investigation:
    return Investigation.objects.create(accident=accident, leader=extra.pop("leader", "张三"),
                                        started_on=accident.occurred_on, due_on=accident.investigation_due, **extra)


def make_accountability(accident: Accident) -> Accountability:
    inv = getattr(accident, "investigation", None) or make_investigation(accident)
    return Accountability.objects.create(investigation=inv, person="李四", measure="administrative")


def make_measure(accident: Accident) -> RectificationMeasure:
    inv = Investigation.objects.filter(accident=accident).first() or make_investigation(accident)
    return RectificationMeasure.objects.create(investigation=inv, measure="开展全员安全培训")


def make_event(accident: Accident) -> AccidentEvent:
    return AccidentEvent.objects.create(accident=accident, action="recorded")


def make_base(area: Any, year: int = 2017, **figures: Any) -> StatisticsBase:
    defaults = dict(gdp=Decimal("300"), industrial_employees=100_000, special_equipment_units=20_000)
    defaults.update(figures)
    return StatisticsBase.objects.create(area=area, year=year, **defaults)
