"""Investigation (第十九条–第三十二条): team leader, the 60-day report deadline and its extension
(at most 60 more days, with a reason), the report, 批复, accountability, and the follow-up
check of the rectification measures before the case is closed."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from anjian.accidents import actions
from anjian.accidents.models import Investigation

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def accident(world):
    return f.make_accident(enterprise=world.ent_north, occurred_at=f.aware(2017, 3, 1), deaths=1)


def _start(world, accident):
    return actions.start_investigation(world.users["district"], accident, leader="王局长", members="安监局、公安局",
                                       started_on=date(2017, 3, 2))


def test_report_is_due_60_days_after_the_accident(world, accident):
    inv = _start(world, accident)
    assert inv.due_on == date(2017, 4, 30)
    assert accident.events.filter(action="investigation_started").exists()


def test_investigation_needs_a_leader_and_only_one_per_accident(world, accident):
    with pytest.raises(actions.ActionError):
        actions.start_investigation(world.users["district"], accident, leader=" ", started_on=date(2017, 3, 2))
    _start(world, accident)
    with pytest.raises(actions.ActionError):
        _start(world, accident)


def test_extension_is_at_most_60_days_in_all_with_a_reason(world, accident):
    _start(world, accident)
    with pytest.raises(actions.ActionError):
        actions.extend_investigation(world.users["district"], accident, days=30, reason="")
    inv = actions.extend_investigation(world.users["district"], accident, days=40, reason="技术鉴定")
    assert inv.due_on == date(2017, 6, 9) and inv.extension_days == 40
    with pytest.raises(actions.ActionError):
        actions.extend_investigation(world.users["district"], accident, days=21, reason="再延期")
    inv = actions.extend_investigation(world.users["district"], accident, days=20, reason="再延期")
    assert inv.due_on == date(2017, 6, 29) and inv.extension_days == 60


def test_overdue_when_the_due_date_passed_without_a_report(world, accident):
    inv = _start(world, accident)
    assert inv.is_overdue  # 2017-04-30 is long past
    actions.submit_investigation_report(world.users["district"], accident, submitted_on=date(2017, 4, 28),
                                        direct_cause="违章作业", nature="liability")
    inv.refresh_from_db()
    assert not inv.is_overdue and inv.status == "reported"


def test_the_whole_investigation_to_closing(world, accident):
    _start(world, accident)
    actions.add_accountability(world.users["district"], accident, person="赵六", position="安全主管",
                               measure="administrative", details="撤职")
    actions.add_rectification_measure(world.users["district"], accident, measure="开展全员培训",
                                      responsible="北方矿业", deadline=date(2017, 6, 30))
    with pytest.raises(actions.ActionError):  # the report states cause and nature
        actions.submit_investigation_report(world.users["district"], accident, submitted_on=date(2017, 4, 20),
                                            direct_cause="", nature="")
    inv = actions.submit_investigation_report(world.users["district"], accident, submitted_on=date(2017, 4, 20),
                                              direct_cause="边坡失稳", nature="liability", summary="责任事故")
    assert inv.approval_due == date(2017, 5, 5)  # 15 days (第三十二条)
    actions.approve_investigation(world.users["district"], accident, approved_on=date(2017, 5, 2),
                                  reference="示政文〔2017〕12号")
    with pytest.raises(actions.ActionError):  # findings are fixed once approved
        actions.add_accountability(world.users["district"], accident, person="x", measure="fine")
    with pytest.raises(actions.ActionError):  # the measure is not checked yet
        actions.close_investigation(world.users["district"], accident)
    measure = inv.measures.get()
    actions.check_rectification_measure(world.users["district"], measure, done=False, checked_on=date(2017, 6, 1),
                                        result="培训未完成")
    with pytest.raises(actions.ActionError):
        actions.close_investigation(world.users["district"], accident)
    actions.check_rectification_measure(world.users["district"], measure, done=True, checked_on=date(2017, 7, 1),
                                        result="已完成培训，考核合格")
    inv = actions.close_investigation(world.users["district"], accident, closed_on=date(2017, 7, 2))
    assert inv.status == "closed"
    assert list(accident.events.values_list("action", flat=True)) == [
        "investigation_started", "accountability_added", "measure_added", "report_submitted", "report_approved",
        "measure_checked", "measure_checked", "closed"]
    added = accident.events.get(action="measure_added")
    assert added.actor == world.users["district"]
    assert added.data == {"measure": "开展全员培训", "responsible": "北方矿业", "deadline": "2017-06-30"}


def test_approval_only_after_the_report(world, accident):
    _start(world, accident)
    with pytest.raises(actions.ActionError):
        actions.approve_investigation(world.users["district"], accident, approved_on=date(2017, 5, 2))


def test_only_the_district_office_investigates(world, accident):
    for persona in ("town_north", "dept_mines", "leader", "ent_north"):
        with pytest.raises(PermissionDenied):
            actions.start_investigation(world.users[persona], accident, leader="x", started_on=date(2017, 3, 2))
    assert not Investigation.objects.exists()


def test_investigation_through_the_pages(world, client_for, accident):
    client = client_for("district")
    url = reverse("accidents:investigation", args=[accident.pk, "start"])
    assert client_for("town_north").post(url, {"leader": "x", "started_on": "2017-03-02"}).status_code == 403
    client.post(url, {"leader": "王局长", "started_on": "2017-03-02"})
    client.post(reverse("accidents:investigation", args=[accident.pk, "extend"]), {"days": "70", "reason": "x"})
    inv = Investigation.objects.get()
    assert inv.extension_days == 0  # 70 > 60 refused by the form
    client.post(reverse("accidents:investigation", args=[accident.pk, "measure"]),
                {"measure": "加装护栏", "responsible": "北方矿业"})
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("report.pdf", b"not a pdf at all", content_type="application/pdf")
    page = client.post(reverse("accidents:investigation", args=[accident.pk, "report"]),
                       {"submitted_on": "2017-04-20", "direct_cause": "x", "nature": "liability",
                        "report_file": bad}, follow=True)
    inv.refresh_from_db()
    assert inv.status == "ongoing"
    assert "PDF" in page.content.decode()
    from anjian.files.testing import pdf

    good = pdf("report.pdf")
    client.post(reverse("accidents:investigation", args=[accident.pk, "report"]),
                {"submitted_on": "2017-04-20", "direct_cause": "x", "nature": "liability", "report_file": good})
    inv.refresh_from_db()
    assert inv.status == "reported" and inv.report_file.name.endswith(".pdf")
    measure = inv.measures.get()
    client.post(reverse("accidents:check_measure", args=[accident.pk, measure.pk]),
                {"done": "on", "checked_on": "2017-06-01", "result": "已加装"})
    measure.refresh_from_db()
    assert measure.done and measure.checked_by == world.users["district"]
    detail = client.get(reverse("accidents:detail", args=[accident.pk]))
    assert "已加装" in detail.content.decode() and "王局长" in detail.content.decode()
