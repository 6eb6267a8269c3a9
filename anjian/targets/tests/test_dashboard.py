"""The target dashboard: every number links to exactly the rows it counted; scope; query counts."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from anjian.targets.dashboard import build
from anjian.targets.models import Plan, Target
from anjian.utilities.testing import CountQueries, valid_credit_code

from .fakes import key_enterprises, key_share, registered


@pytest.fixture
def fake_plan(world):
    with registered("test.key_enterprises", key_enterprises, unit="家", better="lower"), \
            registered("test.key_share", key_share, unit="%"):
        plan = Plan.objects.create(year=2040, title="测试计划")
        Target.objects.create(plan=plan, key="count", order=1, label="重点企业数", indicator_code="test.key_enterprises",
                              comparator="le", threshold=5, unit="家")
        Target.objects.create(plan=plan, key="share", order=2, label="重点企业占比", indicator_code="test.key_share",
                              comparator="ge", threshold=50, unit="%")
        Target.objects.create(plan=plan, key="later", order=3, label="安全校园创建率",
                              indicator_code="campaigns.not_yet", comparator="ge", threshold=70, unit="%",
                              feeds="创建活动模块")
        yield plan


def _links(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="(/targets/rows/\?[^"]+)"', html)]


def _counted(client, url: str) -> tuple[set[int], str]:
    pks: set[int] = set()
    page = 1
    while True:
        r = client.get(url + f"&page={page}")
        assert r.status_code == 200, url
        html = r.content.decode()
        pks |= {int(pk) for pk in re.findall(r'data-pk="(\d+)"', html)}
        if f"page={page + 1}" not in html:
            return pks, html
        page += 1


def test_every_dashboard_number_lists_exactly_the_rows_it_counted(world, client_for, fake_plan):
    from anjian.indicators.registry import IndicatorScope, Period, registry

    client = client_for("leader")
    r = client.get(reverse("targets:dashboard"), {"year": 2040, "as_of": "2040-06-30"})
    assert r.status_code == 200
    links = _links(r.content.decode())
    assert len(links) >= 6  # values, numerator/denominator, towns, trend points
    for url in links:
        params = dict(p.split("=", 1) for p in url.split("?", 1)[1].split("&"))
        pks, html = _counted(client, url)
        ind = registry()[params["code"]]
        result = ind.compute(
            IndicatorScope(user=world.users["leader"], area_code=params.get("area_code"),
                           department_id=int(params["department"]) if "department" in params else None),
            Period.month(2040, int(params["month"])) if "month" in params else
            Period(date(2040, 1, 1), date.fromisoformat(params.get("as_of", "2040-12-31"))))
        qs = result.denominator_rows if params.get("which") == "denominator" else result.rows
        expected = set(qs.values_list("pk", flat=True))
        assert pks == expected, url
        counted = result.denominator if params.get("which") == "denominator" else result.numerator
        assert len(pks) == counted, url


def test_a_number_not_computable_yet_shows_no_data_and_what_feeds_it(client_for, fake_plan):
    html = client_for("district").get(reverse("targets:dashboard"), {"year": 2040}).content.decode()
    assert "创建活动模块" in html
    row = re.search(r'data-code="campaigns.not_yet".*?</tr>', html, re.S).group(0)
    assert "/targets/rows/" not in row
    assert 'data-status="no_data"' in row


def test_town_officer_dashboard_counts_only_its_town(world, fake_plan):
    world.ent_south.key_enterprise = True
    world.ent_south.save()
    district = build(fake_plan, world.users["district"], date(2040, 6, 30))
    town = build(fake_plan, world.users["town_north"], date(2040, 6, 30))
    assert district.rows[0].evaluation.value == 2
    assert town.rows[0].evaluation.value == 1
    assert [t.code for t in town.towns] == [world.north.code]
    assert set(town.rows[0].evaluation.result.rows) == {world.ent_north}


def test_town_officer_page_shows_only_its_town(world, client_for, fake_plan):
    html = client_for("town_north").get(reverse("targets:dashboard"), {"year": 2040, "as_of": "2040-05-01"}).content.decode()
    assert world.north.name in html and world.south.name not in html


def _add_towns(world, n: int) -> None:
    from anjian.enterprises.models import Enterprise
    from anjian.territory.models import Area, AreaLevel

    for i in range(n):
        code = f"410199{100 + i:03d}000"
        town = Area.objects.create(code=code, name=f"镇{i}", level=AreaLevel.TOWN, parent=world.district)
        Enterprise.objects.create(credit_code=valid_credit_code(1000 + i), name=f"企业{i}", area=town,
                                  key_enterprise=True)


def test_dashboard_query_count_does_not_grow_with_the_towns(world, client_for, fake_plan):
    Target.objects.filter(plan=fake_plan, key="share").delete()
    client = client_for("leader")
    url = reverse("targets:dashboard") + "?year=2040&as_of=2040-06-30"
    client.get(url)
    with CountQueries() as few:
        client.get(url)
    _add_towns(world, 6)
    with CountQueries() as many:
        r = client.get(url)
    assert r.status_code == 200
    assert many.count == few.count, (few.count, many.count)


def test_an_indicator_without_grouped_breakdown_is_computed_per_town_and_says_so(world, client_for, fake_plan):
    html = client_for("leader").get(reverse("targets:dashboard"), {"year": 2040, "as_of": "2040-05-01"}).content.decode()
    fallbacks = re.search(r'data-testid="fallbacks".*?</p>', html, re.S).group(0)
    assert "test.key_share" in fallbacks


def test_grouped_indicators_alone_keep_the_query_count_constant(world, fake_plan):
    Target.objects.filter(plan=fake_plan, key="share").delete()
    leader = world.users["leader"]
    build(fake_plan, leader, date(2040, 6, 30))
    with CountQueries() as few:
        build(fake_plan, leader, date(2040, 6, 30))
    _add_towns(world, 5)
    with CountQueries() as many:
        dash = build(fake_plan, leader, date(2040, 6, 30))
    assert len(dash.towns) == 7
    assert many.count == few.count
    assert ("test.key_enterprises", "town") not in dash.fallbacks


def _grow_district(world, towns: int, departments: int) -> None:
    """Towns (each with an enterprise, a self-inspection, a hazard and an accident) and departments
    up to the given numbers."""
    from anjian.accidents.tests.factories import make_accident
    from anjian.enterprises.models import Enterprise
    from anjian.hazards.tests.factories import make_hazard
    from anjian.inspections.models import Inspection
    from anjian.territory.models import Area, AreaLevel, Department

    have = Area.objects.filter(level=AreaLevel.TOWN, code__startswith="410199").count()
    for i in range(have, towns):
        town = Area.objects.create(code=f"410199{100 + i:03d}000", name=f"镇{i}", level=AreaLevel.TOWN,
                                   parent=world.district)
        ent = Enterprise.objects.create(credit_code=valid_credit_code(2000 + i), name=f"企业{i}", area=town,
                                        key_enterprise=i % 2 == 0)
        ent.sectors.add(world.retail_sector if i % 2 else world.mines_sector)
        Inspection.objects.create(enterprise=ent, kind="self", date=date(2017, 3, 5), status="submitted")
        make_hazard(ent, found_on=date(2017, 4, 1), status="verified")
        make_accident(enterprise=ent, occurred_at=make_aware_2017(5, 1 + i % 20), deaths=i % 2)
    have = Department.objects.filter(area__code__startswith="410199").count()
    for i in range(have, departments):
        dept = Department.objects.create(code=f"d{i}", name=f"部门{i}", area=world.district)
        dept.sectors.add(world.retail_sector)


def make_aware_2017(month: int, day: int):
    from anjian.accidents.tests.factories import aware

    return aware(2017, month, day)


def test_the_2017_dashboard_costs_the_same_queries_for_8_and_for_30_towns(world, client_for):
    """The real plan and indicators: the page's query count depends on neither the towns nor the
    departments (every indicator has grouped breakdowns and the families answer together)."""
    client = client_for("leader")
    url = reverse("targets:dashboard") + "?year=2017&as_of=2017-09-30"
    _grow_district(world, 8, 4)
    client.get(url)
    with CountQueries() as eight:
        r = client.get(url)
    assert r.status_code == 200
    _grow_district(world, 30, 12)
    with CountQueries() as thirty:
        r = client.get(url)
    assert r.status_code == 200
    assert r.content.decode().count('data-testid="matrix-town"') == 1
    print(f"queries: 8 towns {eight.count}, 30 towns {thirty.count}")
    assert thirty.count == eight.count, (eight.count, thirty.count)
    dash = build(Plan.objects.get(year=2017), world.users["leader"], date(2017, 9, 30))
    assert len(dash.towns) == 30 and not dash.fallbacks


def test_leader_and_district_admin_land_on_the_dashboard(client_for, world):
    for persona in ("leader", "district"):
        r = client_for(persona).get("/")
        assert r.status_code == 302 and r["Location"] == reverse("targets:dashboard")


def test_enterprise_and_system_roles_cannot_open_the_dashboard(client_for, world):
    assert client_for("ent_north").get(reverse("targets:dashboard")).status_code == 403
    assert client_for("sysadmin").get(reverse("targets:dashboard")).status_code == 403


def test_drilldown_rejects_bad_requests_in_words(client_for, world):
    c = client_for("leader")
    r = c.get(reverse("targets:rows"), {"code": "nope", "year": 2017})
    assert r.status_code == 400 and "nope" in r.content.decode()
    r = c.get(reverse("targets:rows"), {"code": "accidents.count", "year": "abc"})
    assert r.status_code == 400


def test_drilldown_exports_the_rows(world, client_for, fake_plan):
    r = client_for("leader").get(reverse("targets:rows_export"), {"code": "test.key_enterprises", "year": 2040})
    assert r.status_code == 200
    from io import BytesIO

    import openpyxl

    sheet = openpyxl.load_workbook(BytesIO(b"".join(r.streaming_content))).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [world.ent_north.name]


def test_the_2017_dashboard_renders_with_the_real_indicators(client_for, world):
    r = client_for("district").get(reverse("targets:dashboard"), {"year": 2017})
    assert r.status_code == 200
    html = r.content.decode()
    assert "亿元国内生产总值死亡率" in html and "安全校园创建率" in html
    assert Decimal("0.035") == Target.objects.get(plan__year=2017, key="deaths_per_100m_gdp").threshold
