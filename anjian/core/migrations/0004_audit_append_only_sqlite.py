"""The audit log is append-only on SQLite too: triggers refuse UPDATE and DELETE on
``core_auditentry`` whatever issues them (``QuerySet.update``/``delete``, ``bulk_update``, raw SQL),
as the trigger of migration 0002 does on PostgreSQL.

``flush`` (which empties every table, the tests' teardown among others) goes around them as
PostgreSQL's TRUNCATE goes around row triggers: see ``core/management/commands/flush.py``."""

from django.db import migrations

TRIGGERS = {
    "core_auditentry_no_update": "UPDATE",
    "core_auditentry_no_delete": "DELETE",
}


def create_sql() -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {operation} ON core_auditentry "
        f"BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: {operation} refused on core_auditentry'); END"
        for name, operation in TRIGGERS.items()
    ]


def drop_sql() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in create_sql():
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in drop_sql():
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_platform_date")]
    operations = [migrations.RunPython(forward, backward)]
