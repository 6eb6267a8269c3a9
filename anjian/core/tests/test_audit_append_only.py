"""The database itself keeps the audit log append-only, on SQLite (triggers of migration 0004) as on
PostgreSQL (migration 0002): every way of changing or deleting rows is refused, not only the model's
``save()`` and ``delete()``. Runs on both databases."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from anjian.core import audit
from anjian.core.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries():
    return [audit.record(AuditAction.EXPORT, message=f"kept {i}") for i in range(2)]


def refused(action) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        action()


def unchanged(entries) -> None:
    assert sorted(AuditEntry.objects.filter(pk__in=[e.pk for e in entries]).values_list("message", flat=True)) == [
        "kept 0", "kept 1"]


def test_a_queryset_update_is_refused(entries):
    refused(lambda: AuditEntry.objects.filter(pk=entries[0].pk).update(message="tampered"))
    refused(lambda: AuditEntry.objects.update(message="tampered"))
    unchanged(entries)


def test_a_queryset_delete_is_refused(entries):
    refused(lambda: AuditEntry.objects.filter(pk=entries[0].pk).delete())
    refused(lambda: AuditEntry.objects.all().delete())
    unchanged(entries)


def test_bulk_update_is_refused(entries):
    for entry in entries:
        entry.message = "tampered"
    refused(lambda: AuditEntry.objects.bulk_update(entries, ["message"]))
    unchanged(entries)


@pytest.mark.parametrize("sql", [
    "UPDATE core_auditentry SET message = 'tampered'",
    "UPDATE core_auditentry SET username = 'someone else' WHERE id = %s",
    "DELETE FROM core_auditentry",
    "DELETE FROM core_auditentry WHERE id = %s",
])
def test_raw_sql_is_refused(entries, sql):
    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, [entries[0].pk] if "%s" in sql else None)

    refused(run)
    unchanged(entries)


def test_new_entries_are_still_written(entries):
    AuditEntry.objects.bulk_create([AuditEntry(action=AuditAction.EXPORT, message="more")])
    assert AuditEntry.objects.filter(message="more").count() == 1


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_leaves_it_append_only(entries):
    """flush (the tests' teardown, throwing a database away) empties every table, as TRUNCATE does on
    PostgreSQL; the triggers are back afterwards."""
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEntry.objects.count() == 0
    kept = audit.record(AuditAction.EXPORT, message="kept 0")
    refused(lambda: AuditEntry.objects.filter(pk=kept.pk).update(message="tampered"))
    assert AuditEntry.objects.get(pk=kept.pk).message == "kept 0"
