"""The target dashboard (every target of the 2017 plan, every town and department, trends)
on a province-sized PostgreSQL dataset, beside the SQL-only computation of the same
numbers, in the same run.

    .venv/bin/python bench/dashboard.py [--rows 100000] [--accidents 20000] [--runs 7]

* measured: ``anjian.targets.dashboard.build`` + the presenters (every number, status,
  projection, monthly trend, town and department breakdowns and the drill-down links)
  for a leader of a district with 30 towns, as of 2017-09-30;
* baseline: the very SQL statements that computation issues, replayed through a bare
  cursor (fetching every row): the database's share of the work. The ratio is the
  cost of everything else (ORM, Python, the registry and the presenters);
* query counts for a district with 30 towns and one with 8: they must be equal
  (grouped breakdowns), apart from the indicators listed as computed per unit.

Goal (issue 4): ratio ≤ 1.5×; query count independent of the number of towns.
Uses ``bench/province.py`` (``build_province``) when it exists for the hazards and
inspections; otherwise enterprises, accidents and statistics bases only.
"""

from __future__ import annotations

import argparse
import io
import random
from datetime import date

from _common import alternate, migrate, report, setup_django, use_postgres

BIG, SMALL = ("410199", 30), ("410198", 8)
COMMUNITIES = 3
AS_OF = date(2017, 9, 30)


def build_dataset(rows: int, accidents: int) -> dict:
    from django.db import connection

    from anjian.accounts.models import Role, RoleAssignment, User
    from anjian.targets.loader import load_plan, read
    from anjian.territory.models import Area, AreaLevel, Department, Sector
    from anjian.utilities.testing import valid_credit_code

    rnd = random.Random(2017)
    sectors = list(Sector.objects.order_by("pk").values_list("pk", flat=True))
    communities: list[str] = []
    users = {}
    for prefix, towns in (BIG, SMALL):
        district = Area.objects.create(code=f"{prefix}000000", name=f"区{prefix}", level=AreaLevel.COUNTY)
        for t in range(1, towns + 1):
            town = Area.objects.create(code=f"{prefix}{t:03d}000", name=f"{prefix}-{t}镇", level=AreaLevel.TOWN,
                                       parent=district)
            for c in range(1, COMMUNITIES + 1):
                communities.append(Area.objects.create(code=f"{prefix}{t:03d}{c:03d}", name=f"{t}-{c}社区",
                                                       level=AreaLevel.COMMUNITY, parent=town).code)
        for d in range(1, 11):
            dept = Department.objects.create(code=f"{prefix}-d{d}", name=f"部门{d}", area=district)
            dept.sectors.set(sectors[d - 1::10])
        user = User.objects.create_user(f"leader-{prefix}", password="Demo@2017")  # noqa: S106
        RoleAssignment.objects.create(user=user, role=Role.LEADER, area=district)
        users[prefix] = user
    buf = io.StringIO()
    grades = ["", "", "grade1", "grade2", "grade3", "small"]
    for i in range(1, rows + 1):
        buf.write("\t".join([
            valid_credit_code(i), f"企业{i:06d}有限公司", "示范路", rnd.choice(communities), str(rnd.randint(1, 800)),
            "t" if rnd.random() < .12 else "f", "t" if rnd.random() < .3 else "f", "operating",
            rnd.choice(grades), "f", "", "", "", "1",
        ]) + "\tnow\tnow\n")
    cols = ("credit_code, name, address, area_code, employees, key_enterprise, above_scale, status, "
            "standardisation_grade, is_demo, legal_representative, safety_manager, safety_manager_phone, version")
    with connection.cursor() as cur:
        with cur.cursor.copy(f"COPY enterprises_enterprise ({cols}, created, last_updated) FROM STDIN") as copy:
            copy.write(buf.getvalue())
        cur.execute(
            "INSERT INTO enterprises_enterprise_sectors (enterprise_id, sector_id) "
            "SELECT id, (%s::bigint[])[1 + (id %% %s)] FROM enterprises_enterprise", [sectors, len(sectors)])
        cur.execute("SELECT id FROM accidents_accidenttypecode ORDER BY id LIMIT 1")
        type_id = cur.fetchone()[0]
        # Accidents of 2016 and 2017 at random enterprises (graded 较大 from 3 deaths).
        cur.execute(
            """
            INSERT INTO accidents_accident (number, occurred_at, place, area_code, enterprise_id, sector_id,
                accident_type_id, deaths, serious_injuries, minor_injuries, direct_loss, special_equipment,
                description, causes, reported_at, reported_by, grade, grade_rule_set, reported_late, is_demo,
                created, last_updated, version)
            SELECT 'B' || g, t, '车间', e.area_code, e.id, es.sector_id, %s, d, 0, 0, 0, (g %% 17 = 0),
                   '事故经过', '', t + interval '30 minutes', '', CASE WHEN d >= 3 THEN 'larger' ELSE 'general' END,
                   '', false, false, now(), now(), 1
            FROM (SELECT g, timestamptz '2016-01-01 08:00+08' + (random() * 730) * interval '1 day' AS t,
                         (CASE WHEN random() < .8 THEN 0 WHEN random() < .9 THEN 1 ELSE 3 END) AS d,
                         1 + floor(random() * %s)::int AS eid
                  FROM generate_series(1, %s) g) s
            JOIN enterprises_enterprise e ON e.id = s.eid
            JOIN enterprises_enterprise_sectors es ON es.enterprise_id = e.id
            """, [type_id, rows, accidents])
        cur.execute(
            """
            INSERT INTO accidents_statisticsbase (year, area_code, gdp, gdp_source, industrial_employees,
                industrial_employees_source, special_equipment_units, special_equipment_units_source,
                schools_source, villages_communities_source, above_scale_enterprises_source, note, is_demo,
                created, last_updated, version)
            SELECT y, code, 300, '', 100000, '', 20000, '', '', '', '', '', false, now(), now(), 1
            FROM territory_area, generate_series(2016, 2017) y WHERE level IN (3, 4)
            """)
        cur.execute("ANALYZE")
    data = read("plan-2017.json")
    load_plan(data)  # 410199 (the default district)
    data["plan"]["area_code"] = f"{SMALL[0]}000000"
    load_plan(data)
    return users


class _Only:
    """A plan whose ``targets`` are limited to ``keep`` (for the grouped-only measurement)."""

    def __init__(self, plan: object, keep: list[int]) -> None:
        self._plan, self._keep = plan, keep

    def __getattr__(self, name: str) -> object:
        return getattr(self._plan, name)

    @property
    def targets(self) -> object:
        return self._plan.targets.filter(pk__in=self._keep)  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000, help="enterprises")
    parser.add_argument("--accidents", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    use_postgres("anjian_bench_dashboard")
    setup_django()
    migrate()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from anjian.targets.dashboard import build
    from anjian.targets.models import Plan
    from anjian.targets.presenters import dashboard_context

    users = build_dataset(args.rows, args.accidents)
    plans = {p.area_code[:6]: p for p in Plan.objects.filter(year=2017)}

    def dashboard(prefix: str = BIG[0]) -> object:
        dash = build(plans[prefix], users[prefix], AS_OF)
        return dashboard_context(dash, "")

    counts = {}
    captured = {}
    for prefix, towns in (BIG, SMALL):
        dashboard(prefix)
        with CaptureQueriesContext(connection) as q:
            ctx = dashboard(prefix)
        counts[towns] = len(q.captured_queries)
        captured[prefix] = [x["sql"] for x in q.captured_queries]
    fallbacks = sorted(set(ctx["fallbacks"]))  # type: ignore[index]

    def sql_only() -> None:
        with connection.cursor() as cur:
            for sql in captured[BIG[0]]:
                cur.execute(sql)
                if cur.description is not None:
                    cur.fetchall()

    timing = alternate(dashboard, sql_only, runs=args.runs, warmup=2)

    # The same, restricted to the targets whose indicators have grouped breakdowns (the machinery's
    # own overhead, without the per-unit fallbacks of indicators that have none yet).
    from anjian.targets.breakdown import grouped_function
    from anjian.utilities.indicators import registry

    reg = registry()
    slow = {c for c, _b in fallbacks}
    grouped_plan = plans[BIG[0]]
    keep = [t.pk for t in grouped_plan.targets.all()
            if t.indicator_code in reg and t.indicator_code not in slow and grouped_function(reg[t.indicator_code])]

    def grouped_dashboard() -> object:
        dash = build(_Only(grouped_plan, keep), users[BIG[0]], AS_OF)  # type: ignore[arg-type]
        return dashboard_context(dash, "")

    with CaptureQueriesContext(connection) as q:
        grouped_dashboard()
    grouped_sql = [x["sql"] for x in q.captured_queries]

    def grouped_sql_only() -> None:
        with connection.cursor() as cur:
            for sql in grouped_sql:
                cur.execute(sql)
                if cur.description is not None:
                    cur.fetchall()

    grouped_timing = alternate(grouped_dashboard, grouped_sql_only, runs=args.runs, warmup=2)
    targets = plans[BIG[0]].targets.count()
    data = {"enterprises": args.rows, "accidents": args.accidents, "targets": targets,
            "as_of": AS_OF.isoformat(), "queries": {f"{k} towns": v for k, v in counts.items()},
            "fallbacks": fallbacks, **timing, "grouped_only": {**grouped_timing, "targets": len(keep),
                                                               "queries": len(grouped_sql)}}
    report("dashboard", [
        ("dataset", f"{args.rows:,} enterprises, {args.accidents:,} accidents, {BIG[1]} + {SMALL[1]} towns"),
        ("targets on the dashboard", targets),
        ("dashboard (median)", f"{timing['a_median_ms']:.1f} ms"),
        ("same SQL replayed (median)", f"{timing['b_median_ms']:.1f} ms"),
        ("ratio (median of pairs)", f"{timing['ratio_median']:.2f}x  (goal <= 1.5x)"),
        ("grouped-only targets", f"{len(keep)}: {grouped_timing['a_median_ms']:.1f} ms vs SQL "
                                 f"{grouped_timing['b_median_ms']:.1f} ms = {grouped_timing['ratio_median']:.2f}x"),
        ("queries, 30 towns", counts[BIG[1]]),
        ("queries, 8 towns", counts[SMALL[1]]),
        ("computed per unit (no grouped breakdown)", ", ".join(f"{c} ({b})" for c, b in fallbacks) or "none"),
    ], data)


if __name__ == "__main__":
    main()
