"""``anjian export <kind> FILE.xlsx [--as USERNAME] [KEY=VALUE ...]``: export a registry to Excel.

With ``--as`` the rows are those the user may see; the filters are the list
page's query parameters (``town=410199001000 status=operating``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from anjian.core import context, exchange

from ._common import ProgressPrinter, kind_or_error, user_or_error


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # a data command: the web app's checks are not its business
    help = _("Export a registry to an Excel workbook (the rows the user may see).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help=_("what to export, e.g. enterprises"))
        parser.add_argument("file", help=_("the .xlsx workbook to write"))
        parser.add_argument("filters", nargs="*", metavar="KEY=VALUE",
                            help=_("filters as on the list page, e.g. town=410199001000 status=operating"))
        parser.add_argument("--as", dest="username", metavar="USERNAME",
                            help=_("export what this user may see (default: everything, a system export)"))
        parser.add_argument("--filter", dest="more_filters", action="append", default=[], metavar="KEY=VALUE",
                            help=_("another filter (same as a positional KEY=VALUE)"))

    def handle(self, *args: Any, **options: Any) -> None:
        kind = kind_or_error(options["kind"])
        path = Path(options["file"])
        if path.suffix.lower() != ".xlsx":
            raise CommandError(_("The file name must end in .xlsx: {path}").format(path=path))
        if not path.parent.is_dir():
            raise CommandError(_("There is no directory {path}.").format(path=path.parent))
        params: dict[str, str] = {}
        for item in [*options["filters"], *options["more_filters"]]:
            key, sep, value = item.partition("=")
            if not sep or key not in kind.filter_params:
                known = ", ".join(kind.filter_params) or "-"
                raise CommandError(_("“{item}” is not a filter of {kind}; use KEY=VALUE with KEY one of: {known}.")
                                   .format(item=item, kind=kind.name, known=known))
            params[key] = value
        user = user_or_error(options["username"], kind.export_permission)
        problems = kind.filter_errors(user, params)
        if problems:
            raise CommandError(_("Invalid filter: {problems}").format(problems="; ".join(problems)))
        progress = ProgressPrinter(self.stderr, _("rows written"), quiet=options["verbosity"] == 0)
        with context.acting_as(user, source="command"):
            try:
                count = exchange.export_workbook(kind, user, path, params, progress=progress)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            except OSError as exc:
                raise CommandError(_("Cannot write {path}: {error}").format(path=path, error=exc.strerror)) from None
        progress.finish()
        self.stdout.write(_("Exported {n} rows to {path}.").format(n=count, path=path))
