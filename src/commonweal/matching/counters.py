"""Taking an amount from several limits at once, exactly, without one hot row.

Every limit is split into shards (``rules.shard_limit``); a shard row is created on first use.
The fast path adds the amount to one random shard of each limit with one conditional multi-row
upsert (``used + amount <= limit``, rows in key order) inside a savepoint; if any shard is short, the savepoint is rolled
back (releasing its row locks) and the slow path locks every shard of the limits involved, in
(key, shard) order, and takes ``min(amount, what each limit has left)``. Every transaction takes
counter rows in that one global order, so donors never deadlock; the database CHECK
``used_fen <= limit_fen`` backs the arithmetic up. See docs/architecture.md, "Matching".
"""

import random
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F

from commonweal.core.bulk import insert_missing, values_params, values_table
from commonweal.matching.models import Counter
from commonweal.matching.rules import shard_limit

_TABLE = Counter._meta.db_table
_KEY_SHARD = ("varchar", "smallint")
"""Types of the (key, shard) rows a book names (core.bulk.values_table)."""
LOCK_MORE_TIMEOUT = "100ms"


@dataclass(frozen=True)
class Limit:
    key: str
    limit_fen: int
    shards: int
    name: str
    """What the decision records when this limit binds (``pool``, ``cap_project``, …)."""


@dataclass(frozen=True)
class Taken:
    fen: int
    takes: list
    binding: str


class _Short(Exception):
    pass


def _add_all(campaign_id: int, parts: list[tuple[str, int, int]], fen: int) -> bool:
    """used += fen on each (key, shard, shard limit), creating shard rows on first use, in one
    statement; True if every one had room (rows without room are left alone)."""
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(parts))
    params = [v for key, shard, limit in parts for v in (campaign_id, key, shard, limit, fen)]
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {_TABLE} (campaign_id, "key", shard, limit_fen, used_fen) VALUES {values} '
            f'ON CONFLICT (campaign_id, "key", shard) DO UPDATE SET used_fen = {_TABLE}.used_fen + excluded.used_fen '
            f"WHERE {_TABLE}.used_fen + excluded.used_fen <= {_TABLE}.limit_fen RETURNING 1",
            params,
        )
        return len(cursor.fetchall()) == len(parts)


def take(campaign_id: int, limits: list[Limit], fen: int) -> Taken:
    """Take up to ``fen`` from every limit together; returns what was taken and from where."""
    limits = sorted(limits, key=lambda limit: limit.key)
    if fen <= 0:
        return Taken(0, [], "")
    shards = [random.randrange(limit.shards) for limit in limits]
    if all(fen <= shard_limit(limit.limit_fen, limit.shards, s) for limit, s in zip(limits, shards)):
        try:
            with transaction.atomic():
                parts = [(limit.key, s, shard_limit(limit.limit_fen, limit.shards, s)) for limit, s in zip(limits, shards)]
                if not _add_all(campaign_id, parts, fen):
                    raise _Short
            return Taken(fen, [[limit.key, s, fen] for limit, s in zip(limits, shards)], "")
        except _Short:
            pass
    # A limit already used up gives nothing whoever waits for its lock: answer without locking,
    # so a drained pool does not queue every later donor (a claw-back returning money is seen
    # by the next donor).
    left = _left_unlocked(campaign_id, limits)
    empty = [limit for limit in limits if left.get(limit.key, limit.limit_fen) <= 0]
    if empty:
        return Taken(0, [], empty[0].name)
    return _take_locked(campaign_id, limits, fen)


def _left_unlocked(campaign_id: int, limits: list[Limit]) -> dict[str, int]:
    """What each limit has left, read without locks (shards not yet created count as unused)."""
    rows = Counter.objects.filter(campaign_id=campaign_id, key__in=[limit.key for limit in limits]).values_list("key", "shard", "used_fen")
    used: dict[str, int] = {}
    for key, _shard, fen in rows:
        used[key] = used.get(key, 0) + fen
    return {limit.key: limit.limit_fen - used.get(limit.key, 0) for limit in limits}


def _take_locked(campaign_id: int, limits: list[Limit], fen: int) -> Taken:
    book = Book(campaign_id, limits)
    taken = book.take(limits, fen)
    book.save()
    return taken


class Book:
    """Shards of some limits, locked (in (key, shard) order) for the rest of the transaction:
    takes are decided in memory, one after another, and written back by :meth:`save`. A batch of
    confirmations (giving.intake) opens one book for all its donations.

    Shard rows are created on first use. Missing ones are inserted first (in (key, shard) order,
    found by a read without locks), and only then are they locked: a transaction that holds
    counter locks never waits for another one's uncommitted inserts, so nobody deadlocks.

    Without ``demand`` every shard of every limit is locked. With ``demand`` (key → the most the
    batch may take from it) only enough shards for twice the demand are locked, from a random
    shard on, as the read without locks saw them: concurrent batches then mostly lock different
    shards, and a batch over 300 projects does not lock 32 rows per project cap. A limit whose
    shards read (a window of ``READ_WINDOW``) have less than four times the demand left is read
    and locked whole. If a take still finds a limit short
    while some of its shards are not locked (others drew on them since the read), it locks the
    rest of that limit first, out of order, so without waiting (:meth:`_lock_more`)."""

    def __init__(self, campaign_id: int, limits: list[Limit], demand: dict[str, int] | None = None):
        self.campaign_id = campaign_id
        self.limits = {limit.key: limit for limit in limits}
        keys = sorted(self.limits)
        # With a demand, the read sees a window of a limit's shards from a random one on, enough
        # for the usual batch: a batch over 300 projects would otherwise read 32 rows per project
        # cap, most of the database's work for its book. Only a window short of room (the limit
        # nearly used up, or used unevenly) has the rest of its limit read, and all of it locked.
        window = {key: _window(self.limits[key].shards, whole=demand is None) for key in keys}
        seen = self._read([(key, s) for key in keys for s in window[key]])
        wanted, whole = [], []
        for key in keys:
            limit = self.limits[key]
            room = [seen.get((key, s), shard_limit(limit.limit_fen, limit.shards, s)) for s in window[key]]
            chosen = _enough_shards(room, None if demand is None else 2 * demand.get(key, 0))
            if chosen is None:
                whole.append(key)
            else:
                wanted += [(key, window[key][n]) for n in chosen]
        if whole:
            seen |= self._read([(key, s) for key in whole for s in set(range(self.limits[key].shards)) - set(window[key])])
            wanted += [(key, s) for key in whole for s in range(self.limits[key].shards)]
        self.rows: dict[str, list[list[int]]] = {key: [] for key in keys}
        """key → [pk, shard, limit, used] of each locked shard, in shard order."""
        self.added: dict[int, int] = {}
        self._lock(sorted(wanted), seen)

    def _read(self, pairs: list[tuple[str, int]]) -> dict[tuple[str, int], int]:
        """(key, shard) → room of those shards that exist, read without locks."""
        if not pairs:
            return {}
        with connection.cursor() as cursor:
            cursor.execute(*self._shards_sql('c."key", c.shard, c.limit_fen - c.used_fen', pairs))
            return {(key, shard): room for key, shard, room in cursor.fetchall()}

    def _shards_sql(self, columns: str, pairs: list[tuple[str, int]], *, lock: bool = False) -> tuple[str, list]:
        """A query of ``columns`` of the shards ``pairs`` names (those that exist), as ``c``;
        with ``lock``, their rows are locked in the order of ``pairs``.

        On PostgreSQL each pair is its own lookup in ``counter_unique_shard`` (a lateral subquery
        the planner cannot turn into a join), locked as it is found, so in the order of ``pairs``:
        planned as a join, the burst at a campaign's opening ran on statistics from before its
        counters existed, and each read scanned every shard of the campaign (11.5 ms instead of
        1.4 ms for 60 pairs once it had 28,000)."""
        if connection.vendor == "postgresql":
            return (f'SELECT {columns} FROM {values_table(len(pairs), _KEY_SHARD)} AS v("key", shard) CROSS JOIN LATERAL '
                    f'(SELECT * FROM {_TABLE} WHERE campaign_id = %s AND "key" = v."key" AND shard = v.shard LIMIT 1'
                    f'{" FOR UPDATE" if lock else ""}) c', [*values_params(pairs), self.campaign_id])
        # SQLite: one writer at a time, so nothing to lock.
        return (f'SELECT {columns} FROM {_TABLE} c WHERE c.campaign_id = %s AND (c."key", c.shard) IN '
                f'{values_table(len(pairs), _KEY_SHARD)}', [self.campaign_id, *values_params(pairs)])

    def _lock(self, pairs: list[tuple[str, int]], seen) -> None:
        missing = [(key, s) for key, s in pairs if (key, s) not in seen]
        with connection.cursor() as cursor:
            # Mostly a new donor's caps; a concurrent batch may have made some meanwhile.
            insert_missing(Counter, ("campaign_id", "key", "shard", "limit_fen", "used_fen"), [
                (self.campaign_id, key, s, shard_limit(self.limits[key].limit_fen, self.limits[key].shards, s), 0) for key, s in missing
            ], unique=("campaign_id", "key", "shard"))
            cursor.execute(*self._shards_sql('c.id, c."key", c.shard, c.limit_fen, c.used_fen', pairs, lock=True))
            for pk, key, shard, limit_fen, used_fen in cursor.fetchall():
                self.rows[key].append([pk, shard, limit_fen, used_fen])
        for rows in self.rows.values():
            rows.sort(key=lambda row: row[1])

    def _lock_more(self, pairs: list[tuple[str, int]]) -> None:
        """Lock shards after others, out of the global order: never wait long for them. If another
        transaction holds one, PostgreSQL gives up after ``LOCK_MORE_TIMEOUT`` (lock_not_available)
        and the whole confirmation is retried, instead of a deadlock stalling both for a second."""
        postgres = connection.vendor == "postgresql"
        with connection.cursor() as cursor:
            if postgres:
                cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_MORE_TIMEOUT}'")
            self._lock(pairs, {})
            if postgres:
                cursor.execute("SET LOCAL lock_timeout TO DEFAULT")

    def _unlocked(self, key: str) -> list[tuple[str, int]]:
        locked = {row[1] for row in self.rows[key]}
        return [(key, s) for s in range(self.limits[key].shards) if s not in locked]

    def take(self, limits: list[Limit], fen: int) -> Taken:
        """Take up to ``fen`` from every limit together (all of them in this book)."""
        if fen <= 0:
            return Taken(0, [], "")
        while True:
            left = {limit.key: sum(row[2] - row[3] for row in self.rows[limit.key]) for limit in limits}
            binding = min(sorted(limits, key=lambda limit: limit.key), key=lambda limit: left[limit.key])
            got = min(fen, left[binding.key])
            if got == fen or not self._unlocked(binding.key):
                break
            self._lock_more(self._unlocked(binding.key))  # short only for want of locked shards
        takes = []
        if got > 0:
            for limit in sorted(limits, key=lambda limit: limit.key):
                need = got
                for row in self.rows[limit.key]:
                    part = min(need, row[2] - row[3])
                    if part > 0:
                        row[3] += part
                        self.added[row[0]] = self.added.get(row[0], 0) + part
                        takes.append([limit.key, row[1], part])
                        need -= part
                    if need == 0:
                        break
        return Taken(got, takes, binding.name if got < fen else "")

    def save(self) -> None:
        """Write what was taken, in one statement."""
        if not self.added:
            return
        added = sorted(self.added.items())
        with connection.cursor() as cursor:
            cursor.execute(
                # A join, not a subquery per row: half the time for a batch's ~130 rows on PostgreSQL.
                f"WITH v(id, fen) AS {values_table(len(added), ('bigint', 'bigint'))} UPDATE {_TABLE} "
                f"SET used_fen = used_fen + v.fen FROM v WHERE {_TABLE}.id = v.id",
                values_params(added),
            )
        self.added = {}


READ_WINDOW = 8
"""Shards of a limit a batch's book reads first (``Book``)."""


def _window(shards: int, *, whole: bool) -> list[int]:
    """The shards a book reads first: all of them if ``whole``, else ``READ_WINDOW`` of them in a
    row from a random one on."""
    if whole:
        return list(range(shards))
    start = random.randrange(shards)
    return [(start + n) % shards for n in range(min(shards, READ_WINDOW))]


def _enough_shards(room: list[int], want: int | None) -> list[int] | None:
    """Positions in ``room`` (the shards read, in order) whose room adds up to ``want``; None for
    the whole limit if ``want`` is None or the shards read are nearly used up (less than twice
    ``want`` left): then many batches would find their part short and lock the rest out of order."""
    if want is None or sum(room) < 2 * want:
        return None
    chosen, total = [], 0
    for n, left in enumerate(room):
        if left > 0:
            chosen.append(n)
            total += left
        if total >= want:
            break
    return chosen or [0]


def give_back(campaign_id: int, returns: dict[tuple[str, int], int]) -> None:
    """Return amounts to counter shards, in (key, shard) order like every taker."""
    for (key, shard), fen in sorted(returns.items()):
        if fen > 0:
            Counter.objects.filter(campaign_id=campaign_id, key=key, shard=shard).update(used_fen=F("used_fen") - fen)


def split_return(takes: list, fen: int) -> tuple[dict[tuple[str, int], int], list]:
    """Which shards give back ``fen`` of a decision's takes (the same amount from every cap, and
    from the pools together, the last drawn first), and the takes left afterwards."""
    by_key: dict[str, list] = {}
    for key, shard, part in takes:
        # A match drawn from two pools holds each cap for the whole of it, but each pool for its part.
        group = "tranche:" if key.startswith("tranche:") else key
        by_key.setdefault(group, []).append([key, shard, part])
    returns: dict[tuple[str, int], int] = {}
    left = []
    for parts in by_key.values():
        need = fen
        for part in reversed(parts):
            back = min(need, part[2])
            if back:
                returns[(part[0], part[1])] = returns.get((part[0], part[1]), 0) + back
                part[2] -= back
                need -= back
        left += [p for p in parts if p[2] > 0]
    return returns, left
