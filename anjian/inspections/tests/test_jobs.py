"""Plan generation and the self-inspection reminder: periodic, idempotent."""

import datetime

from django.core.management import call_command

from anjian.core.models import Notification
from anjian.inspections import actions
from anjian.inspections.models import Inspection, InspectionPlan, SelfInspectionReminder


def _plan(world, **kw):
    defaults = dict(name="季度日常检查", kind="routine", frequency="quarterly", area=world.district,
                    start_date=datetime.date(2017, 1, 1))
    defaults.update(kw)
    return InspectionPlan.objects.create(**defaults)


def test_plan_generation_is_idempotent(world):
    plan = _plan(world)
    plan.inspectors.set([world.users["inspector"], world.users["town_north"]])
    day = datetime.date(2017, 5, 10)
    assert actions.generate_planned_inspections(day) == 2
    assert actions.generate_planned_inspections(day) == 0
    rows = Inspection.objects.filter(plan=plan)
    assert {r.plan_period for r in rows} == {datetime.date(2017, 4, 1)}
    assert {r.date for r in rows} == {datetime.date(2017, 6, 30)}
    assert all(r.status == "planned" and r.inspectors.count() == 2 for r in rows)
    assert actions.generate_planned_inspections(datetime.date(2017, 7, 1)) == 2  # the next quarter


def test_plan_filter_by_sector_key_and_status(world):
    from anjian.enterprises.models import EnterpriseStatus

    _plan(world, key_only=True)
    assert actions.generate_planned_inspections(datetime.date(2017, 5, 1)) == 1  # only ent_north is key
    plan2 = _plan(world, name="商贸", frequency="monthly")
    plan2.sectors.set([world.retail_sector])
    world.ent_south.status = EnterpriseStatus.CLOSED
    world.ent_south.save()
    assert actions.generate_planned_inspections(datetime.date(2017, 5, 1), plans=[plan2]) == 0


def test_plan_outside_its_dates_generates_nothing(world):
    _plan(world, end_date=datetime.date(2017, 3, 31))
    assert actions.generate_planned_inspections(datetime.date(2017, 5, 1)) == 0


def test_generate_command(world, capsys):
    _plan(world, frequency="yearly")
    call_command("generate_planned_inspections", "--date", "2017-05-01")
    call_command("generate_planned_inspections", "--date", "2017-06-01")
    assert Inspection.objects.count() == 2
    assert "0 inspection(s)" in capsys.readouterr().out


def test_reminder_waits_for_the_day_and_is_idempotent(world, settings):
    settings.ANJIAN_SELF_INSPECTION_REMINDER_DAY = 20
    assert actions.send_self_inspection_reminders(datetime.date(2017, 5, 19)) == 0
    # ent_north self-inspected in May; ent_south did not.
    Inspection.objects.create(enterprise=world.ent_north, kind="self", date=datetime.date(2017, 5, 3),
                              status="submitted")
    assert actions.send_self_inspection_reminders(datetime.date(2017, 5, 20)) == 1
    assert actions.send_self_inspection_reminders(datetime.date(2017, 5, 21)) == 0
    assert SelfInspectionReminder.objects.get().enterprise == world.ent_south
    assert actions.send_self_inspection_reminders(datetime.date(2017, 6, 25)) == 2  # a new month


def test_reminder_reaches_the_enterprise_users(world, settings, django_capture_on_commit_callbacks):
    from anjian.accounts.models import Role, RoleAssignment, User

    user = User.objects.create_user("ent_south_user", password="x")
    RoleAssignment.objects.create(user=user, role=Role.ENTERPRISE, enterprise=world.ent_south)
    settings.ANJIAN_SELF_INSPECTION_REMINDER_DAY = 5
    with django_capture_on_commit_callbacks(execute=True):
        call_command("remind_self_inspections", "--date", "2017-05-05")
    assert Notification.objects.filter(recipient=user, kind="inspections.self_inspection_reminder").count() == 1
    assert Notification.objects.filter(recipient=world.users["ent_north"]).count() == 1
    assert not Notification.objects.filter(recipient=world.users["district"]).exists()


def test_beat_entries_are_registered(settings):
    import anjian.inspections.tasks  # noqa: F401

    assert "inspections.self_inspection_reminders" in settings.CELERY_BEAT_SCHEDULE
    assert "inspections.generate_planned" in settings.CELERY_BEAT_SCHEDULE
