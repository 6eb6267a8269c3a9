"""The audit log: field-level changes with who and from where; append-only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from anjian.core import audit, context
from anjian.core.models import AuditAction, AuditEntry
from anjian.utilities.testing.services import require_postgres


def test_create_and_change_are_logged_field_by_field(world):
    ent = world.ent_north
    with context.acting_as(world.users["district"], source="web", ip="10.0.0.8"):
        ent.employees = 150
        ent.status = "suspended"
        ent.save()
    entry = AuditEntry.objects.filter(object_type="enterprises.enterprise", action=AuditAction.UPDATE).latest("id")
    assert entry.changes == {"employees": [120, 150], "status": ["operating", "suspended"]}
    assert (entry.username, entry.ip, entry.object_id) == ("district", "10.0.0.8", str(ent.pk))
    assert AuditEntry.objects.filter(object_type="enterprises.enterprise", action=AuditAction.CREATE,
                                     object_id=str(ent.pk)).exists()


def test_a_save_without_changes_writes_nothing(world):
    before = AuditEntry.objects.count()
    world.ent_north.save()
    type(world.ent_north).objects.get(pk=world.ent_north.pk).save()
    assert AuditEntry.objects.count() == before


def test_many_to_many_changes_are_logged(world):
    world.ent_north.sectors.add(world.retail_sector)
    entry = AuditEntry.objects.latest("id")
    assert entry.changes == {"sectors": {"added": [world.retail_sector.pk]}}


def test_api_changes_carry_the_token_user_and_request_id(world, api_for):
    response = api_for("district").patch(f"/api/v1/enterprises/{world.ent_north.pk}/", {"employees": 99},
                                         format="json")
    assert response.status_code == 200, response.content
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE).latest("id")
    assert entry.username == "district"
    assert entry.source == "api"
    assert str(entry.request_id) == response["X-Request-ID"]


def test_the_model_refuses_to_change_or_delete_an_entry(db):
    entry = audit.record(AuditAction.EXPORT, message="x")
    entry.message = "changed"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()


@pytest.mark.postgres
def test_postgresql_refuses_update_and_delete_on_the_audit_table(db):
    require_postgres()
    entry = audit.record(AuditAction.EXPORT, message="kept")
    for sql in ("UPDATE core_auditentry SET message = 'tampered'", "DELETE FROM core_auditentry"):
        with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEntry.objects.get(pk=entry.pk).message == "kept"


def test_a_decimal_saved_with_fewer_places_is_no_change(world):
    from decimal import Decimal

    from anjian.enterprises.models import Enterprise

    ent = Enterprise.objects.get(pk=world.ent_north.pk)
    ent.latitude = Decimal("34.75")
    ent.save()
    before = AuditEntry.objects.count()
    again = Enterprise.objects.get(pk=ent.pk)
    again.latitude = Decimal("34.750000")
    again.save()
    again = Enterprise.objects.get(pk=ent.pk)
    again.latitude = Decimal("34.75")
    again.save()
    assert AuditEntry.objects.count() == before
