"""Many-row INSERTs and UPDATEs with next to no Python per row, for the sweeps.

`QuerySet.bulk_create` builds a model instance per row and prepares every field of it (`pre_save`,
`get_db_prep_save`): at a sweep's thousands of alerts, that Python is most of the write's time.
`insert` takes plain tuples, picks each column's adaptation once, and can skip rows that break a
unique constraint while returning the rows it did insert (`ON CONFLICT DO NOTHING RETURNING`, on
PostgreSQL and SQLite >= 3.35), which `bulk_create` cannot do on PostgreSQL.

`update` writes many rows' new values in one statement on PostgreSQL (an UPDATE joined to arrays),
where `QuerySet.bulk_update` builds a CASE WHEN per row and value: milliseconds of Python per row.

On PostgreSQL each column travels as one array literal (`'{1,2,3}'::bigint[]`), which the server reads
in one pass. A row per VALUES tuple, or psycopg2's own `ARRAY[...]` of a list, is an expression per
value for the driver to quote and the server to parse: at a sweep's size, that took longer than
writing the rows (bench/sweep).

Nothing is filled in for the caller: no `auto_now`, no Python defaults. Name every column.
"""

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from functools import partial

from django.db import connection, models

_INTEGERS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallAutoField",
    "SmallIntegerField",
}
# Values of these columns reach the driver as they are (ints, strings, booleans, None).
_AS_IS = _INTEGERS | {"BooleanField", "CharField", "EmailField", "ForeignKey", "OneToOneField", "TextField"}


def insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence],
    *,
    skip_conflicts: bool = False,
    returning: Sequence[str] = (),
) -> list[tuple]:
    """INSERT `rows` (values in the order of `columns`, field names) into `model`'s table.

    Returns the `returning` fields of the rows inserted; with `skip_conflicts`, rows that would break
    a unique constraint are left out silently, and so are absent from what is returned.
    """
    rows = list(rows)
    if not rows:
        return []
    fields = _columns(model, columns)
    adapters = [_adapter(field) for field in fields]
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column or "") for field in fields)
    head = f"INSERT INTO {quote(model._meta.db_table)} ({names}) "
    tail = " ON CONFLICT DO NOTHING" if skip_conflicts else ""
    if returning:
        tail += " RETURNING " + ", ".join(quote(field.column or "") for field in _columns(model, returning))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one statement over arrays (unnest), PostgreSQL's alone
            arrays, params = _arrays(fields, adapters, rows)
            cursor.execute(f"{head}SELECT * FROM unnest({arrays}){tail}", params)
            return cursor.fetchall() if returning else []
        return _insert_values(cursor, head, tail, fields, adapters, rows, returning)


def update(model: type[models.Model], key: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """UPDATE the rows of `model` named by `key` (a unique field) from `rows`: (key value, then one
    value per field of `columns`). Returns how many rows it updated."""
    rows = list(rows)
    if not rows:
        return 0
    fields = _columns(model, (key, *columns))
    adapters = [_adapter(field) for field in fields]
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), [quote(field.column or "") for field in fields]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # an UPDATE joined to arrays (unnest), PostgreSQL's alone
            arrays, params = _arrays(fields, adapters, rows)
            assignments = ", ".join(f"{name} = v.{name}" for name in names[1:])
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments} FROM unnest({arrays}) AS v({', '.join(names)})"
                f" WHERE t.{names[0]} = v.{names[0]}",
                params,
            )
            return cursor.rowcount
        assignments = ", ".join(f"{name} = %s" for name in names[1:])
        adapted = ([adapt(value) for adapt, value in zip(adapters, row, strict=True)] for row in rows)
        key_last = [values[1:] + values[:1] for values in adapted]  # the key comes last, in the WHERE
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {names[0]} = %s", key_last)
        return len(rows)


def _arrays(fields, adapters, rows) -> tuple[str, list[str]]:
    """The placeholders (`%s::type[]`, one per field) and one array literal per column of `rows`."""
    placeholders = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    columns = zip(fields, adapters, zip(*rows, strict=True), strict=True)
    return placeholders, [_array_literal(field, values, adapt) for field, adapt, values in columns]


def _array_literal(field: models.Field, values: Iterable, adapt: Callable | None = None) -> str:
    """PostgreSQL's text form of an array of `field`'s `values`: `{1,NULL}`, `{"a \\"b\\"",NULL}`.
    Anything but an integer is double-quoted, so commas, braces, spaces and the word NULL inside
    text stay text. Integers and moments, the bulk of a sweep's values, skip the general path."""
    kind = _stored_kind(field)
    if kind in _INTEGERS:
        elements = ["NULL" if value is None else str(value) for value in values]
    elif kind == "DateTimeField":  # an ISO moment holds nothing that needs escaping
        elements = ["NULL" if value is None else f'"{value.isoformat()}"' for value in values]
    else:
        adapt = adapt or _adapter(field)
        elements = ["NULL" if value is None else _quoted(adapt(value)) for value in values]
    return "{" + ",".join(elements) + "}"


def _quoted(value) -> str:
    # A duration as str() gives it ("1 day, 2:00:00") is no PostgreSQL interval; seconds are.
    text = f"{value.total_seconds()} seconds" if isinstance(value, timedelta) else str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _columns(model: type[models.Model], names: Sequence[str]) -> list[models.Field]:
    fields = [model._meta.get_field(name) for name in names]
    for field in fields:
        if not isinstance(field, models.Field) or field.column is None:
            raise TypeError(f"{model.__name__}.{field.name} is not a column.")
    return fields  # type: ignore[return-value]  # narrowed by the loop above


def _stored_kind(field: models.Field) -> str:
    """The internal type of what the column holds: a foreign key holds its target's."""
    if isinstance(field, models.ForeignKey):
        return field.target_field.get_internal_type()
    return field.get_internal_type()


def _insert_values(cursor, head, tail, fields, adapters, rows, returning) -> list[tuple]:
    inserted = []
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = connection.ops.bulk_batch_size(fields, rows)  # SQLite caps one statement's parameters
    for chunk in (rows[start : start + size] for start in range(0, len(rows), size)):
        params = [adapt(value) for row in chunk for adapt, value in zip(adapters, row, strict=True)]
        cursor.execute(f"{head}VALUES {', '.join([one_row] * len(chunk))}{tail}", params)
        if returning:
            inserted += cursor.fetchall()
    return inserted


def _as_is(value):
    return value


def _adapter(field: models.Field) -> Callable:
    """How one column's values are handed to the driver: as the backend stores them, by the cheapest
    route. JSON and UUIDs go as text, which the column's cast reads: psycopg2's own wrappers for them
    cost two to three times more per value."""
    kind = field.get_internal_type()
    if kind in _AS_IS:
        return _as_is
    if kind == "DateTimeField":
        return connection.ops.adapt_datetimefield_value
    if kind == "JSONField":
        return partial(json.dumps, cls=getattr(field, "encoder", None))
    if kind == "UUIDField" and connection.features.has_native_uuid_field:
        return str
    return partial(field.get_db_prep_save, connection=connection)
