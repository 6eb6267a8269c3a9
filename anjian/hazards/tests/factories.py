"""Test data for the hazards app: hazards in any state, photos, a major hazard ready to close."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ..models import Hazard, HazardLevel, HazardStatus, Reinspection, RemediationPlan


def image_file(name: str = "photo.jpg", fmt: str = "JPEG", size: tuple[int, int] = (8, 6)) -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, fmt)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def fake_jpeg(name: str = "not-a-photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 this is not an image at all\n" * 20, content_type="image/jpeg")


def make_hazard(enterprise: Any, *, status: str = HazardStatus.REPORTED, level: str = HazardLevel.GENERAL,
                found_on: date | None = None, deadline: date | None = None, rectified_on: date | None = None,
                verified_on: date | None = None, **kw: Any) -> Hazard:
    """A hazard row in the given state (bypassing the workflow: for fixtures)."""
    found_on = found_on or timezone.localdate() - timedelta(days=10)
    if status in (HazardStatus.RECTIFIED, HazardStatus.VERIFIED) and rectified_on is None:
        rectified_on = found_on
    if status == HazardStatus.VERIFIED and verified_on is None:
        verified_on = rectified_on
    return Hazard.objects.create(
        enterprise=enterprise, description=kw.pop("description", "消防通道堵塞"), level=level, status=status,
        found_on=found_on, deadline=deadline, rectified_on=rectified_on, verified_on=verified_on, **kw)


PLAN = {
    "objectives": "消除粉尘爆炸隐患",
    "methods": "改造除尘系统，加装泄爆装置",
    "funds_and_materials": "公司安全费用列支",
    "funds": "150000",
    "organisation": "设备部，负责人王某",
    "time_and_requirements": "30日内完成",
    "safety_and_emergency": "停用相关设备，制定专项应急预案",
    "principal": "李某",
}


def complete_plan(hazard: Hazard) -> RemediationPlan:
    fields = {**PLAN, "funds": 150000}
    return RemediationPlan.objects.create(hazard=hazard, **fields)


def passed_reinspection(hazard: Hazard, on: date | None = None) -> Reinspection:
    return Reinspection.objects.create(hazard=hazard, passed=True, inspected_on=on or timezone.localdate(),
                                       opinion="现场复查合格")
