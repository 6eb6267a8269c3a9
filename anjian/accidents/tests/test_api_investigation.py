"""The investigation through the API: follow-up reports, start → extend → report → accountability →
measure → check → approve → close, each answering with the accident's detail; bad input is a 400 naming
the field, a step the rules refuse a 409 with the message, a role that may not act a 403, an accident
(or measure) outside the user's scope a 404; every step is audited."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext

from anjian.accidents import actions
from anjian.accidents.models import AccidentEvent, Investigation, RectificationMeasure
from anjian.core.models import AuditEntry
from anjian.files.testing import pdf
from anjian.territory.models import Area, AreaLevel

from . import factories as f

pytestmark = pytest.mark.django_db

STEPS = ["follow-up-reports", "investigation/start", "investigation/extend", "investigation/report",
         "investigation/approve", "investigation/close", "accountabilities", "measures"]


@pytest.fixture
def accident(world):
    return f.make_accident(enterprise=world.ent_north, occurred_at=f.aware(2017, 3, 1), deaths=1)


def detail_url(accident):
    return f"/api/v1/accidents/{accident.pk}/"


def url(accident, step):
    return f"{detail_url(accident)}{step}/"


def check_url(accident, measure):
    return f"/api/v1/accidents/{accident.pk}/measures/{measure.pk}/check/"


def post(client, accident, step, data=None, **kwargs):
    return client.post(url(accident, step), data or {}, format=kwargs.pop("format", "json"), **kwargs)


def zh(message, **values):
    """The message as the API says it (the UI language is Chinese unless the user chose otherwise)."""
    with translation.override("zh-hans"):
        text = gettext(message)
    return text.format(**values) if values else text


def start(world, accident):
    return actions.start_investigation(world.users["district"], accident, leader="王局长",
                                       started_on=date(2017, 3, 2))


def test_the_whole_investigation_through_the_api(world, api_for, accident):
    client = api_for("district")

    started = post(client, accident, "investigation/start",
                   {"leader": "王局长", "members": "应急局、公安局", "organised_by": "示范区人民政府",
                    "started_on": "2017-03-02"})
    assert started.status_code == 201, started.content
    body = started.json()
    assert body["id"] == accident.pk and body["number"] == accident.number  # the accident's detail
    inv = body["investigation"]
    assert inv["status"] == "ongoing" and inv["leader"] == "王局长" and inv["due_on"] == "2017-04-30"

    extended = post(client, accident, "investigation/extend", {"days": 40, "reason": "技术鉴定"})
    assert extended.status_code == 200, extended.content
    inv = extended.json()["investigation"]
    assert inv["due_on"] == "2017-06-09" and inv["extension_days"] == 40 and inv["extension_reason"] == "技术鉴定"

    blamed = post(client, accident, "accountabilities",
                  {"person": "赵六", "position": "安全主管", "measure": "fine", "details": "罚款",
                   "fine_yuan": "20000.00"})
    assert blamed.status_code == 201, blamed.content
    assert [(a["person"], a["measure"], a["fine_yuan"]) for a in blamed.json()["investigation"]["accountabilities"]] \
        == [("赵六", "fine", "20000.00")]

    measured = post(client, accident, "measures", {"measure": "开展全员培训", "responsible": "北方矿业",
                                                   "deadline": "2017-06-30"})
    assert measured.status_code == 201, measured.content
    [measure] = measured.json()["investigation"]["measures"]
    assert measure["measure"] == "开展全员培训" and measure["done"] is False

    reported = post(client, accident, "investigation/report",
                    {"submitted_on": "2017-05-20", "direct_cause": "边坡失稳", "indirect_cause": "管理缺失",
                     "nature": "liability", "summary": "责任事故"})
    assert reported.status_code == 200, reported.content
    inv = reported.json()["investigation"]
    assert inv["status"] == "reported" and inv["report_submitted_on"] == "2017-05-20"
    assert inv["direct_cause"] == "边坡失稳" and inv["nature"] == "liability"

    checked = client.post(f"/api/v1/accidents/{accident.pk}/measures/{measure['id']}/check/",
                          {"done": True, "checked_on": "2017-06-01", "result": "已完成培训，考核合格"}, format="json")
    assert checked.status_code == 200, checked.content
    [measure] = checked.json()["investigation"]["measures"]
    assert measure["done"] is True and measure["checked_on"] == "2017-06-01"
    assert RectificationMeasure.objects.get().checked_by == world.users["district"]

    approved = post(client, accident, "investigation/approve",
                    {"approved_on": "2017-06-02", "reference": "示政文〔2017〕12号"})
    assert approved.status_code == 200, approved.content
    inv = approved.json()["investigation"]
    assert inv["status"] == "approved" and inv["approval_reference"] == "示政文〔2017〕12号"

    closed = post(client, accident, "investigation/close", {"closed_on": "2017-07-02"})
    assert closed.status_code == 200, closed.content
    body = closed.json()
    assert body["investigation"]["status"] == "closed" and body["investigation"]["closed_on"] == "2017-07-02"
    assert [e["kind"] for e in body["events"]] == [
        "investigation_started", "investigation_extended", "accountability_added", "measure_added",
        "report_submitted", "measure_checked", "report_approved", "closed"]
    assert {e["actor"] for e in body["events"]} == {"district"}
    assert api_for("town_north").get(detail_url(accident)).json()["investigation"]["status"] == "closed"


def test_closing_without_a_date_closes_today(world, api_for, accident):
    start(world, accident)
    actions.submit_investigation_report(world.users["district"], accident, submitted_on=date(2017, 4, 20),
                                        direct_cause="违章作业", nature="liability")
    actions.approve_investigation(world.users["district"], accident, approved_on=date(2017, 5, 2))
    response = post(api_for("district"), accident, "investigation/close")
    assert response.status_code == 200, response.content
    from django.utils import timezone

    assert response.json()["investigation"]["closed_on"] == timezone.localdate().isoformat()


def test_every_step_is_audited_as_the_api_user(world, api_for, accident):
    client = api_for("district")
    post(client, accident, "investigation/start", {"leader": "王局长", "started_on": "2017-03-02"})
    post(client, accident, "investigation/extend", {"days": 10, "reason": "技术鉴定"})
    post(client, accident, "accountabilities", {"person": "赵六", "measure": "administrative"})
    post(client, accident, "measures", {"measure": "加装护栏"})
    post(client, accident, "investigation/report", {"submitted_on": "2017-04-20", "direct_cause": "x",
                                                    "nature": "liability"})
    entries = AuditEntry.objects.filter(action="transition", object_type="accidents.accident",
                                        object_id=str(accident.pk)).order_by("id")
    assert [e.message for e in entries] == ["investigation_started", "investigation_extended",
                                            "accountability_added", "measure_added", "report_submitted"]
    assert {(e.username, e.source) for e in entries} == {("district", "api")}
    assert entries[1].changes["days"] == 10
    created = set(AuditEntry.objects.filter(action="create", username="district", source="api")
                  .values_list("object_type", flat=True))
    assert {"accidents.investigation", "accidents.accountability", "accidents.rectificationmeasure"} <= created


def test_a_follow_up_report_answers_with_the_regraded_accident(world, api_for, accident):
    response = post(api_for("town_north"), accident, "follow-up-reports",
                    {"reported_at": "2017-03-02T10:00:00+08:00", "deaths": 3, "serious_injuries": 0,
                     "minor_injuries": 2, "text": "续报：又有两人死亡"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["deaths"] == 3 and body["grade"] == "larger"
    assert [(r["kind"], r["within_window"]) for r in body["reports"]] == [("first", True), ("follow_up", True)]
    assert [e["kind"] for e in body["events"]] == ["follow_up", "grade_changed"]
    assert AuditEntry.objects.filter(action="transition", object_id=str(accident.pk), message="follow_up",
                                     username="town_north", source="api").exists()


def test_the_investigation_report_file_is_checked_like_on_the_page(world, api_for, accident):
    start(world, accident)
    client = api_for("district")
    fields = {"submitted_on": "2017-04-20", "direct_cause": "边坡失稳", "nature": "liability"}
    bad = post(client, accident, "investigation/report", {
        **fields, "report_file": SimpleUploadedFile("report.pdf", b"not a pdf at all")}, format="multipart")
    assert bad.status_code == 400 and list(bad.json()) == ["report_file"]
    assert "“report.pdf”" in bad.json()["report_file"][0] and "PDF" in bad.json()["report_file"][0]
    assert Investigation.objects.get().status == "ongoing"
    good = post(client, accident, "investigation/report", {
        **fields, "report_file": pdf("report.pdf")}, format="multipart")
    assert good.status_code == 200, good.content
    inv = Investigation.objects.get()
    assert inv.status == "reported" and inv.report_file.name.endswith(".pdf")


BAD_INPUT = [
    ("investigation/start", {"started_on": "2017-03-02"}, "leader"),
    ("investigation/start", {"leader": "   ", "started_on": "2017-03-02"}, "leader"),
    ("investigation/start", {"leader": "王局长", "started_on": "3月2日"}, "started_on"),
    ("investigation/extend", {"days": 0, "reason": "x"}, "days"),
    ("investigation/extend", {"days": 61, "reason": "x"}, "days"),
    ("investigation/extend", {"days": 10}, "reason"),
    ("investigation/report", {"submitted_on": "2017-04-20", "direct_cause": "x", "nature": "bad luck"}, "nature"),
    ("investigation/report", {"submitted_on": "2017-04-20", "nature": "liability"}, "direct_cause"),
    ("investigation/approve", {"reference": "x"}, "approved_on"),
    ("investigation/close", {"closed_on": "yesterday"}, "closed_on"),
    ("accountabilities", {"person": "赵六", "measure": "flogging"}, "measure"),
    ("accountabilities", {"person": "赵六", "measure": "fine", "fine_yuan": "-1"}, "fine_yuan"),
    ("accountabilities", {"measure": "fine"}, "person"),
    ("measures", {"responsible": "北方矿业"}, "measure"),
    ("measures", {"measure": "加装护栏", "deadline": "soon"}, "deadline"),
    ("follow-up-reports", {"reported_at": "2017-03-02T10:00:00+08:00", "deaths": -1, "serious_injuries": 0,
                           "minor_injuries": 0}, "deaths"),
    ("follow-up-reports", {"deaths": 1, "serious_injuries": 0, "minor_injuries": 0}, "reported_at"),
]


@pytest.mark.parametrize(("step", "data", "field"), BAD_INPUT, ids=[f"{s}-{f}" for s, _, f in BAD_INPUT])
def test_bad_input_is_a_400_naming_the_field(world, api_for, accident, step, data, field):
    if step != "investigation/start":
        start(world, accident)
    events = AccidentEvent.objects.count()
    response = post(api_for("district"), accident, step, data)
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field] and response.json()[field]
    assert AccidentEvent.objects.count() == events  # nothing happened
    assert Investigation.objects.filter(extension_days__gt=0).count() == 0


def test_a_bad_check_of_a_measure_is_a_400_naming_the_field(world, api_for, accident):
    measure = f.make_measure(accident)
    response = api_for("district").post(check_url(accident, measure), {"done": True, "result": "已加装"},
                                        format="json")
    assert response.status_code == 400 and list(response.json()) == ["checked_on"]
    response = api_for("district").post(check_url(accident, measure), {"checked_on": "2017-06-01"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["result"]


def _refused(client, accident, step, data=None):
    response = post(client, accident, step, data)
    assert response.status_code == 409, (step, response.status_code, response.content)
    return response.json()["detail"]


def test_steps_the_rules_refuse_are_a_409_with_the_message(world, api_for, accident):
    client = api_for("district")
    assert _refused(client, accident, "investigation/extend", {"days": 10, "reason": "x"}) \
        == zh("This accident has no investigation yet.")
    assert _refused(client, accident, "investigation/start", {"leader": "王局长", "started_on": "2017-02-28"}) \
        == zh("The investigation cannot start before the accident.")
    assert post(client, accident, "investigation/start",
                {"leader": "王局长", "started_on": "2017-03-02"}).status_code == 201
    assert _refused(client, accident, "investigation/start", {"leader": "李局长", "started_on": "2017-03-03"}) \
        == zh("This accident is already under investigation.")
    assert post(client, accident, "investigation/extend", {"days": 50, "reason": "技术鉴定"}).status_code == 200
    assert _refused(client, accident, "investigation/extend", {"days": 11, "reason": "再延期"}) \
        == zh("The extension may be 1 to {left} more days (at most {max} in all).", left=10, max=60)
    assert _refused(client, accident, "investigation/approve", {"approved_on": "2017-05-02"}) \
        == zh("Only a submitted report can be approved.")
    assert _refused(client, accident, "investigation/close") \
        == zh("Only an investigation whose report is approved can be closed.")
    measure_id = post(client, accident, "measures", {"measure": "加装护栏"}).json()["investigation"]["measures"][0]["id"]
    early = client.post(f"/api/v1/accidents/{accident.pk}/measures/{measure_id}/check/",
                        {"done": True, "checked_on": "2017-04-01", "result": "已加装"}, format="json")
    assert early.status_code == 409
    assert early.json()["detail"] == zh("Measures are checked once the report is submitted and until the case is "
                                        "closed.")
    assert post(client, accident, "investigation/report", {"submitted_on": "2017-04-20", "direct_cause": "x",
                                                           "nature": "liability"}).status_code == 200
    assert _refused(client, accident, "investigation/report", {"submitted_on": "2017-04-21", "direct_cause": "x",
                                                               "nature": "liability"}) \
        == zh("The report of this investigation has already been submitted.")
    assert _refused(client, accident, "investigation/approve", {"approved_on": "2017-04-19"}) \
        == zh("The approval cannot come before the report.")
    assert post(client, accident, "investigation/approve", {"approved_on": "2017-05-02"}).status_code == 200
    assert _refused(client, accident, "accountabilities", {"person": "赵六", "measure": "fine"}) \
        == zh("The findings of an approved report cannot be changed.")
    assert _refused(client, accident, "measures", {"measure": "再加一条"}) \
        == zh("The findings of an approved report cannot be changed.")
    assert _refused(client, accident, "investigation/close") \
        == zh("Every rectification measure must be checked as carried out first.")
    inv = Investigation.objects.get()
    assert inv.status == "approved" and inv.extension_days == 50 and inv.accountabilities.count() == 0
    assert inv.measures.count() == 1
    assert _refused(client, accident, "follow-up-reports", {
        "reported_at": "2017-03-01T09:00:00+08:00", "deaths": 2, "serious_injuries": 0, "minor_injuries": 0}) \
        == zh("A follow-up report cannot come before the first report.")


@pytest.mark.parametrize("persona", ["town_north", "dept_mines", "leader", "inspector", "ent_north"])
def test_only_the_district_office_investigates(world, api_for, accident, persona):
    measure = f.make_measure(accident)
    client = api_for(persona)
    assert client.get(detail_url(accident)).status_code == 200  # they see the accident
    for step in STEPS:
        if step == "follow-up-reports":
            continue
        response = post(client, accident, step, {})  # refused before the input is looked at
        assert response.status_code == 403, (step, response.content)
        assert response.json()["detail"] == zh("You may not do this.")
    assert client.post(check_url(accident, measure), {}, format="json").status_code == 403
    assert Investigation.objects.get().status == "ongoing" and not AccidentEvent.objects.exists()


def test_follow_up_reports_need_the_reporting_roles(world, api_for, accident):
    data = {"reported_at": "2017-03-02T10:00:00+08:00", "deaths": 2, "serious_injuries": 0, "minor_injuries": 0}
    for persona in ("leader", "inspector", "ent_north"):
        assert post(api_for(persona), accident, "follow-up-reports", data).status_code == 403, persona
    for persona in ("sysadmin", "auditor"):  # no accidents at all
        assert post(api_for(persona), accident, "follow-up-reports", data).status_code == 403, persona
    assert accident.reports.count() == 1
    assert post(api_for("dept_mines"), accident, "follow-up-reports", data).status_code == 201


@pytest.fixture
def elsewhere(world):
    """An accident in another district."""
    county = Area.objects.create(code="410198000000", name="邻区", level=AreaLevel.COUNTY)
    return f.make_accident(area=county, sector=world.retail_sector, occurred_at=f.aware(2017, 3, 1))


def test_an_accident_outside_the_scope_is_a_404(world, api_for, accident, elsewhere):
    measure = f.make_measure(elsewhere)  # with its investigation
    client = api_for("district")
    for step in STEPS:
        response = post(client, elsewhere, step, {})
        assert response.status_code == 404, (step, response.status_code)
    assert client.post(check_url(elsewhere, measure), {"done": True, "checked_on": "2017-06-01",
                                                       "result": "x"}, format="json").status_code == 404
    # A measure of another accident through this accident's URL: 404 as well.
    start(world, accident)
    assert client.post(check_url(accident, measure), {"done": True, "checked_on": "2017-06-01",
                                                      "result": "x"}, format="json").status_code == 404
    # A town sees neither the other district's nor the other town's accidents: 404, not 403.
    south = f.make_accident(enterprise=world.ent_south, occurred_at=f.aware(2017, 3, 1))
    for target in (elsewhere, south):
        assert post(api_for("town_north"), target, "follow-up-reports", {}).status_code == 404
        assert post(api_for("town_north"), target, "investigation/start", {}).status_code == 404
    measure.refresh_from_db()
    assert not measure.done and measure.check_result == "" and not elsewhere.events.exists()
    assert list(accident.events.values_list("action", flat=True)) == ["investigation_started"]  # start() only


def test_the_openapi_schema_describes_the_steps_without_warnings(world, api_for):
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.routers import DefaultRouter

    from anjian.accidents.api.urls import API_ROUTES

    router = DefaultRouter()
    for prefix, viewset, basename in API_ROUTES:
        router.register(prefix, viewset, basename=basename)
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator(patterns=[path("api/v1/", include(router.urls))]).get_schema(public=True)
    assert not GENERATOR_STATS._warn_cache and not GENERATOR_STATS._error_cache, (
        list(GENERATOR_STATS._warn_cache) + list(GENERATOR_STATS._error_cache))
    expected = {
        "follow-up-reports/": ("AccidentReport", "201"),
        "investigation/start/": ("InvestigationStart", "201"),
        "investigation/extend/": ("InvestigationExtension", "200"),
        "investigation/report/": ("InvestigationReport", "200"),
        "investigation/approve/": ("InvestigationApproval", "200"),
        "investigation/close/": ("InvestigationClose", "200"),
        "accountabilities/": ("Accountability", "201"),
        "measures/": ("RectificationMeasureCreate", "201"),
        "measures/{measure_id}/check/": ("MeasureCheck", "200"),
    }
    for tail, (request, ok) in expected.items():
        operation = schema["paths"][f"/api/v1/accidents/{{id}}/{tail}"]["post"]
        body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert body == f"#/components/schemas/{request}Request", tail
        assert operation["responses"][ok]["content"]["application/json"]["schema"]["$ref"] \
            == "#/components/schemas/AccidentDetail", tail
        assert {"400", "403", "404", "409"} <= set(operation["responses"]), tail
    assert "multipart/form-data" in schema["paths"]["/api/v1/accidents/{id}/investigation/report/"]["post"][
        "requestBody"]["content"]
    # The whole schema (every app) is served.
    served = api_for("district").get("/api/v1/schema/")
    assert served.status_code == 200 and b"/api/v1/accidents/{id}/investigation/close/" in served.content
