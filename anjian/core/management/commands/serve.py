"""``anjian serve [--port N]``: serve the web app and the API.

Development and the demo use Django's threaded server with static files served
by WhiteNoise (no DEBUG needed); production runs gunicorn behind nginx
(``--gunicorn``, see docs/deployment.md).
"""

from __future__ import annotations

import os
import shutil
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve the Anjian web app and API."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("ANJIAN_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("ANJIAN_PORT", "8000")))
        parser.add_argument("--gunicorn", action="store_true", help="serve with gunicorn (production)")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))

    def handle(self, *args: Any, **options: Any) -> None:
        bind = f"{options['host']}:{options['port']}"
        if options["gunicorn"]:
            gunicorn = shutil.which("gunicorn") or os.path.join(os.path.dirname(sys.executable), "gunicorn")
            if not os.path.exists(gunicorn):
                raise CommandError("gunicorn is not installed in this environment.")
            os.execv(gunicorn, [gunicorn, "anjian.wsgi:application", "--bind", bind,  # noqa: S606
                                "--workers", str(options["workers"]), "--access-logfile", "-"])
        self.stdout.write(f"Anjian at http://{bind}/  (Ctrl+C to stop)")
        call_command("runserver", bind, use_reloader=False, use_threading=True)
