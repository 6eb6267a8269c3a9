import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile


def jpeg_bytes(size=(8, 8)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
def photo():
    return SimpleUploadedFile("site.jpg", jpeg_bytes(), content_type="image/jpeg")


@pytest.fixture
def template(db):
    from anjian.inspections.models import ChecklistItem, ChecklistTemplate

    t = ChecklistTemplate.objects.create(code="t", name="测试检查表", template_version="1")
    ChecklistItem.objects.create(template=t, order=1, content="安全出口畅通", basis="安全生产法第三十九条")
    ChecklistItem.objects.create(template=t, order=2, content="干式除尘系统控爆措施", major_criterion=True,
                                 criterion_ref="专项类（一）第3项", basis="129号")
    return t


@pytest.fixture
def day():
    return datetime.date(2017, 5, 10)
