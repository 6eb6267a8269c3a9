"""``anjian import <kind> FILE.xlsx [--as USERNAME]``: import a registry from Excel.

All rows or none: every bad row is printed in words on stderr and the exit status
is 1. With ``--as`` the import runs with that user's permission and data scope;
without it, it is a system import (no scope), recorded as such in the audit log.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from anjian.core import context, exchange

from ._common import ProgressPrinter, kind_or_error, user_or_error


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # a data command: the web app's checks are not its business
    help = _("Import a registry from an Excel workbook: all rows or none.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help=_("what to import, e.g. enterprises"))
        parser.add_argument("file", help=_("the .xlsx workbook"))
        parser.add_argument("--as", dest="username", metavar="USERNAME",
                            help=_("import as this user (their permission and data scope apply)"))
        parser.add_argument("--reader", choices=sorted(exchange.READERS), default=None,
                            help=_("the workbook reader (default: stream, constant memory)"))

    def handle(self, *args: Any, **options: Any) -> None:
        kind = kind_or_error(options["kind"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("There is no file {path}.").format(path=path))
        user = user_or_error(options["username"], kind.import_permission)
        progress = ProgressPrinter(self.stderr, _("rows read"), quiet=options["verbosity"] == 0)
        with context.acting_as(user, source="command"):
            try:
                result = exchange.import_workbook(kind, path, user=user, filename=path.name, progress=progress,
                                                  reader=options["reader"])
            except exchange.ImportFailed as exc:
                progress.finish()
                errors = exc.as_list()
                if len(errors) == 1 and errors[0]["row"] is None:  # the file itself: one message says it
                    raise CommandError(errors[0]["text"]) from None
                for error in errors:
                    self.stderr.write(error["text"])
                raise CommandError(_("Nothing was imported: {n} error(s) in {file}.").format(
                    n=exc.errors.count, file=path.name)) from None
        progress.finish()
        self.stdout.write(result.message)
        sys.stdout.flush()
