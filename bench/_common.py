"""Shared helpers for the benchmarks: a private PostgreSQL database, timing, reporting.

Every benchmark measures the thing and its baseline (raw SQL, bare parsing) in
the same run, alternating, and reports medians and the ratio: these machines
are noisy, so only ratios measured side by side mean anything.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def use_postgres(name: str, *, fresh: bool = True) -> str:
    """Point Django at database ``name`` on the local server (dropping it first if ``fresh``)."""
    import psycopg

    url = f"{PG_SERVER}/{name}"
    if fresh:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    return url


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anjian.settings")
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def alternate(a: Callable[[], object], b: Callable[[], object], runs: int = 15, warmup: int = 3) -> dict:
    """Time a and b in turn (A B A B ...); medians in ms and the median of pairwise ratios."""
    for _ in range(warmup):
        a()
        b()
    ta, tb, ratios = [], [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        a()
        t1 = time.perf_counter()
        b()
        t2 = time.perf_counter()
        ta.append((t1 - t0) * 1000)
        tb.append((t2 - t1) * 1000)
        ratios.append((t1 - t0) / (t2 - t1))
    return {
        "a_median_ms": round(statistics.median(ta), 3),
        "b_median_ms": round(statistics.median(tb), 3),
        "a_min_ms": round(min(ta), 3),
        "b_min_ms": round(min(tb), 3),
        "ratio_median": round(statistics.median(ratios), 3),
        "runs": runs,
    }


def report(name: str, rows: list[tuple[str, object]], data: dict) -> None:
    width = max(len(k) for k, _ in rows)
    print(f"\n{name}")
    for key, value in rows:
        print(f"  {key.ljust(width)}  {value}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str))
