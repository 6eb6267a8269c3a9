"""Helpers of the import/export commands."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from anjian.core import exchange


def kind_or_error(name: str) -> exchange.ExchangeKind:
    try:
        return exchange.get_kind(name)
    except LookupError as exc:
        raise CommandError(str(exc)) from None


def user_or_error(username: str | None, permission: str) -> Any:
    """The active user named ``username`` holding ``permission``; None without a name (system)."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(_("There is no user “{name}”.").format(name=username))
    if not user.is_active:
        raise CommandError(_("The user “{name}” is disabled.").format(name=username))
    if not user.has_perm(permission):
        raise CommandError(_("The user “{name}” may not do this (needs {permission}).").format(
            name=username, permission=permission))
    return user


class ProgressPrinter:
    """``progress(done, total)`` printed on stderr: a line every few seconds (or a live line on a terminal)."""

    def __init__(self, stream: Any, unit: str, *, quiet: bool = False, every_seconds: float = 2.0) -> None:
        self.stream = stream
        self.unit = unit
        self.quiet = quiet
        self.every = every_seconds
        self.last = 0.0
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.pending = False

    def __call__(self, done: int, total: int) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        if now - self.last < (0.2 if self.tty else self.every) and not (total and done >= total):
            return
        self.last = now
        line = (f"{done}/{total} {self.unit} ({100 * done // total}%)" if total else f"{done} {self.unit}")
        if self.tty:
            self.stream.write("\r" + line, ending="")
            self.stream.flush()
            self.pending = True
        else:
            self.stream.write(line)

    def finish(self) -> None:
        if self.pending:
            self.stream.write("")
            self.pending = False
