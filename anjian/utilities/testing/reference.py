"""Reference data that the data migrations load (sector catalogue, GB 6441 types,
checklists, the 2017 plan). A transactional test (live server, real Celery
worker, concurrency) ends by emptying every table, taking that data with it;
``ensure_reference_data()`` puts it back before the next database test.
Each loader is idempotent; each check is one query.
"""

from __future__ import annotations

from collections.abc import Callable


def _sectors() -> tuple[Callable[[], bool], Callable[[], object]]:
    from anjian.territory.catalogue import load_sectors
    from anjian.territory.models import Sector

    return Sector.objects.exists, load_sectors


def _accident_types() -> tuple[Callable[[], bool], Callable[[], object]]:
    from anjian.accidents.catalogue import load_accident_types
    from anjian.accidents.models import AccidentTypeCode

    return AccidentTypeCode.objects.exists, load_accident_types


def _checklists() -> tuple[Callable[[], bool], Callable[[], object]]:
    from anjian.inspections.checklists import load_checklists
    from anjian.inspections.models import ChecklistTemplate

    return ChecklistTemplate.objects.exists, load_checklists


def _plan_2017() -> tuple[Callable[[], bool], Callable[[], object]]:
    from anjian.targets.loader import load_plan, load_scheme, read
    from anjian.targets.models import AssessmentItem, AssessmentScheme, Plan, Target

    def load() -> None:
        load_plan(read("plan-2017.json"), Plan, Target)
        load_scheme(read("assessment-2017.json"), {"Plan": Plan, "Target": Target,
                                                    "AssessmentScheme": AssessmentScheme,
                                                    "AssessmentItem": AssessmentItem})

    return Plan.objects.filter(year=2017).exists, load


# In dependency order (checklists name sectors).
REFERENCE = [_sectors, _accident_types, _checklists, _plan_2017]


def ensure_reference_data() -> None:
    for spec in REFERENCE:
        present, load = spec()
        if not present():
            load()
