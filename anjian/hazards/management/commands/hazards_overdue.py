"""``anjian hazards_overdue``: issue and escalate supervision orders for overdue hazards.

Safe to run as often as wanted (idempotent); the Celery beat entry
``hazards-overdue`` runs it daily.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from anjian.core.context import acting_as
from anjian.hazards.overdue import escalate_days, run_overdue


class Command(BaseCommand):
    help = "Issue supervision orders (督办) for overdue hazards and escalate them to the district."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--today", help="run as of this date (YYYY-MM-DD), for back-filling and tests")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("today"):
            try:
                today = date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(f"--today must be a date like 2017-06-30, not {options['today']!r}") from exc
        with acting_as(None, source="command"):
            summary = run_overdue(today=today)
        self.stdout.write(
            f"orders issued: {summary.issued} (for {summary.hazards} hazards); escalated to the district: "
            f"{summary.escalated} (after {escalate_days()} days); closed: {summary.closed}"
        )
