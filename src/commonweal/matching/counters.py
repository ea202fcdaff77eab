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

from commonweal.matching.models import Counter
from commonweal.matching.rules import shard_limit

_TABLE = Counter._meta.db_table


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
    Counter.objects.bulk_create(
        [
            Counter(campaign_id=campaign_id, key=limit.key, shard=s, limit_fen=shard_limit(limit.limit_fen, limit.shards, s))
            for limit in limits
            for s in range(limit.shards)
        ],
        ignore_conflicts=True,
    )
    rows = list(
        Counter.objects.select_for_update()
        .filter(campaign_id=campaign_id, key__in=[limit.key for limit in limits])
        .order_by("key", "shard")
    )
    left = {limit.key: 0 for limit in limits}
    for row in rows:
        left[row.key] += row.limit_fen - row.used_fen
    binding = min(limits, key=lambda limit: left[limit.key])
    got = min(fen, left[binding.key])
    takes = []
    if got > 0:
        for limit in limits:
            need = got
            for row in rows:
                if row.key != limit.key or need == 0:
                    continue
                part = min(need, row.limit_fen - row.used_fen)
                if part > 0:
                    Counter.objects.filter(pk=row.pk).update(used_fen=F("used_fen") + part)
                    takes.append([row.key, row.shard, part])
                    need -= part
    return Taken(got, takes, binding.name if got < fen else "")


def give_back(campaign_id: int, returns: dict[tuple[str, int], int]) -> None:
    """Return amounts to counter shards, in (key, shard) order like every taker."""
    for (key, shard), fen in sorted(returns.items()):
        if fen > 0:
            Counter.objects.filter(campaign_id=campaign_id, key=key, shard=shard).update(used_fen=F("used_fen") - fen)


def split_return(takes: list, fen: int) -> tuple[dict[tuple[str, int], int], list]:
    """Which shards give back ``fen`` of a decision's takes (the same amount from every limit),
    and the takes left afterwards."""
    by_key: dict[str, list] = {}
    for key, shard, part in takes:
        by_key.setdefault(key, []).append([key, shard, part])
    returns: dict[tuple[str, int], int] = {}
    left = []
    for key, parts in by_key.items():
        need = fen
        for part in reversed(parts):
            back = min(need, part[2])
            if back:
                returns[(key, part[1])] = returns.get((key, part[1]), 0) + back
                part[2] -= back
                need -= back
        left += [p for p in parts if p[2] > 0]
    return returns, left
