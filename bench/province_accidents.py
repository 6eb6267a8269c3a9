"""Province-scale accidents and statistics bases, and the accident benchmark.

The generator (for ``bench/province.py`` and any other dataset builder)::

    from province_accidents import generate
    generate(conn, areas, enterprises, years=(2016, 2017))

* ``conn``: a psycopg 3 connection, or Django's ``connection`` (its cursor is unwrapped);
* ``areas``: the 12-digit codes of the dataset's areas (province, cities, counties, towns,
  communities); accidents happen in towns and communities, statistics bases are written for
  every area above the community level (a county's and a city's figures are the sums of
  their towns');
* ``enterprises``: ``(id, area_code, sector_id)`` of the enterprises accidents may happen at.

It writes, with COPY and set-based INSERT … SELECT only: about one accident a year per 25
enterprises (a third of them without an enterprise: roads, rivers), their first reports,
and one statistics base per area and year. Grades are computed by the versioned rules
(``anjian.accidents.rules``), not by SQL of their own. Returns the counts written.

The benchmark (``.venv/bin/python bench/province_accidents.py [--rows 100000] [--runs 9]``)
builds its own database ``anjian_bench_province_accidents`` (a province of 5 cities,
20 counties, 200 towns, 1,000 communities and ``--rows`` enterprises), generates two years
of accidents and measures, each beside the same numbers computed by hand-written SQL:

* generation time (rows per second);
* the province's accident indicators for 2017 (all ten ``accidents.*`` codes);
* the grouped breakdown of ``accidents.deaths_per_100m_gdp`` by town for a county (10 towns)
  and for a city (40 towns): one query each, the count not growing with the towns;
* the first page of ``GET /api/v1/accidents/?year=2017`` for the province's office.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

# Deaths of an accident: most none, some one, rarely a 较大 toll.
DEATHS = [(0, 0.74), (1, 0.2), (2, 0.045), (3, 0.01), (4, 0.004), (10, 0.001)]
ACCIDENTS_PER_ENTERPRISE_YEAR = 1 / 25
WITHOUT_ENTERPRISE = 1 / 3


def _weighted(rnd: random.Random, table: Sequence[tuple[int, float]]) -> int:
    x = rnd.random()
    for value, weight in table:
        x -= weight
        if x <= 0:
            return value
    return table[-1][0]


def _raw(conn: Any) -> Any:
    """A psycopg 3 connection from a psycopg connection or Django's connection wrapper."""
    if hasattr(conn, "ensure_connection"):  # django.db.connection
        conn.ensure_connection()
        return conn.connection
    return conn


def _copy(cur: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    n = 0
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def _level(code: str) -> int:
    from anjian.territory.models import Area

    return int(Area.level_of(code))


def generate(conn: Any, areas: Sequence[str], enterprises: Sequence[tuple[int, str, int]],
             years: Sequence[int] = (2016, 2017), *, seed: int = 2017) -> dict[str, int]:
    """Add accidents of ``years`` and statistics bases to a dataset (see the module docstring)."""
    from anjian.accidents.rules import grade_rules_for, reporting_rules_for

    rnd = random.Random(seed)
    raw = _raw(conn)
    places = [c for c in areas if _level(c) >= 4]
    with raw.cursor() as cur:
        cur.execute("SELECT id, code FROM accidents_accidenttypecode WHERE scheme = 'GB 6441-86' ORDER BY code")
        types = [row[0] for row in cur.fetchall()]
        cur.execute("SELECT id, code FROM territory_sector")
        sector_ids = {code: pk for pk, code in cur.fetchall()}
    road = sector_ids.get("road_traffic") or next(iter(sector_ids.values()))
    sectors_without = [sector_ids[c] for c in ("road_traffic", "agriculture_water", "fire_crowded", "other")
                       if c in sector_ids] or [road]
    columns = ("number", "occurred_at", "place", "area_code", "enterprise_id", "sector_id", "accident_type_id",
               "deaths", "serious_injuries", "minor_injuries", "direct_loss", "special_equipment", "description",
               "causes", "reported_at", "reported_by", "grade", "grade_rule_set", "reported_late", "is_demo",
               "created", "last_updated", "version")
    now = datetime.now(UTC)
    per_year = max(1, round(len(enterprises) * ACCIDENTS_PER_ENTERPRISE_YEAR / (1 - WITHOUT_ENTERPRISE)))

    def rows() -> Iterable[Sequence[Any]]:
        for year in years:
            start = datetime(year, 1, 1, tzinfo=UTC) - timedelta(hours=8)  # local midnight (UTC+8)
            grades = grade_rules_for(start + timedelta(days=180))
            first_hours = reporting_rules_for(start).first_report_hours
            for n in range(1, per_year + 1):
                occurred = start + timedelta(seconds=rnd.randrange(365 * 86400))
                if rnd.random() < WITHOUT_ENTERPRISE or not enterprises:
                    ent_id, area, sector = None, rnd.choice(places), rnd.choice(sectors_without)
                else:
                    ent_id, area, sector = rnd.choice(enterprises)
                deaths = _weighted(rnd, DEATHS)
                serious = rnd.choice((0, 0, 0, 1, 1, 2, 3)) if deaths < 3 else rnd.randint(0, 5)
                minor = rnd.choice((0, 0, 1, 2, 3))
                loss = Decimal(rnd.randint(5_000, 600_000) * (1 + deaths))
                delay = timedelta(minutes=rnd.choice((15, 25, 30, 40, 45, 55, 58, 75, 120)))
                yield (f"P{year}{n:07d}", occurred, "作业现场", area, ent_id, sector, rnd.choice(types), deaths,
                       serious, minor, loss, rnd.random() < 0.03, "事故经过", "", occurred + delay, "",
                       grades.grade(deaths, serious, loss), grades.id, delay > timedelta(hours=first_hours), False,
                       now, now, 1)

    written: dict[str, int] = {}
    with raw.cursor() as cur:
        written["accidents"] = _copy(cur, "accidents_accident", columns, rows())
        # The first report of each new accident, set-based.
        cur.execute(
            """
            INSERT INTO accidents_accidentreport (accident_id, kind, reported_at, deaths, serious_injuries,
                minor_injuries, direct_loss, text, within_window, toll_changed, created, last_updated, version)
            SELECT a.id, 'first', a.reported_at, a.deaths, a.serious_injuries, a.minor_injuries, a.direct_loss,
                   a.description, true, false, now(), now(), 1
            FROM accidents_accident a
            WHERE a.number LIKE 'P%' AND NOT EXISTS (SELECT 1 FROM accidents_accidentreport r WHERE r.accident_id = a.id)
            """)
        written["reports"] = cur.rowcount
        written["statistics_bases"] = _copy(cur, "accidents_statisticsbase", (
            "year", "area_code", "gdp", "gdp_source", "industrial_employees", "industrial_employees_source",
            "special_equipment_units", "special_equipment_units_source", "schools", "schools_source",
            "villages_communities", "villages_communities_source", "above_scale_enterprises",
            "above_scale_enterprises_source", "note", "is_demo", "created", "last_updated", "version"),
            _bases(rnd, areas, enterprises, years, now))
    if not getattr(raw, "autocommit", True):
        raw.commit()
    return written


def _bases(rnd: random.Random, areas: Sequence[str], enterprises: Sequence[tuple[int, str, int]],
           years: Sequence[int], now: datetime) -> Iterable[Sequence[Any]]:
    """One base per area above the community level and year; towns from their enterprises, the
    levels above as sums of the towns under them."""
    from anjian.utilities.scoping import area_prefix

    per_town: dict[str, int] = defaultdict(int)
    for _id, code, _sector in enterprises:
        per_town[code[:9]] += 1
    communities: dict[str, int] = defaultdict(int)
    for code in areas:
        if _level(code) == 5:
            communities[code[:9]] += 1
    towns = [c for c in areas if _level(c) == 4]
    figures: dict[tuple[int, str], list[Any]] = {}
    for year in years:
        growth = Decimal("1.08") ** (year - min(years))
        for town in towns:
            n = per_town.get(town[:9], 0)
            noise = Decimal(rnd.randint(80, 120)) / 100
            figures[(year, town)] = [
                (Decimal("0.40") * n * noise * growth).quantize(Decimal("0.0001")), int(n * 40 * noise),
                int(n * 3 * noise), max(1, n // 30), communities.get(town[:9], 0), n // 8]
    for year in years:
        for code in areas:
            level = _level(code)
            if level >= 5:
                continue
            if level == 4:
                values = figures[(year, code)]
            else:
                prefix = area_prefix(code)
                under = [figures[(year, t)] for t in towns if t.startswith(prefix)]
                values = [sum((v[i] for v in under), Decimal(0) if i == 0 else 0) for i in range(6)]
            gdp, employees, units, schools, villages, above = values
            yield (year, code, gdp, "bench", employees, "bench", units, "bench", schools, "", villages, "",
                   above, "", "", False, now, now, 1)


# --- the benchmark ---------------------------------------------------------------------------------------------

CITIES, COUNTIES, TOWNS, COMMUNITIES = 5, 4, 10, 5


def _build_province(rows: int) -> tuple[list[str], list[tuple[int, str, int]]]:
    """A province (41) of CITIES × COUNTIES × TOWNS × COMMUNITIES areas and ``rows`` enterprises, by COPY."""
    from django.db import connection

    from anjian.utilities.testing import valid_credit_code

    rnd = random.Random(41)
    codes: list[tuple[str, str, int, str | None]] = [("410000000000", "省", 1, None)]
    for c in range(1, CITIES + 1):
        city = f"41{c:02d}00000000"
        codes.append((city, f"市{c}", 2, "410000000000"))
        for k in range(1, COUNTIES + 1):
            county = f"41{c:02d}{k:02d}000000"
            codes.append((county, f"县{c}-{k}", 3, city))
            for t in range(1, TOWNS + 1):
                town = f"41{c:02d}{k:02d}{t:03d}000"
                codes.append((town, f"镇{c}-{k}-{t}", 4, county))
                codes.extend((f"{town[:9]}{m:03d}", f"社区{m}", 5, town) for m in range(1, COMMUNITIES + 1))
    now = datetime.now(UTC)
    raw = _raw(connection)
    with raw.cursor() as cur:
        # Parents first: COPY with area ids resolved through the code.
        ids: dict[str, int] = {}
        for level in range(1, 6):
            batch = [c for c in codes if c[2] == level]
            _copy(cur, "territory_area", ("code", "name", "level", "parent_id", "is_demo", "created",
                                          "last_updated", "version"),
                  ((code, name, lvl, ids.get(parent) if parent else None, False, now, now, 1)
                   for code, name, lvl, parent in batch))
            cur.execute("SELECT code, id FROM territory_area WHERE level = %s", [level])
            ids.update(dict(cur.fetchall()))
        cur.execute("SELECT id FROM territory_sector ORDER BY id")
        sectors = [r[0] for r in cur.fetchall()]
        communities = [c[0] for c in codes if c[2] == 5]
        buf = io.StringIO()
        for i in range(1, rows + 1):
            buf.write("\t".join([valid_credit_code(i, "91410000MA"), f"企业{i:06d}", "路", rnd.choice(communities),
                                 str(rnd.randint(1, 500)), "f", "f", "operating", "", "f", "", "", "", "1"])
                      + "\tnow\tnow\n")
        with cur.copy("COPY enterprises_enterprise (credit_code, name, address, area_code, employees, "
                      "key_enterprise, above_scale, status, standardisation_grade, is_demo, legal_representative, "
                      "safety_manager, safety_manager_phone, version, created, last_updated) FROM STDIN") as copy:
            copy.write(buf.getvalue())
        cur.execute(
            "INSERT INTO enterprises_enterprise_sectors (enterprise_id, sector_id) "
            "SELECT id, (%s::bigint[])[1 + (id %% %s)] FROM enterprises_enterprise", [sectors, len(sectors)])
        cur.execute("SELECT e.id, e.area_code, s.sector_id FROM enterprises_enterprise e "
                    "JOIN enterprises_enterprise_sectors s ON s.enterprise_id = e.id ORDER BY e.id")
        enterprises = [tuple(r) for r in cur.fetchall()]
    return [c[0] for c in codes], enterprises  # type: ignore[return-value]


SQL_PROVINCE = """
SELECT count(*), coalesce(sum(a.deaths), 0),
       coalesce(sum(a.deaths) FILTER (WHERE s.industrial_commercial), 0),
       coalesce(sum(a.deaths) FILTER (WHERE a.special_equipment), 0),
       count(*) FILTER (WHERE a.grade IN ('larger', 'major', 'especially_major')),
       count(*) FILTER (WHERE a.grade = 'larger'),
       count(*) FILTER (WHERE a.grade IN ('major', 'especially_major'))
FROM accidents_accident a JOIN territory_sector s ON s.id = a.sector_id
WHERE a.area_code LIKE '41%%' AND a.occurred_at >= %s AND a.occurred_at < %s
"""
SQL_BASE = "SELECT gdp, industrial_employees, special_equipment_units FROM accidents_statisticsbase WHERE area_code = %s AND year = %s"
SQL_TOWNS = """
SELECT substr(a.area_code, 1, 9), coalesce(sum(a.deaths), 0) FROM accidents_accident a
WHERE a.area_code LIKE %s AND a.occurred_at >= %s AND a.occurred_at < %s GROUP BY 1
"""
SQL_TOWN_BASES = "SELECT area_code, gdp FROM accidents_statisticsbase WHERE year = %s AND area_code = ANY(%s)"
SQL_PAGE = """
SELECT a.*, ar.*, e.*, s.*, t.* FROM accidents_accident a
JOIN territory_area ar ON ar.code = a.area_code LEFT JOIN enterprises_enterprise e ON e.id = a.enterprise_id
JOIN territory_sector s ON s.id = a.sector_id JOIN accidents_accidenttypecode t ON t.id = a.accident_type_id
WHERE a.area_code LIKE '41%%' AND a.occurred_at >= %s AND a.occurred_at < %s
ORDER BY a.occurred_at DESC, a.id DESC LIMIT 50
"""


def main() -> None:
    from _common import alternate, migrate, report, setup_django, use_postgres

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000, help="enterprises")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    use_postgres("anjian_bench_province_accidents")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")  # the API client's host
    setup_django()
    migrate()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from anjian.accounts.models import Role, RoleAssignment, User
    from anjian.indicators.registry import IndicatorScope, Period, compute, registry

    started = time.perf_counter()
    areas, enterprises = _build_province(args.rows)
    built = time.perf_counter() - started
    started = time.perf_counter()
    written = generate(connection, areas, enterprises)
    generated = time.perf_counter() - started
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    year = Period.year(2017)
    bounds = [year.start_dt, year.end_dt]
    codes = sorted(c for c in registry() if c.startswith("accidents."))
    province = IndicatorScope(area_code="410000000000")

    def orm_indicators() -> list[Any]:
        return [compute(code, province, year).value for code in codes]

    def sql_indicators() -> list[Any]:
        with connection.cursor() as cur:
            cur.execute(SQL_PROVINCE, bounds)
            this = cur.fetchone()
            cur.execute(SQL_PROVINCE, [Period.year(2016).start_dt, Period.year(2016).end_dt])
            last = cur.fetchone()
            cur.execute(SQL_BASE, ["410000000000", 2017])
            base = cur.fetchone()
        return [this, last, base]

    with CaptureQueriesContext(connection) as q:
        orm_indicators()
    indicator_queries = len(q.captured_queries)
    indicators = alternate(orm_indicators, sql_indicators, runs=args.runs, warmup=2)

    gdp = registry()["accidents.deaths_per_100m_gdp"].compute.breakdown  # type: ignore[attr-defined]

    def towns_of(prefix: str) -> list[str]:
        return [c for c in areas if _level(c) == 4 and c.startswith(prefix)]

    county, city = "410101000000", "410100000000"
    breakdown_queries = {}
    for name, code, prefix in (("county", county, "410101"), ("city", city, "4101")):
        with CaptureQueriesContext(connection) as q:
            result = gdp(IndicatorScope(area_code=code), year, "town", towns_of(prefix))
            _ = [r.value for r in result.values()]
        breakdown_queries[f"{name} ({len(towns_of(prefix))} towns)"] = len(q.captured_queries)

    def orm_breakdown() -> Any:
        result = gdp(IndicatorScope(area_code=city), year, "town", towns_of("4101"))
        return [r.value for r in result.values()]

    def sql_breakdown() -> Any:
        with connection.cursor() as cur:
            cur.execute(SQL_TOWNS, ["4101%", *bounds])
            deaths = dict(cur.fetchall())
            cur.execute(SQL_TOWN_BASES, [2017, towns_of("4101")])
            bases = dict(cur.fetchall())
        return [(deaths.get(t[:9], 0) / bases[t]) if bases.get(t) else None for t in towns_of("4101")]

    breakdown = alternate(orm_breakdown, sql_breakdown, runs=args.runs, warmup=2)

    user = User.objects.create_user("province-office", password="Bench@2017")  # noqa: S106
    RoleAssignment.objects.create(user=user, role=Role.DISTRICT_ADMIN, area_id="410000000000")
    client = APIClient()
    client.force_authenticate(user)

    def api_page() -> Any:
        response = client.get("/api/v1/accidents/", {"year": 2017})
        assert response.status_code == 200, response.content[:300]
        return response

    def sql_page() -> Any:
        with connection.cursor() as cur:
            cur.execute(SQL_PAGE, bounds)
            rows = cur.fetchall()
            cur.execute("SELECT count(*) FROM accidents_accident WHERE area_code LIKE '41%%' "
                        "AND occurred_at >= %s AND occurred_at < %s", bounds)
            return rows, cur.fetchone()

    api_page()
    with CaptureQueriesContext(connection) as q:
        api_page()
    page_queries = len(q.captured_queries)
    page = alternate(api_page, sql_page, runs=args.runs, warmup=2)

    data = {"enterprises": args.rows, "areas": len(areas), "written": written,
            "build_seconds": round(built, 2), "generate_seconds": round(generated, 2),
            "generate_rows_per_second": round(sum(written.values()) / generated),
            "indicators": {**indicators, "codes": len(codes), "queries": indicator_queries},
            "town_breakdown": {**breakdown, "queries": breakdown_queries},
            "api_page": {**page, "queries": page_queries}}
    report("province_accidents", [
        ("enterprises / areas", f"{args.rows} / {len(areas)}"),
        ("written", written),
        ("generate", f"{generated:.2f} s ({data['generate_rows_per_second']} rows/s); province built in {built:.1f} s"),
        (f"{len(codes)} indicators, province 2017", f"{indicators['a_median_ms']} ms vs SQL {indicators['b_median_ms']} ms "
                                                   f"(×{indicators['ratio_median']}, {indicator_queries} queries)"),
        ("GDP rate by town, city of 40 towns", f"{breakdown['a_median_ms']} ms vs SQL {breakdown['b_median_ms']} ms "
                                               f"(×{breakdown['ratio_median']})"),
        ("breakdown queries", breakdown_queries),
        ("API page (50 of 2017)", f"{page['a_median_ms']} ms vs SQL {page['b_median_ms']} ms "
                                  f"(×{page['ratio_median']}, {page_queries} queries)"),
    ], data)


if __name__ == "__main__":
    main()
