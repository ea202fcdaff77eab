"""Writing many prepared rows fast, on SQLite and PostgreSQL alike.

The demo generator writes hundreds of thousands of rows. ``bulk_create`` spends most of its
time building model instances and running ``pre_save`` per field (which also replaces the
backdated times of ``auto_now_add`` fields with "now"). Here rows are tuples already in database
form, written with ``executemany`` and explicit primary keys, so that rows can point at each
other before they are written; sequences are moved past the new keys at the end, as
``loaddata`` does.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence

from django.core.management.color import no_style
from django.db import models, transaction
from django.db.models import Max

__all__ = ["RowWriter"]

_CHUNK = 20_000
_SQLITE_CACHE_KIB = 256 * 1024
_EPOCH = dt.date(1970, 1, 1)


class RowWriter:
    """Inserts rows with explicit ids inside the caller's transaction; ``finish`` fixes sequences."""

    def __init__(self) -> None:
        self.connection = transaction.get_connection()
        assert self.connection.in_atomic_block, "demo rows are written inside one transaction"
        self.counts: Counter[str] = Counter()
        self._models: list[type[models.Model]] = []
        self._adapt_datetime = self.connection.ops.adapt_datetimefield_value
        # SQLite stores a UTC time as the text of the naive datetime ("2026-11-23 14:00:00");
        # writing that text directly is several times faster than Django's adapter.
        self._sqlite_utc = self.connection.vendor == "sqlite" and self.connection.timezone_name == "UTC"
        self._days: dict[int, str] = {}
        self._cache_size = None
        if self.connection.vendor == "sqlite":
            # A bigger page cache (default 2 MB) keeps the indexes of the big tables in memory
            # while they grow, so inserts need less I/O and CPU. Restored by ``close``.
            with self.connection.cursor() as cursor:
                self._cache_size = cursor.execute("PRAGMA cache_size").fetchone()[0]
                cursor.execute(f"PRAGMA cache_size = {-_SQLITE_CACHE_KIB}")

    def lock(self, model_list: Sequence[type[models.Model]]) -> None:
        """Keep other writers out of these tables until commit (PostgreSQL; SQLite's IMMEDIATE
        transactions already hold the only write lock), so explicit ids cannot collide."""
        if self.connection.vendor != "postgresql":
            return
        qn = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            for model in model_list:
                cursor.execute(f"LOCK TABLE {qn(model._meta.db_table)} IN SHARE ROW EXCLUSIVE MODE")

    def first_id(self, model: type[models.Model]) -> int:
        """The first free primary key of ``model``; its sequence is reset in ``finish``."""
        if model not in self._models:
            self._models.append(model)
        return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1

    def db_time(self, seconds: int):
        """A whole-second Unix time in the form this database stores it (for ``rows``): what
        Django's ``adapt_datetimefield_value`` gives for that instant."""
        if not self._sqlite_utc:
            return self._adapt_datetime(dt.datetime.fromtimestamp(seconds, dt.UTC))
        day, second = divmod(seconds, 86400)
        date = self._days.get(day)
        if date is None:
            date = self._days[day] = (_EPOCH + dt.timedelta(days=day)).isoformat()
        return f"{date} {second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"

    def objects(self, objs: Sequence[models.Model]) -> None:
        """Insert model instances with every concrete field as given (ids set, no ``pre_save``)."""
        if not objs:
            return
        model = type(objs[0])
        fields = model._meta.concrete_fields
        connection = self.connection
        rows = [tuple(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields) for obj in objs]
        self._insert(model, [f.column for f in fields], rows)

    def rows(self, model: type[models.Model], attnames: Sequence[str], rows: Iterable[tuple]) -> None:
        """Insert tuples already in database form (times through ``db_time``)."""
        meta = model._meta
        self._insert(model, [meta.get_field(name).column for name in attnames], rows)

    def _insert(self, model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple]) -> None:
        qn = self.connection.ops.quote_name
        sql = (
            f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        rows = list(rows)
        with self.connection.cursor() as cursor:
            for start in range(0, len(rows), _CHUNK):
                cursor.executemany(sql, rows[start:start + _CHUNK])
        self.counts[model._meta.label] += len(rows)

    def finish(self) -> None:
        """Move each table's id sequence past the ids written (a no-op on SQLite)."""
        statements = self.connection.ops.sequence_reset_sql(no_style(), self._models)
        with self.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def close(self) -> None:
        """Give the connection its page cache size back (call it however the writing ended)."""
        if self._cache_size is not None:
            with self.connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(self._cache_size)}")
