"""Every way files come in, found rather than listed, refuses every bad file in words, never a 500.

The endpoints are discovered (``anjian.files.discovery``: the OpenAPI operations taking a binary
field, the forms with a file field); each must have a case in its app's ``tests/upload_cases.py``,
so a later module's upload is fuzzed here as soon as it exists."""

from __future__ import annotations

import pytest

from anjian.files import discovery
from anjian.files.testing import all_upload_cases, malicious_files

pytestmark = pytest.mark.django_db

# Forms that take a file which is no attachment: read once by an import and never stored for serving.
NOT_ATTACHMENTS = {
    "form:anjian.accidents.forms.UploadForm": "Excel import of accidents or statistics bases (anjian.core.exchange)",
    "form:anjian.targets.forms.PlanImportForm": "Excel import of a year's plan",
}
LIMIT = 100_000
CASES = all_upload_cases()
BAD = list(malicious_files(LIMIT))


def test_every_upload_endpoint_has_a_case():
    found = discovery.api_upload_operations() | discovery.form_upload_classes()
    covered = {case.covers for case in CASES}
    assert not found - covered - NOT_ATTACHMENTS.keys(), "add these to the app's tests/upload_cases.py"
    assert covered <= found, "cases for endpoints that no longer take files"
    assert len(found) >= 9


def test_discovery_reads_every_app_through_the_kit(monkeypatch):
    """The forms and the cases are found by ``utilities.discovery.app_modules``, in every app."""
    from anjian.files import testing
    from anjian.utilities import discovery as kit

    asked = []
    real = kit.app_modules
    monkeypatch.setattr(kit, "app_modules", lambda name, **kw: asked.append(name) or real(name, **kw))
    monkeypatch.setattr(discovery, "app_modules", kit.app_modules)
    forms_found = discovery.form_upload_classes()
    apps_with_cases = {case.covers.split(".")[1] for case in testing.all_upload_cases() if case.covers.startswith("form:")}
    assert asked == ["forms", "tests.upload_cases"]
    assert {"form:anjian.hazards.forms.PhotoForm", "form:anjian.targets.forms.PlanImportForm"} <= forms_found
    assert {"hazards", "inspections", "accidents"} <= apps_with_cases


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_every_upload_stores_a_good_file(world, case):
    before = case.stored()
    response = case.post(world, case.good())
    assert response.status_code < 400, response.content[:500]
    assert case.stored() == before + 1


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_every_upload_refuses_every_bad_file_in_words(world, settings, case, bad):
    settings.ANJIAN_UPLOAD_MAX_BYTES = LIMIT
    upload = malicious_files(LIMIT)[bad]()
    before = case.stored()
    response = case.post(world, upload)
    assert response.status_code < 500
    assert case.stored() == before
    text = response.content.decode()
    # An empty file is refused by Django's and DRF's own file fields first ("提交的是空文件").
    assert (upload.name in text) or (bad == "empty" and "空文件" in text), text[:800]
    if case.covers.startswith("api:"):
        assert 400 <= response.status_code < 500
    # Pages: a 400, or the reason on the page the form redirects to, or (the generic edit views,
    # Django's convention) the form shown again with the reason under it.
