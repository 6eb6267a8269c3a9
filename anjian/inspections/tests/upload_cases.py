"""How files come into the inspections app, for the generic upload tests (anjian/files/tests)."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from anjian.files.testing import UploadCase

_serial = itertools.count(1)


def _inspection(world: Any) -> Any:
    from .. import actions
    from ..models import ChecklistItem, ChecklistTemplate

    template = ChecklistTemplate.objects.create(code=f"upload-{next(_serial)}", name="上传测试", template_version="1")
    ChecklistItem.objects.create(template=template, order=1, content="安全出口畅通", basis="安全生产法第三十九条")
    return actions.start_inspection(world.users["inspector"], enterprise=world.ent_north, kind="routine",
                                    date=datetime.date(2017, 5, 10), template=template,
                                    inspectors=[world.users["inspector"], world.users["town_north"]])


def _page(world: Any) -> Client:
    client = Client()
    client.force_login(world.users["inspector"])
    return client


def _api(world: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.users["inspector"])
    return client


def _attachments() -> int:
    from ..models import InspectionAttachment

    return InspectionAttachment.objects.count()


UPLOAD_CASES = [
    UploadCase("inspection attachment (API)", "api:POST /api/v1/inspections/{id}/attachments/",
               lambda world, upload: _api(world).post(f"/api/v1/inspections/{_inspection(world).pk}/attachments/",
                                                      {"file": upload, "kind": "document"}, format="multipart"),
               _attachments),
    UploadCase("photo of a checklist item (walk page)", "form:anjian.inspections.forms.ResultForm",
               lambda world, upload: _page(world).post(
                   reverse("inspections:walk", args=[_inspection(world).pk]) + "?i=0",
                   {"outcome": "fail", "photo": upload}, follow=True), _attachments),
    UploadCase("document of the record (page)", "form:anjian.inspections.forms.DocumentForm",
               lambda world, upload: _page(world).post(reverse("inspections:document", args=[_inspection(world).pk]),
                                                       {"document": upload}, follow=True), _attachments),
]
