"""``anjian demo``: migrate, load the demo district (idempotent), print the demo accounts.

The demo district (示范区, 410199000000) is fictional: 8 towns, 40 communities,
15 member departments, 2,000 enterprises and one account per role, all with
the password ``Demo@2017``. Then every app's ``anjian.<app>.demo.load_demo(ctx)``
adds its demo records (see ``anjian/demo/loader.py``). Running it again
changes nothing. See docs/demo.md.
"""

from __future__ import annotations

import datetime
import time
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from anjian.demo.loader import LoadResult, account_rows, load


def _width(text: str) -> int:
    """Columns the text takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(_pad(str(c), w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend("  ".join(_pad(str(c), w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Migrate the database and load the fictional demo district (idempotent); print the demo accounts."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, default=None, metavar="YYYY-MM-DD",
            help="The demo's 'today' for the apps' demo records (default: the fixed date in "
                 "anjian/demo/data/district.json). Another date gives other records: not idempotent across dates.",
        )
        parser.add_argument("--skip-migrate", action="store_true", help="Do not run migrate first.")
        parser.add_argument(
            "--force", action="store_true",
            help="Load even though the database holds real (non-demo) areas or enterprises. The demo accounts "
                 "(district, sysadmin, ...) then get the demo password, also if they already existed.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        started = time.monotonic()
        if not options["skip_migrate"]:
            call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1), stdout=self.stdout)
        if not options["force"]:
            self.refuse_real_data()
        try:
            result = load(today=options["today"], verbosity=verbosity, write=self.stdout.write)
        except ValidationError as exc:
            raise CommandError(_("The demo password does not pass the password policy: {errors}").format(
                errors=" ".join(exc.messages))) from exc
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity >= 1:
            self.report(result, time.monotonic() - started)

    def refuse_real_data(self) -> None:
        """The demo belongs in a demo database: never mix it into real registries or reset real accounts."""
        from anjian.enterprises.models import Enterprise
        from anjian.territory.models import Area

        areas = Area.objects.filter(is_demo=False).count()
        enterprises = Enterprise.objects.filter(is_demo=False).count()
        if areas or enterprises:
            raise CommandError(_(
                "This database holds real data ({areas} areas and {enterprises} enterprises not marked as demo "
                "data). The demo district would be mixed into it and accounts such as 'sysadmin' would get the "
                "published demo password. Use an empty database for the demo, or --force if you mean it."
            ).format(areas=areas, enterprises=enterprises))

    def report(self, result: LoadResult, seconds: float) -> None:
        ctx = result.context
        self.stdout.write(_(
            "Demo district {name} ({code}): {towns} towns, {communities} communities, {departments} departments, "
            "{enterprises} enterprises (demo data, fictional)."
        ).format(name=ctx.district.name, code=ctx.district.code, towns=len(ctx.towns),
                 communities=len(ctx.communities), departments=len(ctx.departments),
                 enterprises=len(ctx.enterprises)))
        if result.total or result.audit_entries:
            self.stdout.write(_("{rows} rows written, {entries} audit entries, in {seconds:.1f} s.").format(
                rows=result.total, entries=result.audit_entries, seconds=seconds))
        else:
            self.stdout.write(_("Already loaded: nothing changed ({seconds:.1f} s).").format(seconds=seconds))
        if result.apps:
            self.stdout.write(_("  territory, departments, enterprises, accounts: {rows} rows written ({seconds:.1f} s)")
                              .format(rows=sum(result.written.values()), seconds=result.seconds["foundation"]))
        for label, rows in result.apps.items():
            self.stdout.write(_("  demo data of {app}: {rows} rows written ({seconds:.1f} s)").format(
                app=label, rows=rows, seconds=result.seconds.get(label, 0.0)))
            if result.app_audit.get(label) and not rows:
                # A loader that re-saves unchanged rows: idempotent in data, not in the audit log.
                self.stderr.write(_("  warning: the demo loader of {app} wrote {entries} audit entries but "
                                    "reported no rows: it is not idempotent.").format(
                    app=label, entries=result.app_audit[label]))
        self.stdout.write("")
        self.stdout.write(_("Demo accounts (password of every account: {password})").format(
            password=result.plan.password))
        header = (_("username"), _("role"), _("scope"))
        self.stdout.write(format_table(header, account_rows(result)))
