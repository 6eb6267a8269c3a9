"""How files come into the accidents app, for the generic upload tests (anjian/files/tests)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from anjian.files.testing import UploadCase, pdf


def _accident(world: Any) -> Any:
    from .. import actions
    from . import factories as f

    accident = f.make_accident(enterprise=world.ent_north, occurred_at=f.aware(2017, 3, 1), deaths=1)
    actions.start_investigation(world.users["district"], accident, leader="王局长", started_on=date(2017, 3, 2))
    return accident


REPORT = {"submitted_on": "2017-04-20", "direct_cause": "边坡失稳", "nature": "liability"}


def _reports() -> int:
    from ..models import Investigation

    return Investigation.objects.exclude(report_file="").count()


def _api(world: Any, upload: Any) -> Any:
    client = APIClient()
    client.force_authenticate(world.users["district"])
    return client.post(f"/api/v1/accidents/{_accident(world).pk}/investigation/report/",
                       {**REPORT, "report_file": upload}, format="multipart")


def _page(world: Any, upload: Any) -> Any:
    client = Client()
    client.force_login(world.users["district"])
    return client.post(reverse("accidents:investigation", args=[_accident(world).pk, "report"]),
                       {**REPORT, "report_file": upload}, follow=True)


UPLOAD_CASES = [
    UploadCase("investigation report (API)", "api:POST /api/v1/accidents/{id}/investigation/report/", _api, _reports, pdf),
    UploadCase("investigation report (page)", "form:anjian.accidents.forms.InvestigationReportForm", _page, _reports, pdf),
]
