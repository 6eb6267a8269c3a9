"""``anjian worker``: a Celery worker with beat (the periodic tasks) for this app.

Needs ``REDIS_URL`` (or ``CELERY_BROKER_URL``); without it background jobs run in
the web process and there is nothing for a worker to do.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = _("Start a Celery worker with beat for Anjian's background jobs (needs REDIS_URL).")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=int(os.environ.get("ANJIAN_WORKER_CONCURRENCY", "2")),
                            help=_("processes working in parallel (default 2)"))
        parser.add_argument("--loglevel", default=os.environ.get("ANJIAN_WORKER_LOGLEVEL", "info"))
        parser.add_argument("--pool", default=None, help=_("Celery pool (prefork, solo, threads)"))
        parser.add_argument("--no-beat", action="store_true", help=_("do not run the periodic tasks here"))

    def handle(self, *args: Any, **options: Any) -> None:
        broker = os.environ.get("CELERY_BROKER_URL") or settings.REDIS_URL
        if not broker:
            raise CommandError(_(
                "anjian worker needs REDIS_URL (for example REDIS_URL=redis://127.0.0.1:6379/0). Without it, "
                "background jobs run inside the web process and no worker is needed."))
        from anjian.celery import app

        try:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=3)
        except Exception as exc:  # noqa: BLE001  (any failure to connect means the same to the operator)
            raise CommandError(_("Cannot reach the broker at {url}: {error}").format(
                url=_redact(broker), error=exc)) from None
        argv = ["worker", f"--loglevel={options['loglevel']}", f"--concurrency={options['concurrency']}"]
        if options["pool"]:
            argv.append(f"--pool={options['pool']}")
        if not options["no_beat"]:
            settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
            argv += ["--beat", f"--schedule={settings.VAR_DIR / 'celerybeat-schedule'}"]
        app.worker_main(argv)


def _redact(url: str) -> str:
    """The broker URL without its password."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)
