"""Overdue hazards raise supervision orders (督办) automatically, escalate, and only once."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from anjian.accounts.models import Role, RoleAssignment, User
from anjian.core.models import Notification

from .. import actions
from ..models import HazardEvent, HazardStatus, OrderLevel, OrderStatus, SupervisionOrder
from ..overdue import run_overdue
from .factories import make_hazard

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def overdue(world):
    return make_hazard(world.ent_north, status=HazardStatus.RECTIFYING, deadline=TODAY() - timedelta(days=3))


def test_overdue_hazard_raises_orders_to_town_and_department(world, overdue, django_capture_on_commit_callbacks):
    make_hazard(world.ent_north, status=HazardStatus.RECTIFIED, deadline=TODAY() - timedelta(days=3))  # rectified
    make_hazard(world.ent_north, status=HazardStatus.REPORTED, deadline=TODAY())  # due today: not yet overdue
    with django_capture_on_commit_callbacks(execute=True):
        summary = run_overdue()
    assert summary.issued == 2 and summary.hazards == 1
    orders = {o.level: o for o in SupervisionOrder.objects.filter(hazard=overdue)}
    assert set(orders) == {OrderLevel.TOWN, OrderLevel.DEPARTMENT}
    assert orders[OrderLevel.TOWN].area == world.north
    assert orders[OrderLevel.DEPARTMENT].department == world.dept_mines
    assert all(o.number and o.status == OrderStatus.OPEN and o.deadline == overdue.deadline for o in orders.values())
    for persona in ("town_north", "dept_mines", "ent_north"):
        assert Notification.objects.filter(recipient=world.users[persona], kind="hazards.order").count() == 1
    assert HazardEvent.objects.get(hazard=overdue, action="order_issued").data["days_overdue"] == 3


def test_running_the_job_twice_issues_each_order_once(world, overdue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = run_overdue()
        second = run_overdue()
    assert first.issued == 2 and second.issued == 0 and second.escalated == 0
    assert SupervisionOrder.objects.count() == 2
    assert Notification.objects.filter(recipient=world.users["town_north"]).count() == 1


def test_command_runs_the_job(world, overdue):
    out = StringIO()
    call_command("hazards_overdue", stdout=out)
    call_command("hazards_overdue", stdout=out)
    assert "orders issued: 2" in out.getvalue() and "orders issued: 0" in out.getvalue()
    assert SupervisionOrder.objects.count() == 2


def test_escalates_to_the_district_after_the_escalation_period(world, overdue, settings,
                                                               django_capture_on_commit_callbacks):
    settings.ANJIAN_SUPERVISION_ESCALATE_DAYS = 7
    run_overdue()
    assert run_overdue(now=timezone.now() + timedelta(days=6)).escalated == 0
    with django_capture_on_commit_callbacks(execute=True):
        later = run_overdue(now=timezone.now() + timedelta(days=7, minutes=1))
    assert later.escalated == 1
    district = SupervisionOrder.objects.get(level=OrderLevel.DISTRICT)
    assert district.area == world.district and district.escalated_from.level in (OrderLevel.TOWN, OrderLevel.DEPARTMENT)
    assert Notification.objects.filter(recipient=world.users["district"], kind="hazards.order").count() == 1
    assert run_overdue(now=timezone.now() + timedelta(days=8)).escalated == 0
    assert SupervisionOrder.objects.filter(level=OrderLevel.DISTRICT).count() == 1


def test_escalation_days_is_a_setting(world, overdue, settings):
    settings.ANJIAN_SUPERVISION_ESCALATE_DAYS = 2
    run_overdue()
    assert run_overdue(now=timezone.now() + timedelta(days=2, minutes=1)).escalated == 1


def test_orders_close_when_the_hazard_is_rectified(world, overdue):
    run_overdue()
    actions.submit_rectification(actor=world.users["ent_north"], hazard=overdue, evidence="已整改")
    summary = run_overdue()
    assert summary.closed == 2
    assert not SupervisionOrder.objects.open().exists()


def test_extension_opens_a_new_episode(world, overdue):
    run_overdue()
    ext = actions.request_extension(actor=world.users["ent_north"], hazard=overdue,
                                    new_deadline=TODAY() + timedelta(days=5), reason="等待配件")
    actions.decide_extension(actor=world.users["town_north"], extension=ext, approve=True)
    assert not SupervisionOrder.objects.open().exists()  # closed: deadline extended
    assert run_overdue().issued == 0
    # Overdue again after the new deadline: new orders for the new deadline.
    assert run_overdue(today=TODAY() + timedelta(days=6)).issued == 2
    assert SupervisionOrder.objects.count() == 4


def test_answering_and_closing_orders(world, overdue):
    run_overdue()
    order = SupervisionOrder.objects.get(level=OrderLevel.TOWN)
    from ..orders import answer_order, close_order

    with pytest.raises(Exception):  # noqa: B017 - the enterprise does not answer supervision orders
        answer_order(actor=world.users["ent_north"], order=order, answer="x")
    answer_order(actor=world.users["town_north"], order=order, answer="已约谈企业负责人，限期三日整改")
    order.refresh_from_db()
    assert order.status == OrderStatus.ANSWERED and order.answered_by == world.users["town_north"]
    close_order(actor=world.users["district"], order=order, reason="整改完成")
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED


def test_orphan_enterprise_goes_straight_to_the_district(world):
    hazard = make_hazard(world.ent_south, status=HazardStatus.REPORTED, deadline=TODAY() - timedelta(days=1))
    # ent_south is in 南镇 but no town user and its sector (retail) has no department: still a town order.
    run_overdue()
    assert SupervisionOrder.objects.filter(hazard=hazard, level=OrderLevel.TOWN).count() == 1


def test_beat_schedule_has_the_job():
    entry = settings.CELERY_BEAT_SCHEDULE["hazards-overdue"]
    assert entry["task"] == "anjian.hazards.overdue"


def test_celery_task_runs_the_job(world, overdue):
    from ..tasks import hazards_overdue

    assert hazards_overdue.apply().get()["issued"] == 2


def test_district_users_are_the_districts(world):
    other = User.objects.create_user("other_district", password="x")
    RoleAssignment.objects.create(user=other, role=Role.TOWN, area=world.south)
    from ..recipients import district_users

    assert list(district_users("410199000000")) == [world.users["district"]]


def test_orders_are_events_of_the_kit_with_their_audit_entry_once(world, overdue, settings,
                                                                  django_capture_on_commit_callbacks):
    from django.db import transaction

    from anjian.core.models import AuditAction, AuditEntry

    settings.ANJIAN_SUPERVISION_ESCALATE_DAYS = 7
    later = timezone.now() + timedelta(days=7, minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        run_overdue(), run_overdue(), run_overdue(now=later), run_overdue(now=later)
    events = HazardEvent.objects.filter(hazard=overdue)
    assert sorted(events.values_list("action", flat=True)) == ["order_escalated", "order_issued"]
    audit = AuditEntry.objects.filter(action=AuditAction.TRANSITION, object_id=str(overdue.pk))
    assert sorted(audit.values_list("message", flat=True)) == ["order_escalated", "order_issued"]
    # The notifications go out when the run commits: a run rolled back tells nobody.
    fresh = make_hazard(world.ent_north, status=HazardStatus.RECTIFYING, deadline=TODAY() - timedelta(days=2))
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                assert run_overdue().issued == 2
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    assert callbacks == [] and Notification.objects.count() == before
    assert not HazardEvent.objects.filter(hazard=fresh).exists()
