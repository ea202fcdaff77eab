"""Many rows in one statement, for the donation hot path: new instances (``insert_many``), rows
that may exist already (``insert_missing``), and a table of rows as a query parameter
(``values_table``).

For new instances, on PostgreSQL the rows go in with ``COPY … FROM STDIN`` after their ids are drawn from the table's
sequence in one query. Django's ``bulk_create`` spends most of its time building one SQL text with
a placeholder per value, which psycopg then quotes value by value in Python; COPY streams the
rows through psycopg's C row formatter and spares PostgreSQL the parsing of that text. Constraints,
foreign keys and triggers apply as for INSERT, and a violation raises Django's IntegrityError.
Elsewhere (SQLite) this is ``bulk_create``.
"""

import re
from collections.abc import Callable, Sequence
from functools import cache
from operator import attrgetter

from django.db import connection, models


def insert_many(objs: Sequence[models.Model]) -> None:
    """Insert unsaved instances of one model; each gets its primary key, as with bulk_create.
    Defaults and ``auto_now_add`` are applied as ``save()`` would."""
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs)
        return
    copy_sql, sequence, read_row = _plan(model)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, len(objs)])
        pk = model._meta.pk.attname
        for obj, (id_,) in zip(objs, cursor.fetchall(), strict=True):
            setattr(obj, pk, id_)
        rows = [read_row(obj) for obj in objs]
        with connection.wrap_database_errors, cursor.cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias


@cache
def _plan(model: type[models.Model]) -> tuple[str, str, Callable[[models.Model], tuple]]:
    """The COPY statement, the id sequence and the row reader (an instance → its column values), per model."""
    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    copy_sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, model._meta.pk.column])
        (sequence,) = cursor.fetchone()
    if sequence is None:
        raise TypeError(f"insert_many needs an auto-increment primary key; {model.__name__} has none")
    return copy_sql, sequence, _row_reader(fields)


def _row_reader(fields) -> Callable[[models.Model], tuple]:
    """Plain attributes are read by one ``attrgetter`` (in C: the hot tables have ~20 columns);
    ``auto_now`` times and JSON are then prepared as ``save()`` would."""
    names = [field.attname for field in fields]
    plain = attrgetter(*names) if len(names) > 1 else (lambda obj: (getattr(obj, names[0]),))
    prepared = {n: prepare for n, prepare in enumerate(map(_preparer, fields)) if prepare is not None}
    if not prepared:
        return plain

    def read(obj: models.Model) -> tuple:
        row = list(plain(obj))
        for n, prepare in prepared.items():
            row[n] = prepare(obj, row[n])
        return tuple(row)

    return read


def _preparer(field: models.Field) -> Callable[[models.Model, object], object] | None:
    """How ``save()`` turns the attribute into the column's value, if not as it is."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj, _value: field.pre_save(obj, add=True)
    if isinstance(field, models.JSONField):
        return lambda _obj, value: field.get_db_prep_save(value, connection)
    return None


def insert_missing(model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple], *, unique: Sequence[str]) -> None:
    """Insert rows (values of ``columns``) unless a row with the same ``unique`` columns exists,
    without model instances: ``INSERT … ON CONFLICT DO NOTHING``. On PostgreSQL the values go as
    one array per column (see :func:`values_table`); on SQLite as VALUES rows, at most 1,000 per
    statement (its limit of bound parameters)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
    tail = f" ON CONFLICT ({', '.join(quote(c) for c in unique)}) DO NOTHING"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = _column_types(model)
            cursor.execute(head + "SELECT * FROM " + _unnest([types[column] for column in columns]) + tail, values_params(rows))
            return
        for start in range(0, len(rows), 1000):
            chunk = rows[start:start + 1000]
            cursor.execute(head + _values(len(chunk), len(columns)) + tail, values_params(chunk))


@cache
def _column_types(model: type[models.Model]) -> dict[str, str]:
    return {field.column: field.db_type(connection) for field in model._meta.concrete_fields}


def values_table(count: int, types: Sequence[str]) -> str:
    """SQL for a table of ``count`` rows of ``len(types)`` values, after ``IN`` or ``FROM``; its
    parameters are ``values_params(rows)``. On PostgreSQL ``(SELECT * FROM unnest(%s::type[], …))``,
    one array per column: with a placeholder per value, psycopg spends ~3× the CPU quoting them
    (a batch's counter book names hundreds of rows). Elsewhere ``(VALUES (%s, …), …)``."""
    if connection.vendor == "postgresql":
        return f"(SELECT * FROM {_unnest(types)})"
    return f"({_values(count, len(types))})"


def values_params(rows: Sequence[tuple]) -> list:
    if connection.vendor == "postgresql":
        return [_array_literal(column) for column in zip(*rows)]
    return [v for row in rows for v in row]


def _array_literal(values: Sequence) -> str:
    """An array's text form (``{1,2}``, ``{"a","b"}``), cast by the SQL to its type: psycopg
    adapts a list element by element in Python, ~3× the CPU of joining the text here."""
    if all(type(value) is int for value in values):
        return "{" + ",".join(map(str, values)) + "}"
    return "{" + ",".join(map(_array_element, values)) + "}"


def _array_element(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unnest(types: Sequence[str]) -> str:
    # Each array is cast without the type's length: an explicit cast to varchar(n) would cut a
    # longer value silently, where the column itself refuses it.
    arrays = [f"%s::{_LENGTH.sub('', t)}[]" for t in types]
    return f"unnest({', '.join(arrays)})"


_LENGTH = re.compile(r"\(.*?\)")


def _values(count: int, width: int) -> str:
    row = f"({', '.join(['%s'] * width)})"
    return f"VALUES {', '.join([row] * count)}"
