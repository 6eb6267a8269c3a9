"""Major (重大) hazards: the six-part plan, the double report, 挂牌督办, extensions,
suspension and the resumption review (16号令第十五、十八、二十三条)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from .. import actions, rules
from ..exceptions import TransitionNotAllowed
from ..models import HazardLevel, HazardStatus, ResumptionApplication, SupervisionListing
from .factories import PLAN, complete_plan, make_hazard, passed_reinspection

pytestmark = pytest.mark.django_db
S = HazardStatus
TODAY = timezone.localdate


def _major(world, status=S.RECTIFIED, **kw):
    return make_hazard(world.ent_north, level=HazardLevel.MAJOR, status=status, **kw)


def test_major_hazard_needs_remediation_plan(world):
    hazard = _major(world)
    passed_reinspection(hazard)
    with pytest.raises(TransitionNotAllowed) as exc:
        actions.verify(actor=world.users["district"], hazard=hazard)
    assert "remediation plan" in str(exc.value)
    assert hazard.__class__.objects.get(pk=hazard.pk).status == S.RECTIFIED


def test_major_hazard_needs_every_part_of_its_plan(world):
    hazard = _major(world)
    passed_reinspection(hazard)
    plan = complete_plan(hazard)
    plan.safety_and_emergency = ""
    plan.save()
    with pytest.raises(TransitionNotAllowed) as exc:
        actions.verify(actor=world.users["district"], hazard=hazard)
    assert "安全措施和应急预案" in str(exc.value)


def test_major_hazard_needs_a_passed_reinspection(world):
    hazard = _major(world, rectified_on=TODAY() - timedelta(days=1))
    complete_plan(hazard)
    with pytest.raises(TransitionNotAllowed) as exc:
        actions.verify(actor=world.users["district"], hazard=hazard)
    assert "re-inspection" in str(exc.value)
    # A re-inspection from before the rectification submission does not count.
    passed_reinspection(hazard, on=TODAY() - timedelta(days=5))
    with pytest.raises(TransitionNotAllowed):
        actions.verify(actor=world.users["district"], hazard=hazard)
    actions.record_reinspection(actor=world.users["inspector"], hazard=hazard, passed=True, opinion="合格")
    actions.verify(actor=world.users["district"], hazard=hazard)
    hazard.refresh_from_db()
    assert hazard.status == S.VERIFIED


def test_failed_reinspection_sends_major_hazard_back(world):
    hazard = _major(world)
    complete_plan(hazard)
    actions.record_reinspection(actor=world.users["inspector"], hazard=hazard, passed=False, opinion="泄爆口未安装")
    hazard.refresh_from_db()
    assert hazard.status == S.RECTIFYING and hazard.rectified_on is None


def test_plan_is_written_by_the_enterprise_only(world):
    hazard = _major(world, status=S.RECTIFYING)
    with pytest.raises(PermissionDenied):
        actions.save_remediation_plan(actor=world.users["inspector"], hazard=hazard, **PLAN)
    plan = actions.save_remediation_plan(actor=world.users["ent_north"], hazard=hazard,
                                         **{**PLAN, "target_date": TODAY() + timedelta(days=30)})
    assert plan.is_complete and plan.funds == 150000
    hazard.refresh_from_db()
    assert hazard.deadline == TODAY() + timedelta(days=30)  # the plan's time limit becomes the deadline
    general = make_hazard(world.ent_north)
    with pytest.raises(TransitionNotAllowed) as exc:
        actions.save_remediation_plan(actor=world.users["ent_north"], hazard=general, **PLAN)
    assert "major hazards only" in str(exc.value)


def test_plan_lists_missing_parts_by_name(world):
    hazard = _major(world, status=S.RECTIFYING)
    plan = actions.save_remediation_plan(actor=world.users["ent_north"], hazard=hazard, objectives="x")
    assert [p["name"] for p in rules.plan_parts()][1:] == plan.missing_parts()


def test_double_report_to_department_and_workers_congress(world):
    hazard = _major(world, status=S.RECTIFYING)
    ent = world.users["ent_north"]
    actions.record_double_report(actor=ent, hazard=hazard, kind="department", reported_on=TODAY(),
                                 department=world.dept_mines, recipient="矿山监管局")
    actions.record_double_report(actor=ent, hazard=hazard, kind="workers_congress", reported_on=TODAY(),
                                 recipient="公司第三届职代会")
    assert sorted(hazard.double_reports.values_list("kind", flat=True)) == ["department", "workers_congress"]
    with pytest.raises(ValidationError):
        actions.record_double_report(actor=ent, hazard=hazard, kind="press", reported_on=TODAY())


def test_supervision_listing_by_the_district_only(world):
    hazard = _major(world, status=S.RECTIFYING)
    for persona in ("town_north", "inspector", "ent_north", "leader"):
        with pytest.raises(PermissionDenied):
            actions.list_for_supervision(actor=world.users[persona], hazard=hazard, level="district",
                                         issuing_body="区安委会", document_number="安委督〔2017〕1号",
                                         listed_on=TODAY())
    listing = actions.list_for_supervision(actor=world.users["district"], hazard=hazard, level="city",
                                           issuing_body="市安委会", document_number="市安委督〔2017〕3号",
                                           listed_on=TODAY())
    assert listing.get_level_display().startswith("city")
    # Closing the hazard takes it off the list (摘牌).
    complete_plan(hazard)
    hazard.status, hazard.rectified_on = S.RECTIFIED, TODAY()
    hazard.save()
    passed_reinspection(hazard)
    actions.verify(actor=world.users["district"], hazard=hazard)
    assert SupervisionListing.objects.get(pk=listing.pk).delisted_on == TODAY()


def test_deadline_extension_requested_and_approved(world):
    hazard = _major(world, status=S.RECTIFYING, deadline=TODAY() + timedelta(days=2))
    ent, town = world.users["ent_north"], world.users["town_north"]
    with pytest.raises(ValidationError):
        actions.request_extension(actor=ent, hazard=hazard, new_deadline=TODAY(), reason="设备未到货")
    ext = actions.request_extension(actor=ent, hazard=hazard, new_deadline=TODAY() + timedelta(days=20),
                                    reason="设备未到货")
    with pytest.raises(TransitionNotAllowed):
        actions.request_extension(actor=ent, hazard=hazard, new_deadline=TODAY() + timedelta(days=30), reason="再延")
    with pytest.raises(PermissionDenied):
        actions.decide_extension(actor=ent, extension=ext, approve=True)
    actions.decide_extension(actor=town, extension=ext, approve=True, comment="同意")
    hazard.refresh_from_db()
    assert hazard.deadline == TODAY() + timedelta(days=20)
    with pytest.raises(TransitionNotAllowed) as exc:
        actions.decide_extension(actor=town, extension=ext, approve=False, comment="不同意")
    assert "already been decided" in str(exc.value)


def test_refusing_an_extension_needs_a_reason(world):
    hazard = make_hazard(world.ent_north, status=S.RECTIFYING, deadline=TODAY() + timedelta(days=2))
    ext = actions.request_extension(actor=world.users["ent_north"], hazard=hazard,
                                    new_deadline=TODAY() + timedelta(days=9), reason="人手不足")
    with pytest.raises(ValidationError):
        actions.decide_extension(actor=world.users["inspector"], extension=ext, approve=False)
    actions.decide_extension(actor=world.users["inspector"], extension=ext, approve=False, comment="理由不充分")
    hazard.refresh_from_db()
    assert hazard.deadline == TODAY() + timedelta(days=2)


def test_suspension_and_resumption_review_closes_the_hazard(world, django_capture_on_commit_callbacks):
    hazard = _major(world, status=S.RECTIFYING)
    ent, inspector = world.users["ent_north"], world.users["inspector"]
    s = actions.order_suspension(actor=inspector, hazard=hazard, issuing_body="区应急管理局",
                                 ordered_on=TODAY() - timedelta(days=20), extent="full",
                                 document_number="（区）应急责停〔2017〕5号")
    with pytest.raises(TransitionNotAllowed):
        actions.order_suspension(actor=inspector, hazard=hazard, issuing_body="区应急管理局", ordered_on=TODAY())
    actions.save_remediation_plan(actor=ent, hazard=hazard, **PLAN)
    with pytest.raises(TransitionNotAllowed) as exc:  # the rectification is not submitted yet
        actions.apply_resumption(actor=ent, suspension=s, content="治理完成")
    assert "Submit the rectification first" in str(exc.value)
    actions.submit_rectification(actor=ent, hazard=hazard, evidence="除尘系统改造完成")
    applied = TODAY() - timedelta(days=3)
    app = actions.apply_resumption(actor=ent, suspension=s, content="治理完成，专家评估合格", assessor="某安全评价公司",
                                   applied_on=applied)
    assert app.review_due == applied + timedelta(days=10)
    with pytest.raises(TransitionNotAllowed):  # suspended: cannot close before the resumption review
        passed_reinspection(hazard)
        actions.verify(actor=inspector, hazard=hazard)
    with pytest.raises(PermissionDenied):
        actions.review_resumption(actor=ent, application=app, passed=True)
    with django_capture_on_commit_callbacks(execute=True):
        actions.review_resumption(actor=inspector, application=app, passed=True, opinion="现场审查合格，同意恢复生产")
    hazard.refresh_from_db()
    s.refresh_from_db()
    assert s.lifted_on == TODAY()
    assert hazard.status == S.VERIFIED  # 审查合格的，对事故隐患进行核销
    assert [e.action for e in hazard.events.all()][-2:] == ["resumption_approved", "verify"]


def test_failed_resumption_review_sends_the_hazard_back(world):
    hazard = _major(world, status=S.RECTIFIED, rectified_on=TODAY() - timedelta(days=5))
    complete_plan(hazard)
    s = actions.order_suspension(actor=world.users["district"], hazard=hazard, issuing_body="区安委办",
                                 ordered_on=TODAY() - timedelta(days=30))
    app = actions.apply_resumption(actor=world.users["ent_north"], suspension=s, content="已整改",
                                   applied_on=TODAY() - timedelta(days=4))
    with pytest.raises(ValidationError):
        actions.review_resumption(actor=world.users["town_north"], application=app, passed=False)
    actions.review_resumption(actor=world.users["town_north"], application=app, passed=False, opinion="泄爆片未更换")
    hazard.refresh_from_db()
    s.refresh_from_db()
    assert hazard.status == S.RECTIFYING and s.lifted_on is None


def test_overdue_resumption_reviews_are_shown(world):
    hazard = _major(world, status=S.RECTIFIED, rectified_on=TODAY() - timedelta(days=20))
    s = actions.order_suspension(actor=world.users["district"], hazard=hazard, issuing_body="区安委办",
                                 ordered_on=TODAY() - timedelta(days=30))
    late = actions.apply_resumption(actor=world.users["ent_north"], suspension=s, content="已整改",
                                    applied_on=TODAY() - timedelta(days=11))
    assert late.is_review_overdue()
    assert list(ResumptionApplication.objects.review_overdue()) == [late]
    assert late.review_due == TODAY() - timedelta(days=1)


def test_review_clock_is_data():
    assert rules.resumption_review_days() == 10
    assert rules.resumption_review_due(date(2017, 3, 25)) == date(2017, 4, 4)
