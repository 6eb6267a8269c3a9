"""The hazard list API page (50 rows, filtered by town) beside its raw SQL, in the same run.

    .venv/bin/python bench/hazard_api.py [--runs 15] [--fresh] [--enterprises N --hazards N --inspections N]

Dataset: ``bench/province.py`` (1,000,000 hazards; built once, then reused). Measured:
``GET /api/v1/hazards/?town=<town>`` (first page, 50 rows, newest first) for the district
office (district admin of the town's district), through the whole Django/DRF stack, against
the two statements of that page (the count and the 50 rows with their enterprise) run by hand.
Goal: ≤ 3×.
"""

from __future__ import annotations

import argparse

import province
from _common import alternate, report

SQL_COUNT = """
SELECT count(*) FROM hazards_hazard h JOIN enterprises_enterprise e ON e.id = h.enterprise_id
WHERE h.deleted_at IS NULL AND e.area_code LIKE %s AND e.area_code LIKE %s
"""
SQL_PAGE = """
SELECT h.id, h.number, h.enterprise_id, e.name, e.area_code, h.inspection_id, h.checklist_item_id, h.source,
       h.description, h.location, h.level, h.category, h.legal_basis, h.found_on, h.deadline,
       h.responsible_person, h.measures, h.funds, h.status, h.rectified_on, h.verified_on, h.reporter_id,
       h.deleted_reason, h.created, h.last_updated, h.version
FROM hazards_hazard h JOIN enterprises_enterprise e ON e.id = h.enterprise_id
WHERE h.deleted_at IS NULL AND e.area_code LIKE %s AND e.area_code LIKE %s
ORDER BY h.found_on DESC, h.id DESC LIMIT 50
"""


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
    from rest_framework.test import APIClient

    from anjian.accounts.models import Role, RoleAssignment, User

    district = p.districts[0]
    town = p.towns_of(district)[2]
    user, _created = User.objects.get_or_create(username="bench-district")
    RoleAssignment.objects.get_or_create(user=user, role=Role.DISTRICT_ADMIN, area_id=district)
    client = APIClient()
    client.force_authenticate(user)
    url = f"/api/v1/hazards/?town={town}"
    prefixes = [district[:6] + "%", town[:9] + "%"]

    def api() -> list[int]:
        response = client.get(url, HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, response.content
        return [r["id"] for r in response.json()["results"]]

    def raw() -> list[int]:
        with connection.cursor() as cur:
            cur.execute(SQL_COUNT, prefixes)
            cur.fetchone()
            cur.execute(SQL_PAGE, prefixes)
            return [r[0] for r in cur.fetchall()]

    got, want = api(), raw()
    assert got == want and len(got) == 50, "the API page and the SQL disagree"
    seen: list[str] = []  # (CaptureQueriesContext is emptied by the request_started signal)
    with connection.execute_wrapper(lambda execute, sql, params, many, context: (seen.append(sql),
                                                                             execute(sql, params, many, context))[1]):
        api()
    result = alternate(api, raw, runs=args.runs)
    report("hazard_api", [
        ("dataset", f"{p.counts.get('hazards', 0):,} hazards, {len(p.enterprises):,} enterprises"),
        ("page", f"GET {url} (50 rows)"),
        ("API page (median ms)", f"{result['a_median_ms']} ({len(seen)} queries)"),
        ("raw SQL (median ms)", result["b_median_ms"]),
        ("ratio API / SQL", result["ratio_median"]),
        ("goal", "≤ 3×"),
    ], {"town": town, "hazards": p.counts.get("hazards"), "queries": len(seen), **result, "sql": seen})


if __name__ == "__main__":
    main()
