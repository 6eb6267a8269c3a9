"""Monthly self-inspection coverage and the enterprises "operating" in a period.

Definitions (docs/inspections.md):

* An enterprise is **operating in a month** if it was operating at some point of
  that month: it was established (成立日期, ``established_on``; unknown: long before)
  by the month's last day, and its status is operating now, or it left ``operating`` (closed or
  suspended) on or after the month's first day. The date it left is the last
  status change recorded for it in the change log; a non-operating enterprise
  with no recorded change is taken as not operating in any month.
* It **self-inspected in a month** if it has a submitted self-inspection
  (企业自查) dated in that month.
* **Coverage of a month** = enterprises operating in the month that
  self-inspected in it / enterprises operating in the month.
* **Coverage of a longer period** (a quarter, a year) = the sum over its months
  of those numerators / the sum of those denominators, i.e. covered
  enterprise-months / operating enterprise-months, the average of the monthly
  coverages weighted by the number of enterprises. Only months that have begun
  (first day ≤ today) count, so a year in progress is not dragged down by the
  months still to come; the current month counts with what was filed so far.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone

from anjian.core import clock
from anjian.indicators.registry import Period

from .models import Inspection, InspectionKind, InspectionStatus


def months_of(period: Period, today: datetime.date | None = None) -> list[Period]:
    """The months that intersect ``period`` and have begun by ``today``."""
    today = today or clock.today()
    months = []
    y, m = period.start.year, period.start.month
    while (y, m) <= (period.end.year, period.end.month):
        first = datetime.date(y, m, 1)
        if first > today:
            break
        months.append(Period.month(y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def existed_by(day: datetime.date, enterprise: str = "") -> Q:
    """The enterprise (``enterprise``: its path, "" on Enterprise) was established (成立日期) by
    ``day``; an unknown date counts as long before."""
    established = f"{enterprise}established_on"
    return Q(**{f"{established}__isnull": True}) | Q(**{f"{established}__lte": day})


def first_month_existed(months: Sequence[datetime.date], first: int = 0) -> Case:
    """SQL, on an enterprise: the index (from ``first``) among ``months`` (their first days,
    ascending) of the first month it existed in: ``first`` when its date is unknown or before
    them, ``first + len(months)`` when after them."""
    whens = [When(established_on__isnull=True, then=Value(first))]
    whens += [When(established_on__lte=m.replace(day=calendar.monthrange(m.year, m.month)[1]), then=Value(first + i))
              for i, m in enumerate(months)]
    return Case(*whens, default=Value(first + len(months)), output_field=IntegerField())


def since(day: datetime.date) -> datetime.datetime:
    """The first moment of ``day`` (local time), to compare with "operating until"."""
    return _since(day, timezone.get_current_timezone_name())


@lru_cache(maxsize=4096)
def _since(day: datetime.date, tz: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# An enterprise operating now is operating "until" this moment (later than any period).
OPERATING_FOREVER = since(datetime.date(9999, 12, 31))


def leaving_entries(ref: str = "pk") -> Any:
    """The change-log entries in which the enterprise ``OuterRef(ref)`` left ``operating`` (closed
    or suspended), the latest first (in the order written)."""
    from anjian.core.models import AuditEntry
    from anjian.enterprises.models import EnterpriseStatus

    away = [s for s in EnterpriseStatus.values if s != EnterpriseStatus.OPERATING]
    return (AuditEntry.objects
            .filter(object_type="enterprises.enterprise", object_id=Cast(OuterRef(ref), output_field=CharField()))
            .filter(changes__status__1__in=away)
            .order_by("-id"))


def left_operating_at(ref: str = "pk") -> Subquery:
    """SQL: when the enterprise ``OuterRef(ref)`` last left ``operating`` (closed or suspended),
    from the change log (``leaving_entries``), or NULL when none is recorded."""
    return Subquery(leaving_entries(ref).values("timestamp")[:1], output_field=DateTimeField())


def operating_until(enterprise: str = "") -> Case:
    """SQL: until when an enterprise was operating: OPERATING_FOREVER while it operates, the
    moment it left otherwise (NULL if no change is recorded: then it operated in no month).

    ``enterprise`` is the path to the enterprise ("" on Enterprise itself, "enterprise__" on
    a row of an enterprise). An enterprise is operating in a month (or any period) when this
    moment is on or after the start of the month's first day (``since(first day)``). The
    change log is read only for the enterprises not operating now (the CASE does not evaluate
    the subquery for the others)."""
    from anjian.enterprises.models import EnterpriseStatus

    ref = f"{enterprise}id" if enterprise else "pk"
    return Case(When(**{f"{enterprise}status": EnterpriseStatus.OPERATING}, then=Value(OPERATING_FOREVER)),
                default=left_operating_at(ref), output_field=DateTimeField())


def left_operating_on(enterprise_ids: Any) -> dict[int, datetime.date]:
    """For non-operating enterprises (ids, or a queryset of them): the day they left operating."""
    from anjian.enterprises.models import Enterprise, EnterpriseStatus

    qs = (Enterprise.objects.filter(pk__in=enterprise_ids).exclude(status=EnterpriseStatus.OPERATING)
          .annotate(_left=left_operating_at()).filter(_left__isnull=False).values_list("pk", "_left"))
    return {pk: timezone.localtime(moment).date() for pk, moment in qs}


@dataclass
class OperatingCalendar:
    """Which of a set of enterprises were operating in which month."""

    always: set[int]  # operating now
    left: dict[int, datetime.date]  # closed/suspended, with the date they left operating
    started: dict[int, datetime.date] = field(default_factory=dict)  # established on (when known)

    @classmethod
    def of(cls, enterprises: QuerySet) -> OperatingCalendar:
        always: set[int] = set()
        left: dict[int, datetime.date] = {}
        started: dict[int, datetime.date] = {}
        for pk, until, established in (enterprises.annotate(_until=operating_until())
                                       .values_list("pk", "_until", "established_on")):
            if until is None:
                continue
            if established is not None:
                started[pk] = established
            if until >= OPERATING_FOREVER:
                always.add(pk)
            else:
                left[pk] = timezone.localtime(until).date()
        return cls(always, left, started)

    def operating_in(self, month: Period) -> set[int]:
        return self.operating_during(month)

    def operating_during(self, period: Period) -> set[int]:
        """Operating at some point of ``period``: established by its end, not left before its start."""
        ids = self.always | {pk for pk, day in self.left.items() if day >= period.start}
        return ids - {pk for pk, day in self.started.items() if day > period.end}


def self_inspection_months(enterprises: QuerySet, period: Period) -> dict[datetime.date, set[int]]:
    """{first day of month: ids of enterprises that self-inspected in it} within ``period``."""
    rows = (Inspection.objects.filter(kind=InspectionKind.SELF, status=InspectionStatus.SUBMITTED,
                                      date__gte=period.start, date__lte=period.end,
                                      enterprise__in=enterprises.values("pk"))
            .annotate(month=TruncMonth("date")).values_list("month", "enterprise_id").distinct())
    out: dict[datetime.date, set[int]] = defaultdict(set)
    for month, enterprise_id in rows:
        if isinstance(month, datetime.datetime):
            month = month.date()
        out[month].add(enterprise_id)
    return out


@dataclass
class Coverage:
    numerator: int = 0  # covered enterprise-months
    denominator: int = 0  # operating enterprise-months
    months: list[tuple[Period, int, int]] = field(default_factory=list)  # (month, covered, operating)
    operating_ids: set[int] = field(default_factory=set)  # operating in at least one month
    missing_ids: set[int] = field(default_factory=set)  # operating in the last month, not self-inspected

    @property
    def percent(self) -> float | None:
        return round(100 * self.numerator / self.denominator, 1) if self.denominator else None


def coverage(enterprises: QuerySet, period: Period, today: datetime.date | None = None) -> Coverage:
    months = months_of(period, today)
    result = Coverage()
    if not months:
        return result
    cal = OperatingCalendar.of(enterprises)
    done = self_inspection_months(enterprises, Period(months[0].start, months[-1].end))
    for month in months:
        operating = cal.operating_in(month)
        covered = operating & done.get(month.start, set())
        result.months.append((month, len(covered), len(operating)))
        result.numerator += len(covered)
        result.denominator += len(operating)
        result.operating_ids |= operating
        result.missing_ids = operating - covered
    return result


@dataclass
class Group:
    key: Any
    label: str
    covered: int = 0
    operating: int = 0

    @property
    def percent(self) -> float | None:
        return round(100 * self.covered / self.operating, 1) if self.operating else None


def breakdown(enterprises: QuerySet, month: Period) -> dict[str, list[Group]]:
    """Coverage of one month by town, by department and by sector, in a fixed number of queries.

    An enterprise in two sectors counts in both sectors (and in each department
    supervising either, sub-sectors included: ``anjian.territory.models.Supervision``), but once
    in its town and once in the total."""
    from anjian.enterprises.models import Enterprise
    from anjian.territory.models import Area, AreaLevel, Department, Sector
    from anjian.territory.supervision import sectors_of as supervised_sectors

    cal = OperatingCalendar.of(enterprises)
    operating = cal.operating_in(month)
    done = self_inspection_months(enterprises, month).get(month.start, set())
    towns = {a.code[:9]: a for a in Area.objects.filter(level=AreaLevel.TOWN)}
    by_town: dict[str, Group] = {}
    through = Enterprise.sectors.through
    sectors_of: dict[int, set[int]] = defaultdict(set)
    for ent_id, sector_id in through.objects.filter(enterprise_id__in=operating).values_list(
            "enterprise_id", "sector_id"):
        sectors_of[ent_id].add(sector_id)
    sectors = {s.pk: s for s in Sector.objects.all()}
    depts = list(Department.objects.all())
    by_sector: dict[int, Group] = {}
    by_dept: dict[int, Group] = {}
    # The sectors each department supervises in effect (sub-sectors included, every sector for the
    # safety authority), as the dashboard counts them.
    dept_sectors = supervised_sectors([d.pk for d in depts])
    for ent_id, area_code in enterprises.filter(pk__in=operating).values_list("pk", "area__code"):
        hit = ent_id in done
        town = towns.get(area_code[:9])
        key = town.code if town else area_code
        group = by_town.setdefault(key, Group(key, town.name if town else area_code))
        group.operating += 1
        group.covered += hit
        for sid in sectors_of.get(ent_id, ()):
            g = by_sector.setdefault(sid, Group(sid, sectors[sid].name))
            g.operating += 1
            g.covered += hit
        for d in depts:
            if sectors_of.get(ent_id, set()) & dept_sectors[d.pk]:
                g = by_dept.setdefault(d.pk, Group(d.pk, str(d)))
                g.operating += 1
                g.covered += hit
    return {
        "town": sorted(by_town.values(), key=lambda g: g.key),
        "department": sorted(by_dept.values(), key=lambda g: g.label),
        "sector": sorted(by_sector.values(), key=lambda g: sectors[g.key].sort_order),
    }


def month_period(day: datetime.date) -> Period:
    return Period(day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1]))
