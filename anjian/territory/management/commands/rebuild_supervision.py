"""``anjian rebuild_supervision``: bring the sectors each department supervises in effect
(``territory.Supervision``) in line with the departments' named sectors, their safety-authority
flag and the sector tree.

The signals keep it in step with every change made through the platform; run this after loading
departments, department sectors or sectors behind the ORM (SQL, COPY, a data migration that does
not call ``rebuild``). Safe to run any time: it writes only the differences.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from anjian.territory.supervision import rebuild


class Command(BaseCommand):
    help = "Recompute the sectors each department supervises in effect (sub-sectors; all for the safety authority)."

    def handle(self, *args: Any, **options: Any) -> None:
        written = rebuild()
        self.stdout.write(f"supervision: {written} row(s) changed")
