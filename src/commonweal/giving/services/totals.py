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


def project_totals_add(project_id: int, amount_fen: int) -> None:
    """Count one confirmed gift (inside the confirmation's transaction, as its last write)."""
    if connection.vendor != "postgresql":
        Project.objects.filter(pk=project_id).update(raised_fen=F("raised_fen") + amount_fen, donation_count=F("donation_count") + 1)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_TALLY} (project_id, shard, raised_fen, donation_count) VALUES (%s, %s, %s, 1) "
            f"ON CONFLICT (project_id, shard) DO UPDATE SET raised_fen = {_TALLY}.raised_fen + excluded.raised_fen, "
            f"donation_count = {_TALLY}.donation_count + 1 RETURNING id, raised_fen, donation_count",
            [project_id, random.randrange(TALLY_SHARDS), amount_fen],
        )
        shard_id, raised, count = cursor.fetchone()
        cursor.execute(f"SELECT 1 FROM {_PROJECT} WHERE id = %s FOR UPDATE SKIP LOCKED", [project_id])
        if cursor.fetchone() is None:
            return  # another confirmation holds the row: this shard waits for the next one
        _move(cursor, project_id, [(shard_id, raised, count)])


def _move(cursor, project_id: int, shards: list[tuple[int, int, int]]) -> None:
    """Add locked shards to the (locked) project row and empty them."""
    cursor.execute(
        f"UPDATE {_PROJECT} SET raised_fen = raised_fen + %s, donation_count = donation_count + %s WHERE id = %s",
        [sum(s[1] for s in shards), sum(s[2] for s in shards), project_id],
    )
    cursor.execute(f"UPDATE {_TALLY} SET raised_fen = 0, donation_count = 0 WHERE id = ANY(%s)", [[s[0] for s in shards]])


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
                _move(cursor, project_id, shards)
                moved += sum(s[2] for s in shards)
    return moved
