"""The sequencer: outbox rows become log entries, tiles, and signed checkpoints.

One step of the sequencer (docs/ledger.md, "The sequencer"):

1. ``integrate``: take up to ``batch_size`` outbox rows that have no log index yet, in id order,
   give them the next consecutive indices, and store the tiles and entry bundles they add.
2. ``sign_if_due``: at most once per ``sign_interval`` seconds, and only when the tree grew,
   check from the stored tiles that the new tree extends the last signed one, sign a checkpoint
   (c2sp.org/tlog-checkpoint), collect cosignatures, store it by compare-and-swap on the last
   signed (size, root), then publish it.

Which rows, in which order: every row with ``log_index IS NULL``, oldest id first. A row whose
transaction commits late (on PostgreSQL a lower id can commit after a higher one) is simply
taken by a later batch and gets a later index: nothing is skipped, and nothing waits for gaps
in the ids. docs/ledger.md, "Ordering", explains why.

``recover`` runs at every start, before anything is signed, so the normal path exercises it: it
finishes tiles a crash left unwritten and refuses (``LogRefused``) to go on when the database,
the tiles and the published checkpoint disagree, instead of signing a tree that could fork the log.
Comments marked "crash here" say what a crash at that point leaves behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import threading
import time
from collections.abc import Callable, Sequence

from django.db import DatabaseError, connection, transaction
from django.db.models import Max

from commonweal.ledger import hooks
from commonweal.ledger.keys import verifier_key_of
from commonweal.ledger.models import LogState, OutboxEntry
from commonweal.ledger.storage import TileNotFound, TileStore, binary_cursor
from commonweal.ledger.witnessing import collect_cosignatures
from commonweal.tlog import (
    EMPTY_ROOT,
    TILE_WIDTH,
    BundleRef,
    Checkpoint,
    CheckpointError,
    Ed25519Signer,
    NoteError,
    ProofError,
    TileError,
    TileHashReader,
    TileRef,
    TileUpdate,
    consistency_proof_from_reader,
    extend_bundles,
    extend_tiles,
    parse_bundle,
    parse_checkpoint,
    parse_note,
    root_from_reader,
    sign_checkpoint,
    tile_hashes,
    verify_consistency,
)

__all__ = ["DEFAULT_BATCH", "SIGN_INTERVAL", "LogRefused", "Sequencer"]

logger = logging.getLogger("commonweal.ledger")

DEFAULT_BATCH = 10_000
"""Outbox rows integrated per transaction."""

SIGN_INTERVAL = 1.0
"""Seconds between two checkpoints, at least."""

# What an operator does about each refusal; docs/ledger.md, "Recovery", has the details.
_RECOVERY = {
    "origin_changed": (
        "The origin line of a log never changes. Set COMMONWEAL_LOG_ORIGIN back to the origin above. "
        "A different origin is a different log: it needs a new, empty database (and a new key)."
    ),
    "outbox_disagrees": (
        "The outbox rows and the log state come from different points in time, as after restoring "
        "tables from different backups. Restore the whole database from one backup (the tiles of the "
        "database store are in it too), then start the sequencer again."
    ),
    "tiles_disagree": (
        "The stored tiles do not reproduce the tree the log state records. Restore the tiles from "
        "the same backup as the database (table ledger_logtile, or the tile directory), or restore "
        "both together from an older backup. Do not delete the log state: that would fork the log."
    ),
    "published_ahead": (
        "A checkpoint larger than this database's log has been published: the database was "
        "restored from a backup older than the log. Restore a newer database backup (one whose log "
        "state reaches the published size). If none exists, the entries after the backup are lost: "
        "do not sign; start a new log with a new origin and announce it (docs/ledger.md, Recovery)."
    ),
    "fork": (
        "The published checkpoint and the stored tree are different trees: signing now would fork "
        "the log. Find which copy is authentic (compare with witnesses and auditors' saved "
        "checkpoints), restore the matching database and tiles, and start again."
    ),
    "published_unreadable": (
        "The published checkpoint file cannot be read as a checkpoint of this log. Restore it from "
        "backup or from a mirror; if it was never published, remove it and start again."
    ),
}


class LogRefused(Exception):
    """The sequencer will not sign: the stored state could fork the log. ``code`` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def recovery(self) -> str:
        """What the operator should do (the matching section of docs/ledger.md, "Recovery")."""
        return _RECOVERY.get(self.code, f"see docs/ledger.md, Recovery ({self.code})")

    def report(self) -> str:
        """The message printed by ``commonweal sequencer`` before it exits non-zero."""
        return (
            f"sequencer: refusing to sign ({self.code}): {self.message}\n"
            f"how to recover: {self.recovery}\n"
            "details: docs/ledger.md, section \"Recovery\"."
        )


class Sequencer:
    """Integrates outbox rows into the log and signs checkpoints; see the module docstring."""

    def __init__(
        self,
        *,
        signer: Ed25519Signer,
        origin: str,
        store: TileStore,
        batch_size: int = DEFAULT_BATCH,
        sign_interval: float = SIGN_INTERVAL,
        clock: Callable[[], float] = time.time,
        crash_hook: Callable[[str], None] | None = None,
    ) -> None:
        if signer.name != origin:
            raise ValueError(f"the signing key is named {signer.name!r}, the origin is {origin!r}")
        if batch_size < 1:
            raise ValueError(f"batch size must be at least 1, got {batch_size}")
        self.signer = signer
        self.origin = origin
        self.store = store
        self.batch_size = batch_size
        self.sign_interval = sign_interval
        self.clock = clock
        self.crash_hook = crash_hook
        self.verifier_key = verifier_key_of(signer)
        self._last_signed = -math.inf

    # --- start-up ---------------------------------------------------------------------------

    def recover(self) -> LogState:
        """Bring the log to a consistent state, or raise ``LogRefused``. Runs at every start."""
        state, created = LogState.objects.get_or_create(
            pk=1,
            defaults={"origin": self.origin, "verifier_key": self.verifier_key, "root_hash": EMPTY_ROOT,
                      "signed_root": EMPTY_ROOT},
        )
        if created:
            logger.info("log_created origin=%s", self.origin)
        # 1. Identity: the origin never changes; a new key (rotation) replaces the served vkey.
        if state.origin != self.origin:
            raise LogRefused("origin_changed", f"this log's origin is {state.origin!r}, the configured one {self.origin!r}")
        if state.verifier_key != self.verifier_key:
            logger.warning("log_key_rotated old=%s new=%s", state.verifier_key, self.verifier_key)
            LogState.objects.filter(pk=1).update(verifier_key=self.verifier_key)
        # 2. The outbox must hold exactly the indices 0 … size-1 (read from the unique index).
        top = OutboxEntry.objects.aggregate(top=Max("log_index"))["top"]
        top = -1 if top is None else top
        if top != state.size - 1:
            raise LogRefused(
                "outbox_disagrees",
                f"the log state says {state.size} entries have an index, the outbox's highest index is {top}",
            )
        # 3. Finish tiles that a crash left unwritten (directory store: crash after the indices
        #    committed, before or while their tiles were written). They are rebuilt from the
        #    committed rows, so the bytes are the same as those the crash interrupted.
        if state.tiles_size < state.size:
            self._complete_tiles(state)
            state.refresh_from_db()
        # 4. The tiles must reproduce the recorded roots, and the signed tree must be a prefix.
        self._check_tiles(state)
        # 5. The checkpoint published outside the database (directory store) must agree.
        self._check_published(state)
        state.refresh_from_db()
        logger.info(
            "sequencer_recovered origin=%s size=%d signed=%d store=%s",
            self.origin, state.size, state.signed_size, type(self.store).__name__,
        )
        return state

    def _reader(self, size: int) -> TileHashReader:
        return TileHashReader(size=size, read_tiles=self.store.read_tiles)

    def _check_tiles(self, state: LogState) -> None:
        size, root = state.tiles_size, bytes(state.root_hash)
        signed_size, signed_root = state.signed_size, bytes(state.signed_root)
        reader = self._reader(size)
        try:
            if root_from_reader(size, reader) != root:
                raise LogRefused("tiles_disagree", f"the tiles give another root for size {size} than the log state")
            if root_from_reader(signed_size, reader) != signed_root:
                raise LogRefused(
                    "tiles_disagree", f"the tiles give another root for the signed size {signed_size} than its checkpoint"
                )
            # The last entry bundle must hash to the last level-0 tile (catches a bundle written
            # without its tile, or the reverse).
            if size:
                n = (size - 1) // TILE_WIDTH
                width = min(TILE_WIDTH, size - n * TILE_WIDTH)
                (bundle,) = self.store.read_bundles([BundleRef(index=n, width=width)])
                (tile,) = self.store.read_tiles([TileRef(level=0, index=n, width=width)])
                leaves = [hashlib.sha256(b"\x00" + e).digest() for e in parse_bundle(bundle, width=width)]
                if leaves != tile_hashes(TileRef(level=0, index=n, width=width), tile):
                    raise LogRefused("tiles_disagree", f"entry bundle {n} does not hash to level-0 tile {n}")
        except (TileNotFound, TileError) as exc:
            raise LogRefused("tiles_disagree", f"tiles of the tree of size {size} are missing or malformed: {exc}") from None
        if state.checkpoint:
            checkpoint = _parse_checkpoint_text(state.checkpoint)
            if (checkpoint.size, checkpoint.root_hash) != (signed_size, signed_root):
                raise LogRefused(
                    "tiles_disagree",
                    f"the stored checkpoint is for size {checkpoint.size}, the log state says {signed_size}",
                )

    def _check_published(self, state: LogState) -> None:
        text = self.store.read_checkpoint()
        if text is None:
            if state.checkpoint:
                # Never published (crash after the database stored it): publish it now.
                self.store.write_checkpoint(state.checkpoint, old_size=state.signed_size, new_size=state.signed_size)
            return
        if text == state.checkpoint:
            return
        try:
            published = _parse_checkpoint_text(text)
        except LogRefused:
            raise LogRefused("published_unreadable", "the published checkpoint is not a checkpoint") from None
        if published.origin != self.origin:
            raise LogRefused("published_unreadable", f"the published checkpoint is for origin {published.origin!r}")
        if published.size > state.tiles_size:
            raise LogRefused(
                "published_ahead",
                f"the published checkpoint has size {published.size}, this database's log only {state.tiles_size}",
            )
        try:
            root = root_from_reader(published.size, self._reader(state.tiles_size))
        except (TileNotFound, TileError) as exc:
            raise LogRefused("tiles_disagree", f"tiles are missing: {exc}") from None
        if root != published.root_hash:
            raise LogRefused(
                "fork", f"the published checkpoint of size {published.size} has a root that the stored tiles do not give"
            )
        if published.size <= state.signed_size:
            # Crash here, earlier: the database stored a newer checkpoint than the one published.
            self.store.write_checkpoint(state.checkpoint, old_size=published.size, new_size=state.signed_size)
            logger.info("checkpoint_republished size=%d", state.signed_size)
            return
        # The published checkpoint is newer than the database's but a prefix of its tiles (the
        # database was restored from a backup taken just before it was stored): adopt it.
        adopted = LogState.objects.filter(
            pk=1, signed_size=state.signed_size, signed_root=bytes(state.signed_root)
        ).update(signed_size=published.size, signed_root=published.root_hash, checkpoint=text)
        if adopted != 1:
            raise LogRefused("fork", "the log state changed while adopting the published checkpoint")
        logger.warning("checkpoint_adopted size=%d", published.size)

    def _complete_tiles(self, state: LogState) -> None:
        start = state.tiles_size
        while start < state.size:
            end = min(start + self.batch_size, state.size)
            rows = list(
                OutboxEntry.objects.filter(log_index__gte=start, log_index__lt=end)
                .order_by("log_index")
                .values_list("log_index", "canonical_json")
            )
            if [i for i, _ in rows] != list(range(start, end)):
                raise LogRefused("outbox_disagrees", f"the outbox is missing log indices between {start} and {end}")
            update = self._extend(start, [bytes(e) for _, e in rows])
            # Crash here: the tiles are written again, byte for byte, at the next start.
            if LogState.objects.filter(pk=1, tiles_size=start).update(tiles_size=end, root_hash=update.root_hash) != 1:
                raise LogRefused("outbox_disagrees", "another sequencer changed the log state during recovery")
            logger.info("tiles_completed from=%d to=%d", start, end)
            start = end

    # --- one step ---------------------------------------------------------------------------

    def step(self) -> tuple[int, int | None]:
        """Integrate one batch, then sign if due; returns (entries integrated, size signed or None)."""
        integrated = self.integrate()
        return integrated, self.sign_if_due()

    def integrate(self) -> int:
        """Give the next batch of outbox rows their indices and store their tiles; returns how many."""
        if not self.store.in_database:
            state = LogState.objects.get(pk=1)
            if state.tiles_size < state.size:
                self._complete_tiles(state)
        with transaction.atomic(durable=True):
            # 1. Lock the log state: one sequencer at a time (SQLite: the IMMEDIATE transaction).
            state = LogState.objects.select_for_update().get(pk=1)
            old_size = state.size
            if state.tiles_size != old_size:
                raise LogRefused("tiles_disagree", f"tiles cover {state.tiles_size} entries of {old_size}; restart")
            # 2. The oldest rows still without an index, whatever order they committed in.
            rows = _unsequenced(self.batch_size)
            if not rows:
                return 0
            entries = [e for _, e in rows]
            new_size = old_size + len(rows)
            # 3. Consecutive indices, in bulk.
            _assign_indices([pk for pk, _ in rows], old_size)
            self._crash("assigned")
            if self.store.in_database:
                # 4. Database store: the tiles join this transaction. Crash anywhere before the
                #    commit: no index, tile or state was written; the same rows come back next time.
                update = self._extend(old_size, entries)
                self._crash("tiles_written")
                LogState.objects.filter(pk=1).update(size=new_size, tiles_size=new_size, root_hash=update.root_hash)
                return len(rows)
            LogState.objects.filter(pk=1).update(size=new_size)
        # Crash here (directory store): indices committed, tiles not written. ``recover`` (and the
        # next ``integrate``) rebuild them from the committed rows.
        self._crash("committed")
        update = self._extend(old_size, entries)
        # Crash here: tiles written but not recorded; they are rewritten, identically, at the next start.
        self._crash("tiles_written")
        if LogState.objects.filter(pk=1, tiles_size=old_size).update(tiles_size=new_size, root_hash=update.root_hash) != 1:
            raise LogRefused("tiles_disagree", "another sequencer changed the log state while tiles were written")
        return len(rows)

    def _extend(self, old_size: int, entries: Sequence[bytes]) -> TileUpdate:
        leaf_hashes = [hashlib.sha256(b"\x00" + e).digest() for e in entries]
        update = extend_tiles(old_size=old_size, leaf_hashes=leaf_hashes, read_tiles=self.store.read_tiles)
        bundles = extend_bundles(old_size=old_size, entries=entries, read_bundles=self.store.read_bundles)
        self.store.write(update.tiles, bundles)
        return update

    def sign_if_due(self) -> int | None:
        """Sign a checkpoint if the tree grew and the last one is ``sign_interval`` old; returns its size."""
        state = LogState.objects.get(pk=1)
        if state.tiles_size == state.signed_size and state.checkpoint:
            return None
        now = self.clock()
        last = max(self._last_signed, state.signed_at.timestamp() if state.signed_at else -math.inf)
        if abs(now - last) < self.sign_interval:
            return None
        return self._sign(state, now)

    def seconds_until_due(self) -> float:
        """How long until ``sign_if_due`` may sign (0 if it may now)."""
        state = LogState.objects.get(pk=1)
        last = max(self._last_signed, state.signed_at.timestamp() if state.signed_at else -math.inf)
        return max(0.0, last + self.sign_interval - self.clock())

    def _sign(self, state: LogState, now: float) -> int | None:
        size, root = state.tiles_size, bytes(state.root_hash)
        old_size, old_root = state.signed_size, bytes(state.signed_root)
        reader = self._reader(size)
        # 1. The tiles (durable since ``integrate``) must give the root recorded for them...
        try:
            if root_from_reader(size, reader) != root:
                raise LogRefused("tiles_disagree", f"the tiles give another root for size {size} than the log state")
            # 2. ...and extend the last signed tree: a consistency proof from the tiles, verified.
            if old_size and old_size < size:
                proof = consistency_proof_from_reader(old_size, size, reader)
                verify_consistency(size1=old_size, size2=size, proof=proof, root1=old_root, root2=root)
            elif old_size == size and old_root != root:
                raise ProofError("same size, different root")
        except (TileNotFound, TileError) as exc:
            raise LogRefused("tiles_disagree", f"tiles are missing: {exc}") from None
        except ProofError as exc:
            raise LogRefused("fork", f"the tree of size {size} does not extend the signed one of size {old_size}: {exc}") from None
        # 3. Sign.
        text = sign_checkpoint(Checkpoint(origin=self.origin, size=size, root_hash=root), [self.signer])
        # Crash here: a signed note nobody has seen; the next start signs the same tree again.
        self._crash("signed")
        served = collect_cosignatures(text)
        # 4. Store by compare-and-swap on the last signed (size, root): a checkpoint that does not
        #    extend the stored one (another sequencer got there first) is never stored.
        stored = LogState.objects.filter(pk=1, signed_size=old_size, signed_root=old_root).update(
            signed_size=size, signed_root=root, checkpoint=served, signed_at=dt.datetime.fromtimestamp(now, tz=dt.UTC)
        )
        if stored != 1:
            logger.warning("checkpoint_not_stored size=%d reason=log_state_changed", size)
            return None
        self._last_signed = now
        # Crash here: the database serves the new checkpoint, the directory's file is older; the
        # next start publishes it.
        self._crash("stored")
        # 5. Publish (directory store: the checkpoint file) and prune partial tiles now full.
        self.store.write_checkpoint(served, old_size=old_size, new_size=size)
        logger.info("checkpoint_signed size=%d root=%s", size, root.hex())
        return size

    def _crash(self, point: str) -> None:
        if self.crash_hook is not None:
            self.crash_hook(point)

    # --- the worker loop --------------------------------------------------------------------

    def run(self, *, stop: threading.Event, interval: float = 0.25, once: bool = False,
            sleep: Callable[[float], None] | None = None) -> None:
        """Recover, then integrate and sign until ``stop`` is set (or, with ``once``, until done).

        ``LogRefused`` propagates; database errors are logged and retried after recovery.
        """
        sleep = sleep or stop.wait
        self.recover()
        while not stop.is_set():
            _tick_hooks()
            try:
                integrated = self.integrate()
                self.sign_if_due()
                if integrated == self.batch_size:
                    continue
                if once:
                    self._finish(sleep)
                    return
                state = LogState.objects.get(pk=1)
                pending = state.tiles_size > state.signed_size
                sleep(min(interval, self.seconds_until_due()) if pending else interval)
            except LogRefused:
                raise
            except DatabaseError as exc:
                # A lost connection or a lock timeout: nothing half-done survives a rollback, so
                # start over from recovery after a pause.
                logger.warning("sequencer_database_error error=%s", exc.__class__.__name__)
                connection.close()
                sleep(1.0)
                if not stop.is_set():
                    self.recover()

    def _finish(self, sleep: Callable[[float], None]) -> None:
        # --once: sign what was integrated, waiting for the throttle if needed.
        while True:
            state = LogState.objects.get(pk=1)
            if state.tiles_size == state.signed_size and state.checkpoint:
                return
            if self.sign_if_due() is None:
                sleep(max(0.01, self.seconds_until_due()))


def _unsequenced(limit: int) -> list[tuple[int, bytes]]:
    """``(id, canonical_json)`` of up to ``limit`` outbox rows without a log index, oldest id first
    (through the partial index ``outbox_unsequenced``)."""
    table = connection.ops.quote_name(OutboxEntry._meta.db_table)
    sql = f"SELECT id, canonical_json FROM {table} WHERE log_index IS NULL ORDER BY id LIMIT %s"
    if connection.vendor == "postgresql":
        with binary_cursor() as cursor:
            cursor.execute(sql, [limit], binary=True)
            return cursor.fetchall()
    with connection.cursor() as cursor:
        cursor.execute(sql, [limit])
        return [(pk, bytes(entry)) for pk, entry in cursor.fetchall()]


def _assign_indices(ids: Sequence[int], first_index: int) -> None:
    """Set ``log_index`` of the rows ``ids`` (ascending) to ``first_index``, ``first_index + 1``, …

    One ``UPDATE … WHERE id BETWEEN a AND b`` per run of consecutive ids (normally one or a few
    per batch), all sent with ``executemany``.
    """
    params = []
    run_start = 0
    for i in range(1, len(ids) + 1):
        if i == len(ids) or ids[i] != ids[i - 1] + 1:
            params.append((first_index + run_start - ids[run_start], ids[run_start], ids[i - 1]))
            run_start = i
    table = connection.ops.quote_name(OutboxEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET log_index = id + %s WHERE id BETWEEN %s AND %s AND log_index IS NULL", params
        )
        updated = cursor.rowcount
    if updated != len(ids):
        raise DatabaseError(f"expected to index {len(ids)} outbox rows, indexed {updated}")


def _parse_checkpoint_text(text: str) -> Checkpoint:
    try:
        return parse_checkpoint(parse_note(text).text)
    except (NoteError, CheckpointError) as exc:
        raise LogRefused("published_unreadable", f"not a checkpoint: {exc}") from None


def _tick_hooks() -> None:
    for hook in hooks.SEQUENCER_TICK:
        try:
            hook()
        except Exception:  # noqa: BLE001 - housekeeping must not stop the log
            logger.exception("sequencer_tick_hook_failed hook=%s", getattr(hook, "__name__", hook))
