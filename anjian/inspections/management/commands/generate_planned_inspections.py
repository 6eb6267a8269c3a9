import datetime

from django.core.management.base import BaseCommand, CommandError

from anjian.core.context import acting_as
from anjian.inspections.actions import generate_planned_inspections


class Command(BaseCommand):
    help = "Create the inspections due in the current period of every active plan (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="act as if today were this date (YYYY-MM-DD)")

    def handle(self, *args, **options):
        try:
            day = datetime.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as exc:
            raise CommandError(f"--date: {exc}") from exc
        with acting_as(None, source="command"):
            n = generate_planned_inspections(day)
        self.stdout.write(f"{n} inspection(s) generated.")
