"""How files come into the hazards app, for the generic upload tests (anjian/files/tests)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from anjian.files.testing import UploadCase


def _hazard(world: Any, status: str = "reported") -> Any:
    from .factories import make_hazard

    return make_hazard(world.ent_north, status=status)


def _page(world: Any, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def _api(world: Any, persona: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.users[persona])
    return client


def _photos() -> int:
    from ..models import HazardPhoto

    return HazardPhoto.objects.count()


def _report(world: Any, upload: Any) -> Any:
    from datetime import timedelta

    from anjian.core.clock import today

    return _page(world, "inspector").post(reverse("hazards:add"), {
        "enterprise": world.ent_north.pk, "description": "消防通道堵塞", "level": "general",
        "found_on": today().isoformat(), "deadline": (today() + timedelta(days=3)).isoformat(),
        "photos": [upload]}, follow=True)


def _submit(world: Any, upload: Any) -> Any:
    hazard = _hazard(world, "rectifying")
    return _page(world, "ent_north").post(reverse("hazards:transition", args=[hazard.pk, "submit_rectification"]), {
        "submit_rectification-evidence": "已更换", "submit_rectification-photos": [upload]}, follow=True)


UPLOAD_CASES = [
    UploadCase("hazard photo (API)", "api:POST /api/v1/hazards/{id}/photos/",
               lambda world, upload: _api(world, "inspector").post(
                   f"/api/v1/hazards/{_hazard(world).pk}/photos/", {"image": upload, "kind": "before"},
                   format="multipart"), _photos),
    UploadCase("hazard photo (page)", "form:anjian.hazards.forms.PhotoForm",
               lambda world, upload: _page(world, "inspector").post(
                   reverse("hazards:photos", args=[_hazard(world).pk]), {"kind": "before", "photos": [upload]},
                   follow=True), _photos),
    UploadCase("hazard report with photos (page)", "form:anjian.hazards.forms.HazardForm", _report, _photos),
    UploadCase("rectification with photos (page)", "form:anjian.hazards.forms.TransitionForm", _submit, _photos),
]
