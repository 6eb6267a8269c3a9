"""A province-sized dataset on PostgreSQL, for the benchmarks (the hazards engineer's generator).

    .venv/bin/python bench/province.py [--enterprises 100000] [--hazards 1000000]
                                       [--inspections 200000] [--fresh]

builds the database ``anjian_bench_province`` (``migrate`` first, then COPY):

* areas: one province (41) of 10 cities × 10 districts × 10 towns × 3 communities
  (1,000 towns; codes ``41CCDD TTT MMM``);
* per district, its safety authority and six sector departments;
* ``--enterprises`` enterprises spread over the communities, each in one sector of the
  catalogue (10 % in two), 2 % closed;
* ``--inspections`` inspections of 2015–2017 (60 % self-inspections);
* ``--hazards`` hazards found 2015–2017, 60 % of them by an inspection of their
  enterprise (and on its day), 0.4 % major, mostly verified, some open and overdue,
  0.2 % withdrawn.

Everything is written with COPY (psycopg ``cursor.copy``); the columns not generated take
the model's defaults, so the generator follows the models as they change.

Reuse from another benchmark::

    from province import ensure
    province = ensure(extra_generators=[my_generator])   # builds once, then reuses the database

``ensure()`` reuses an existing ``anjian_bench_province`` built with the same sizes (and
the same generators) and rebuilds it otherwise. Each extra generator is called after the
core data as ``generator(conn, province)`` with a psycopg 3 connection and the
:class:`Province` (areas, towns, enterprises as ``(id, area_code, sector_id)`` …); give it
a ``__name__`` (it is recorded, so that a different set of generators rebuilds), e.g. the
targets engineer's accidents::

    import province_accidents
    def accidents(conn, p):
        return province_accidents.generate(conn, p.areas, p.enterprises)
    ensure(extra_generators=[accidents])
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import setup_django, use_postgres  # noqa: E402

DB = "anjian_bench_province"
CITIES, DISTRICTS, TOWNS, COMMUNITIES = 10, 10, 10, 3
YEARS = (2015, 2016, 2017)
TODAY = date(2017, 12, 31)  # the dataset's "today"
SEED = 41

Generator = Callable[[Any, "Province"], Any]


@dataclass
class Province:
    db: str
    areas: list[str]  # every area code, parents first
    cities: list[str]
    districts: list[str]
    towns: list[str]
    communities: list[str]
    enterprises: list[tuple[int, str, int]]  # (id, area_code, first sector id)
    counts: dict[str, int] = field(default_factory=dict)
    today: date = TODAY

    def towns_of(self, district: str) -> list[str]:
        return [t for t in self.towns if t.startswith(district[:6])]


# --- COPY of model rows ------------------------------------------------------------------------

def _default(f: Any, now: datetime) -> Any:
    from django.db import models
    from psycopg.types.json import Jsonb

    if f.name in ("created", "last_updated") or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
        return now
    if f.has_default():
        value = f.get_default()
    elif f.null:
        value = None
    elif isinstance(f, models.CharField | models.TextField):
        value = ""
    else:
        raise ValueError(f"{f.model.__name__}.{f.name} needs a value")
    if isinstance(f, models.JSONField):
        return Jsonb(value)
    return value


def copy_model(cur: Any, model: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]], now: datetime) -> int:
    """COPY ``rows`` (tuples of the attnames ``columns``) into ``model``'s table; every other
    column gets the model's default."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    by_attname = {f.attname: f for f in fields}
    unknown = set(columns) - set(by_attname)
    if unknown:
        raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
    rest = [f for f in fields if f.attname not in columns]
    tail = tuple(_default(f, now) for f in rest)
    names = [by_attname[c].column for c in columns] + [f.column for f in rest]
    n = 0
    with cur.copy(f'COPY {model._meta.db_table} ({", ".join(names)}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(tuple(row) + tail)
            n += 1
    return n


def _raw(conn: Any) -> Any:
    if hasattr(conn, "ensure_connection"):
        conn.ensure_connection()
        return conn.connection
    return conn


# --- the generator -------------------------------------------------------------------------------

def _areas() -> tuple[list[tuple[str, str, int, str | None]], dict[str, list[str]]]:
    codes: list[tuple[str, str, int, str | None]] = [("410000000000", "示范省", 1, None)]
    levels: dict[str, list[str]] = {"cities": [], "districts": [], "towns": [], "communities": []}
    for c in range(1, CITIES + 1):
        city = f"41{c:02d}00000000"
        codes.append((city, f"第{c}市", 2, "410000000000"))
        levels["cities"].append(city)
        for d in range(1, DISTRICTS + 1):
            district = f"41{c:02d}{d:02d}000000"
            codes.append((district, f"{c}市第{d}区", 3, city))
            levels["districts"].append(district)
            for t in range(1, TOWNS + 1):
                town = f"{district[:6]}{t:03d}000"
                codes.append((town, f"{c}-{d}区第{t}镇", 4, district))
                levels["towns"].append(town)
                for m in range(1, COMMUNITIES + 1):
                    community = f"{town[:9]}{m:03d}"
                    codes.append((community, f"{t}镇{m}社区", 5, town))
                    levels["communities"].append(community)
    return codes, levels


def build(*, enterprises: int = 100_000, hazards: int = 1_000_000, inspections: int = 200_000,
          extra_generators: Sequence[Generator] = (), db: str = DB, verbose: bool = True) -> Province:
    """Create ``db`` afresh, migrate it and fill it (see the module docstring)."""
    use_postgres(db, fresh=True)
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from anjian.enterprises.models import Enterprise
    from anjian.hazards.models import Hazard
    from anjian.inspections.models import Inspection
    from anjian.territory.models import Area, Department
    from anjian.utilities.testing import valid_credit_code

    def say(msg: str) -> None:
        if verbose:
            print(msg, flush=True)

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    say(f"  migrated in {time.monotonic() - started:.1f} s")
    rnd = random.Random(SEED)
    now = datetime.now(UTC)
    codes, levels = _areas()
    raw = _raw(connection)
    counts: dict[str, int] = {}
    with raw.cursor() as cur:
        t0 = time.monotonic()
        ids: dict[str, int] = {}
        for level in range(1, 6):
            batch = [c for c in codes if c[2] == level]
            copy_model(cur, Area, ("code", "name", "level", "parent_id"),
                       ((code, name, lvl, ids.get(parent) if parent else None) for code, name, lvl, parent in batch),
                       now)
            cur.execute("SELECT code, id FROM territory_area WHERE level = %s", [level])
            ids.update(dict(cur.fetchall()))
        counts["areas"] = len(codes)
        cur.execute("SELECT id, code, parent_id FROM territory_sector ORDER BY sort_order, code")
        sector_rows = cur.fetchall()
        sectors = [r[0] for r in sector_rows]
        # Departments: per district its safety authority and six departments of a few sectors each.
        dept_rows, dept_sectors = [], []
        groups = [sectors[i::6] for i in range(6)]
        for district in levels["districts"]:
            dept_rows.append((f"{district}-ajj", "安全生产监督管理局", district, True))
            for k in range(1, len(groups) + 1):
                dept_rows.append((f"{district}-d{k}", f"第{k}行业主管部门", district, False))
        copy_model(cur, Department, ("code", "name", "area_id", "is_safety_authority"), dept_rows, now)
        cur.execute("SELECT code, id FROM territory_department")
        dept_ids = dict(cur.fetchall())
        for district in levels["districts"]:
            for k, group in enumerate(groups, start=1):
                dept_sectors.extend((dept_ids[f"{district}-d{k}"], s) for s in group)
        with cur.copy("COPY territory_department_sectors (department_id, sector_id) FROM STDIN") as copy:
            for row in dept_sectors:
                copy.write_row(row)
        counts["departments"] = len(dept_rows)
    # The sectors each department supervises in effect (written behind the ORM: derive them).
    from anjian.territory.supervision import rebuild

    rebuild()
    with raw.cursor() as cur:
        say(f"  areas and departments in {time.monotonic() - t0:.1f} s")

        # Enterprises.
        t0 = time.monotonic()
        communities = levels["communities"]
        ent_area = [communities[rnd.randrange(len(communities))] for _ in range(enterprises)]
        copy_model(cur, Enterprise, ("credit_code", "name", "address", "area_id", "employees", "key_enterprise",
                                     "above_scale", "status"),
                   ((valid_credit_code(i + 1, "91410000MA"), f"企业{i + 1:06d}有限公司", f"示范路{i + 1}号",
                     ent_area[i], rnd.randint(3, 800), rnd.random() < 0.1, rnd.random() < 0.3,
                     "closed" if rnd.random() < 0.02 else "operating") for i in range(enterprises)), now)
        cur.execute("SELECT id, area_code FROM enterprises_enterprise ORDER BY id")
        ents = cur.fetchall()
        first_sector = {}
        with cur.copy("COPY enterprises_enterprise_sectors (enterprise_id, sector_id) FROM STDIN") as copy:
            for eid, _area in ents:
                s = sectors[rnd.randrange(len(sectors))]
                first_sector[eid] = s
                copy.write_row((eid, s))
                if rnd.random() < 0.10:
                    second = sectors[rnd.randrange(len(sectors))]
                    if second != s:
                        copy.write_row((eid, second))
        counts["enterprises"] = len(ents)
        say(f"  {len(ents):,} enterprises in {time.monotonic() - t0:.1f} s")

        # Inspections of 2015–2017.
        t0 = time.monotonic()
        span = (date(YEARS[-1], 12, 31) - date(YEARS[0], 1, 1)).days
        kinds = [("self", 60), ("routine", 15), ("enforcement", 10), ("special", 8), ("random", 4), ("patrol", 3)]
        kind_list = [k for k, w in kinds for _ in range(w)]
        insp_plan = []
        for _ in range(inspections):
            eid = ents[rnd.randrange(len(ents))][0]
            insp_plan.append((eid, kind_list[rnd.randrange(100)], date(YEARS[0], 1, 1) + timedelta(days=rnd.randint(0, span))))
        copy_model(cur, Inspection, ("enterprise_id", "kind", "date", "status"),
                   ((e, k, d, "submitted") for e, k, d in insp_plan), now)
        cur.execute("SELECT id, enterprise_id, date FROM inspections_inspection ORDER BY id")
        by_enterprise: dict[int, list[tuple[int, date]]] = {}
        for iid, eid, day in cur.fetchall():
            by_enterprise.setdefault(eid, []).append((iid, day))
        counts["inspections"] = inspections
        say(f"  {inspections:,} inspections in {time.monotonic() - t0:.1f} s")

        # Hazards.
        t0 = time.monotonic()
        columns = ("enterprise_id", "inspection_id", "source", "description", "level", "category", "found_on",
                   "deadline", "status", "rectified_on", "verified_on", "funds", "deleted_at", "deleted_reason")
        categories = ["site_fire", "site_electrical", "basic_training", "site_equipment_process", "site_environment",
                      "basic_emergency", "site_special_equipment", "site_behaviour"]
        texts = ["灭火器过期", "安全出口堵塞", "配电箱私拉乱接", "未开展三级安全教育", "防护罩缺失", "警示标志缺失",
                 "叉车未检验", "未佩戴防护用品"]
        deadlines = [3, 5, 7, 7, 10, 15, 15, 30]
        ent_ids = [e[0] for e in ents]

        def hazard_rows() -> Iterable[tuple[Any, ...]]:
            r = rnd.random
            for _ in range(hazards):
                eid = ent_ids[rnd.randrange(len(ent_ids))]
                insp = None
                own = by_enterprise.get(eid)
                if own and r() < 0.6:
                    insp, found = own[rnd.randrange(len(own))]
                else:
                    found = date(YEARS[0], 1, 1) + timedelta(days=rnd.randint(0, span))
                major = r() < 0.004
                deadline = found + timedelta(days=60 if major else deadlines[rnd.randrange(8)])
                age = (TODAY - found).days
                p_done = 0.98 if age > 60 else 0.9 if age > 20 else 0.5
                status, rectified, verified = "reported", None, None
                if r() < p_done:
                    span_days = max(0, (deadline - found).days)
                    rectified = (deadline + timedelta(days=rnd.randint(1, 20)) if r() < 0.08
                                 else found + timedelta(days=rnd.randint(0, span_days)))
                    rectified = min(rectified, TODAY)
                    verified = rectified + timedelta(days=rnd.randint(1, 10))
                    if verified > TODAY or r() < 0.04:
                        status, verified = "rectified", None
                    else:
                        status = "verified"
                elif r() < 0.8:
                    status = "rectifying"
                deleted = r() < 0.002
                k = rnd.randrange(8)
                yield (eid, insp, "supervision" if insp else "self_inspection", texts[k], "major" if major else "general",
                       categories[k], found, deadline, "cancelled" if deleted else status, rectified, verified,
                       Decimal(rnd.choice((0, 200, 500, 1500))) if rectified else None,
                       now if deleted else None, "重复录入" if deleted else "")

        counts["hazards"] = copy_model(cur, Hazard, columns, hazard_rows(), now)
        say(f"  {hazards:,} hazards in {time.monotonic() - t0:.1f} s")
    province = _dataset(db, counts)
    for gen in extra_generators:
        t0 = time.monotonic()
        got = gen(raw, province)
        say(f"  {getattr(gen, '__name__', gen)}: {got} in {time.monotonic() - t0:.1f} s")
    t0 = time.monotonic()
    with raw.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
        cur.execute("CREATE TABLE bench_province_meta (key text PRIMARY KEY, value text)")
        meta = {"enterprises": enterprises, "hazards": hazards, "inspections": inspections,
                "generators": ",".join(getattr(g, "__name__", str(g)) for g in extra_generators),
                "migrations": _migration_mark(cur)}
        for key, value in meta.items():
            cur.execute("INSERT INTO bench_province_meta VALUES (%s, %s)", [key, str(value)])
    say(f"  vacuum/analyze in {time.monotonic() - t0:.1f} s; built in {time.monotonic() - started:.1f} s")
    return province


def _migration_mark(cur: Any) -> str:
    cur.execute("SELECT count(*), max(id) FROM django_migrations")
    n, last = cur.fetchone()
    return f"{n}:{last}"


def _dataset(db: str, counts: dict[str, int]) -> Province:
    from django.db import connection

    _codes, levels = _areas()
    with connection.cursor() as cur:
        cur.execute("SELECT code FROM territory_area ORDER BY level, code")
        areas = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT e.id, e.area_code, min(s.sector_id) FROM enterprises_enterprise e "
                    "JOIN enterprises_enterprise_sectors s ON s.enterprise_id = e.id GROUP BY e.id ORDER BY e.id")
        enterprises = [tuple(r) for r in cur.fetchall()]
    return Province(db, areas, levels["cities"], levels["districts"], levels["towns"], levels["communities"],
                    enterprises, counts)  # type: ignore[arg-type]


def ensure(*, enterprises: int = 100_000, hazards: int = 1_000_000, inspections: int = 200_000,
           extra_generators: Sequence[Generator] = (), db: str = DB, fresh: bool = False,
           verbose: bool = True) -> Province:
    """The dataset, reused when ``db`` holds one of the same sizes and generators, else built."""
    import psycopg
    from _common import PG_SERVER

    wanted = {"enterprises": str(enterprises), "hazards": str(hazards), "inspections": str(inspections),
              "generators": ",".join(getattr(g, "__name__", str(g)) for g in extra_generators)}
    if not fresh:
        try:
            with psycopg.connect(f"{PG_SERVER}/{db}") as conn:
                meta = dict(conn.execute("SELECT key, value FROM bench_province_meta").fetchall())
        except psycopg.Error:
            meta = {}
        if meta and all(meta.get(k) == v for k, v in wanted.items()):
            use_postgres(db, fresh=False)
            setup_django()
            from django.db import connection
            from django.db.migrations.executor import MigrationExecutor

            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
            with connection.cursor() as cur:
                current = _migration_mark(cur)
            if not pending and current == meta.get("migrations"):
                if verbose:
                    print(f"  reusing {db} ({hazards:,} hazards)", flush=True)
                return _dataset(db, {k: int(v) for k, v in meta.items() if v.isdigit()})
            if verbose:
                print(f"  {db} was built before newer migrations: rebuilding", flush=True)
            connection.close()
    return build(enterprises=enterprises, hazards=hazards, inspections=inspections,
                 extra_generators=extra_generators, db=db, verbose=verbose)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--hazards", type=int, default=1_000_000)
    parser.add_argument("--inspections", type=int, default=200_000)
    parser.add_argument("--fresh", action="store_true", help="rebuild even if a matching database exists")
    args = parser.parse_args()
    started = time.monotonic()
    p = ensure(enterprises=args.enterprises, hazards=args.hazards, inspections=args.inspections, fresh=args.fresh)
    print(f"{p.db}: {len(p.areas):,} areas ({len(p.towns):,} towns), {len(p.enterprises):,} enterprises, "
          f"{p.counts.get('hazards', 0):,} hazards, {p.counts.get('inspections', 0):,} inspections "
          f"in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
