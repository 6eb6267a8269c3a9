"""Django's ``flush``, which on SQLite lifts the audit log's append-only triggers while it empties
the tables and puts them back after (migration 0004). On PostgreSQL flush TRUNCATEs, which row
triggers do not see, so it needs nothing. ``flush`` empties the whole database, the audit log with
it: it is for tests and for throwing a database away, never a way to edit the log."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import DEFAULT_DB_ALIAS, connections

_triggers = import_module("anjian.core.migrations.0004_audit_append_only_sqlite")


class Command(DjangoFlush):
    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite" or "core_auditentry" not in connection.introspection.table_names():
            return super().handle(**options)
        with connection.cursor() as cursor:
            for sql in _triggers.drop_sql():
                cursor.execute(sql)
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                for sql in _triggers.create_sql():
                    cursor.execute(sql)
