"""``anjian clock``: show the platform's date and where it comes from; ``--set`` or ``--real`` change it."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from anjian.core import clock
from anjian.core.context import acting_as

SOURCES = {
    "setting": "the ANJIAN_TODAY setting",
    "database": "recorded in the database",
    "real": "the real local date",
}


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not a date as YYYY-MM-DD: {value!r}.") from None


class Command(BaseCommand):
    help = "Show the platform's date (anjian.core.clock); --set records another, --real goes back to the real one."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--set", type=str, metavar="YYYY-MM-DD", help="Record this date as the platform's date.")
        group.add_argument("--real", action="store_true", help="Remove the recorded date: the real date again.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["set"] or options["real"]:
            day = _date(options["set"]) if options["set"] else None
            with acting_as(None, source="command"), transaction.atomic():
                changed = clock.record(day, source="command")
            if not changed:
                self.stdout.write("Nothing to change.")
        recorded = clock.recorded_date()
        self.stdout.write(f"{clock.today():%Y-%m-%d} ({SOURCES[clock.source()]})")
        if clock.source() == "setting" and recorded:
            self.stdout.write(f"The database records {recorded:%Y-%m-%d}; ANJIAN_TODAY overrides it.")
