"""The API contract of SPEC §8 for indicators, targets, plans and assessments."""

import pytest

from anjian.targets.models import Plan, Target
from anjian.utilities.testing import CountQueries

from .fakes import key_enterprises, registered


def test_indicators_list_is_paginated_with_code_name_unit_better(api_for):
    r = api_for("leader").get("/api/v1/indicators/", {"page_size": 500})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"count", "next", "previous", "results"}
    first = body["results"][0]
    assert {"code", "name", "unit", "better"} <= set(first)
    codes = {i["code"] for i in body["results"]}
    assert "targets.above_scale_standardisation_rate" in codes


def test_indicator_value_for_a_scope(world, api_for):
    with registered("test.key_enterprises", key_enterprises, unit="家"):
        r = api_for("leader").get("/api/v1/indicators/", {"code": "test.key_enterprises", "year": 2017,
                                                          "area_code": world.north.code})
    assert r.status_code == 200, r.content
    body = r.json()
    assert {"value", "numerator", "denominator"} <= set(body)
    assert body["value"] == 1 and body["numerator"] == 1 and body["denominator"] is None
    assert body["rows_url"]


def test_indicator_value_is_computed_in_the_callers_scope(world, api_for):
    world.ent_south.key_enterprise = True
    world.ent_south.save()
    with registered("test.key_enterprises", key_enterprises, unit="家"):
        district = api_for("leader").get("/api/v1/indicators/", {"code": "test.key_enterprises", "year": 2017})
        town = api_for("town_north").get("/api/v1/indicators/", {"code": "test.key_enterprises", "year": 2017})
    assert district.json()["value"] == 2
    assert town.json()["value"] == 1


def test_indicator_without_data_has_a_null_value(world, api_for):
    r = api_for("leader").get("/api/v1/indicators/", {"code": "targets.hazchem_standardisation_rate",
                                                      "year": 2017})
    assert r.status_code == 200 and r.json()["value"] is None


@pytest.mark.parametrize("params", [{"code": "no.such", "year": 2017}, {"code": "accidents.count", "year": "20x7"},
                                    {"code": "accidents.count", "year": 1800},
                                    {"code": "accidents.count", "year": 2017, "month": 13},
                                    {"code": "accidents.count", "year": 2017, "area_code": "41"}])
def test_bad_indicator_requests_are_400_with_detail(world, api_for, params):
    r = api_for("leader").get("/api/v1/indicators/", params)
    assert r.status_code == 400
    assert "detail" in r.json()


def test_indicator_rows_endpoint_lists_the_rows_behind_the_number(world, api_for):
    with registered("test.key_enterprises", key_enterprises, unit="家"):
        r = api_for("leader").get("/api/v1/indicators/rows/", {"code": "test.key_enterprises", "year": 2017})
    assert r.status_code == 200
    assert [row["id"] for row in r.json()["results"]] == [world.ent_north.pk]


def test_targets_of_a_year_carry_the_contract_keys(world, api_for):
    r = api_for("leader").get("/api/v1/targets/", {"year": 2017, "page_size": 100})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == Target.objects.filter(plan__year=2017).count()
    for item in body["results"]:
        assert {"id", "indicator", "comparator", "threshold", "value", "status"} <= set(item)
        assert item["status"] in {"met", "at_risk", "missed", "no_data"}
    gdp = next(i for i in body["results"] if i["indicator"] == "accidents.deaths_per_100m_gdp")
    assert gdp["comparator"] == "lt" and gdp["threshold"] == 0.035
    later = next(i for i in body["results"] if i["indicator"] == "campaigns.safe_campus_rate")
    assert later["value"] is None and later["status"] == "no_data" and later["feeds"]


def test_targets_bad_year_is_400(world, api_for):
    r = api_for("leader").get("/api/v1/targets/", {"year": "abc"})
    assert r.status_code == 400 and "detail" in r.json()


def test_targets_api_query_count_does_not_grow_with_rows(world, api_for):
    """Computable targets of every indicator family: more targets of the same families cost no
    more queries (the page is evaluated together), nor does a target not computable yet."""
    client = api_for("leader")
    plan = Plan.objects.create(year=2041, title="x", area_code=world.district.code)
    families = ["hazards.rectification_rate", "inspections.self_inspection_coverage",
                "targets.above_scale_standardisation_rate", "accidents.deaths_per_100k_workers"]
    for i, code in enumerate(families):
        Target.objects.create(plan=plan, key=f"f{i}", label=code, indicator_code=code, comparator="ge", threshold=1)
    client.get("/api/v1/targets/", {"year": 2041, "as_of": "2041-06-30"})
    with CountQueries() as few:
        client.get("/api/v1/targets/", {"year": 2041, "as_of": "2041-06-30"})
    more = ["hazards.reinspection_acceptance_rate", "inspections.key_enforcement_coverage",
            "inspections.special_filing_rate", "targets.hazchem_standardisation_rate", "accidents.count",
            "accidents.deaths_per_100m_gdp", "accidents.count_yoy", "campaigns.y"]
    for i, code in enumerate(more):
        Target.objects.create(plan=plan, key=f"k{i}", label=code, indicator_code=code, comparator="le",
                              threshold=1)
    with CountQueries() as many:
        r = client.get("/api/v1/targets/", {"year": 2041, "as_of": "2041-06-30"})
    assert r.json()["count"] == len(families) + len(more)
    assert many.count == few.count


def test_the_targets_api_gives_what_each_target_gives_alone(world, api_for):
    from anjian.indicators.registry import IndicatorScope
    from anjian.targets.evaluation import evaluate

    r = api_for("town_north").get("/api/v1/targets/", {"year": 2017, "as_of": "2017-09-30", "page_size": 50})
    got = {t["id"]: t for t in r.json()["results"]}
    assert len(got) == 21
    user = world.users["town_north"]
    import datetime

    for target in Target.objects.filter(plan__year=2017, plan__area_code=world.district.code):
        alone = evaluate(target, IndicatorScope(user=user), datetime.date(2017, 9, 30))
        row = got[target.pk]
        assert row["status"] == alone.status, target.key
        assert row["value"] == (float(alone.value) if alone.value is not None else None), target.key


def test_plans_api_lists_the_2017_plan_with_its_targets(world, api_for):
    r = api_for("town_north").get("/api/v1/plans/", {"year": 2017})
    plan = r.json()["results"][0]
    assert plan["year"] == 2017 and len(plan["targets"]) == 21


def test_assessments_api_carries_units_with_scores_and_ranks(world, api_for):
    client = api_for("leader")
    r = client.get("/api/v1/assessments/", {"year": 2017})
    assert r.status_code == 200
    listed = r.json()["results"][0]
    assert listed["items"] and "units" not in listed
    scheme = client.get(listed["url"], {"as_of": "2017-09-30"}).json()
    assert scheme["items"] == listed["items"] and scheme["units"]
    unit = scheme["units"][0]
    assert {"kind", "name", "rank", "total", "vetoed", "scores"} <= set(unit)
    assert sorted(u["rank"] for u in scheme["units"])[0] == 1


def test_an_assessment_costs_the_same_queries_for_more_items(world, api_for):
    from anjian.targets.models import AssessmentItem, AssessmentScheme

    scheme = AssessmentScheme.objects.create(year=2016, title="考核", area_code=world.district.code)
    codes = ["hazards.rectification_rate", "inspections.self_inspection_coverage",
             "targets.above_scale_standardisation_rate", "accidents.count"]
    for i, code in enumerate(codes):
        AssessmentItem.objects.create(scheme=scheme, key=f"a{i}", name=code, kind="computed", max_score=10,
                                      indicator_code=code, comparator="ge", threshold=1)
    client = api_for("leader")
    client.get(f"/api/v1/assessments/{scheme.pk}/", {"as_of": "2016-09-30"})
    with CountQueries() as few:
        r = client.get(f"/api/v1/assessments/{scheme.pk}/", {"as_of": "2016-09-30"})
    assert all(u["scores"] for u in r.json()["units"]), "the items are computed for every unit"
    more = ["hazards.reinspection_acceptance_rate", "inspections.key_enforcement_coverage",
            "targets.hazchem_standardisation_rate", "accidents.deaths"]
    for i, code in enumerate(more):
        AssessmentItem.objects.create(scheme=scheme, key=f"b{i}", name=code, kind="computed", max_score=10,
                                      indicator_code=code, comparator="le", threshold=1)
    with CountQueries() as many:
        r = client.get(f"/api/v1/assessments/{scheme.pk}/", {"as_of": "2016-09-30"})
    assert len(r.json()["items"]) == len(codes) + len(more)
    assert many.count == few.count
