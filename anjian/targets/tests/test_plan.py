"""The 2017 plan's 二、主要目标 loaded as data; another year's plan entered or imported."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse

from anjian.targets.loader import load_plan, read
from anjian.targets.models import Plan, Target

EXPECTED_2017 = {
    # indicator code: (comparator, threshold)
    "accidents.deaths_per_100m_gdp": ("lt", "0.035"),
    "accidents.deaths_per_100k_workers": ("lt", "0.57"),
    "accidents.deaths_per_10k_special_equipment": ("lt", "0.46"),
    "accidents.larger_count": ("le", "0"),
    "accidents.major_and_above_count": ("eq", "0"),
    "accidents.count_yoy": ("lt", "0"),
    "accidents.deaths_yoy": ("lt", "0"),
    "inspections.key_enforcement_coverage": ("ge", "100"),
    "inspections.self_inspection_coverage": ("eq", "100"),
    "hazards.rectification_rate": ("eq", "100"),
    "hazards.reinspection_acceptance_rate": ("eq", "100"),
    "inspections.special_filing_rate": ("eq", "100"),
    "publicity.culture_site_coverage": ("eq", "100"),
    "people.enforcement_team_acceptance_rate": ("eq", "100"),
    "training.inspector_training_coverage": ("eq", "100"),
    "campaigns.safe_development_enterprise_rate": ("ge", "75"),
    "campaigns.safe_community_rate": ("ge", "75"),
    "targets.hazchem_standardisation_rate": ("eq", "100"),
    "targets.above_scale_standardisation_rate": ("ge", "70"),
    "campaigns.safe_campus_rate": ("ge", "70"),
    "targets.superior_targets_completion": ("eq", "100"),
}


@pytest.mark.django_db
def test_the_2017_plan_holds_every_main_target_with_its_comparator_and_threshold():
    plan = Plan.objects.get(year=2017)
    got = {t.indicator_code: (t.comparator, t.threshold) for t in plan.targets.all()}
    assert set(got) == set(EXPECTED_2017)
    for code, (comparator, threshold) in EXPECTED_2017.items():
        assert got[code] == (comparator, Decimal(threshold)), code
    assert plan.document_date.isoformat() == "2017-02-28"
    assert "二、主要目标" in plan.source_text


@pytest.mark.django_db
def test_targets_not_computable_yet_say_what_will_feed_them():
    from anjian.indicators.registry import registry

    for t in Target.objects.filter(plan__year=2017):
        if t.indicator_code not in registry():
            assert t.feeds, t.key


@pytest.mark.django_db
def test_loading_the_plan_again_changes_nothing():
    before = list(Target.objects.filter(plan__year=2017).values_list("pk", "threshold"))
    load_plan(read("plan-2017.json"))
    assert list(Target.objects.filter(plan__year=2017).values_list("pk", "threshold")) == before


def test_district_admin_enters_a_plan_and_a_target(client_for):
    c = client_for("district")
    r = c.post(reverse("targets:plan_add"), {"year": 2018, "title": "2018年全区安全生产工作要点"})
    plan = Plan.objects.get(year=2018)
    assert r.status_code == 302
    r = c.post(reverse("targets:target_add", args=[plan.pk]), {
        "key": "gdp", "order": 1, "label": "亿元GDP死亡率", "indicator_code": "accidents.deaths_per_100m_gdp",
        "comparator": "lt", "threshold": "0.03", "unit": "人/亿元"})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert plan.targets.get().threshold == Decimal("0.03")


def test_leader_and_town_may_not_enter_plans(client_for):
    assert client_for("leader").get(reverse("targets:plan_add")).status_code == 403
    assert client_for("town_north").post(reverse("targets:plan_add"), {"year": 2018, "title": "x"}).status_code == 403
    assert not Plan.objects.filter(year=2018).exists()


def _workbook(rows):
    import openpyxl

    from anjian.core.exchange import get_kind

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([c.header for c in get_kind("targets").columns])
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "plan-2018.xlsx"
    return out


ROW = [2018, "2018年全区安全生产工作要点", "", "2018-03-01", "gdp", "(一)", "亿元GDP死亡率", "低于0.03",
       "accidents.deaths_per_100m_gdp", "<", "0.03", "人/亿元", "", "", "", ""]


def test_a_plan_imports_from_excel(client_for):
    row2 = list(ROW)
    row2[4:12] = ["campus", "(四)", "安全校园创建率", "", "campaigns.safe_campus_rate", "≥", 80, "%"]
    r = client_for("district").post(reverse("targets:plan_import"), {"file": _workbook([ROW, row2])})
    assert r.status_code == 302, r.content.decode()[-3000:]
    plan = Plan.objects.get(year=2018)
    assert {(t.key, t.comparator, t.threshold) for t in plan.targets.all()} == {
        ("gdp", "lt", Decimal("0.03")), ("campus", "ge", Decimal("80"))}


def test_a_bad_plan_workbook_imports_nothing_and_says_why(client_for):
    bad = list(ROW)
    bad[4], bad[9], bad[10] = "bad2", "about", "x"
    r = client_for("district").post(reverse("targets:plan_import"), {"file": _workbook([ROW, bad])})
    assert r.status_code == 200
    html = r.content.decode()
    assert "比较" in html and "阈值" in html
    assert not Plan.objects.filter(year=2018).exists()
