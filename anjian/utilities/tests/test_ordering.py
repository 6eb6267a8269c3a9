"""Chinese names sort in pinyin order on PostgreSQL (ICU), by code point elsewhere (anjian.utilities.ordering).

张三贸易 (zhang), 李四商行 (li), 王五工厂 (wang), 阿里科技 (a) — and the world's 北方矿业 (bei), 南方商贸 (nan) —
on the enterprise list page (default order, ``sort=name``, ``sort=-name``) and the API (default,
``ordering=name``, ``ordering=-name``).
"""

from __future__ import annotations

import re

import pytest
from django.db import connection, connections

from anjian.enterprises.models import Enterprise
from anjian.utilities import ordering
from anjian.utilities.ordering import (
    chinese,
    chinese_order,
    chinese_terms,
    collation_for,
    with_tiebreak,
)
from anjian.utilities.testing import CountQueries, valid_credit_code

NAMES = ["张三贸易", "李四商行", "王五工厂", "阿里科技"]
WORLD_NAMES = ["北方矿业有限公司", "南方商贸有限公司"]
PINYIN = ["阿里科技", "北方矿业有限公司", "李四商行", "南方商贸有限公司", "王五工厂", "张三贸易"]
ROW = re.compile(r'<a class="fw-semibold" href="/enterprises/(\d+)/">([^<]+)</a>')


@pytest.fixture
def named(world) -> list[Enterprise]:
    return [
        Enterprise.objects.create(credit_code=valid_credit_code(500 + i), name=name, area=world.south_community)
        for i, name in enumerate(NAMES)
    ]


def page_names(client, **query) -> list[str]:
    response = client.get("/enterprises/", query)
    assert response.status_code == 200
    return [name for _pk, name in ROW.findall(response.content.decode())]


def api_names(client, **query) -> list[str]:
    response = client.get("/api/v1/enterprises/", query)
    assert response.status_code == 200
    return [row["name"] for row in response.json()["results"]]


def orders(client_for, api_for) -> dict[str, list[str]]:
    page, api = client_for("district"), api_for("district")
    return {
        "page": page_names(page), "page sort=name": page_names(page, sort="name"),
        "page sort=-name": page_names(page, sort="-name")[::-1],
        "api": api_names(api), "api ordering=name": api_names(api, ordering="name"),
        "api ordering=-name": api_names(api, ordering="-name")[::-1],
    }


def test_names_sort_in_pinyin_where_the_database_can(named, client_for, api_for):
    """PostgreSQL with ICU: pinyin (阿里 < 北方 < 李四 < 南方 < 王五 < 张三); SQLite (or a PostgreSQL
    without ICU): code points (北 < 南 < 张 < 李 < 王 < 阿), and nothing breaks. One test for both, so
    that neither run skips it."""
    if connection.vendor == "postgresql" and collation_for(connection) is not None:
        expected = PINYIN
    else:
        expected = sorted(NAMES + WORLD_NAMES)
        assert expected[2:] == NAMES
    for surface, names in orders(client_for, api_for).items():
        assert names == expected, surface


def test_equal_names_keep_the_primary_key_order_both_ways(world, client_for, api_for):
    twins = [Enterprise.objects.create(credit_code=valid_credit_code(600 + i), name="李四商行", area=world.north_community)
             for i in range(3)]
    pks = [e.pk for e in twins]
    page, api = client_for("district"), api_for("district")
    for sort in ("name", "-name"):
        rows = ROW.findall(page.get("/enterprises/", {"sort": sort}).content.decode())
        assert [int(pk) for pk, name in rows if name == "李四商行"] == pks, sort
        body = api.get("/api/v1/enterprises/", {"ordering": sort}).json()
        assert [row["id"] for row in body["results"] if row["name"] == "李四商行"] == pks, sort


def test_other_columns_keep_their_plain_order(world, named, client_for, api_for):
    Enterprise.objects.filter(name="阿里科技").update(employees=900)
    assert page_names(client_for("district"), sort="-employees")[0] == "阿里科技"
    assert api_names(api_for("district"), ordering="-employees")[0] == "阿里科技"
    codes = [row["credit_code"] for row in api_for("district").get("/api/v1/enterprises/", {"ordering": "credit_code"})
             .json()["results"]]
    assert codes == sorted(codes)


def test_the_collation_check_is_not_a_page_query(world, named, client_for):
    """The first query of a connection asks PostgreSQL for the collation; the page's count stays the same."""
    client = client_for("district")
    client.get("/enterprises/", {"sort": "-employees"})  # warm the session
    with CountQueries() as plain:
        client.get("/enterprises/", {"sort": "-employees"})
    connections["default"].__dict__.pop(ordering._CACHE, None)  # as on a new connection
    with CountQueries() as by_name:
        client.get("/enterprises/", {"sort": "name"})
    assert by_name.count == plain.count
    if connection.vendor == "postgresql":
        assert connections["default"].__dict__[ordering._CACHE][1] == "zh-Hans-x-icu"  # asked once, remembered


def test_compiled_sql(db):
    sql = str(Enterprise.objects.order_by(chinese_order("-name"), "pk").values("pk").query)
    if collation_for(connection):
        assert 'ORDER BY "enterprises_enterprise"."name" COLLATE "zh-Hans-x-icu" DESC' in sql
    else:
        assert "COLLATE" not in sql and '"name" DESC' in sql
    sql = str(Enterprise.objects.values("pk").order_by(chinese("area__name")).query)
    assert '"territory_area"."name"' in sql


def test_terms_and_tiebreak():
    terms = chinese_terms(["-name", "employees", "area__code"], ("name",))
    assert terms[0].descending and isinstance(terms[0].expression, ordering.ChineseCollate)
    assert terms[1:] == ["employees", "area__code"]
    assert with_tiebreak(["name"]) == ["name", "pk"]
    assert with_tiebreak(["name", "id"]) == ["name", "id"]
    assert with_tiebreak(["-pk"]) == ["-pk"]
    assert with_tiebreak(["name"], key="code") == ["name", "code"]
