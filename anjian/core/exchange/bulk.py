"""Writing many rows: upserts and plain inserts without Django's per-value compiler (``COPY`` on
PostgreSQL)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.db import models
from django.utils import timezone

# ---------------------------------------------------------------------------------------------
# Values of these field types are passed to the driver as they are when they have the plain Python type.
_PLAIN = {
    "CharField": (str,), "TextField": (str,), "SlugField": (str,), "BooleanField": (bool,),
    "IntegerField": (int,), "PositiveIntegerField": (int,), "PositiveSmallIntegerField": (int,),
    "SmallIntegerField": (int,), "BigIntegerField": (int,), "PositiveBigIntegerField": (int,),
}


def bulk_upsert(model: type[models.Model], objs: Sequence[models.Model], *, unique_fields: Sequence[str] = (),
                update_fields: Sequence[str] = (), batch_size: int = 2000) -> None:
    """``bulk_create(objs, update_conflicts=True, unique_fields=..., update_fields=...)``, faster.

    The same upsert (``INSERT ... ON CONFLICT (unique) DO UPDATE SET ... RETURNING``, from the
    backend's own SQL helpers), with two savings measured on 100,000 enterprises:

    * each field's values are prepared by one function chosen once per field (plain ``str``,
      ``int`` and ``bool`` go to the driver as they are), not by Django's per-value compiler,
      which costs more than the database work for wide rows;
    * on PostgreSQL the rows travel by ``COPY`` (into a temporary table, then one
      ``INSERT ... SELECT ... ON CONFLICT``), not as thousands of parameters per statement.

    Sets the primary key of every object (matched by ``unique_fields``). Without
    ``unique_fields`` it is a plain bulk INSERT. Like ``bulk_create``: no ``save()``, no signals.
    """
    from django.db import connections, router
    from django.db.models.constants import OnConflict

    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    if connection.vendor not in ("sqlite", "postgresql"):
        model._default_manager.bulk_create(objs, batch_size=batch_size, update_conflicts=bool(unique_fields),
                                           unique_fields=unique_fields or None, update_fields=update_fields or None)
        return
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]
    quote = connection.ops.quote_name
    now = timezone.now()
    getters = [_value_getter(f, connection, now) for f in fields]
    unique = [opts.get_field(name) for name in unique_fields]
    updates = [opts.get_field(name) for name in update_fields]
    columns = ", ".join(quote(f.column) for f in fields)
    on_conflict = OnConflict.UPDATE if unique else None
    head = f"{connection.ops.insert_statement(on_conflict=on_conflict)} {quote(opts.db_table)} ({columns})"
    tail = connection.ops.on_conflict_suffix_sql(fields, on_conflict, [f.column for f in updates],
                                                 [f.column for f in unique]) if unique else ""
    returning = ""
    if unique:
        returning = f"RETURNING {quote(opts.pk.column)}, {', '.join(quote(f.column) for f in unique)}"
    by_key = {tuple(getattr(o, f.attname) for f in unique): o for o in objs} if unique else {}

    def set_pks(rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            obj = by_key.get(tuple(row[1:]))
            if obj is not None:
                obj.pk = row[0]
                obj._state.adding = False

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            rows = ([get(obj) for get in getters] for obj in objs)
            if not unique:
                copy_rows(cursor, opts.db_table, [f.column for f in fields], rows)
                return
            stage = quote(f"anjian_stage_{opts.db_table}")
            cursor.execute(f"DROP TABLE IF EXISTS {stage}")
            cursor.execute(f"CREATE TEMPORARY TABLE {stage} AS SELECT {columns} FROM {quote(opts.db_table)} "  # noqa: S608
                           "WITH NO DATA")
            copy_rows(cursor, f"anjian_stage_{opts.db_table}", [f.column for f in fields], rows)
            cursor.execute(f"{head} SELECT {columns} FROM {stage} {tail} {returning}")  # noqa: S608
            set_pks(cursor.fetchall())
            cursor.execute(f"DROP TABLE {stage}")
            return
        # SQLite: multi-row INSERTs within its limit on parameters (999 on old builds).
        per_statement = max(1, min(batch_size, 999 // len(fields)))
        row_placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
        for chunk in iter_chunks(objs, per_statement):
            params = [get(obj) for obj in chunk for get in getters]
            sql = f"{head} VALUES {', '.join([row_placeholder] * len(chunk))} {tail} {returning}"  # noqa: S608
            cursor.execute(sql, params)
            if unique:
                set_pks(cursor.fetchall())


def upsert_values(model: type[models.Model], rows: Sequence[dict[str, Any]], *, unique_fields: Sequence[str],
                  update_fields: Sequence[str]) -> list[Any]:
    """``bulk_upsert`` for rows given as dicts of Python values by attname, not model instances
    (building 100,000 instances costs seconds): a field a row leaves out takes its default,
    ``auto_now`` fields the current time. Returns the primary keys, in the order of ``rows``.
    PostgreSQL and SQLite only (the ``INSERT ... ON CONFLICT ... RETURNING`` of ``bulk_upsert``)."""
    from django.db import connections, router
    from django.db.models.constants import OnConflict

    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]
    now = timezone.now()
    # Per field: (attname, prepare, the prepared default); auto_now fields always take the time.
    plan: list[tuple[str | None, Callable[[Any], Any], Any]] = []
    for f in fields:
        prepare = _preparer(f, connection)
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            plan.append((None, prepare, prepare(now)))
        elif callable(f.default):
            plan.append((f.attname, prepare, f.get_default))  # called per row below
        else:
            plan.append((f.attname, prepare, prepare(f.get_default())))

    def prepared(row: dict[str, Any]) -> list[Any]:
        values = []
        for name, prepare, default in plan:
            if name is not None and name in row:
                values.append(prepare(row[name]))
            elif callable(default):
                values.append(prepare(default()))
            else:
                values.append(default)
        return values

    quote = connection.ops.quote_name
    unique = [opts.get_field(name) for name in unique_fields]
    updates = [opts.get_field(name) for name in update_fields]
    columns = ", ".join(quote(f.column) for f in fields)
    head = f"{connection.ops.insert_statement(on_conflict=OnConflict.UPDATE)} {quote(opts.db_table)} ({columns})"
    tail = connection.ops.on_conflict_suffix_sql(fields, OnConflict.UPDATE, [f.column for f in updates],
                                                 [f.column for f in unique])
    returning = f"RETURNING {quote(opts.pk.column)}, {', '.join(quote(f.column) for f in unique)}"
    keys = [tuple(row[f.attname] for f in unique) for row in rows]
    pks: dict[tuple, Any] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            stage = f"anjian_stage_{opts.db_table}"
            cursor.execute(f"DROP TABLE IF EXISTS {quote(stage)}")
            cursor.execute(f"CREATE TEMPORARY TABLE {quote(stage)} AS SELECT {columns} "  # noqa: S608
                           f"FROM {quote(opts.db_table)} WITH NO DATA")
            copy_rows(cursor, stage, [f.column for f in fields], (prepared(row) for row in rows))
            cursor.execute(f"{head} SELECT {columns} FROM {quote(stage)} {tail} {returning}")  # noqa: S608
            pks.update((tuple(r[1:]), r[0]) for r in cursor.fetchall())
            cursor.execute(f"DROP TABLE {quote(stage)}")
        else:
            per_statement = max(1, 999 // len(fields))
            placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
            for chunk in iter_chunks(rows, per_statement):
                params = [v for row in chunk for v in prepared(row)]
                cursor.execute(f"{head} VALUES {', '.join([placeholder] * len(chunk))} {tail} {returning}",  # noqa: S608
                               params)
                pks.update((tuple(r[1:]), r[0]) for r in cursor.fetchall())
    return [pks[key] for key in keys]


def insert_values(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]], *,
                  constants: dict[str, Any] | None = None) -> None:
    """Rows of Python values for the fields ``names`` (in that order) into ``model``'s table: each
    field's own conversion (``get_db_prep_save``) chosen once per field, plain ``str``/``int``/``bool``
    passed as they are; ``auto_now`` fields not named get the current time. No model instances, no
    signals (the audit rows of an import: building 100,000 instances costs more than inserting them).
    ``constants`` are fields with the same value in every row, prepared once."""
    from django.db import connections, router

    connection = connections[router.db_for_write(model)]
    opts = model._meta
    fields = [opts.get_field(name) for name in names]
    now = timezone.now()
    stamped = [f for f in opts.concrete_fields if f.name not in names
               and (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))]
    constant_fields = [opts.get_field(name) for name in constants or {}]
    tail = [f.get_db_prep_save(now, connection=connection) for f in stamped]
    tail += [_preparer(f, connection)(value) for f, value in zip(constant_fields, (constants or {}).values(), strict=True)]
    prepares = [_preparer(f, connection) for f in fields]
    prepared = [[prepare(value) for prepare, value in zip(prepares, row, strict=True)] + tail for row in rows]
    insert_rows(opts.db_table, [f.column for f in (*fields, *stamped, *constant_fields)], prepared)


def _preparer(field: models.Field, connection: Any) -> Callable[[Any], Any]:
    """The field's ``get_db_prep_save``, skipped for values of a plain type the driver takes as they are."""
    target = field.target_field if field.is_relation and field.many_to_one else field  # a key: its target's type
    plain = _PLAIN.get(target.get_internal_type(), ())
    prepare = field.get_db_prep_save

    def value(v: Any) -> Any:
        if v is None or type(v) in plain:
            return v
        return prepare(v, connection=connection)

    return value


def insert_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Rows (already database values) into ``table``: ``COPY`` on PostgreSQL, multi-row INSERTs elsewhere.
    No models, no signals: for many-to-many tables and the like."""
    from django.db import connection

    if not rows:
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            copy_rows(cursor, table, columns, rows)
            return
        per_statement = max(1, 999 // len(columns))
        placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
        head = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES "  # noqa: S608
        for chunk in iter_chunks(rows, per_statement):
            cursor.execute(head + ", ".join([placeholder] * len(chunk)), [v for row in chunk for v in row])


def copy_rows(cursor: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """``COPY table (columns) FROM STDIN`` through psycopg (PostgreSQL only)."""
    from django.db import connection

    quote = connection.ops.quote_name
    with cursor.cursor.copy(f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _value_getter(field: models.Field, connection: Any, now: datetime.datetime) -> Callable[[models.Model], Any]:
    attname = field.attname
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        prepared = field.get_db_prep_save(now, connection=connection)

        def stamped(obj: models.Model) -> Any:
            setattr(obj, attname, now)
            return prepared

        return stamped
    plain = _PLAIN.get(field.get_internal_type(), ())
    prepare = field.get_db_prep_save

    def value(obj: models.Model) -> Any:
        v = getattr(obj, attname)
        if v is None or type(v) in plain:
            return v
        return prepare(v, connection=connection)

    return value


def iter_chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
