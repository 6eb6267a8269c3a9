"""Enterprise API collection page (50 rows, filtered by town) on PostgreSQL with
100,000 enterprises, beside the raw SQL of the same page, in the same run.

    .venv/bin/python bench/api_enterprises.py [--rows 100000] [--runs 15]

Goal (issue 2): API page ≤ 3× its raw SQL.
"""

from __future__ import annotations

import argparse
import io
import random

from _common import alternate, migrate, report, setup_django, use_postgres

TOWNS = 8
COMMUNITIES = 5


def build(rows: int) -> dict:
    from django.db import connection

    from anjian.accounts.models import Role, RoleAssignment, User
    from anjian.territory.models import Area, AreaLevel, Sector
    from anjian.utilities.testing import valid_credit_code

    district = Area.objects.create(code="410199000000", name="示范区", level=AreaLevel.COUNTY)
    communities = []
    for t in range(1, TOWNS + 1):
        town = Area.objects.create(code=f"410199{t:03d}000", name=f"第{t}镇", level=AreaLevel.TOWN, parent=district)
        for c in range(1, COMMUNITIES + 1):
            communities.append(Area.objects.create(code=f"410199{t:03d}{c:03d}", name=f"{t}-{c}社区",
                                                   level=AreaLevel.COMMUNITY, parent=town).code)
    sectors = list(Sector.objects.values_list("pk", flat=True))
    rnd = random.Random(2017)
    buf = io.StringIO()
    for i in range(1, rows + 1):
        area = rnd.choice(communities)
        buf.write("\t".join([
            valid_credit_code(i), f"企业{i:06d}有限公司", f"示范路{i}号", area, str(rnd.randint(1, 800)),
            "t" if rnd.random() < .12 else "f", "t" if rnd.random() < .3 else "f", "operating", "", "f",
            "", "", "", "1",
        ]) + "\n")
    cols = ("credit_code, name, address, area_code, employees, key_enterprise, above_scale, status, "
            "standardisation_grade, is_demo, legal_representative, safety_manager, safety_manager_phone, version")
    with connection.cursor() as cur:
        with cur.cursor.copy(f"COPY enterprises_enterprise ({cols}, created, last_updated) FROM STDIN") as copy:
            for line in buf.getvalue().splitlines():
                copy.write(line + "\tnow\tnow\n")
        cur.execute(
            "INSERT INTO enterprises_enterprise_sectors (enterprise_id, sector_id) "
            "SELECT id, (%s::bigint[])[1 + (id %% %s)] FROM enterprises_enterprise",
            [sectors, len(sectors)],
        )
        cur.execute("ANALYZE")
    user = User.objects.create_user("district", password="Demo@2017")  # noqa: S106
    RoleAssignment.objects.create(user=user, role=Role.DISTRICT_ADMIN, area=district)
    return {"user": user, "town": "410199003000"}


RAW_SQL_PAGE = """
SELECT e.id, e.credit_code, e.name, e.address, e.area_code, a.name, e.above_scale, e.key_enterprise, e.employees,
       e.legal_representative, e.safety_manager, e.safety_manager_phone, e.latitude, e.longitude, e.status,
       e.standardisation_grade, e.created, e.last_updated, e.version
FROM enterprises_enterprise e JOIN territory_area a ON a.code = e.area_code
WHERE e.area_code LIKE %s AND e.area_code LIKE %s
ORDER BY e.name, e.id LIMIT 50 OFFSET 100
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    use_postgres("anjian_bench_api")
    setup_django()
    migrate()
    ctx = build(args.rows)
    from django.db import connection
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(ctx["user"])
    url = f"/api/v1/enterprises/?town={ctx['town']}&page=3"

    def api() -> None:
        response = client.get(url, HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, response.content
        assert len(response.json()["results"]) == 50

    def raw() -> None:
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM enterprises_enterprise WHERE area_code LIKE %s AND area_code LIKE %s",
                        ["410199%", "410199003%"])
            cur.fetchone()
            cur.execute(RAW_SQL_PAGE, ["410199%", "410199003%"])
            ids = [r[0] for r in cur.fetchall()]
            cur.execute("SELECT es.enterprise_id, s.code FROM enterprises_enterprise_sectors es "
                        "JOIN territory_sector s ON s.id = es.sector_id WHERE es.enterprise_id = ANY(%s)", [ids])
            cur.fetchall()
            cur.execute("SELECT ed.enterprise_id, d.code FROM enterprises_enterprise_departments ed "
                        "JOIN territory_department d ON d.id = ed.department_id WHERE ed.enterprise_id = ANY(%s)", [ids])
            cur.fetchall()

    result = alternate(api, raw, runs=args.runs)
    report("api_enterprises", [
        ("enterprises", args.rows),
        ("API page (median ms)", result["a_median_ms"]),
        ("raw SQL (median ms)", result["b_median_ms"]),
        ("ratio API / SQL (median of pairs)", result["ratio_median"]),
        ("goal", "≤ 3×"),
    ], {"rows": args.rows, **result})


if __name__ == "__main__":
    main()
