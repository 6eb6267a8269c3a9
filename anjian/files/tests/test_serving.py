"""Serving stored files: only to those who may see the object they belong to (SPEC §8.1)."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.db import models
from rest_framework.authtoken.models import Token

from anjian.files import testing as t
from anjian.files.fields import AttachmentField, PhotoField
from anjian.hazards.actions import add_photos
from anjian.hazards.models import HazardPhoto, HazardStatus
from anjian.hazards.tests.factories import make_hazard

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(world):
    hazard = make_hazard(world.ent_north, status=HazardStatus.REPORTED)
    add_photos(actor=world.users["inspector"], hazard=hazard, photos=[t.png("site.png", size=(900, 600))])
    return HazardPhoto.objects.get(hazard=hazard)


@pytest.fixture
def south_photo(world):
    hazard = make_hazard(world.ent_south, status=HazardStatus.REPORTED)
    add_photos(actor=world.users["district"], hazard=hazard, photos=[t.jpeg("south.jpg")])
    return HazardPhoto.objects.get(hazard=hazard)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_url_is_the_scoped_view_and_the_stored_name_the_kits(photo):
    assert photo.image.url == f"/files/hazards.hazardphoto/{photo.pk}/image/"
    assert photo.image.thumbnail_url == f"/files/hazards.hazardphoto/{photo.pk}/image/thumbnail/"
    assert photo.image.name.endswith(".png") and "site" not in photo.image.name


@pytest.mark.parametrize("persona", ["inspector", "ent_north", "town_north", "district", "leader", "dept_mines"])
def test_everyone_who_sees_the_hazard_gets_the_photo(photo, client_for, persona):
    response = client_for(persona).get(photo.image.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Disposition"].startswith("inline")
    assert body(response) == photo.image.open("rb").read()


@pytest.mark.parametrize("persona", ["sysadmin", "auditor"])
def test_others_get_404(photo, south_photo, client_for, persona):
    assert client_for(persona).get(photo.image.url).status_code == 404
    assert client_for(persona).get(photo.image.thumbnail_url).status_code == 404


def test_another_towns_photo_is_404_as_if_it_did_not_exist(south_photo, client_for):
    client = client_for("town_north")
    assert client.get(south_photo.image.url).status_code == 404
    assert client.get(f"/files/hazards.hazardphoto/{south_photo.pk + 1000}/image/").status_code == 404
    assert client_for("district").get(south_photo.image.url).status_code == 200


@pytest.mark.parametrize("url", [
    "/files/hazards.hazardphoto/{pk}/caption/",     # not a file field
    "/files/hazards.nosuchmodel/{pk}/image/",       # no such model
    "/files/auth.permission/{pk}/image/",           # not one of ours
    "/files/accounts.user/{pk}/password/",          # not a file field, and no scope manager
])
def test_anything_but_a_file_of_a_scoped_object_is_404(photo, client_for, url):
    assert client_for("district").get(url.format(pk=photo.pk)).status_code == 404


def test_anonymous_pages_go_to_the_login_and_the_api_gets_401(photo, client):
    page = client.get(photo.image.url, HTTP_ACCEPT="text/html,application/xhtml+xml")
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]
    api = client.get(photo.image.url, HTTP_ACCEPT="application/json")
    assert api.status_code == 401 and api.json()["detail"]
    assert client.get(photo.image.url, HTTP_AUTHORIZATION="Token not-a-token").status_code == 401


def test_an_api_token_authenticates(photo, world, client):
    token = Token.objects.create(user=world.users["ent_north"])
    assert client.get(photo.image.url, HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
    other = Token.objects.create(user=world.users["auditor"])
    assert client.get(photo.image.url, HTTP_AUTHORIZATION=f"Token {other.key}").status_code == 404


def test_the_api_lists_the_scoped_urls(photo, api_for):
    detail = api_for("inspector").get(f"/api/v1/hazards/{photo.hazard_id}/").json()
    assert detail["photos"][0]["url"] == f"http://testserver{photo.image.url}"


def test_behind_nginx_the_view_answers_x_accel_redirect(photo, client_for, settings):
    settings.ANJIAN_ACCEL_REDIRECT_PREFIX = "/_protected/"
    response = client_for("inspector").get(photo.image.url)
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/_protected/{photo.image.name}"
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert client_for("auditor").get(photo.image.url).status_code == 404  # the check comes first


def test_the_thumbnail_is_made_once_and_served_through_the_same_check(photo, client_for):
    from PIL import Image

    client = client_for("ent_north")
    first = client.get(photo.image.thumbnail_url)
    assert first.status_code == 200 and first["Content-Type"] == "image/jpeg"
    small = body(first)
    with Image.open(io.BytesIO(small)) as img:
        assert img.format == "JPEG" and max(img.size) == 480
    stored = photo.image.storage
    name = f"thumbnails/480/{photo.image.name}.jpg"
    made = stored.get_modified_time(name)
    assert body(client.get(photo.image.thumbnail_url)) == small
    assert stored.get_modified_time(name) == made


def test_a_pdf_is_served_inline_with_its_type_and_has_no_thumbnail(world, client_for):
    from anjian.inspections import actions
    from anjian.inspections.tests.upload_cases import _inspection

    inspection = _inspection(world)
    attachment = actions.add_attachment(world.users["inspector"], inspection, t.pdf(), kind="document")
    response = client_for("town_north").get(attachment.file.url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="record.pdf"' in response["Content-Disposition"]
    assert "sandbox" not in response["Content-Security-Policy"]
    assert client_for("town_north").get(attachment.file.thumbnail_url).status_code == 404
    assert client_for("dept_mines").get(attachment.file.url).status_code == 200  # sees the enterprise
    assert client_for("auditor").get(attachment.file.url).status_code == 404


def test_a_file_saved_behind_the_forms_is_checked_too(world):
    """The field checks when the file is stored, whichever code path brought it."""
    from anjian.files.checks import UploadRefused

    hazard = make_hazard(world.ent_north)
    photo = HazardPhoto(hazard=hazard)
    with pytest.raises(UploadRefused):
        photo.image.save("x.gif", t.gif_html_polyglot(), save=False)
    assert not photo.image


# File fields not on the kit, and why.
LEGACY_FILE_FIELDS = {
    # A background job's workbook in and out: written by the platform, downloaded by the job's owner
    # only (core.views.export_download), never an attachment of a business object.
    "core.Job.input_file", "core.Job.output_file",
}


def test_every_file_field_of_the_platform_is_on_the_kit():
    plain = {f"{m._meta.label}.{f.name}" for m in apps.get_models() if m._meta.app_config.name.startswith("anjian.")
             for f in m._meta.get_fields() if isinstance(f, models.FileField)
             and not isinstance(f, AttachmentField | PhotoField)}
    assert plain <= LEGACY_FILE_FIELDS, "use anjian.files.fields.AttachmentField or PhotoField"


def test_the_investigation_report_is_an_attachment_served_through_the_scope(world, client_for):
    from django.test import Client

    from anjian.accidents.models import Investigation
    from anjian.accidents.tests.upload_cases import _page

    assert _page(world, t.pdf("report.pdf")).status_code == 200
    inv = Investigation.objects.get()
    url = f"/files/accidents.investigation/{inv.pk}/report_file/"
    assert inv.report_file.url == url
    # The kit chose the stored name (random, with the checked type's extension), in private storage.
    assert inv.report_file.name.startswith("accidents/reports/") and not inv.report_file.name.endswith("report.pdf")
    assert inv.report_file.name.endswith(".pdf") and inv.report_file.content_type == "application/pdf"
    response = client_for("district").get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff" and body(response).startswith(b"%PDF-")
    assert client_for("sysadmin").get(url).status_code == 404  # no data scope
    assert Client().get(url, HTTP_ACCEPT="application/pdf").status_code == 401


def test_a_report_stored_before_the_kit_is_still_served_through_the_scope(world, client_for, settings):
    """Rows written by the plain FileField (same folder under MEDIA_ROOT) keep their file."""
    from datetime import date

    from anjian.accidents import actions
    from anjian.accidents.models import Investigation
    from anjian.accidents.tests import factories as f

    accident = f.make_accident(enterprise=world.ent_south, occurred_at=f.aware(2017, 3, 1), deaths=1)
    actions.start_investigation(world.users["district"], accident, leader="王局长", started_on=date(2017, 3, 2))
    folder = settings.MEDIA_ROOT / "accidents" / "reports" / "2017"
    folder.mkdir(parents=True)
    (folder / "old-report.pdf").write_bytes(t.pdf().read())
    Investigation.objects.filter(accident=accident).update(report_file="accidents/reports/2017/old-report.pdf")
    inv = Investigation.objects.get(accident=accident)
    response = client_for("district").get(inv.report_file.url)
    assert response.status_code == 200 and body(response).startswith(b"%PDF-")
    assert client_for("town_north").get(inv.report_file.url).status_code == 404  # south is outside its scope
