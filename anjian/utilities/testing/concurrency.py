"""Racing actions against each other, on PostgreSQL (row locks) and on SQLite (immediate
transactions; the test database is a file, see docs/architecture.md, Concurrency)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def race(n: int, act: Callable[[int], object]) -> list[object]:
    """Run ``act(i)`` in n threads released together; each thread has its own connection.

    Returns each thread's result, or the exception it raised.
    """
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = act(i)
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test looks at
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results
