"""The target dashboard on the province-sized dataset, beside hand-written SQL computing the same
numbers, in the same run.

    .venv/bin/python bench/dashboard.py [--scope all|district|city|province] [--runs 7] [--fresh]
                                        [--enterprises 100000] [--hazards 1000000] [--inspections 200000]

Dataset: ``bench/province.py`` (a province of 10 cities × 10 districts × 10 towns; 100,000
enterprises, 1,000,000 hazards, 200,000 inspections of 2015–2017) in its own database
``anjian_bench_dashboard`` (built once, then reused), with two extra generators:
the accidents of 2016–2017 and the statistics bases (``bench/province_accidents.py``), and
``dashboard_records``: the day each closed enterprise left operating (in the change log, as
the platform records it), record documents and conclusions for most special/enforcement
inspections, standardisation grades. The 2017 plan is loaded for the province, a city and a
district, each with a leader.

Measured as of 2017-09-30 for the leader of a district (10 towns, 7 departments, 1,000
enterprises), of a city (100 towns, 70 departments, 10,000 enterprises) and of the province
(1,000 towns, 700 departments, all the data):

* the dashboard: ``anjian.targets.dashboard.build`` + the presenters (every target's value,
  status, projection, monthly trend, every town's and department's number and status, the
  drill-down links);
* the baseline: the same numbers computed by hand-written SQL (``sql_numbers``: five
  statements, each table read once with GROUPING SETS for the total, months and towns and the
  departments through per-enterprise figures joined to (enterprise, department) pairs; Python
  only divides), checked equal to the dashboard's numbers (every target, town, department and
  trend point) before timing;
* the dashboard's query count for the three: equal, whatever the number of towns and departments.

Both sides run with ``jit = off`` (``--jit`` keeps the server's setting): PostgreSQL's JIT
compiles these grouped queries for seconds, longer than they run.

Goal: ratio ≤ 1.5×.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

AS_OF = date(2017, 9, 30)
SCOPES = {"district": "410101000000", "city": "410100000000", "province": "410000000000"}


# --- the dataset --------------------------------------------------------------------------------

def accidents(conn: Any, p: Any) -> dict[str, int]:
    """Accidents of 2016–2017 and the statistics bases (bench/province_accidents.py)."""
    import province_accidents

    return province_accidents.generate(conn, p.areas, p.enterprises)


def dashboard_records(conn: Any, p: Any) -> dict[str, int]:
    """What the dashboard reads beyond the core data: when each closed enterprise left operating
    (change-log entries, as a save of the enterprise writes them), record documents and conclusions
    of special/enforcement inspections, standardisation grades."""
    from datetime import UTC, datetime

    from province import copy_model
    from psycopg.types.json import Jsonb

    from anjian.core.models import AuditEntry
    from anjian.inspections.models import InspectionAttachment

    now = datetime.now(UTC)
    out = {}
    with conn.cursor() as cur:
        cur.execute("SELECT id, (timestamptz '2016-06-01 10:00+08' + (id % 600) * interval '1 day') "
                    "FROM enterprises_enterprise WHERE status <> 'operating' ORDER BY id")
        left = cur.fetchall()
        out["status_changes"] = copy_model(
            cur, AuditEntry, ("timestamp", "action", "object_type", "object_id", "object_repr", "changes", "source"),
            ((ts, "update", "enterprises.enterprise", str(pk), f"企业{pk}", Jsonb({"status": ["operating", "closed"]}),
              "bench") for pk, ts in left), now)
        cur.execute("UPDATE inspections_inspection SET conclusion = '责令限期整改' "
                    "WHERE kind IN ('special', 'enforcement') AND id % 10 <> 0")
        out["conclusions"] = cur.rowcount
        cur.execute("SELECT id FROM inspections_inspection WHERE kind IN ('special', 'enforcement') "
                    "AND id % 7 <> 0 ORDER BY id")
        ids = [r[0] for r in cur.fetchall()]
        out["documents"] = copy_model(
            cur, InspectionAttachment, ("inspection_id", "kind", "file", "original_name", "content_type", "size"),
            ((i, "document", "inspections/record.pdf", "现场检查记录.pdf", "application/pdf", 1024) for i in ids), now)
        cur.execute("UPDATE enterprises_enterprise SET standardisation_grade = CASE WHEN id % 11 = 0 THEN 'grade2' "
                    "WHEN id % 3 = 0 THEN 'grade3' WHEN id % 5 = 0 THEN 'small' ELSE '' END")
    return out


def ensure_dataset(args: argparse.Namespace) -> Any:
    import province

    p = province.ensure(enterprises=args.enterprises, hazards=args.hazards, inspections=args.inspections,
                        extra_generators=[accidents, dashboard_records], db="anjian_bench_dashboard",
                        fresh=args.fresh)
    from anjian.accounts.models import Role, RoleAssignment, User
    from anjian.targets.loader import load_plan, read

    users = {}
    for name, code in SCOPES.items():
        data = read("plan-2017.json")
        data["plan"]["area_code"] = code
        load_plan(data)
        user, created = User.objects.get_or_create(username=f"leader-{name}")
        if created:
            user.set_password("Bench@2017")
            user.save()
            RoleAssignment.objects.create(user=user, role=Role.LEADER, area_id=code)
        users[name] = user
    return p, users


# --- the hand-written SQL ---------------------------------------------------------------------
#
# Five statements compute every number of the dashboard: hazards, accidents, the statistics bases,
# the enterprises (operating months, key enterprises, standardisation) and the inspections. Each
# reads its table once and groups with GROUPING SETS (total, months, towns), departments through
# the distinct (enterprise, department) pairs of the sectors they supervise in effect (the
# ``territory_supervision`` table: sub-sectors included, every sector for the comprehensive safety
# authority; for accidents the same closure written out, accidents without a sector going to the
# authority). Python only divides. The statements assume ``as_of`` is the last day of a month (so
# the year to date is made of whole months).

ENT = """
ent AS (
    SELECT e.id, substr(e.area_code, 1, 9) AS town, e.status, e.key_enterprise, e.above_scale,
           e.standardisation_grade <> '' AS graded,
           EXISTS (SELECT 1 FROM enterprises_enterprise_sectors es JOIN territory_sector s ON s.id = es.sector_id
                   WHERE es.enterprise_id = e.id AND s.code IN ('chem_production', 'chem_operation')) AS hazchem,
           CASE WHEN e.status = 'operating' THEN 'infinity'::timestamptz
                ELSE (SELECT a.timestamp FROM core_auditentry a
                      WHERE a.object_type = 'enterprises.enterprise' AND a.object_id = e.id::text
                        AND a.changes -> 'status' ->> 1 IN ('closed', 'suspended')
                      ORDER BY a.id DESC LIMIT 1) END AS until
    FROM enterprises_enterprise e WHERE e.area_code LIKE %(prefix)s
)"""
ED = """
rep AS (  -- departments supervising the same sectors have the same figures: one of them computes
    SELECT id, min(id) OVER (PARTITION BY sectors) AS rep
    FROM (SELECT d.id, array_remove(array_agg(ds.sector_id ORDER BY ds.sector_id), NULL) AS sectors
          FROM territory_department d LEFT JOIN territory_supervision ds ON ds.department_id = d.id
          WHERE d.id = ANY(%(departments)s) GROUP BY d.id) s
), ed AS (  -- (enterprise, representative department): each enterprise once per department, through
            -- the sectors each supervises in effect (sub-sectors included; all for the authority)
    SELECT es.enterprise_id, ds.department_id
    FROM enterprises_enterprise_sectors es JOIN territory_supervision ds ON ds.sector_id = es.sector_id
    JOIN enterprises_enterprise e ON e.id = es.enterprise_id
    WHERE ds.department_id IN (SELECT rep FROM rep) AND e.area_code LIKE %(prefix)s
    GROUP BY 1, 2
)"""

SQL_HAZARDS = """
WITH h AS (
    SELECT h.enterprise_id, substr(e.area_code, 1, 9) AS town, extract(month FROM h.found_on)::int AS m,
           h.status IN ('rectified', 'verified') AS done, h.status = 'verified' AS verified
    FROM hazards_hazard h JOIN enterprises_enterprise e ON e.id = h.enterprise_id
    WHERE h.deleted_at IS NULL AND e.area_code LIKE %(prefix)s AND h.found_on BETWEEN %(start)s AND %(as_of)s
), per_enterprise AS (
    SELECT enterprise_id, count(*) AS found, count(*) FILTER (WHERE done) AS done,
           count(*) FILTER (WHERE verified) AS verified
    FROM h GROUP BY enterprise_id
), """ + ED.strip() + """
SELECT CASE WHEN GROUPING(town) = 0 THEN 'town' ELSE 'month' END, coalesce(town, m::text),
       count(*), count(*) FILTER (WHERE done), count(*) FILTER (WHERE verified)
FROM h GROUP BY GROUPING SETS ((m), (town))
UNION ALL
SELECT 'department', rep.id::text, found, done, verified
FROM (SELECT ed.department_id, sum(found) AS found, sum(done) AS done, sum(verified) AS verified
      FROM per_enterprise p JOIN ed ON ed.enterprise_id = p.enterprise_id GROUP BY ed.department_id) d
JOIN rep ON rep.rep = d.department_id
"""

SQL_ACCIDENTS = """
WITH a AS (
    SELECT extract(year FROM a.occurred_at AT TIME ZONE %(tz)s)::int AS y,
           extract(month FROM a.occurred_at AT TIME ZONE %(tz)s)::int AS m,
           substr(a.area_code, 1, 9) AS town, a.sector_id, a.deaths, s.industrial_commercial AS industrial,
           a.special_equipment, a.grade
    FROM accidents_accident a JOIN territory_sector s ON s.id = a.sector_id
    WHERE a.area_code LIKE %(prefix)s
      AND ((a.occurred_at >= %(this_start)s AND a.occurred_at < %(this_end)s)
        OR (a.occurred_at >= %(last_start)s AND a.occurred_at < %(last_end)s))
), closure AS (
    SELECT d.id AS department_id, s.id AS sector_id
    FROM territory_department d CROSS JOIN territory_sector s
    WHERE d.id = ANY(%(departments)s) AND d.is_safety_authority
    UNION
    SELECT ds.department_id, s.id
    FROM territory_department_sectors ds
    JOIN territory_sector s ON s.id = ds.sector_id OR s.parent_id = ds.sector_id
        OR s.parent_id IN (SELECT c.id FROM territory_sector c WHERE c.parent_id = ds.sector_id)
    JOIN territory_department d ON d.id = ds.department_id AND NOT d.is_safety_authority
    WHERE ds.department_id = ANY(%(departments)s)
)
SELECT CASE WHEN GROUPING(m) = 0 THEN 'month' WHEN GROUPING(town) = 0 THEN 'town' ELSE 'total' END,
       y, coalesce(m::text, town, ''), {measures}
FROM a GROUP BY GROUPING SETS ((y), (y, m), (y, town))
UNION ALL
SELECT 'department', y, c.department_id::text, {measures}
FROM a JOIN closure c ON c.sector_id = a.sector_id GROUP BY y, c.department_id
""".replace("{measures}", """count(*), coalesce(sum(deaths), 0),
       coalesce(sum(deaths) FILTER (WHERE industrial), 0), coalesce(sum(deaths) FILTER (WHERE special_equipment), 0),
       count(*) FILTER (WHERE grade IN ('larger', 'major', 'especially_major')),
       count(*) FILTER (WHERE grade = 'larger'), count(*) FILTER (WHERE grade IN ('major', 'especially_major'))""")
ACCIDENT_MEASURES = ("count", "deaths", "industrial_deaths", "special_equipment_deaths", "larger_and_above",
                     "larger", "major_and_above")

SQL_BASES = """
SELECT area_code, gdp, industrial_employees, special_equipment_units FROM accidents_statisticsbase
WHERE year = %(year)s AND area_code = ANY(%(areas)s)
"""


def _enterprise_columns(months: int) -> list[str]:
    return [*(f"count(*) FILTER (WHERE until >= %(m{m})s)" for m in range(1, months + 1)),
            *(f"count(*) FILTER (WHERE key_enterprise AND until >= %(m{m})s)" for m in range(1, months + 1)),
            "count(*) FILTER (WHERE key_enterprise AND until >= %(m1)s AND inspected)",
            "count(*) FILTER (WHERE status = 'operating' AND hazchem)",
            "count(*) FILTER (WHERE status = 'operating' AND hazchem AND graded)",
            "count(*) FILTER (WHERE status = 'operating' AND above_scale)",
            "count(*) FILTER (WHERE status = 'operating' AND above_scale AND graded)"]


def _columns(sql: str, columns: list[str]) -> str:
    """Put the aggregate columns in a statement: as they are (``{columns}``), named ``c0…``
    inside a department's subquery (``{named}``) and read back by name (``{read}``)."""
    return (sql.replace("{columns}", ", ".join(columns))
            .replace("{named}", ", ".join(f"{c} AS c{i}" for i, c in enumerate(columns)))
            .replace("{read}", ", ".join(f"d.c{i}" for i in range(len(columns)))))


SQL_ENTERPRISES = """
WITH """ + ENT.strip() + """, """ + ED.strip() + """,
figures AS (
    SELECT ent.*, EXISTS (SELECT 1 FROM inspections_inspection i
                          WHERE i.enterprise_id = ent.id AND i.kind IN ('enforcement', 'routine')
                            AND i.status = 'submitted' AND i.date BETWEEN %(start)s AND %(as_of)s) AS inspected
    FROM ent
)
SELECT CASE WHEN GROUPING(town) = 0 THEN 'town' ELSE 'total' END, coalesce(town, ''), {columns}
FROM figures GROUP BY GROUPING SETS ((), (town))
UNION ALL
SELECT 'department', rep.id::text, {read}
FROM (SELECT ed.department_id AS _rep, {named}
      FROM figures JOIN ed ON ed.enterprise_id = figures.id GROUP BY ed.department_id) d
JOIN rep ON rep.rep = d._rep
"""

SQL_INSPECTIONS = """
WITH """ + ENT.strip() + """, """ + ED.strip() + """,
per_month AS (  -- one row per enterprise and month: no DISTINCT needed above it
    SELECT i.enterprise_id, ent.town, extract(month FROM i.date)::int AS m,
           bool_or(i.kind = 'self' AND i.status = 'submitted') AND bool_or(
               ent.until >= (%(month_start)s::timestamptz[])[extract(month FROM i.date)::int]) AS covered,
           bool_or(i.kind IN ('enforcement', 'routine') AND i.status = 'submitted' AND ent.key_enterprise)
               AND bool_or(ent.until >= (%(month_start)s::timestamptz[])[extract(month FROM i.date)::int])
               AS key_covered,
           count(*) FILTER (WHERE i.kind IN ('special', 'enforcement') AND i.status <> 'planned') AS held,
           count(*) FILTER (WHERE i.kind IN ('special', 'enforcement') AND i.status = 'submitted'
                              AND i.conclusion <> ''
                              AND EXISTS (SELECT 1 FROM inspections_inspectionattachment d
                                          WHERE d.inspection_id = i.id AND d.kind = 'document')) AS filed
    FROM inspections_inspection i JOIN ent ON ent.id = i.enterprise_id
    WHERE i.date BETWEEN %(start)s AND %(as_of)s AND i.kind IN ('self', 'enforcement', 'routine', 'special')
    GROUP BY i.enterprise_id, ent.town, 3
)
SELECT CASE WHEN GROUPING(town) = 0 THEN 'town' ELSE 'month' END, coalesce(town, ''), m, {columns}
FROM per_month GROUP BY GROUPING SETS ((m), (town, m))
UNION ALL
SELECT 'department', rep.id::text, d.m, {read}
FROM (SELECT ed.department_id AS _rep, m, {named}
      FROM per_month p JOIN ed ON ed.enterprise_id = p.enterprise_id GROUP BY ed.department_id, m) d
JOIN rep ON rep.rep = d._rep
"""
INSPECTION_COLUMNS = ["count(*) FILTER (WHERE covered)", "count(*) FILTER (WHERE key_covered)", "sum(held)",
                      "sum(filed)"]


def _ratio(num: Any, den: Any, scale: int = 100, places: int = 2) -> tuple[Any, Any, Decimal | None]:
    if not den:
        return num, den, None
    value = (Decimal(num) * Decimal(scale) / Decimal(den)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return num, den, value


def _count(n: Any) -> tuple[Any, Any, Decimal]:
    return int(n), None, Decimal(int(n))


def _yoy(this: int, last: int) -> tuple[Any, Any, Decimal | None]:
    if not last:
        return this, last, None
    return this, last, (Decimal(this - last) * 100 / Decimal(last)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


RATES = {"accidents.deaths_per_100m_gdp": ("deaths", "gdp", 1),
         "accidents.deaths_per_100k_workers": ("industrial_deaths", "industrial_employees", 100_000),
         "accidents.deaths_per_10k_special_equipment": ("special_equipment_deaths", "special_equipment_units", 10_000)}
COUNTS = {"accidents.larger_count": "larger", "accidents.major_and_above_count": "major_and_above",
          "accidents.larger_and_above_count": "larger_and_above"}
YOY = {"accidents.count_yoy": "count", "accidents.deaths_yoy": "deaths"}


def sql_numbers(area_code: str, as_of: date, towns: list[str], departments: list[int]) -> dict[str, Any]:
    """Every number of the dashboard by the five statements above: ``{code: {"value": (num, den, value),
    "trend": [value, ...], "town": {code: (num, den, value)}, "department": {id: (...)}}}``."""
    import calendar
    from datetime import datetime, time

    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from anjian.utilities.scoping import area_prefix

    year, months = as_of.year, as_of.month
    assert as_of.day == calendar.monthrange(year, months)[1], "the statements read whole months"
    prefix = area_prefix(area_code) + "%"
    start = date(year, 1, 1)

    def since(d: date) -> datetime:
        return timezone.make_aware(datetime.combine(d, time.min))

    month_start = [since(date(year, m, 1)) for m in range(1, 13)]
    params: dict[str, Any] = {"prefix": prefix, "start": start, "as_of": as_of, "departments": departments,
                              "year": year, "tz": settings.TIME_ZONE, "areas": [area_code, *towns],
                              "month_start": month_start,
                              **{f"m{m}": month_start[m - 1] for m in range(1, 13)}}
    day = timedelta(days=1)
    params.update(this_start=since(start), this_end=since(as_of + day), last_start=since(date(year - 1, 1, 1)),
                  last_end=since(as_of.replace(year=year - 1) + day))
    out: dict[str, Any] = {}
    units = {"town": towns, "department": departments}
    with connection.cursor() as cur:
        # Hazards.
        cur.execute(SQL_HAZARDS, params)
        h: dict[tuple[str, str], tuple[int, int, int]] = {(k, g): tuple(v) for k, g, *v in cur.fetchall()}
        for code, (num, den) in {"hazards.rectification_rate": (1, 0),
                                 "hazards.reinspection_acceptance_rate": (2, 1)}.items():
            def of(row: Any, num: int = num, den: int = den) -> Any:
                return _ratio(row[num], row[den]) if row else (0, 0, None)
            total = [sum(h.get(("month", str(m)), (0, 0, 0))[i] for m in range(1, months + 1)) for i in range(3)]
            out[code] = {"value": of(total),
                         "trend": [of(h.get(("month", str(m))))[2] for m in range(1, months + 1)],
                         "town": {t: of(h.get(("town", t[:9]))) for t in towns},
                         "department": {d: of(h.get(("department", str(d)))) for d in departments}}
        # Accidents and the statistics bases.
        cur.execute(SQL_ACCIDENTS, params)
        acc = {(kind, y, g): dict(zip(ACCIDENT_MEASURES, v, strict=True)) for kind, y, g, *v in cur.fetchall()}
        cur.execute(SQL_BASES, params)
        bases = {code: dict(zip(("gdp", "industrial_employees", "special_equipment_units"), v, strict=True))
                 for code, *v in cur.fetchall()}
        zero = dict.fromkeys(ACCIDENT_MEASURES, 0)

        def a(kind: str, y: int, g: Any = "") -> dict[str, int]:
            return acc.get((kind, y, str(g)), zero)

        def ytd(m: int, y: int = year) -> dict[str, int]:
            return {k: sum(a("month", y, mm)[k] for mm in range(1, m + 1)) for k in ACCIDENT_MEASURES}

        def rate(measures: dict[str, int], code: str, area: str) -> Any:
            measure, figure, scale = RATES[code]
            base = bases.get(area)
            den = base[figure] if base else None
            return _ratio(measures[measure], den, scale, 4) if base else (measures[measure], None, None)

        for code in RATES:
            out[code] = {"value": rate(a("total", year), code, area_code),
                         "trend": [rate(ytd(m), code, area_code)[2] for m in range(1, months + 1)],
                         "town": {t: rate(a("town", year, t[:9]), code, t) for t in towns},
                         "department": {d: rate(a("department", year, d), code, area_code) for d in departments}}
        for code, measure in COUNTS.items():
            out[code] = {"value": _count(a("total", year)[measure]),
                         "trend": [Decimal(ytd(m)[measure]) for m in range(1, months + 1)],
                         "town": {t: _count(a("town", year, t[:9])[measure]) for t in towns},
                         "department": {d: _count(a("department", year, d)[measure]) for d in departments}}
        for code, measure in YOY.items():
            out[code] = {"value": _yoy(a("total", year)[measure], a("total", year - 1)[measure]),
                         "trend": [_yoy(a("month", year, m)[measure], a("month", year - 1, m)[measure])[2]
                                   for m in range(1, months + 1)],
                         "town": {t: _yoy(a("town", year, t[:9])[measure], a("town", year - 1, t[:9])[measure])
                                  for t in towns},
                         "department": {d: _yoy(a("department", year, d)[measure],
                                                a("department", year - 1, d)[measure]) for d in departments}}
        # Enterprises: operating months, key enterprises, standardisation.
        cur.execute(_columns(SQL_ENTERPRISES, _enterprise_columns(months)), params)
        ents = {(kind, g): v for kind, g, *v in cur.fetchall()}
        # Inspections: covered months, key enterprises inspected per month, special/enforcement filing.
        cur.execute(_columns(SQL_INSPECTIONS, INSPECTION_COLUMNS), params)
        insp: dict[tuple[str, str], dict[int, list[int]]] = {}
        for kind, g, m, *v in cur.fetchall():
            insp.setdefault((kind, g), {})[m] = v
    blank_e = [0] * (2 * months + 5)

    def e(kind: str, g: Any = "") -> list[int]:
        return ents.get((kind, str(g)), blank_e)

    def i(kind: str, g: Any = "") -> dict[int, list[int]]:
        return insp.get((kind, str(g)), {})

    def groups(fn: Any) -> dict[str, Any]:
        return {"town": {t: fn("town", t[:9]) for t in towns},
                "department": {d: fn("department", d) for d in departments}}

    def coverage(kind: str, g: Any = "") -> Any:
        figures, per_month = e(kind, g), i(kind if kind != "total" else "month", g)
        return _ratio(sum(per_month.get(m, [0])[0] for m in range(1, months + 1)), sum(figures[:months]))

    out["inspections.self_inspection_coverage"] = {
        "value": coverage("total"),
        "trend": [_ratio(i("month").get(m, [0])[0], e("total")[m - 1])[2] for m in range(1, months + 1)],
        **groups(coverage)}

    def key(kind: str, g: Any = "") -> Any:
        figures = e(kind, g)
        return _ratio(figures[2 * months], figures[months])

    out["inspections.key_enforcement_coverage"] = {
        "value": key("total"),
        "trend": [_ratio(i("month").get(m, [0, 0])[1], e("total")[months + m - 1])[2] for m in range(1, months + 1)],
        **groups(key)}

    def filing(kind: str, g: Any = "") -> Any:
        per_month = i(kind if kind != "total" else "month", g)
        return _ratio(sum(v[3] for v in per_month.values()), sum(v[2] for v in per_month.values()))

    out["inspections.special_filing_rate"] = {
        "value": filing("total"),
        "trend": [_ratio(*(i("month").get(m, [0, 0, 0, 0])[3:1:-1]))[2] for m in range(1, months + 1)],
        **groups(filing)}
    for code, col in (("targets.hazchem_standardisation_rate", 2 * months + 1),
                      ("targets.above_scale_standardisation_rate", 2 * months + 3)):
        def share(kind: str, g: Any = "", col: int = col) -> Any:
            figures = e(kind, g)
            return _ratio(figures[col + 1], figures[col])
        value = share("total")
        out[code] = {"value": value, "trend": [value[2]] * months, **groups(share)}
    assert set(units) == {"town", "department"}
    return out


def dashboard_numbers(dash: Any) -> dict[str, Any]:
    """The same structure read from a built dashboard."""
    def triple(r: Any) -> Any:
        return (r.numerator, r.denominator, r.value) if r is not None else None

    out: dict[str, Any] = {}
    for row in dash.rows:
        ev = row.evaluation
        if ev.indicator is None:
            continue
        out[ev.code] = {"value": triple(ev.result), "trend": [v for _m, v in ev.trend],
                        "town": {k: triple(r) for k, r in ev.by_town.results.items()},
                        "department": {k: triple(r) for k, r in ev.by_department.results.items()}}
    for code, ev in dash.panels.items():
        if code not in out and ev is not None and ev.result is not None:
            out[code] = {"value": triple(ev.result)}
    return out


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Where two number structures differ (numbers compared as Decimals; None only equals None)."""
    def norm(x: Any) -> Any:
        if isinstance(x, tuple | list):
            return tuple(norm(v) for v in x)
        if isinstance(x, dict):
            return {k: norm(v) for k, v in x.items()}
        return None if x is None else Decimal(x)

    out = []
    for code in sorted(set(a) | set(b)):
        if code not in a or code not in b:
            out.append(f"{code}: only in {'the dashboard' if code in a else 'the SQL'}")
            continue
        for part in a[code]:
            if part in b[code] and norm(a[code][part]) != norm(b[code][part]):
                x, y = norm(a[code][part]), norm(b[code][part])
                if isinstance(x, dict):
                    bad = [k for k in x if x[k] != y.get(k)]
                    out.append(f"{code} {part}: {[(k, x[k], y.get(k)) for k in bad[:3]]} ({len(bad)} differ)")
                else:
                    out.append(f"{code} {part}: dashboard {x} vs SQL {y}")
    return out


def main() -> None:
    from _common import alternate, report

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scope", choices=[*SCOPES, "all"], default="all")
    parser.add_argument("--runs", type=int, default=7, help="pairs timed per scope (the province: at most 3)")
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--hazards", type=int, default=1_000_000)
    parser.add_argument("--inspections", type=int, default=200_000)
    parser.add_argument("--fresh", action="store_true", help="rebuild the dataset")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--jit", action="store_true", help="keep the server's JIT setting (default: jit = off)")
    args = parser.parse_args()
    p, users = ensure_dataset(args)
    if args.build_only:
        print(p.counts)
        return
    from django.db import connection

    if not args.jit:
        # PostgreSQL's JIT compiles these grouped queries (their cost estimates are high) for longer than
        # they run: seconds of LLVM work for ~100 ms queries, on both sides alike. Off, as for short queries.
        with connection.cursor() as cur:
            cur.execute("SET jit = off")
    from django.test.utils import CaptureQueriesContext

    from anjian.accounts.models import User
    from anjian.targets.dashboard import build, departments_of, visible_towns
    from anjian.targets.models import Plan
    from anjian.targets.presenters import dashboard_context

    plans = {name: Plan.objects.get(year=2017, area_code=code) for name, code in SCOPES.items()}

    def dashboard(name: str) -> Any:
        user = User.objects.get(pk=users[name].pk)  # a fresh user per request, as a request has
        dash = build(plans[name], user, AS_OF)
        dashboard_context(dash, "")
        return dash

    counts: dict[str, int] = {}
    for name in SCOPES:
        dashboard(name)
        with CaptureQueriesContext(connection) as q:
            dash = dashboard(name)
        counts[f"{name} ({len(dash.towns)} towns, {len(dash.departments)} departments)"] = len(q.captured_queries)
    results: dict[str, Any] = {}
    rows: list[tuple[str, object]] = [("dataset", ", ".join(f"{v:,} {k}" for k, v in p.counts.items())),
                                      ("as of", AS_OF.isoformat())]
    for name in (SCOPES if args.scope == "all" else [args.scope]):
        code = SCOPES[name]
        towns = [t.code for t in visible_towns(users[name], code)]
        departments = [d.pk for d in departments_of(code)]

        def sql(code: str = code, towns: list[str] = towns, departments: list[int] = departments) -> Any:
            return sql_numbers(code, AS_OF, towns, departments)

        # The same numbers, or the comparison means nothing.
        diff = differences(dashboard_numbers(dashboard(name)), sql())
        if diff:
            print("\n".join(diff[:20]))
            raise SystemExit(f"{name}: the dashboard and the SQL disagree on {len(diff)} numbers")
        with CaptureQueriesContext(connection) as q:
            sql()
        statements = len(q.captured_queries)
        runs = min(args.runs, 3) if name == "province" else args.runs
        timing = alternate(lambda name=name: dashboard(name), sql, runs=runs, warmup=1)
        results[name] = {"area_code": code, "towns": len(towns), "departments": len(departments),
                         "sql_statements": statements, **timing}
        rows.append((f"{name} ({len(towns)} towns, {len(departments)} depts)",
                     f"dashboard {timing['a_median_ms']:.0f} ms, SQL {timing['b_median_ms']:.0f} ms "
                     f"({statements} statements): {timing['ratio_median']:.2f}x (goal <= 1.5x)"))
    rows.append(("numbers checked equal", "every target, town, department and trend point"))
    rows.extend((f"queries, {k}", v) for k, v in counts.items())
    report("dashboard", rows, {"as_of": AS_OF.isoformat(), "jit": args.jit, "dataset": p.counts,
                               "queries": counts, "scopes": results})


if __name__ == "__main__":
    main()
