import datetime

from django.core.management.base import BaseCommand, CommandError

from anjian.core.context import acting_as
from anjian.inspections.actions import send_self_inspection_reminders


class Command(BaseCommand):
    help = ("Remind operating enterprises that have not self-inspected this month (on or after "
            "ANJIAN_SELF_INSPECTION_REMINDER_DAY; once per enterprise and month).")

    def add_arguments(self, parser):
        parser.add_argument("--date", help="act as if today were this date (YYYY-MM-DD)")

    def handle(self, *args, **options):
        try:
            day = datetime.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as exc:
            raise CommandError(f"--date: {exc}") from exc
        with acting_as(None, source="command"):
            n = send_self_inspection_reminders(day)
        self.stdout.write(f"{n} enterprise(s) reminded.")
