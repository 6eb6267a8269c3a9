"""Chinese names in pinyin order (李 li < 王 wang < 张 zhang), not in code-point order (张 < 李).

``chinese("name")`` is an expression to order by: on PostgreSQL it is
``name COLLATE "zh-Hans-x-icu"`` (ICU's pinyin collation for simplified Chinese), elsewhere
(SQLite, or a PostgreSQL built without ICU) the plain column, so the order falls back to
code points and nothing breaks::

    Enterprise.objects.order_by(chinese("name"), "pk")
    Enterprise.objects.order_by(chinese_order("-name"), "pk")   # a leading "-" descends

Why a collation per query and not a collation on the column: no migration and no rewrite of
the table, it works on an existing database, and the column keeps its default collation for
equality, ``LIKE`` and the unique and prefix indexes. The price is that an ``ORDER BY`` in
pinyin cannot read the plain btree index on the column; ``bench/pinyin_order.py`` measures
what that costs the enterprise list (100,000 enterprises) — see docs/registry.md.

The choice is made when the query is compiled, not when it is built, so ``chinese(...)`` can
sit in class attributes (a viewset's ``ordering``) without touching the database at import
time. Whether the collation exists is asked once per database connection object (a Django
``DatabaseWrapper``, i.e. once per thread and database) and remembered; the question goes
through the driver's own cursor, as Django's own connection set-up does, so it is not one of
a page's queries (the query-count tests stay constant whichever test asks first).

Always add a unique secondary key (``"pk"`` or a code) after a name, so that pages are
deterministic when two names are equal.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, OrderBy
from django.db.models.expressions import Combinable
from django.db.models.functions import Collate
from rest_framework.filters import OrderingFilter

# ICU's simplified-Chinese collation (pinyin), with a fallback to the generic Chinese one
# (also pinyin in CLDR). Both are created by initdb on a PostgreSQL built with ICU.
COLLATIONS = ("zh-Hans-x-icu", "zh-x-icu")

_CACHE = "_anjian_chinese_collation"

PROBE_SQL = (
    "SELECT collname FROM pg_catalog.pg_collation "
    "WHERE collname = ANY(%s) AND pg_catalog.pg_collation_is_visible(oid) "
    "AND collencoding IN (-1, pg_catalog.pg_char_to_encoding(pg_catalog.getdatabaseencoding()))"
)


def collation_for(connection: Any) -> str | None:
    """The pinyin collation of this connection's database, or None (SQLite; PostgreSQL without ICU)."""
    if connection.vendor != "postgresql":
        return None
    name = connection.settings_dict.get("NAME")
    cached = connection.__dict__.get(_CACHE)
    if cached is not None and cached[0] == name:
        return cached[1]
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:  # the driver's cursor: not logged as a page query
        cursor.execute(PROBE_SQL, [list(COLLATIONS)])
        found = {row[0] for row in cursor.fetchall()}
    collation = next((c for c in COLLATIONS if c in found), None)
    connection.__dict__[_CACHE] = (name, collation)
    return collation


class ChineseCollate(Collate):
    """``expression COLLATE "zh-Hans-x-icu"`` where the database has it, else ``expression``."""

    def __init__(self, expression: Any) -> None:
        super().__init__(expression, COLLATIONS[0])

    def as_sql(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, Any]:
        collation = collation_for(connection)
        if collation is None:
            return compiler.compile(self.get_source_expressions()[0])
        extra_context["collation"] = connection.ops.quote_name(collation)
        return super().as_sql(compiler, connection, **extra_context)


def chinese(field_or_expression: str | Combinable) -> ChineseCollate:
    """An expression to order by that sorts Chinese text in pinyin order where the database can."""
    expression = F(field_or_expression) if isinstance(field_or_expression, str) else field_or_expression
    return ChineseCollate(expression)


def chinese_order(term: str) -> OrderBy:
    """``order_by`` term for a field in pinyin, a leading ``-`` descending: ``chinese_order("-name")``."""
    return OrderBy(chinese(term.lstrip("-")), descending=term.startswith("-"))


def chinese_terms(terms: list[Any] | tuple[Any, ...], fields: tuple[str, ...] | set[str]) -> list[Any]:
    """``terms`` with those naming one of ``fields`` (``"name"``, ``"-name"``) in pinyin, the others unchanged."""
    return [chinese_order(t) if isinstance(t, str) and t.lstrip("-") in fields else t for t in terms]


def with_tiebreak(terms: list[Any] | tuple[Any, ...], key: str = "pk") -> list[Any]:
    """``terms`` followed by ``key`` unless it is already there: a deterministic order for paging."""
    names = {t.lstrip("-") for t in terms if isinstance(t, str)}
    if key in names or (key == "pk" and "id" in names):
        return list(terms)
    return [*terms, key]


class ChineseOrderingFilter(OrderingFilter):
    """DRF's ``OrderingFilter`` with the view's ``chinese_ordering_fields`` in pinyin and the primary key last.

    ``?ordering=name`` and ``?ordering=-name`` sort in pinyin; the other ordering fields keep
    their plain order; ``pk`` is appended so that the pages of an ordering are deterministic.
    """

    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        fields = tuple(getattr(view, "chinese_ordering_fields", ()))
        return queryset.order_by(*chinese_terms(with_tiebreak(ordering), fields))
