"""Project totals without a hot row (docs/architecture.md, "Project totals").

SQLite has one writer at a time, so a confirmation adds to the project row directly. On
PostgreSQL it adds to a random ``ProjectTally`` shard and moves that shard into the project row
only if the row is not locked by another confirmation; otherwise the amount waits in the shard
for the next one, or for :func:`project_totals_fold`.
"""

import random

from django.db import connection, transaction
from django.db.models import F

from commonweal.giving.models import ProjectTally
from commonweal.projects.models import Project

TALLY_SHARDS = 16
_TALLY = ProjectTally._meta.db_table
_PROJECT = Project._meta.db_table


def project_totals_add_many(gifts: dict[int, tuple[int, int]]) -> None:
    """Count confirmed gifts, {project id: (fen, count)}, inside their confirmation's transaction,
    as its last write; projects in id order, like every other writer of these rows."""
    if connection.vendor != "postgresql":
        for project_id, (fen, count) in sorted(gifts.items()):
            Project.objects.filter(pk=project_id).update(raised_fen=F("raised_fen") + fen, donation_count=F("donation_count") + count)
        return
    ids = sorted(gifts)
    shards = [random.randrange(TALLY_SHARDS) for _ in ids]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_TALLY} (project_id, shard, raised_fen, donation_count) "
            "SELECT * FROM unnest(%s::bigint[], %s::int[], %s::bigint[], %s::int[]) "
            f"ON CONFLICT (project_id, shard) DO UPDATE SET raised_fen = {_TALLY}.raised_fen + excluded.raised_fen, "
            f"donation_count = {_TALLY}.donation_count + excluded.donation_count "
            "RETURNING project_id, id, raised_fen, donation_count",
            [ids, shards, [gifts[i][0] for i in ids], [gifts[i][1] for i in ids]],
        )
        waiting = {row[0]: row[1:] for row in cursor.fetchall()}
        # Projects whose row no other confirmation holds take their shard now; the rest wait.
        cursor.execute(f"SELECT id FROM {_PROJECT} WHERE id = ANY(%s) ORDER BY id FOR UPDATE SKIP LOCKED", [ids])
        free = [row[0] for row in cursor.fetchall()]
        if free:
            _move_many(cursor, {project_id: [waiting[project_id]] for project_id in free})


def _move_many(cursor, shards: dict[int, list[tuple[int, int, int]]]) -> None:
    """Add locked shards, {project id: [(shard id, fen, count)]}, to their (locked) project rows
    and empty them."""
    ids = list(shards)
    cursor.execute(
        f"UPDATE {_PROJECT} p SET raised_fen = p.raised_fen + v.fen, donation_count = p.donation_count + v.n "
        "FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS v(id, fen, n) WHERE p.id = v.id",
        [ids, [sum(s[1] for s in shards[i]) for i in ids], [sum(s[2] for s in shards[i]) for i in ids]],
    )
    cursor.execute(f"UPDATE {_TALLY} SET raised_fen = 0, donation_count = 0 WHERE id = ANY(%s)",
                   [[s[0] for group in shards.values() for s in group]])


def project_totals_fold(project_ids: list[int] | None = None) -> int:
    """Move every waiting shard (not locked by a confirmation in flight) into its project's row;
    returns how many gifts were moved. Run by the sequencer on every tick, and by tests."""
    if connection.vendor != "postgresql":
        return 0
    waiting = ProjectTally.objects.filter(donation_count__gt=0)
    if project_ids is not None:
        waiting = waiting.filter(project_id__in=project_ids)
    moved = 0
    for project_id in sorted(set(waiting.values_list("project_id", flat=True))):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {_PROJECT} WHERE id = %s FOR UPDATE", [project_id])
            cursor.execute(
                f"SELECT id, raised_fen, donation_count FROM {_TALLY} WHERE project_id = %s AND donation_count > 0 "
                "FOR UPDATE SKIP LOCKED",
                [project_id],
            )
            shards = cursor.fetchall()
            if shards:
                _move_many(cursor, {project_id: shards})
                moved += sum(s[2] for s in shards)
    return moved
