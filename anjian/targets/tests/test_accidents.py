"""双下降, 一杜绝 and the veto on accident fixtures (the accidents app's models and indicators)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from anjian.targets.assessment import assess
from anjian.targets.dashboard import COUNT_YOY, DEATHS_YOY, LARGER_AND_ABOVE, build
from anjian.targets.models import AssessmentScheme, AssessmentScore, Plan

factories = pytest.importorskip("anjian.accidents.tests.factories")


@pytest.fixture
def accidents(world):
    f = factories
    # 2016: 3 accidents, 4 deaths. 2017 to 30 June: 2 accidents, 1 death, and one 较大 in the south.
    f.make_accident(enterprise=world.ent_north, occurred_at=f.aware(2016, 3), deaths=2)
    f.make_accident(enterprise=world.ent_north, occurred_at=f.aware(2016, 5), deaths=1)
    f.make_accident(enterprise=world.ent_south, occurred_at=f.aware(2016, 9), deaths=1)
    f.make_accident(enterprise=world.ent_north, occurred_at=f.aware(2017, 2), deaths=0, serious_injuries=1)
    larger = f.make_accident(enterprise=world.ent_south, occurred_at=f.aware(2017, 4), deaths=3)
    return larger


def test_double_decline_panels_compare_with_the_same_period_last_year(world, accidents):
    dash = build(Plan.objects.get(year=2017), world.users["leader"], date(2017, 12, 31))
    count, deaths = dash.panels[COUNT_YOY], dash.panels[DEATHS_YOY]
    assert (count.result.numerator, count.result.denominator) == (2, 3)
    assert count.value == Decimal("-33.33") and count.status == "met"
    assert (deaths.result.numerator, deaths.result.denominator) == (3, 4)
    assert deaths.status == "met"


def test_none_larger_panel_counts_larger_and_above_this_year(world, accidents, client_for):
    dash = build(Plan.objects.get(year=2017), world.users["leader"], date(2017, 6, 30))
    larger = dash.panels[LARGER_AND_ABOVE]
    assert larger.value == 1 and larger.status == "missed"
    assert list(larger.result.rows) == [accidents]
    html = client_for("leader").get(reverse("targets:dashboard"), {"year": 2017, "as_of": "2017-06-30"}).content.decode()
    assert 'data-testid="larger-count"' in html


def test_larger_accident_target_is_missed_at_once_and_major_target_still_met(world, accidents):
    dash = build(Plan.objects.get(year=2017), world.users["leader"], date(2017, 6, 30))
    statuses = {r.target.key: r.evaluation.status for r in dash.rows}
    assert statuses["larger_accidents"] == "missed"
    assert statuses["major_accidents"] == "met"


def test_town_officer_sees_only_its_towns_accidents(world, accidents):
    dash = build(Plan.objects.get(year=2017), world.users["town_north"], date(2017, 12, 31))
    assert dash.panels[LARGER_AND_ABOVE].value == 0
    assert dash.panels[COUNT_YOY].result.numerator == 1


def test_a_larger_accident_vetoes_its_town(world, accidents):
    scheme = AssessmentScheme.objects.get(year=2017)
    result = assess(scheme, world.users["district"], date(2017, 12, 31))
    by_unit = {u.unit.area_code or u.unit.department_id: u for u in result.units}
    assert by_unit[world.south.code].vetoed
    assert not by_unit[world.north.code].vetoed
    # Vetoed units rank after every unit that is not vetoed.
    assert by_unit[world.south.code].rank == max(u.rank for u in result.units)


def test_manual_scores_count_and_ranking_follows_the_totals(world, accidents):
    scheme = AssessmentScheme.objects.get(year=2017)
    item = scheme.items.get(key="responsibility")
    AssessmentScore.objects.create(item=item, unit_kind="town", area=world.north, score=12, note="落实到位")
    result = assess(scheme, world.users["district"], date(2017, 12, 31))
    north = next(u for u in result.units if u.unit.area_code == world.north.code)
    got = next(s for s in north.items if s.item.pk == item.pk)
    assert got.score == 12 and got.note == "落实到位"
    totals = [u.total for u in result.units if not u.vetoed]
    assert totals == sorted(totals, reverse=True)


def test_assessment_page_and_export(world, accidents, client_for):
    scheme = AssessmentScheme.objects.get(year=2017)
    c = client_for("leader")
    assert c.get(reverse("targets:assessment_detail", args=[scheme.pk])).status_code == 200
    r = c.get(reverse("targets:assessment_export", args=[scheme.pk]))
    assert r.status_code == 200
    assert client_for("town_north").get(reverse("targets:assessment_detail", args=[scheme.pk])).status_code == 403


def test_district_admin_scores_a_manual_item_with_a_note(world, client_for):
    scheme = AssessmentScheme.objects.get(year=2017)
    item = scheme.items.get(key="responsibility")
    url = reverse("targets:assessment_score", args=[scheme.pk, item.pk])
    c = client_for("district")
    prefix = f"town-{world.north.code}"
    r = c.post(url, {f"{prefix}-score": "20", f"{prefix}-note": ""})
    assert r.status_code == 200 and not AssessmentScore.objects.exists()  # over the max, and no note
    r = c.post(url, {f"{prefix}-score": "14", f"{prefix}-note": "权责清单已建立"})
    assert r.status_code == 302
    s = AssessmentScore.objects.get()
    assert s.score == 14 and s.scorer == world.users["district"]
    assert client_for("leader").post(url, {f"{prefix}-score": "1", f"{prefix}-note": "x"}).status_code == 403
