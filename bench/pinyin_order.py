"""The enterprise list ordered by name in pinyin (COLLATE "zh-Hans-x-icu") beside the same list in
plain (code-point) order, in the same run, on PostgreSQL with 100,000 enterprises.

    .venv/bin/python bench/pinyin_order.py [--enterprises 100000] [--runs 15] [--fresh]

The dataset is bench/province.py's (database ``anjian_bench_pinyin``: 1,000 towns, no hazards or
inspections) with realistic, varied enterprise names (place, brand, trade, legal form), because
the cost of an ICU comparison depends on the text. Three leaders see a province (all 100,000
enterprises), a city (~10,000) and a district (~1,000).

For each scope it times, alternating A (pinyin) and B (plain):

* the list page ``GET /enterprises/`` (default order: name), the whole Django view;
* the page's query alone (the first 50 rows, ``ORDER BY name, id`` with or without the collation);

first as the migrations leave the table (a btree on ``name`` in the database's collation, none on
the collated expression), then with an index on ``(name COLLATE "zh-Hans-x-icu", id)``, created
for the measurement and dropped afterwards. The question: does the list by name need that index?
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import alternate, report  # noqa: E402

DB = "anjian_bench_pinyin"
SCOPES = {"province": "410000000000", "city": "410100000000", "district": "410101000000"}
INDEX = "enterprise_name_pinyin"  # as migration enterprises 0002 creates it
ROW = re.compile(r'<a class="fw-semibold" href="/enterprises/\d+/">')

PLACES = ("郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 漯河 三门峡 南阳 商丘 信阳 周口 驻马店 济源 巩义 登封 "
          "新密 荥阳 中牟 长葛 禹州 汝州 林州 卫辉 辉县 沁阳 孟州 永城 项城 邓州 固始 潢川 淮阳 鹿邑 郸城 西平").split()
BRAND = "华信达通宏盛鑫源恒泰金丰瑞祥兴隆永安宇新天德嘉明光辉海龙凤中正东方远博诚和顺利福康健美佳豪亿万众志成合力创科"
TRADES = ("矿业 商贸 建材 化工 机械 物流 食品 纺织 建筑 电力 燃气 冶金 陶瓷 石材 塑料 包装 印刷 木业 家具 钢构 "
          "农业 水泥 玻璃 耐火材料 铝业 煤业 服装 制药 汽车维修 仓储 超市 餐饮 酒店 加油站 烟花爆竹").split()
FORMS = ["有限公司"] * 6 + ["有限责任公司"] * 2 + ["股份有限公司", "厂", "商行", "经营部", "加工厂", "门市部"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"


def chinese_names(conn: Any, province: Any) -> int:
    """Give every enterprise a varied Chinese name (province.py's are all 企业NNNNNN有限公司)."""
    rnd = random.Random(2017)

    def name() -> str:
        kind = rnd.random()
        brand = "".join(rnd.choice(BRAND) for _ in range(2))
        if kind < 0.15:  # 个体工商户: the owner's name
            owner = rnd.choice(SURNAMES) + "".join(rnd.choice(BRAND) for _ in range(rnd.randint(1, 2)))
            return f"{rnd.choice(PLACES)}市{owner}{rnd.choice(TRADES)}{rnd.choice(['商行', '经营部', '门市部'])}"
        place = f"{rnd.choice(PLACES)}市" if kind < 0.75 else ""
        return f"{place}{brand}{rnd.choice(TRADES)}{rnd.choice(FORMS)}"

    with conn.cursor() as cur:
        cur.execute("CREATE TEMP TABLE bench_names (id bigint PRIMARY KEY, name text)")
        with cur.copy("COPY bench_names (id, name) FROM STDIN") as copy:
            for eid, _area, _sector in province.enterprises:
                copy.write_row((eid, name()))
        cur.execute("UPDATE enterprises_enterprise e SET name = n.name FROM bench_names n WHERE n.id = e.id")
        cur.execute("DROP TABLE bench_names")
    conn.commit()
    return len(province.enterprises)


def leaders() -> dict[str, Any]:
    from anjian.accounts.models import Role, RoleAssignment, User

    users = {}
    for scope, code in SCOPES.items():
        user, created = User.objects.get_or_create(username=f"pinyin-{scope}")
        if created:
            RoleAssignment.objects.create(user=user, role=Role.LEADER, area_id=code)
        users[scope] = user
    return users


def set_collation(on: bool) -> None:
    """Switch the list's ordering between pinyin and plain, as a database without ICU would have it."""
    from django.db import connections

    from anjian.utilities import ordering

    wrapper = connections["default"]
    wrapper.__dict__[ordering._CACHE] = (wrapper.settings_dict["NAME"], ordering.COLLATIONS[0] if on else None)


def plan(sql: str, params: Any) -> str:
    """The plan's nodes (no costs, no details), e.g. 'Limit > Sort > Seq Scan on enterprises_enterprise'."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN (COSTS OFF) {sql}", params)
        lines = [r[0] for r in cur.fetchall()]
    nodes = [lines[0], *(ln.strip().removeprefix("->").strip() for ln in lines[1:] if ln.strip().startswith("->"))]
    return " > ".join(nodes)


def measure(users: dict[str, Any], runs: int) -> dict[str, Any]:
    from django.test import Client

    from anjian.enterprises.models import Enterprise
    from anjian.utilities.ordering import chinese_order

    out: dict[str, Any] = {}
    for scope, user in users.items():
        client = Client()
        client.force_login(user)

        def page(on: bool, client: Client = client) -> Any:
            def get() -> None:
                set_collation(on)
                response = client.get("/enterprises/", HTTP_HOST="127.0.0.1")
                assert response.status_code == 200, response.status_code
                assert len(ROW.findall(response.content.decode())) == 50
            return get

        base = Enterprise.objects.visible_to(user).select_related("area__parent")
        pinyin_qs = base.order_by(chinese_order("name"), "pk")[:50]
        plain_qs = base.order_by("name", "pk")[:50]

        def query(qs: Any, on: bool) -> Any:
            def run() -> None:
                set_collation(on)
                assert len(list(qs.all())) == 50
            return run

        set_collation(True)
        first_pinyin = [e.name for e in pinyin_qs.all()[:3]]
        sql, params = pinyin_qs.query.sql_with_params()
        pinyin_plan = plan(sql, params)
        set_collation(False)
        first_plain = [e.name for e in plain_qs.all()[:3]]
        sql, params = plain_qs.query.sql_with_params()
        plain_plan = plan(sql, params)
        out[scope] = {
            "enterprises": base.count(),
            "page": alternate(page(True), page(False), runs=runs),
            "query": alternate(query(pinyin_qs, True), query(plain_qs, False), runs=runs),
            "plan_pinyin": pinyin_plan, "plan_plain": plain_plan,
            "first_pinyin": first_pinyin, "first_plain": first_plain,
        }
    set_collation(True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--fresh", action="store_true", help="rebuild the dataset even if it exists")
    args = parser.parse_args()
    import province

    province.ensure(enterprises=args.enterprises, hazards=0, inspections=0, extra_generators=[chinese_names],
                    db=DB, fresh=args.fresh)
    from django.db import connection

    from anjian.utilities.ordering import collation_for

    assert collation_for(connection), "this PostgreSQL has no ICU collation zh-Hans-x-icu"
    users = leaders()
    with connection.cursor() as cur:
        cur.execute(f"DROP INDEX IF EXISTS {INDEX}")
    without = measure(users, args.runs)
    with connection.cursor() as cur:
        cur.execute(f'CREATE INDEX {INDEX} ON enterprises_enterprise ((name COLLATE "zh-Hans-x-icu"), id)')
        cur.execute("ANALYZE enterprises_enterprise")
    indexed = measure(users, args.runs)  # and the index stays, as the migration leaves it

    rows: list[tuple[str, object]] = [("enterprises", args.enterprises)]
    for label, result in (("no index on the collated name", without), ("with an index on it", indexed)):
        for scope, r in result.items():
            head = f"{label}, {scope} ({r['enterprises']:,})"
            rows += [
                (f"{head}: page pinyin / plain ms", f"{r['page']['a_median_ms']} / {r['page']['b_median_ms']}"),
                (f"{head}: page ratio", r["page"]["ratio_median"]),
                (f"{head}: query pinyin / plain ms", f"{r['query']['a_median_ms']} / {r['query']['b_median_ms']}"),
                (f"{head}: query ratio", r["query"]["ratio_median"]),
                (f"{head}: plan pinyin", r["plan_pinyin"]),
            ]
    rows.append(("plain plan (province)", without["province"]["plan_plain"]))
    rows.append(("first names, pinyin / plain", f"{without['province']['first_pinyin']} / "
                                                f"{without['province']['first_plain']}"))
    report("pinyin_order", rows, {"enterprises": args.enterprises, "runs": args.runs,
                                  "without_index": without, "with_index": indexed})


if __name__ == "__main__":
    main()
