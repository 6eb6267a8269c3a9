"""The hazard lifecycle (SPEC §2): every legal transition by every role allowed to make it,
every illegal one refused with a clear message, the wrong role refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from anjian.core.models import AuditEntry, Notification

from .. import actions
from ..exceptions import TransitionNotAllowed
from ..models import Hazard, HazardEvent, HazardLevel, HazardPhoto, HazardStatus, Reinspection
from .factories import image_file, make_hazard

pytestmark = pytest.mark.django_db

OFFICIALS = ["district", "dept_mines", "town_north", "inspector"]
S = HazardStatus

# action -> (from status, to status, personas allowed, keyword arguments)
LEGAL = {
    "start_rectification": (S.REPORTED, S.RECTIFYING, ["ent_north"], {}),
    "submit_rectification": (S.RECTIFYING, S.RECTIFIED, ["ent_north"], {"evidence": "已清理通道"}),
    "verify": (S.RECTIFIED, S.VERIFIED, OFFICIALS, {}),
    "reject": (S.RECTIFIED, S.RECTIFYING, OFFICIALS, {"comment": "通道仍有杂物"}),
    "cancel": (S.REPORTED, S.CANCELLED, OFFICIALS, {"comment": "重复录入"}),
}
ALL = ["district", "leader", "dept_mines", "town_north", "inspector", "ent_north"]


def _cases(allowed: bool):
    for action, (_src, _dst, personas, _kw) in LEGAL.items():
        for persona in ALL:
            if (persona in personas) == allowed:
                yield action, persona


@pytest.mark.parametrize(("action", "persona"), list(_cases(True)))
def test_legal_transition_by_each_allowed_role(world, action, persona):
    src, dst, _personas, kw = LEGAL[action]
    hazard = make_hazard(world.ent_north, status=src)
    user = world.users[persona]
    result = actions.run_transition(action, actor=user, hazard=hazard, **kw)
    assert result.status == dst
    hazard = Hazard.all_objects.get(pk=hazard.pk)
    assert hazard.status == dst
    event = HazardEvent.objects.get(hazard=hazard)
    assert (event.action, event.from_status, event.to_status, event.actor) == (action, src, dst, user)
    assert AuditEntry.objects.filter(action="transition", object_type="hazards.hazard",
                                     object_id=str(hazard.pk)).exists()


@pytest.mark.parametrize(("action", "persona"), list(_cases(False)))
def test_wrong_role_is_refused(world, action, persona):
    src, _dst, _personas, kw = LEGAL[action]
    hazard = make_hazard(world.ent_north, status=src)
    with pytest.raises(PermissionDenied) as exc:
        actions.run_transition(action, actor=world.users[persona], hazard=hazard, **kw)
    assert "may not" in str(exc.value)
    assert Hazard.all_objects.get(pk=hazard.pk).status == src
    assert not HazardEvent.objects.filter(hazard=hazard).exists()


ILLEGAL = [
    (action, status, personas[0])
    for action, (src, _dst, personas, _kw) in LEGAL.items()
    for status in (S.REPORTED, S.RECTIFYING, S.RECTIFIED, S.VERIFIED)
    if status != src and not (action == "cancel" and status in (S.RECTIFYING, S.RECTIFIED))
]


@pytest.mark.parametrize(("action", "status", "persona"), ILLEGAL)
def test_illegal_transition_is_refused_with_a_clear_message(world, action, status, persona):
    _src, _dst, _personas, kw = LEGAL[action]
    hazard = make_hazard(world.ent_north, status=status)
    with pytest.raises(TransitionNotAllowed) as exc:
        actions.run_transition(action, actor=world.users[persona], hazard=hazard, **kw)
    message = str(exc.value)
    assert "Cannot" in message and str(S(status).label) in message
    assert Hazard.all_objects.get(pk=hazard.pk).status == status


def test_hazard_outside_scope_is_refused(world):
    hazard = make_hazard(world.ent_south, status=S.RECTIFIED)
    for persona in ("town_north", "inspector", "dept_mines"):
        with pytest.raises(PermissionDenied):
            actions.verify(actor=world.users[persona], hazard=hazard)
    actions.verify(actor=world.users["district"], hazard=hazard)


def test_full_lifecycle_with_photos_and_timeline(world, django_capture_on_commit_callbacks):
    inspector, ent = world.users["inspector"], world.users["ent_north"]
    with django_capture_on_commit_callbacks(execute=True):
        _lifecycle(world, inspector, ent)
    # The enterprise is told about the finding, the rejection and the closing; the inspector about the start and each submission.
    assert Notification.objects.filter(recipient=ent).count() == 3
    assert Notification.objects.filter(recipient=inspector).count() == 3


def _lifecycle(world, inspector, ent):
    hazard = actions.report_hazard(actor=inspector, enterprise=world.ent_north, description="配电箱未接地",
                                   level="general", location="二号车间", photos=[image_file()],
                                   deadline=timezone.localdate() + timedelta(days=7), category="site_electrical")
    assert hazard.status == S.REPORTED and hazard.reporter == inspector
    assert hazard.photos.get().kind == "before"
    actions.start_rectification(actor=ent, hazard=hazard, responsible_person="张三")
    actions.submit_rectification(actor=ent, hazard=hazard, evidence="已接地并检测", photos=[image_file("after.png", "PNG")])
    hazard.refresh_from_db()
    assert hazard.rectified_on == timezone.localdate() and hazard.responsible_person == "张三"
    after = HazardPhoto.objects.get(hazard=hazard, kind="after")
    assert after.event.action == "submit_rectification"
    actions.reject(actor=inspector, hazard=hazard, comment="接地电阻不合格")
    actions.submit_rectification(actor=ent, hazard=hazard, evidence="重新接地")
    actions.verify(actor=inspector, hazard=hazard, comment="复查合格")
    hazard.refresh_from_db()
    assert hazard.status == S.VERIFIED and hazard.verified_by == inspector
    assert [e.action for e in hazard.events.all()] == [
        "report", "start_rectification", "submit_rectification", "reject", "submit_rectification", "verify"]
    assert list(Reinspection.objects.filter(hazard=hazard).order_by("pk").values_list("passed", flat=True)) == [
        False, True]


def test_reject_needs_a_comment(world):
    hazard = make_hazard(world.ent_north, status=S.RECTIFIED)
    with pytest.raises(ValidationError) as exc:
        actions.reject(actor=world.users["inspector"], hazard=hazard, comment="  ")
    assert "why" in str(exc.value)


def test_submission_needs_evidence(world):
    hazard = make_hazard(world.ent_north, status=S.RECTIFYING)
    with pytest.raises(ValidationError) as exc:
        actions.submit_rectification(actor=world.users["ent_north"], hazard=hazard)
    assert "photos" in str(exc.value)


def test_cancel_is_a_soft_delete_with_reason(world):
    hazard = make_hazard(world.ent_north)
    with pytest.raises(ValidationError):
        actions.cancel_hazard(actor=world.users["district"], hazard=hazard, reason="")
    actions.cancel_hazard(actor=world.users["district"], hazard=hazard, reason="录入错误")
    assert not Hazard.objects.filter(pk=hazard.pk).exists()
    gone = Hazard.all_objects.get(pk=hazard.pk)
    assert gone.deleted_reason == "录入错误" and gone.status == S.CANCELLED and gone.deleted_at
    assert AuditEntry.objects.filter(action="delete", object_id=str(hazard.pk), message="录入错误").exists()
    with pytest.raises(TransitionNotAllowed) as exc:
        actions.start_rectification(actor=world.users["ent_north"], hazard=gone)
    assert "withdrawn" in str(exc.value)


def test_unknown_action_is_refused(world):
    hazard = make_hazard(world.ent_north)
    with pytest.raises(TransitionNotAllowed) as exc:
        actions.run_transition("approve", actor=world.users["district"], hazard=hazard)
    assert "Unknown action" in str(exc.value)


def test_report_validates_its_input(world):
    with pytest.raises(ValidationError) as exc:
        actions.report_hazard(actor=world.users["inspector"], enterprise=world.ent_north, description="",
                              level="severe", deadline=timezone.localdate() - timedelta(days=30))
    assert set(exc.value.message_dict) == {"description", "level", "deadline"}
    with pytest.raises(ValidationError):
        actions.report_hazard(actor=world.users["inspector"], enterprise=world.ent_north, description="x",
                              level="general", colour="red")


def test_report_outside_scope_or_by_leader_is_refused(world):
    with pytest.raises(PermissionDenied):
        actions.report_hazard(actor=world.users["town_north"], enterprise=world.ent_south, description="x",
                              level="general")
    with pytest.raises(PermissionDenied):
        actions.report_hazard(actor=world.users["leader"], enterprise=world.ent_north, description="x",
                              level="general")


def test_enterprise_self_inspection_hazard(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        hazard = actions.report_hazard(actor=world.users["ent_north"], enterprise=world.ent_north,
                                       description="灭火器过期", level=HazardLevel.GENERAL)
        assert hazard.source == "self_inspection"
        # The town hears of the enterprise's submission (no official reporter).
        actions.start_rectification(actor=world.users["ent_north"], hazard=hazard)
        actions.submit_rectification(actor=world.users["ent_north"], hazard=hazard, evidence="已更换")
    assert Notification.objects.filter(recipient=world.users["town_north"]).exists()


def test_guards_on_the_model(world):
    hazard = make_hazard(world.ent_north, status=S.RECTIFIED)
    assert hazard.can_verify(world.users["inspector"])
    assert not hazard.can_verify(world.users["ent_north"])
    assert not hazard.can_verify(world.users["leader"])
    assert not hazard.can_start_rectification(world.users["ent_north"])
    assert [t.action for t in hazard.available_transitions(world.users["town_north"])] == ["verify", "reject", "cancel"]
    assert hazard.available_transitions(world.users["leader"]) == []
