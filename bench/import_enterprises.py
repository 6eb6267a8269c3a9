"""Importing 100,000 enterprises from Excel (``import_workbook``, as ``anjian import enterprises``
runs it), beside a bare python-calamine read and a bare openpyxl read of the same file, on
PostgreSQL (a database of its own, the main figure) and SQLite (a fresh file database); time and
peak memory.

    .venv/bin/python bench/import_enterprises.py [--rows 100000] [--small 20000] [--reps 3]
        [--readers stream] [--no-postgres]

Each measurement runs in its own process (a fresh interpreter; for an import, a fresh copy of a
migrated database with the demo-like territory) that reports its wall time and its peak resident
memory (``ru_maxrss``). The bare reads import neither Django nor the project: python-calamine's
``CalamineWorkbook.from_path(...).get_sheet_by_index(0).iter_rows()`` and openpyxl's read-only
``iter_rows(values_only=True)``, every row touched. Reads and imports alternate (calamine,
openpyxl, import, calamine, ...) and the medians are compared, so the ratios are measured side
by side on this noisy machine. The workbook is generated once (valid credit codes, the demo
district's towns, communities, sectors and departments) and read by every run.

Goal (issue 8.6): the full import (checks, bulk upsert by credit code, sector/department tables,
audit log, all in one transaction) takes at most 3x the bare calamine read of the same file, and
its peak memory at 100,000 rows is at most 1.5x that at 20,000.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import PG_SERVER, ROOT, report

HERE = Path(__file__).resolve()
WORK = Path(os.environ.get("BENCH_WORK") or Path(tempfile.gettempdir()) / "anjian-bench-import")
PG_NAME = "anjian_bench_import_enterprises"
DISTRICT_DATA = ROOT / "anjian" / "demo" / "data" / "district.json"
DEPARTMENT_DATA = ROOT / "anjian" / "demo" / "data" / "departments.json"
SECTORS = ("商场超市", "建筑施工", "机械制造", "危险化学品使用", "非煤矿山", "消防/人员密集场所", "仓储物流", "教育",
           "商场超市、仓储物流", "纺织")


# -- the workbook and the databases ----------------------------------------------------------------
def demo_towns() -> list[tuple[str, list[str]]]:
    district = json.loads(DISTRICT_DATA.read_text(encoding="utf-8"))
    return [(t["name"], [name for _code, name in t["communities"]]) for t in district["towns"]]


def demo_departments() -> list[str]:
    data = json.loads(DEPARTMENT_DATA.read_text(encoding="utf-8"))
    return [d["short_name"] or d["name"] for d in data["departments"]][:6]


def make_workbook(rows: int) -> Path:
    sys.path.insert(0, str(ROOT))
    from anjian.enterprises.tests.workbooks import write_large_workbook

    path = WORK / f"enterprises-{rows}.xlsx"
    if not path.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        write_large_workbook(path, rows, towns=demo_towns(), sectors=SECTORS, departments=["", *demo_departments()])
        print(f"generated {path} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f}s",
              flush=True)
    return path


def seed() -> None:
    """The demo-like territory, its departments and an importing district user (catalogue sectors come
    with the migrations)."""
    from anjian.accounts.models import Role, RoleAssignment, User
    from anjian.territory.models import Area, AreaLevel, Department, Sector

    district_data = json.loads(DISTRICT_DATA.read_text(encoding="utf-8"))
    district = Area.objects.create(code=district_data["district"]["code"], name=district_data["district"]["name"],
                                   level=AreaLevel.COUNTY)
    for t in district_data["towns"]:
        town = Area.objects.create(code=t["code"], name=t["name"], level=AreaLevel.TOWN, parent=district)
        for suffix, name in t["communities"]:
            Area.objects.create(code=t["code"][:9] + suffix, name=name, level=AreaLevel.COMMUNITY, parent=town)
    for d in json.loads(DEPARTMENT_DATA.read_text(encoding="utf-8"))["departments"]:
        dept = Department.objects.create(code=d["code"], name=d["name"], short_name=d.get("short_name", ""),
                                         area=district, is_safety_authority=d.get("is_safety_authority", False))
        dept.sectors.set(Sector.objects.filter(code__in=d.get("sectors", [])))
    user = User.objects.create_user("district", password="Demo@2017")  # noqa: S106
    RoleAssignment.objects.create(user=user, role=Role.DISTRICT_ADMIN, area=district)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def prepare_templates(use_pg: bool) -> dict[str, str]:
    """Migrated and seeded databases to copy for every run."""
    templates = {"sqlite": str(WORK / "template.sqlite3")}
    Path(templates["sqlite"]).unlink(missing_ok=True)
    child(["setup"], database_url=sqlite_url(Path(templates["sqlite"])))
    if use_pg:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}_tpl" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{PG_NAME}_tpl"')
        child(["setup"], database_url=f"{PG_SERVER}/{PG_NAME}_tpl")
        templates["postgresql"] = f"{PG_NAME}_tpl"
    return templates


def fresh_database(engine: str, templates: dict[str, str]) -> str:
    if engine == "sqlite":
        path = WORK / "run.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(templates["sqlite"], path)
        return sqlite_url(path)
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PG_NAME}" TEMPLATE "{templates[engine]}"')
    return f"{PG_SERVER}/{PG_NAME}"


def drop_postgres() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        for name in (PG_NAME, f"{PG_NAME}_tpl"):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=2):
            return True
    except Exception:  # noqa: BLE001
        return False


# -- one measurement per process ---------------------------------------------------------------------
def child(args: list[str], database_url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "ANJIAN_VAR_DIR": str(WORK / "var"),
           "DJANGO_SETTINGS_MODULE": "anjian.settings"}
    out = subprocess.run([sys.executable, str(HERE), "--child", *args], env=env, capture_output=True, text=True,
                         cwd=ROOT)
    if out.returncode:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"child {args} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def bare_read(reader: str, path: str) -> int:
    """Every row of the first sheet with the reader alone (no Django, no project code)."""
    n = 0
    if reader == "calamine":
        from python_calamine import CalamineWorkbook

        for _row in CalamineWorkbook.from_path(path).get_sheet_by_index(0).iter_rows():
            n += 1
    else:
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for _row in book.worksheets[0].iter_rows(values_only=True):
            n += 1
        book.close()
    return n


def run_child(argv: list[str]) -> None:
    action = argv[0]
    result: dict = {}
    if action == "bare":
        reader, path = argv[1], argv[2]
        t0 = time.perf_counter()
        n = bare_read(reader, path)
        result = {"seconds": time.perf_counter() - t0, "rows": n - 1}
        usage = resource.getrusage(resource.RUSAGE_SELF)
        print(json.dumps({**result, "maxrss_mb": usage.ru_maxrss / 1024, "cpu_s": usage.ru_utime + usage.ru_stime}))
        return
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anjian.settings")
    import django

    django.setup()
    if action == "setup":
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        seed()
    elif action == "read":
        from anjian.core.exchange import open_sheet

        path, reader = argv[1], argv[2]
        t0 = time.perf_counter()
        n = 0
        with open_sheet(path, reader) as sheet:
            for _row in sheet.rows():
                n += 1
        result = {"seconds": time.perf_counter() - t0, "rows": n - 1}
    elif action == "import":
        from anjian.accounts.models import User
        from anjian.core import context
        from anjian.core.exchange import import_workbook

        path, reader = argv[1], argv[2]
        user = User.objects.get(username="district")
        t0 = time.perf_counter()
        with context.acting_as(user, source="command"):
            outcome = import_workbook("enterprises", path, user=user, reader=reader)
        result = {"seconds": time.perf_counter() - t0, "rows": outcome.rows, "created": outcome.created}
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["maxrss_mb"] = usage.ru_maxrss / 1024
    result["cpu_s"] = usage.ru_utime + usage.ru_stime  # this process only (not the PostgreSQL server)
    print(json.dumps(result))


# -- the run -------------------------------------------------------------------------------------
def measure(engine: str, templates: dict[str, str], path: Path, reader: str, reps: int) -> dict:
    bare: dict[str, list[dict]] = {"calamine": [], "openpyxl": []}
    imports = []
    unused = sqlite_url(WORK / "unused.sqlite3")
    for _ in range(reps):  # alternate: calamine, openpyxl, import, calamine, ...
        for name in bare:
            bare[name].append(child(["bare", name, str(path)], database_url=unused))
        imported = child(["import", str(path), reader], database_url=fresh_database(engine, templates))
        assert imported["created"] == imported["rows"], imported
        imports.append(imported)
    import_s = statistics.median(r["seconds"] for r in imports)
    calamine_s = statistics.median(r["seconds"] for r in bare["calamine"])
    openpyxl_s = statistics.median(r["seconds"] for r in bare["openpyxl"])
    return {
        "engine": engine, "reader": reader, "rows": imports[0]["rows"], "reps": reps,
        "calamine_s": round(calamine_s, 2), "openpyxl_s": round(openpyxl_s, 2), "import_s": round(import_s, 2),
        "ratio_calamine": round(import_s / calamine_s, 2), "ratio_openpyxl": round(import_s / openpyxl_s, 2),
        "import_cpu_s": round(statistics.median(r["cpu_s"] for r in imports), 2),
        "calamine_peak_mb": round(max(r["maxrss_mb"] for r in bare["calamine"]), 1),
        "import_peak_mb": round(max(r["maxrss_mb"] for r in imports), 1),
        "import_runs_s": [round(r["seconds"], 2) for r in imports],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=20_000, help="the smaller file for the memory comparison")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--readers", default="stream",
                        help="comma-separated readers of the import to measure (stream, calamine, openpyxl)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--child", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.child:
        run_child(args.child)
        return
    use_pg = not args.no_postgres and postgres_available()
    engines = [*(["postgresql"] if use_pg else []), "sqlite"]
    readers = [r for r in args.readers.split(",") if r]
    big, small = make_workbook(args.rows), make_workbook(args.small)
    templates = prepare_templates(use_pg)
    results, lines = [], []
    try:
        for engine in engines:
            for reader in readers:
                row = measure(engine, templates, big, reader, args.reps)
                low = measure(engine, templates, small, reader, 1)
                row["small_rows"], row["small_import_peak_mb"] = low["rows"], low["import_peak_mb"]
                row["memory_ratio"] = round(row["import_peak_mb"] / low["import_peak_mb"], 2)
                results.extend([row, low])
                print(f"  {engine:10} {reader:8} {row['rows']:>7} rows: import {row['import_s']:6.2f}s = "
                      f"{row['ratio_calamine']}x calamine ({row['calamine_s']}s), {row['ratio_openpyxl']}x openpyxl "
                      f"({row['openpyxl_s']}s); peak {row['import_peak_mb']} MB = {row['memory_ratio']}x that at "
                      f"{low['rows']} rows ({low['import_peak_mb']} MB)", flush=True)
                lines.append((f"{engine} {reader} {row['rows']} rows",
                              f"import {row['import_s']}s = {row['ratio_calamine']}x the bare calamine read "
                              f"({row['calamine_s']}s), {row['ratio_openpyxl']}x the bare openpyxl read "
                              f"({row['openpyxl_s']}s); peak memory {row['import_peak_mb']} MB, "
                              f"{row['memory_ratio']}x the {low['import_peak_mb']} MB at {low['rows']} rows "
                              f"(goal <= 3x calamine, <= 1.5x memory)"))
    finally:
        if use_pg:
            drop_postgres()
    report("import_enterprises", lines, {"rows": args.rows, "small": args.small, "reps": args.reps,
                                         "results": results})


if __name__ == "__main__":
    main()
