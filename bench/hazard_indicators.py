"""The district's full set of hazard indicators by town, through the indicator functions,
beside the single best hand-written SQL computing the same numbers, in the same run.

    .venv/bin/python bench/hazard_indicators.py [--runs 15] [--fresh] [--enterprises N --hazards N --inspections N]

Dataset: ``bench/province.py`` (100,000 enterprises, 1,000,000 hazards, 200,000 inspections;
built once, then reused). Measured: all eight ``hazards.*`` indicators for 2017 for one
district, broken down by its ten towns, with ``anjian.hazards.indicators.breakdown_many``
(one grouped query) against one hand-written ``GROUP BY`` with ``FILTER`` clauses, both
turned into the same numbers (checked equal). Also shown: the same through one
computation per town (ten queries), for comparison. Goal: ≤ 1.5×.
"""

from __future__ import annotations

import argparse
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import province
from _common import alternate, report

SQL = """
SELECT substr(e.area_code, 1, 9) AS town,
  count(*) FILTER (WHERE c) AS found,
  count(*) FILTER (WHERE c AND h.level = 'general') AS found_general,
  count(*) FILTER (WHERE c AND h.level = 'major') AS found_major,
  count(*) FILTER (WHERE c AND h.status IN ('rectified', 'verified')) AS done,
  count(*) FILTER (WHERE c AND h.status = 'verified') AS verified,
  count(*) FILTER (WHERE c AND (h.status IN ('rectified', 'verified')
                                OR (h.status IN ('reported', 'rectifying') AND h.deadline < %(today)s))) AS decided,
  count(*) FILTER (WHERE c AND h.status IN ('rectified', 'verified')
                     AND (h.deadline IS NULL OR h.rectified_on <= h.deadline)) AS on_time,
  count(*) FILTER (WHERE h.level = 'major' AND h.found_on <= %(d)s
                     AND NOT (h.status = 'verified' AND (h.verified_on IS NULL OR h.verified_on <= %(d)s))) AS major_open,
  count(*) FILTER (WHERE h.level = 'major' AND h.found_on <= %(d)s AND h.deadline < %(d)s
                     AND NOT (h.status IN ('rectified', 'verified')
                              AND (h.rectified_on IS NULL OR h.rectified_on <= %(d)s))) AS major_overdue
FROM (SELECT h.*, (h.found_on BETWEEN %(start)s AND %(end)s) AS c FROM hazards_hazard h) h
JOIN enterprises_enterprise e ON e.id = h.enterprise_id
WHERE h.deleted_at IS NULL AND e.area_code LIKE %(prefix)s
  AND (h.found_on BETWEEN %(start)s AND %(end)s OR (h.level = 'major' AND h.found_on <= %(d)s))
GROUP BY 1
"""
NAMES = ("found", "found_general", "found_major", "done", "verified", "decided", "on_time", "major_open",
         "major_overdue")
DERIVE = {
    "hazards.found": ("found", None), "hazards.found_general": ("found_general", None),
    "hazards.found_major": ("found_major", None), "hazards.rectification_rate": ("done", "found"),
    "hazards.on_time_rectification_rate": ("on_time", "decided"),
    "hazards.reinspection_acceptance_rate": ("verified", "done"),
    "hazards.major_open": ("major_open", None), "hazards.major_overdue": ("major_overdue", None),
}


def _value(num: int, den: int | None) -> Decimal | None:
    if den is None:
        return Decimal(num)
    if not den:
        return None
    return (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--hazards", type=int, default=1_000_000)
    parser.add_argument("--inspections", type=int, default=200_000)
    args = parser.parse_args()
    p = province.ensure(enterprises=args.enterprises, hazards=args.hazards, inspections=args.inspections,
                        fresh=args.fresh)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from anjian.hazards.indicators import CODES, breakdown_many, compute_many
    from anjian.indicators.registry import IndicatorScope, Period

    district = p.districts[0]
    towns = p.towns_of(district)
    period = Period.year(2017)
    today = timezone.localdate()
    d = min(period.end, today)
    scope = IndicatorScope(area_code=district)

    def orm() -> dict:
        got = breakdown_many(CODES, scope, period, "town", towns, today=today)
        return {code: {t: (r.numerator, r.denominator, r.value) for t, r in got[code].items()} for code in CODES}

    def per_town() -> dict:
        out: dict = {code: {} for code in CODES}
        for t in towns:
            got = compute_many(CODES, IndicatorScope(area_code=t), period, today=today)
            for code in CODES:
                r = got[code]
                out[code][t] = (r.numerator, r.denominator, r.value)
        return out

    def sql() -> dict:
        with connection.cursor() as cur:
            cur.execute(SQL, {"today": today, "d": d, "start": period.start, "end": period.end,
                              "prefix": district[:6] + "%"})
            rows = {r[0] + "000": dict(zip(NAMES, r[1:], strict=True)) for r in cur.fetchall()}
        out: dict = {code: {} for code in CODES}
        for t in towns:
            figs = rows.get(t, {})
            for code, (num, den) in DERIVE.items():
                n = figs.get(num, 0)
                dd = figs.get(den, 0) if den else None
                out[code][t] = (n, dd, _value(n, dd))
        return out

    a, b, c = orm(), sql(), per_town()
    assert a == b == c, "the indicator functions and the SQL disagree"
    with CaptureQueriesContext(connection) as q:
        orm()
    grouped_queries = len(q.captured_queries)
    with CaptureQueriesContext(connection) as q:
        per_town()
    per_town_queries = len(q.captured_queries)
    grouped = alternate(orm, sql, runs=args.runs)
    looped = alternate(per_town, sql, runs=max(5, args.runs // 2))
    sample = b["hazards.rectification_rate"][towns[0]]
    report("hazard_indicators", [
        ("dataset", f"{p.counts.get('hazards', 0):,} hazards, {len(p.enterprises):,} enterprises, "
                    f"{len(p.towns):,} towns"),
        ("computed", f"{len(CODES)} indicators × {len(towns)} towns of {district}, 2017"),
        ("e.g. rectification rate, first town", f"{sample[0]}/{sample[1]} = {sample[2]}%"),
        ("breakdown_many (median ms)", f"{grouped['a_median_ms']} ({grouped_queries} query)"),
        ("hand-written SQL (median ms)", grouped["b_median_ms"]),
        ("ratio indicators / SQL", grouped["ratio_median"]),
        ("one computation per town (median ms)", f"{looped['a_median_ms']} ({per_town_queries} queries), "
                                                 f"ratio {looped['ratio_median']}"),
        ("goal", "≤ 1.5×"),
    ], {"district": district, "towns": len(towns), "codes": list(CODES), "hazards": p.counts.get("hazards"),
        "grouped": grouped, "grouped_queries": grouped_queries, "per_town": looped,
        "per_town_queries": per_town_queries, "today": str(today), "date": str(date.today())})


if __name__ == "__main__":
    main()
