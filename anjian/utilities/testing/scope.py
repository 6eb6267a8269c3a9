"""The generic data-scope cases. Each app lists its scoped models in
``<app>/tests/scope_cases.py`` as ``SCOPE_CASES = [ScopeCase(...), ...]``;
``anjian/utilities/tests/test_data_scope.py`` proves every case for every persona.

A new model is covered by adding one line: ``ScopeCase(Model, "api-prefix",
"app:list", make=lambda world, enterprise: <create one row of enterprise>)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from anjian.utilities.discovery import app_modules


@dataclass(frozen=True)
class ScopeCase:
    model: type
    api: str | None  # API collection prefix under /api/v1/, or None
    page: str | None  # URL name of the list page, or None
    make: Callable[[Any, Any], Any]  # (world, enterprise) -> a row belonging to that enterprise
    # Personas allowed to open the list page / API (others get 403 or an empty list).
    detail_page: str | None = None  # URL name of the detail page taking pk
    writable: dict[str, Any] = field(default_factory=dict)  # PATCH payload to try outside scope
    public: bool = False  # reference data every business role may read
    # (world, i) -> the i-th extra row, where ``make`` cannot make another one for a new enterprise
    # (reference data): the generic query-count test grows the collection with it.
    more: Callable[[Any, int], Any] | None = None

    @property
    def id(self) -> str:
        return self.model._meta.label


def all_cases() -> list[ScopeCase]:
    cases: list[ScopeCase] = []
    for _label, module in app_modules("tests.scope_cases"):
        cases.extend(module.SCOPE_CASES)
    return cases
