"""The platform's clock (anjian.core.clock): the setting, then the date recorded in the database,
then the real date; read once per request; shown as ``today`` on /api/v1/me/; ``anjian clock``."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anjian.core import clock
from anjian.core.models import AuditAction, AuditEntry, PlatformDate

DEMO_DAY = datetime.date(2017, 12, 20)


@pytest.mark.django_db
def test_without_setting_or_record_today_is_the_real_local_date():
    assert clock.today() == timezone.localdate()
    assert clock.source() == "real"
    moment = clock.now()
    assert timezone.is_aware(moment) and abs((moment - timezone.now()).total_seconds()) < 5


@pytest.mark.django_db
def test_a_recorded_date_is_today_and_now_keeps_the_wall_time_of_day():
    assert clock.record(DEMO_DAY, source="demo") is True
    assert clock.today() == DEMO_DAY and clock.source() == "database"
    moment, wall = timezone.localtime(clock.now()), timezone.localtime()
    assert moment.date() == DEMO_DAY and timezone.is_aware(moment)
    assert abs((moment.replace(year=wall.year, month=wall.month, day=wall.day) - wall).total_seconds()) < 5
    assert clock.record(None) is True
    assert clock.today() == timezone.localdate() and not PlatformDate.objects.exists()


@pytest.mark.django_db
def test_the_setting_overrides_the_recorded_date(settings):
    clock.record(DEMO_DAY, source="demo")
    settings.ANJIAN_TODAY = "2018-03-31"
    assert clock.today() == datetime.date(2018, 3, 31) and clock.source() == "setting"
    settings.ANJIAN_TODAY = datetime.date(2019, 1, 2)
    assert clock.today() == datetime.date(2019, 1, 2)
    settings.ANJIAN_TODAY = "31/03/2018"
    with pytest.raises(ImproperlyConfigured, match="YYYY-MM-DD"):
        clock.today()


@pytest.mark.django_db
def test_recording_is_audited_and_recording_the_same_date_again_writes_nothing():
    assert clock.record(DEMO_DAY, source="demo")
    entry = AuditEntry.objects.filter(object_type="core.platformdate").latest("id")
    assert entry.action == AuditAction.CREATE and entry.changes["date"] == [None, "2017-12-20"]
    last = AuditEntry.objects.latest("id").pk
    assert clock.record(DEMO_DAY, source="demo") is False
    assert AuditEntry.objects.latest("id").pk == last
    assert clock.record(datetime.date(2017, 12, 21))
    assert AuditEntry.objects.latest("id").changes["date"] == ["2017-12-20", "2017-12-21"]
    assert PlatformDate.objects.get().date == datetime.date(2017, 12, 21)
    assert clock.record(None) and AuditEntry.objects.latest("id").action == AuditAction.DELETE
    assert clock.record(None) is False


@pytest.mark.django_db
def test_outside_requests_the_recorded_date_is_read_once_until_it_is_written():
    clock.today()
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            clock.today()
            clock.now()
    assert len(queries) == 0
    PlatformDate.objects.create(pk=1, date=DEMO_DAY)  # behind the clock's back: seen after the TTL
    assert clock.today() == timezone.localdate()
    clock.reset_cache()
    assert clock.today() == DEMO_DAY


def test_a_request_reads_the_recorded_date_at_most_once(world, api_for):
    clock.record(DEMO_DAY, source="demo")
    client = api_for("district")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/me/")
    assert response.json()["today"] == "2017-12-20"
    assert sum("core_platformdate" in q["sql"] for q in queries.captured_queries) == 1
    PlatformDate.objects.filter(pk=1).update(date=datetime.date(2017, 12, 24))  # another process wrote it
    assert client.get("/api/v1/me/").json()["today"] == "2017-12-24"  # each request reads afresh


def test_me_carries_today_as_the_platform_date(world, api_for, settings):
    client = api_for("district")
    assert client.get("/api/v1/me/").json()["today"] == timezone.localdate().isoformat()
    settings.ANJIAN_TODAY = "2017-12-20"
    body = client.get("/api/v1/me/").json()
    assert body["today"] == "2017-12-20" and body["username"] == "district"


def test_the_schema_documents_today_on_me(world, api_for):
    schema = api_for("district").get("/api/v1/schema/", {"format": "json"}).json()
    me = schema["components"]["schemas"]["Me"]
    assert me["properties"]["today"] == {"type": "string", "format": "date",
                                         "description": "The platform's date (anjian.core.clock)."}
    assert "today" in me["required"]


@pytest.mark.django_db
def test_the_clock_command_shows_sets_and_clears_the_date(capsys):
    call_command("clock")
    assert "the real local date" in capsys.readouterr().out
    call_command("clock", "--set", "2017-12-20")
    out = capsys.readouterr().out
    assert "2017-12-20 (recorded in the database)" in out and clock.today() == DEMO_DAY
    assert AuditEntry.objects.filter(object_type="core.platformdate", source="command").exists()
    call_command("clock", "--real")
    assert clock.today() == timezone.localdate() and not PlatformDate.objects.exists()


@pytest.mark.django_db
def test_the_clock_command_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("clock", "--set", "2017-13-01")
