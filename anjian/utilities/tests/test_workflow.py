"""The workflow kit (utilities.workflow): the transition table and its guards, the row lock, the event
factory, notifications on commit, Refusal as 409 through the API of each workflow and as a message on
the pages."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import RequestFactory
from django.utils import translation

from anjian.accidents.tests import factories as accident_factories
from anjian.core.models import AuditAction, AuditEntry, Notification
from anjian.hazards import actions as hazard_actions
from anjian.hazards.models import TRANSITIONS, Hazard, HazardEvent, HazardStatus
from anjian.hazards.tests.factories import make_hazard
from anjian.inspections import actions as inspection_actions
from anjian.inspections.models import ChecklistItem, ChecklistTemplate, InspectionEvent, Outcome
from anjian.utilities.api_settings import exception_handler
from anjian.utilities.workflow import (
    Refusal,
    Transition,
    TransitionTable,
    lock,
    notify_on_commit,
    refusals_as_messages,
    run_action,
)

pytestmark = pytest.mark.django_db


# --- the transition table ---------------------------------------------------------------------------------------

def _table(*guards, preconditions=()):
    return TransitionTable(
        Transition("start", (HazardStatus.REPORTED,), HazardStatus.RECTIFYING, "hazards.rectify_hazard",
                   "start", guards=guards),
        Transition("close", (HazardStatus.RECTIFIED,), HazardStatus.VERIFIED, refused="closing needs {allowed}"),
        preconditions=preconditions,
    )


def test_the_table_checks_permission_state_and_guards_in_order(world):
    hazard = make_hazard(world.ent_north)
    ent, leader = world.users["ent_north"], world.users["leader"]
    table = _table(lambda obj, user: "no funds yet" if not obj.funds else None)
    with pytest.raises(Refusal, match="fly"):
        table.check(hazard, "fly", ent)
    with pytest.raises(PermissionDenied):
        table.check(hazard, "start", leader)  # the role lacks the permission: 403 before anything else
    with pytest.raises(Refusal, match="no funds yet"):
        table.check(hazard, "start", ent)  # the guard speaks in its own words
    hazard.funds = 100
    assert table.check(hazard, "start", ent).target == HazardStatus.RECTIFYING
    assert table.can(hazard, "start", ent) and not table.can(hazard, "start", leader)
    with pytest.raises(Refusal, match="closing needs"):
        table.check(hazard, "close", ent)  # a transition's own refusal for the wrong state


def test_the_wrong_state_names_the_status_and_what_would_allow_it(world):
    hazard = make_hazard(world.ent_north, status=HazardStatus.VERIFIED)
    with translation.override("en"), pytest.raises(Refusal) as refused:
        _table().check(hazard, "start", world.users["ent_north"])
    assert "verified and closed" in str(refused.value) and "reported" in str(refused.value)


def test_a_precondition_refuses_every_transition_and_hides_them(world):
    hazard = make_hazard(world.ent_north)
    ent = world.users["ent_north"]
    table = _table(preconditions=[lambda obj, user: "frozen" if obj.location == "frozen" else None])
    assert [t.action for t in table.available(hazard, ent)] == ["start"]
    hazard.location = "frozen"
    with pytest.raises(Refusal, match="frozen"):
        table.check(hazard, "start", ent)
    assert table.available(hazard, ent) == []


def test_available_shows_a_guarded_transition_unless_told_not_to(world):
    hazard = make_hazard(world.ent_north)
    ent = world.users["ent_north"]
    blocked = lambda obj, user: "blocked"  # noqa: E731
    assert [t.action for t in _table(blocked).available(hazard, ent)] == ["start"]
    hidden = TransitionTable(Transition("start", (HazardStatus.REPORTED,), HazardStatus.RECTIFYING,
                                        guards=(blocked,), show_when_guarded=False))
    assert hidden.available(hazard, ent) == []


def test_the_hazard_table_keeps_a_withdrawn_hazard_closed_to_everyone(world):
    hazard = make_hazard(world.ent_north, status=HazardStatus.RECTIFIED)
    hazard_actions.cancel_hazard(actor=world.users["district"], hazard=hazard, reason="录入错误")
    hazard = Hazard.all_objects.get(pk=hazard.pk)
    with pytest.raises(Refusal):
        TRANSITIONS.check(hazard, "verify", world.users["inspector"])
    with pytest.raises(PermissionDenied):  # the role's permission is checked first
        TRANSITIONS.check(hazard, "verify", world.users["ent_north"])


# --- the row lock -----------------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_lock_outside_a_transaction_is_a_programming_error():
    with pytest.raises(RuntimeError, match="atomic"):
        lock(Hazard, 1)


def test_lock_refuses_a_row_that_has_gone(world):
    hazard = make_hazard(world.ent_north)
    with transaction.atomic():
        assert lock(Hazard.all_objects, hazard) == hazard
        with pytest.raises(Refusal, match="gone"):
            lock(Hazard.all_objects, hazard.pk + 1000, missing="gone")
        assert lock(Hazard, enterprise=world.ent_north) == hazard  # by any lookup


# --- the event factory ------------------------------------------------------------------------------------------

def test_record_writes_the_event_json_safe_and_its_audit_entry(world):
    hazard = make_hazard(world.ent_north)
    before = AuditEntry.objects.filter(action=AuditAction.TRANSITION).count()
    event = HazardEvent.record(hazard, "start_rectification", actor=world.users["ent_north"],
                               from_status="reported", to_status="rectifying", comment="开始",
                               data={"on": datetime.date(2017, 5, 1)}, evidence="照片")
    event.refresh_from_db()
    assert (event.hazard, event.actor, event.evidence) == (hazard, world.users["ent_north"], "照片")
    assert event.data == {"on": "2017-05-01"} and event.action_label
    entry = AuditEntry.objects.filter(action=AuditAction.TRANSITION, object_id=str(hazard.pk)).latest("pk")
    assert entry.changes == {"status": ["reported", "rectifying"]} and entry.message == "start_rectification: 开始"
    quiet = HazardEvent.record(hazard, "photos", actor=AnonymousUser(), audit=False)
    assert quiet.actor is None
    assert AuditEntry.objects.filter(action=AuditAction.TRANSITION).count() == before + 1


def test_the_three_timelines_share_the_abstract_event():
    from anjian.accidents.models import AccidentEvent
    from anjian.utilities.workflow import WorkflowEvent

    for model in (HazardEvent, AccidentEvent, InspectionEvent):
        assert issubclass(model, WorkflowEvent)
        assert {f.name for f in model._meta.fields} >= {"actor", "at", "action", "from_status", "to_status",
                                                       "comment", "data", model.subject_field}


# --- notifications on commit ------------------------------------------------------------------------------------

def test_notifications_go_out_on_commit_only_and_not_to_the_actor(world, django_capture_on_commit_callbacks):
    town, ent = world.users["town_north"], world.users["ent_north"]
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            notify_on_commit([town, ent, None], "隐患整改", actor=ent)
            assert not Notification.objects.exists()  # not before the commit
    assert list(Notification.objects.values_list("recipient", flat=True)) == [town.pk]


def test_a_rolled_back_transition_tells_nobody(world, django_capture_on_commit_callbacks):
    hazard = make_hazard(world.ent_north)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            hazard_actions.start_rectification(actor=world.users["ent_north"], hazard=hazard)
            raise RuntimeError("the caller's transaction fails after the transition")
    assert callbacks == [] and not Notification.objects.exists()
    assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.REPORTED
    with django_capture_on_commit_callbacks(execute=True):
        hazard_actions.start_rectification(actor=world.users["ent_north"], hazard=hazard)
    assert Notification.objects.filter(kind="hazards").exists()


# --- Refusal through the API of each workflow -------------------------------------------------------------------

def test_the_exception_handler_answers_a_refusal_with_409_in_its_words():
    response = exception_handler(Refusal("不能这样做"), {})
    assert response.status_code == 409 and response.data == {"detail": "不能这样做"}


@pytest.fixture
def checklist(db):
    template = ChecklistTemplate.objects.create(code="kit", name="检查表", template_version="1")
    ChecklistItem.objects.create(template=template, order=1, content="安全出口畅通")
    return template


def _submitted_inspection(world, checklist):
    inspector = world.users["inspector"]
    inspection = inspection_actions.start_inspection(
        inspector, enterprise=world.ent_north, kind="routine", date=datetime.date(2017, 5, 10), template=checklist,
        inspectors=[inspector, world.users["town_north"]])
    for result in inspection.results.all():
        inspection_actions.record_result(inspector, result, outcome=Outcome.PASS)
    inspection_actions.submit_inspection(inspector, inspection)
    return inspection


def test_a_refusal_is_409_with_the_message_in_every_workflow_api(world, api_for, checklist):
    hazard = make_hazard(world.ent_north, status=HazardStatus.VERIFIED)
    r = api_for("inspector").post(f"/api/v1/hazards/{hazard.pk}/transition/", {"action": "reject", "comment": "x"},
                                  format="json")
    assert r.status_code == 409 and r.json()["detail"]
    accident = accident_factories.make_accident(enterprise=world.ent_north, occurred_at=accident_factories.aware(2017, 3))
    r = api_for("district").post(f"/api/v1/accidents/{accident.pk}/investigation/close/", {}, format="json")
    assert r.status_code == 409 and r.json() == {"detail": r.json()["detail"]} and r.json()["detail"]
    inspection = _submitted_inspection(world, checklist)
    r = api_for("inspector").post(f"/api/v1/inspections/{inspection.pk}/submit/", {}, format="json")
    assert r.status_code == 409 and list(r.json()) == ["detail"]
    with translation.override("zh-hans"):
        assert r.json()["detail"] == translation.gettext("This inspection was already submitted.")


# --- Refusal on the pages ---------------------------------------------------------------------------------------

def _page_request(user):
    request = RequestFactory().post("/somewhere/")
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_the_page_helpers_turn_a_refusal_into_a_message_and_go_back(world):
    request = _page_request(world.users["inspector"])
    response = run_action(request, lambda: (_ for _ in ()).throw(Refusal("已经销号")), back="/back/", success="好")
    assert response.status_code == 302 and response["Location"] == "/back/"
    with refusals_as_messages(request) as outcome:
        raise ValidationError({"comment": ["说明理由"]})
    assert not outcome.ok and outcome.message == "说明理由"
    run_action(request, lambda: None, back="/back/", success="完成")
    assert [(m.level_tag, m.message) for m in get_messages(request)] == [
        ("error", "已经销号"), ("error", "说明理由"), ("success", "完成")]
    with pytest.raises(PermissionDenied), refusals_as_messages(request):
        raise PermissionDenied  # a user who may not act at all is a 403, not a message
