"""The inspection workflow: inspectors, the walk-through, photos, submit → hazards."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from anjian.inspections import actions
from anjian.inspections.models import Inspection, InspectionAttachment, InspectionStatus, Outcome

from .conftest import jpeg_bytes


def _start(world, template, kind="routine", inspectors=("inspector", "town_north"), actor="inspector"):
    return actions.start_inspection(world.users[actor], enterprise=world.ent_north, kind=kind,
                                    date=datetime.date(2017, 5, 10), template=template,
                                    inspectors=[world.users[u] for u in inspectors])


def test_enforcement_inspection_needs_two_inspectors(world, template):
    with pytest.raises(actions.InspectionError, match="2"):
        _start(world, template, kind="enforcement", inspectors=("inspector",))
    assert _start(world, template, kind="enforcement").status == InspectionStatus.DRAFT


def test_enforcement_form_refuses_one_inspector_in_words(world, client_for, template):
    response = client_for("inspector").post(reverse("inspections:add"), {
        "enterprise": world.ent_north.pk, "kind": "enforcement", "date": "2017-05-10", "template": template.pk,
        "inspectors": [world.users["inspector"].pk]})
    assert response.status_code == 400
    assert "执法人员不得少于两人" in response.content.decode()
    assert not Inspection.objects.exists()


def test_enforcement_api_refuses_one_inspector(world, api_for, template):
    response = api_for("inspector").post("/api/v1/inspections/", {
        "enterprise": world.ent_north.pk, "kind": "enforcement", "date": "2017-05-10", "template": template.pk,
        "inspectors": [world.users["inspector"].pk]}, format="json")
    assert response.status_code == 400
    assert "inspectors" in response.json()


def test_enforcement_submit_refuses_when_inspectors_were_removed(world, template):
    inspection = _start(world, template, kind="enforcement")
    inspection.inspectors.set([world.users["inspector"]])
    for r in inspection.results.all():
        actions.record_result(world.users["inspector"], r, outcome=Outcome.PASS)
    with pytest.raises(actions.InspectionError):
        actions.submit_inspection(world.users["inspector"], inspection)


def test_enterprise_user_files_only_self_inspections(world, api_for, template):
    response = api_for("ent_north").post("/api/v1/inspections/", {
        "enterprise": world.ent_north.pk, "kind": "routine", "date": "2017-05-10"}, format="json")
    assert response.status_code == 400
    ok = api_for("ent_north").post("/api/v1/inspections/", {
        "enterprise": world.ent_north.pk, "kind": "self", "date": "2017-05-10", "template": template.pk},
        format="json")
    assert ok.status_code == 201, ok.content
    assert len(ok.json()["results"]) == 2


def test_api_cannot_create_inspection_outside_scope(world, api_for, template):
    response = api_for("town_north").post("/api/v1/inspections/", {
        "enterprise": world.ent_south.pk, "kind": "patrol", "date": "2017-05-10",
        "inspectors": [world.users["town_north"].pk]}, format="json")
    assert response.status_code == 400  # the south enterprise is not a choice for the north town


def test_walk_through_records_result_and_photo(world, client_for, template):
    inspection = _start(world, template)
    client = client_for("inspector")
    url = reverse("inspections:walk", args=[inspection.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'capture="environment"' in page.content.decode()
    photo = SimpleUploadedFile("p.jpg", jpeg_bytes(), content_type="image/jpeg")
    response = client.post(url + "?i=1", {"outcome": "fail", "note": "无泄爆", "location": "除尘间", "photo": photo})
    assert response.status_code == 302
    result = inspection.results.get(order=2)
    assert result.outcome == "fail" and result.location == "除尘间"
    assert InspectionAttachment.objects.filter(result=result, kind="photo").count() == 1


def test_walk_through_htmx_moves_to_next_item(world, client_for, template):
    inspection = _start(world, template)
    url = reverse("inspections:walk", args=[inspection.pk])
    response = client_for("inspector").post(url + "?i=0", {"outcome": "pass"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Location"].endswith("?i=1")


def test_non_image_renamed_jpg_is_refused(world, client_for, template):
    inspection = _start(world, template)
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a picture", content_type="image/jpeg")
    response = client_for("inspector").post(reverse("inspections:walk", args=[inspection.pk]) + "?i=0",
                                            {"outcome": "fail", "photo": fake})
    assert response.status_code == 400
    assert "photo.jpg" in response.content.decode()
    assert not InspectionAttachment.objects.exists()
    assert inspection.results.get(order=1).outcome == ""  # nothing saved: all or nothing


def test_oversized_photo_is_refused(world, settings, template):
    settings.ANJIAN_UPLOAD_MAX_BYTES = 100
    inspection = _start(world, template)
    big = SimpleUploadedFile("big.jpg", jpeg_bytes((200, 200)), content_type="image/jpeg")
    with pytest.raises(actions.InspectionError, match="big.jpg"):
        actions.add_attachment(world.users["inspector"], inspection, big)


def test_api_upload_refuses_non_image(world, api_for, template):
    inspection = _start(world, template)
    fake = SimpleUploadedFile("x.jpg", b"hello", content_type="image/jpeg")
    response = api_for("inspector").post(f"/api/v1/inspections/{inspection.pk}/attachments/",
                                         {"file": fake, "kind": "photo"}, format="multipart")
    assert response.status_code == 400
    assert "x.jpg" in str(response.json())


def test_submit_with_unanswered_items_is_refused(world, api_for, template):
    inspection = _start(world, template)
    response = api_for("inspector").post(f"/api/v1/inspections/{inspection.pk}/submit/", {}, format="json")
    assert response.status_code == 409
    assert "2" in response.json()["detail"]


def test_failed_items_become_hazards_on_submit(world, api_for, template):
    from anjian.hazards.models import Hazard

    inspection = _start(world, template)
    client = api_for("inspector")
    items = list(template.items.order_by("order"))
    response = client.post(f"/api/v1/inspections/{inspection.pk}/results/", [
        {"item": items[0].pk, "outcome": "fail", "note": "通道堆物", "location": "一号车间"},
        {"item": items[1].pk, "outcome": "fail"}], format="json")
    assert response.status_code == 200, response.content
    photo = SimpleUploadedFile("p.jpg", jpeg_bytes(), content_type="image/jpeg")
    result = inspection.results.get(item=items[0])
    assert client.post(f"/api/v1/inspections/{inspection.pk}/attachments/",
                       {"file": photo, "result": result.pk}, format="multipart").status_code == 201
    response = client.post(f"/api/v1/inspections/{inspection.pk}/submit/", {"conclusion": "两处隐患"}, format="json")
    assert response.status_code == 200, response.content
    hazards = Hazard.objects.filter(inspection=inspection).order_by("id")
    assert [h.level for h in hazards] == ["general", "major"]
    assert hazards[0].checklist_item_id == items[0].pk and hazards[0].location == "一号车间"
    assert "通道堆物" in hazards[0].description
    assert hazards[1].legal_basis == "129号"
    assert hazards[0].photos.count() == 1
    assert sorted(response.json()["hazards"]) == [h.pk for h in hazards]
    again = client.post(f"/api/v1/inspections/{inspection.pk}/submit/", {}, format="json")
    assert again.status_code == 409
    assert Hazard.objects.filter(inspection=inspection).count() == 2


def test_submitted_inspection_cannot_be_changed(world, api_for, template):
    inspection = _start(world, template)
    for r in inspection.results.all():
        actions.record_result(world.users["inspector"], r, outcome=Outcome.PASS)
    actions.submit_inspection(world.users["inspector"], inspection, conclusion="合格")
    client = api_for("inspector")
    response = client.post(f"/api/v1/inspections/{inspection.pk}/results/",
                           [{"item": template.items.first().pk, "outcome": "fail"}], format="json")
    assert response.status_code == 409
    assert client.patch(f"/api/v1/inspections/{inspection.pk}/", {"conclusion": "x"}, format="json").status_code == 400


def test_self_inspection_page_starts_from_the_sector_template(world, client_for):
    from anjian.inspections.models import ChecklistTemplate

    client = client_for("ent_north")
    assert client.get(reverse("inspections:self_inspect")).status_code == 200
    response = client.post(reverse("inspections:self_inspect"), {"enterprise": world.ent_north.pk})
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert inspection.kind == "self"
    # non_coal_mine has no template of its own: the general 工贸 template.
    assert inspection.template == ChecklistTemplate.objects.filter(is_general=True).first()
    assert inspection.results.count() == inspection.template.items.count()


def test_page_submit_reports_hazards(world, client_for, template):
    inspection = _start(world, template)
    client = client_for("inspector")
    for i in range(2):
        client.post(reverse("inspections:walk", args=[inspection.pk]) + f"?i={i}", {"outcome": "fail" if i else "pass"})
    response = client.post(reverse("inspections:submit", args=[inspection.pk]),
                           {"conclusion": "一处重大隐患", "place": "厂区", "latitude": "34.75", "longitude": "113.62"})
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == "submitted" and str(inspection.latitude) == "34.750000"
    assert inspection.hazards.get().level == "major"
    detail = client.get(reverse("inspections:detail", args=[inspection.pk]))
    assert detail.status_code == 200


def test_the_api_writes_the_conclusion_only_on_submit_as_the_page_does(world, api_for, template):
    # Issue 10, item 1: an API write takes exactly the fields the page lets the role change.
    inspection = _start(world, template)
    client = api_for("inspector")
    response = client.patch(f"/api/v1/inspections/{inspection.pk}/", {"conclusion": "合格"}, format="json")
    assert response.status_code == 400 and "conclusion" in response.json()
    inspection.refresh_from_db()
    assert inspection.conclusion == ""
    assert client.patch(f"/api/v1/inspections/{inspection.pk}/", {"place": "二号车间"},
                        format="json").status_code == 200
