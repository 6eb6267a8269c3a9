"""The hazard pages, as each persona uses them."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from anjian.core.models import AuditEntry

from .. import actions
from ..models import Hazard, HazardLevel, HazardPhoto, HazardStatus, SupervisionOrder
from ..overdue import run_overdue
from .factories import PLAN, complete_plan, fake_jpeg, image_file, make_hazard

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
PERSONAS = ["district", "leader", "dept_mines", "town_north", "inspector", "ent_north"]


@pytest.fixture
def major(world):
    h = make_hazard(world.ent_north, level=HazardLevel.MAJOR, status=HazardStatus.RECTIFIED,
                    deadline=TODAY() - timedelta(days=2), rectified_on=TODAY() - timedelta(days=1))
    complete_plan(h)
    s = actions.order_suspension(actor=world.users["district"], hazard=h, issuing_body="区安委办",
                                 ordered_on=TODAY() - timedelta(days=20))
    actions.apply_resumption(actor=world.users["ent_north"], suspension=s, content="治理完成",
                             applied_on=TODAY() - timedelta(days=12))
    actions.list_for_supervision(actor=world.users["district"], hazard=h, level="district", issuing_body="区安委会",
                                 document_number="区安委督〔2017〕2号", listed_on=TODAY() - timedelta(days=10))
    return h


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_renders_for_each_persona(world, client_for, major, persona):
    make_hazard(world.ent_north, status=HazardStatus.RECTIFYING, deadline=TODAY() - timedelta(days=3))
    run_overdue()
    c = client_for(persona)
    order = SupervisionOrder.objects.first()
    for url in (reverse("hazards:list"), reverse("hazards:detail", args=[major.pk]), reverse("hazards:dashboard"),
                reverse("hazards:major"), reverse("hazards:orders"), reverse("hazards:order_detail", args=[order.pk]),
                reverse("hazards:reports"), reverse("hazards:list") + "?level=major&overdue=true&town=410199001000",
                reverse("hazards:list") + "?indicator=hazards.rectification_rate&year=2017&which=denominator"):
        response = c.get(url)
        assert response.status_code == 200, (url, response.status_code)
    html = c.get(reverse("hazards:detail", args=[major.pk])).content.decode()
    assert "区安委督〔2017〕2号" in html and "治理的目标和任务" in html
    assert ('data-testid="review-overdue"' in html)  # applied 12 days ago, review due within 10


def test_system_roles_get_no_hazard_pages(world, client_for):
    for url in (reverse("hazards:list"), reverse("hazards:dashboard"), reverse("hazards:orders")):
        assert client_for("sysadmin").get(url).status_code == 403


def test_htmx_list_returns_the_rows_only(world, client_for):
    make_hazard(world.ent_north, description="漏电保护器失效")
    response = client_for("district").get(reverse("hazards:list"), {"q": "漏电"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "漏电保护器失效" in html and "<html" not in html


def test_list_filters(world, client_for):
    a = make_hazard(world.ent_north, level=HazardLevel.MAJOR, description="甲")
    b = make_hazard(world.ent_south, description="乙", deadline=TODAY() - timedelta(days=1))
    c = client_for("district")

    def ids(**params):
        html = c.get(reverse("hazards:list"), params).content.decode()
        return {h.pk for h in (a, b) if f'href="{reverse("hazards:detail", args=[h.pk])}"' in html}

    assert ids() == {a.pk, b.pk}
    assert ids(level="major") == {a.pk}
    assert ids(town="410199002000") == {b.pk}
    assert ids(overdue="true") == {b.pk}
    assert ids(sector="non_coal_mine") == {a.pk}
    assert ids(department="mines") == {a.pk}
    assert ids(enterprise=world.ent_south.pk) == {b.pk}


def test_inspector_reports_a_hazard_with_a_photo(world, client_for):
    c = client_for("inspector")
    response = c.post(reverse("hazards:add"), {
        "enterprise": world.ent_north.pk, "description": "安全出口锁闭", "level": "general", "found_on": TODAY(),
        "deadline": TODAY() + timedelta(days=3), "photos": [image_file()],
    })
    hazard = Hazard.objects.get(description="安全出口锁闭")
    assert response.status_code == 302 and response["Location"] == reverse("hazards:detail", args=[hazard.pk])
    assert hazard.photos.count() == 1


def test_a_renamed_non_image_is_refused(world, client_for):
    response = client_for("inspector").post(reverse("hazards:add"), {
        "enterprise": world.ent_north.pk, "description": "x", "level": "general", "found_on": TODAY(),
        "photos": [fake_jpeg("scan.jpg")]})
    assert response.status_code == 400
    assert "“scan.jpg”不是图片文件" in response.content.decode()
    assert not Hazard.objects.exists()


def test_a_photo_over_the_limit_is_refused(world, client_for, settings):
    settings.ANJIAN_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    big = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (10, 10)).save(big, "PNG")
    payload = big.getvalue() + b"\0" * (10 * 1024 * 1024)  # a valid PNG padded past 10 MB
    upload = SimpleUploadedFile("huge.png", payload, content_type="image/png")
    hazard = make_hazard(world.ent_north, status=HazardStatus.RECTIFYING)
    response = client_for("ent_north").post(reverse("hazards:photos", args=[hazard.pk]),
                                            {"kind": "after", "photos": [upload]}, follow=True)
    html = response.content.decode()
    assert "“huge.png”" in html and "不得超过 10.0" in html
    assert not HazardPhoto.objects.exists()


def test_enterprise_rectifies_and_inspector_accepts_through_the_pages(world, client_for):
    hazard = make_hazard(world.ent_north, status=HazardStatus.REPORTED)
    ent, insp = client_for("ent_north"), client_for("inspector")
    url = lambda action: reverse("hazards:transition", args=[hazard.pk, action])  # noqa: E731
    assert 'data-testid="do-start_rectification"' in ent.get(reverse("hazards:detail", args=[hazard.pk])).content.decode()
    ent.post(url("start_rectification"), {"start_rectification-comment": "开始"})
    response = ent.post(url("submit_rectification"), {
        "submit_rectification-evidence": "已更换", "submit_rectification-photos": [image_file("after.jpg")]},
        follow=True)
    assert "Done" in response.content.decode() or "完成" in response.content.decode()
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFIED and hazard.photos.filter(kind="after").count() == 1
    # The enterprise cannot accept its own rectification.
    assert ent.post(url("verify"), {}).status_code == 403
    insp.post(url("verify"), {"verify-comment": "复查合格"})
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.VERIFIED


def test_illegal_transition_on_the_page_says_why(world, client_for):
    hazard = make_hazard(world.ent_north, status=HazardStatus.VERIFIED)
    response = client_for("inspector").post(reverse("hazards:transition", args=[hazard.pk, "reject"]),
                                            {"reject-comment": "x"}, follow=True)
    assert "Cannot" in response.content.decode() or "不能" in response.content.decode()


def test_outside_scope_is_404(world, client_for):
    hazard = make_hazard(world.ent_south, status=HazardStatus.RECTIFIED)
    c = client_for("town_north")
    assert c.get(reverse("hazards:detail", args=[hazard.pk])).status_code == 404
    assert c.post(reverse("hazards:transition", args=[hazard.pk, "verify"])).status_code == 404


def test_plan_page_for_the_enterprise(world, client_for):
    hazard = make_hazard(world.ent_north, level=HazardLevel.MAJOR, status=HazardStatus.RECTIFYING)
    c = client_for("ent_north")
    assert c.get(reverse("hazards:plan", args=[hazard.pk])).status_code == 200
    response = c.post(reverse("hazards:plan", args=[hazard.pk]), {**PLAN, "target_date": TODAY() + timedelta(days=9)})
    assert response.status_code == 302
    assert hazard.plan.is_complete
    assert client_for("inspector").get(reverse("hazards:plan", args=[hazard.pk])).status_code == 403


def test_major_hazard_pages_record_review_and_close(world, client_for, major):
    app = major.suspensions.get().applications.get()
    response = client_for("inspector").post(reverse("hazards:resumption_review", args=[app.pk]),
                                            {"passed": "1", "opinion": "现场审查合格", "on": TODAY()})
    assert response.status_code == 302
    major.refresh_from_db()
    assert major.status == HazardStatus.VERIFIED


def test_soft_delete_from_the_page(world, client_for):
    hazard = make_hazard(world.ent_north)
    c = client_for("town_north")
    c.post(reverse("hazards:transition", args=[hazard.pk, "cancel"]), {"cancel-comment": "重复登记"})
    assert not Hazard.objects.filter(pk=hazard.pk).exists()
    assert f'href="{reverse("hazards:detail", args=[hazard.pk])}"' not in c.get(reverse("hazards:list")).content.decode()
    assert "重复登记" in c.get(reverse("hazards:detail", args=[hazard.pk])).content.decode()


def test_ledger_export_is_an_xlsx_and_audited(world, client_for):
    from openpyxl import load_workbook

    make_hazard(world.ent_north, description="导出测试")
    make_hazard(world.ent_south, description="看不见的")
    response = client_for("town_north").get(reverse("hazards:export"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.values)
    assert rows[0][:3] == ("隐患编号", "企业名称", "统一社会信用代码")
    assert [r[4] for r in rows[1:]] == ["导出测试"]
    assert AuditEntry.objects.filter(action="export", object_type="hazards.hazard").exists()


def test_indicator_rows_export(world, client_for):
    from openpyxl import load_workbook

    make_hazard(world.ent_north, found_on=date(2017, 3, 1), status=HazardStatus.VERIFIED)
    make_hazard(world.ent_north, found_on=date(2017, 4, 1))
    url = reverse("hazards:indicator_export", args=["hazards.rectification_rate"])
    response = client_for("district").get(url, {"year": 2017})
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert len(rows) == 2  # header + the one rectified hazard
    response = client_for("district").get(url, {"year": 2017, "which": "denominator"})
    assert len(list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)) == 3
    entry = AuditEntry.objects.filter(action="export").latest("pk")
    assert entry.changes["indicator"] == "hazards.rectification_rate"
    assert client_for("district").get(reverse("hazards:indicator_export", args=["nope"])).status_code == 404


def test_dashboard_figures_link_to_their_rows(world, client_for):
    make_hazard(world.ent_north, found_on=date(2017, 3, 1), status=HazardStatus.VERIFIED)
    make_hazard(world.ent_north, found_on=date(2017, 4, 1))
    html = client_for("district").get(reverse("hazards:dashboard"), {"year": 2017}).content.decode()
    assert 'data-code="hazards.rectification_rate" data-value="50.00"' in html
    assert "indicator=hazards.rectification_rate&amp;year=2017" in html
    drill = client_for("district").get(reverse("hazards:list"), {"indicator": "hazards.rectification_rate",
                                                                 "year": 2017}).content.decode()
    assert 'data-testid="drill"' in drill and "<strong>1</strong>" in drill


def test_order_answer_and_close_pages(world, client_for):
    make_hazard(world.ent_north, status=HazardStatus.RECTIFYING, deadline=TODAY() - timedelta(days=3))
    run_overdue()
    order = SupervisionOrder.objects.get(level="town")
    client_for("town_north").post(reverse("hazards:order_answer", args=[order.pk]), {"answer": "已督促"})
    order.refresh_from_db()
    assert order.status == "answered"
    client_for("district").post(reverse("hazards:order_close", args=[order.pk]), {"reason": "已整改"})
    order.refresh_from_db()
    assert order.status == "closed"


def test_statistics_report_submitted_and_lateness_shown(world, client_for):
    make_hazard(world.ent_north, found_on=date(2017, 2, 1), status=HazardStatus.VERIFIED, funds=500)
    make_hazard(world.ent_north, found_on=date(2017, 3, 1), level=HazardLevel.MAJOR, status=HazardStatus.RECTIFYING)
    from .. import reports

    report = reports.submit_report(actor=world.users["ent_north"], enterprise=world.ent_north, year=2017, quarter=1,
                                   principal="王总")
    assert (report.general_found, report.general_rectified, report.major_found, report.major_closed) == (1, 1, 1, 0)
    assert report.funds == 500 and report.is_late  # filed in the present day, long after 2017-04-15
    html = client_for("district").get(reverse("hazards:reports"), {"period": "2017-1"}).content.decode()
    assert 'data-state="late"' in html and 'data-state="missing"' in html  # north late, south never filed
    assert client_for("ent_north").get(reverse("hazards:reports")).status_code == 200
