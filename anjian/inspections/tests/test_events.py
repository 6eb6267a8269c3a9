"""Inspections record their steps as events (the workflow kit's timeline), through the API and the pages;
the place corrected on submit is written by the action, with its event, not by the page."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from anjian.core.models import AuditAction, AuditEntry
from anjian.inspections import actions
from anjian.inspections.models import Inspection, InspectionEvent, InspectionStatus, Outcome

pytestmark = pytest.mark.django_db


def _actions_of(inspection):
    return list(InspectionEvent.objects.filter(inspection=inspection).order_by("at", "id")
                .values_list("action", flat=True))


def test_the_api_records_start_and_submit(world, api_for, template):
    client = api_for("inspector")
    created = client.post("/api/v1/inspections/", {
        "enterprise": world.ent_north.pk, "kind": "routine", "date": "2017-05-10", "template": template.pk,
        "inspectors": [world.users["inspector"].pk, world.users["town_north"].pk]}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    inspection = Inspection.objects.get(pk=pk)
    entries = [{"id": r.pk, "outcome": "pass"} for r in inspection.results.all()]
    assert client.post(f"/api/v1/inspections/{pk}/results/", entries, format="json").status_code == 200
    assert client.post(f"/api/v1/inspections/{pk}/submit/", {"conclusion": "合格"}, format="json").status_code == 200
    assert _actions_of(inspection) == ["start", "submit"]
    submit = InspectionEvent.objects.get(inspection=inspection, action="submit")
    assert (submit.from_status, submit.to_status, submit.actor) == ("draft", "submitted", world.users["inspector"])
    assert submit.comment == "合格" and submit.data["failed"] == 0
    assert AuditEntry.objects.filter(action=AuditAction.TRANSITION, object_type="inspections.inspection",
                                     object_id=str(pk), changes={"status": ["draft", "submitted"]}).exists()


def test_a_refused_submit_records_nothing(world, api_for, template):
    inspection = actions.start_inspection(world.users["inspector"], enterprise=world.ent_north, kind="routine",
                                          date=datetime.date(2017, 5, 10), template=template,
                                          inspectors=[world.users["inspector"], world.users["town_north"]])
    r = api_for("inspector").post(f"/api/v1/inspections/{inspection.pk}/submit/", {}, format="json")
    assert r.status_code == 409 and "2" in r.json()["detail"]  # two items have no result yet
    assert _actions_of(inspection) == ["start"]
    assert Inspection.objects.get(pk=inspection.pk).status == InspectionStatus.DRAFT


def test_the_pages_record_finding_and_submit_with_the_corrected_place(world, client_for, template):
    inspector = world.users["inspector"]
    inspection = actions.start_inspection(inspector, enterprise=world.ent_north, kind="routine",
                                          date=datetime.date(2017, 5, 10), template=template, place="北门",
                                          inspectors=[inspector, world.users["town_north"]])
    for r in inspection.results.all():
        actions.record_result(inspector, r, outcome=Outcome.PASS)
    client = client_for("inspector")
    r = client.post(reverse("inspections:finding", args=[inspection.pk]), {"content": "灭火器过期", "location": "仓库"})
    assert r.status_code == 302
    r = client.post(reverse("inspections:submit", args=[inspection.pk]), {
        "conclusion": "一项不合格", "place": "南门仓库", "latitude": "34.750000", "longitude": "113.620000"})
    assert r.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.SUBMITTED and inspection.place == "南门仓库"
    assert inspection.latitude == Decimal("34.750000")
    assert _actions_of(inspection) == ["start", "finding", "submit"]
    submit = InspectionEvent.objects.get(inspection=inspection, action="submit")
    assert submit.data["corrected"] == {"place": "南门仓库", "latitude": "34.750000", "longitude": "113.620000"}
    assert len(submit.data["hazards"]) == 1  # the finding became a hazard
    page = client.get(reverse("inspections:detail", args=[inspection.pk])).content.decode()
    assert 'data-testid="timeline"' in page and 'data-action="finding"' in page and 'data-action="submit"' in page


def test_opening_a_planned_inspection_records_it(world, client_for, template):
    inspection = Inspection.objects.create(enterprise=world.ent_north, kind="routine", date=datetime.date(2017, 5, 31),
                                           status=InspectionStatus.PLANNED, template=template)
    inspection.inspectors.set([world.users["inspector"]])
    assert client_for("inspector").get(reverse("inspections:walk", args=[inspection.pk])).status_code == 200
    event = InspectionEvent.objects.get(inspection=inspection)
    assert (event.action, event.from_status, event.to_status) == ("begin", "planned", "draft")
