"""The platform's clock: every business "today" comes from here (SPEC §8).

``today()`` is the platform's date: deadlines, "overdue", "this month", report periods, coverage,
reminders and the overdue job all read it. It is, in this order:

1. ``settings.ANJIAN_TODAY`` (environment ``ANJIAN_TODAY=YYYY-MM-DD``), for operators and tests;
2. the date recorded in the database (``core.PlatformDate``): ``anjian demo`` records the demo's
   date (2017-12-20, or ``--today``), so ``anjian serve`` on the demo database runs on it;
   ``anjian clock --set``/``--real`` change it;
3. otherwise the real local date (``TIME_ZONE``).

``now()`` is a business moment: the platform's date with the wall clock's time of day, for the
defaults of business events ("found at", "reported at"). Timestamps that mean "when this row was
written" (audit entries, ``created``/``last_updated``, sessions, lockout, tokens, jobs, sensor
readings and alarms) stay on the real clock, ``django.utils.timezone.now()``.

The database is read at most once per request (``ClockMiddleware`` gives each request a memo) and,
outside requests (commands, jobs, workers), at most once per ``PROCESS_TTL`` seconds; writing the
date through this module drops both caches, so pages never pay a query per call.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

PROCESS_TTL = 30.0  # seconds a command or worker trusts its last read of the recorded date

_UNREAD: Any = object()
_request_memo: ContextVar[dict[str, Any] | None] = ContextVar("anjian_clock_request_memo", default=None)
_process: dict[str, Any] = {"date": _UNREAD, "read_at": 0.0}


def today() -> datetime.date:
    """The platform's date."""
    return _setting_date() or recorded_date() or timezone.localdate()


def now() -> datetime.datetime:
    """An aware business moment: the platform's date at the wall clock's local time of day."""
    wall = timezone.localtime()
    day = today()
    if wall.date() == day:
        return wall
    return datetime.datetime.combine(day, wall.timetz(), tzinfo=wall.tzinfo)


def source() -> str:
    """Where ``today()`` comes from: ``"setting"``, ``"database"`` or ``"real"``."""
    if _setting_date():
        return "setting"
    return "database" if recorded_date() else "real"


def recorded_date() -> datetime.date | None:
    """The date recorded in the database (``None``: none), read once per request or per TTL."""
    memo = _request_memo.get()
    if memo is not None:
        if "date" not in memo:
            memo["date"] = _read()
        return memo["date"]
    if _process["date"] is _UNREAD or time.monotonic() - _process["read_at"] > PROCESS_TTL:
        _process.update(date=_read(), read_at=time.monotonic())
    return _process["date"]


def record(day: datetime.date | None, *, source: str = "command") -> bool:
    """Record ``day`` as the platform's date (``None``: back to the real date). Audited; writes
    nothing (no row, no audit entry) when it is already so. Returns whether anything changed."""
    from . import audit
    from .models import AuditAction, PlatformDate

    current = PlatformDate.objects.filter(pk=1).first()
    reset_cache()
    if day is None:
        if current is None:
            return False
        audit.record(AuditAction.DELETE, current, changes={"date": [current.date.isoformat(), None]})
        current.delete()
        return True
    if current is not None and current.date == day:
        return False
    old = current.date.isoformat() if current else None
    obj, created = PlatformDate.objects.update_or_create(pk=1, defaults={"date": day, "source": source})
    audit.record(AuditAction.CREATE if created else AuditAction.UPDATE, obj,
                 changes={"date": [old, day.isoformat()], "source": [None if created else current.source, source]})
    return True


def reset_cache() -> None:
    """Forget the last read of the recorded date (after writing it, and between tests)."""
    _process.update(date=_UNREAD, read_at=0.0)
    memo = _request_memo.get()
    if memo is not None:
        memo.pop("date", None)


class ClockMiddleware:
    """Gives each request its own memo of the recorded date: at most one query per request."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        token = _request_memo.set({})
        try:
            return self.get_response(request)
        finally:
            _request_memo.reset(token)


def _read() -> datetime.date | None:
    from .models import PlatformDate

    return PlatformDate.objects.filter(pk=1).values_list("date", flat=True).first()


def _setting_date() -> datetime.date | None:
    value = getattr(settings, "ANJIAN_TODAY", None)
    if not value:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ImproperlyConfigured(f"ANJIAN_TODAY must be a date as YYYY-MM-DD, not {value!r}.") from None
