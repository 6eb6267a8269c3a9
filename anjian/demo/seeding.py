"""Reproducible random streams for the demo data: one per purpose, seeded by name."""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from typing import Any


class DemoRandom(random.Random):
    """``random.Random`` with two helpers the demo loaders keep needing."""

    def date_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        """A day in [start, end] (inclusive)."""
        return start + datetime.timedelta(days=self.randint(0, max(0, (end - start).days)))

    def weighted(self, choices: Sequence[tuple[Any, float]] | Sequence[list[Any]]) -> Any:
        """One value of ``[(value, weight), ...]``."""
        values = [c[0] for c in choices]
        weights = [c[1] for c in choices]
        return self.choices(values, weights=weights, k=1)[0]


def rng_for(seed: int | str, name: str) -> DemoRandom:
    """An independent, reproducible stream for ``name``: string seeds are hashed with SHA-512, so the
    stream is the same on every machine and run (no ``PYTHONHASHSEED`` dependence)."""
    return DemoRandom(f"anjian-demo:{seed}:{name}")  # noqa: S311


__all__ = ["DemoRandom", "rng_for"]
