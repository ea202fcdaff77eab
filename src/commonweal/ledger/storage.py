"""Tile storage of the public log (c2sp.org/tlog-tiles), behind one small interface.

Three stores implement ``TileStore``:

- ``DatabaseTileStore`` (``db``, the embedded default): one ``LogTile`` row per tile or bundle,
  written in the sequencer's own transaction, together with the log indices it covers.
- ``DirectoryTileStore`` (``dir:<path>``): the exact tlog-tiles layout (``tile/<L>/<N>[.p/<W>]``,
  ``tile/entries/…``, ``checkpoint``), each file written to a temporary name, fsynced and renamed,
  so the directory can be synced to static hosting or object storage as it is.
- ``MemoryTileStore`` (``memory``): the honest test double, in a dict.

The setting ``LOG_STORE`` (environment ``COMMONWEAL_LOG_STORE``, default ``db``) picks one;
``tile_store()`` returns it. The end of this module holds the reads the rest of the platform
uses (receipts, the explorer, the verify page): ``log_signed()``, ``log_inclusion_proof()``,
``log_consistency_proof()``, ``log_entry()`` and ``log_entries()``.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from commonweal.tlog import (
    TILE_WIDTH,
    BundleRef,
    Checkpoint,
    TileHashReader,
    TileRef,
    consistency_proof_from_reader,
    format_tile_path,
    inclusion_proof_from_reader,
    parse_bundle,
    parse_checkpoint,
    parse_note,
)

__all__ = [
    "DatabaseTileStore",
    "DirectoryTileStore",
    "MemoryTileStore",
    "SignedLog",
    "binary_cursor",
    "TileNotFound",
    "TileStore",
    "log_consistency_proof",
    "log_entries",
    "log_entry",
    "log_inclusion_proof",
    "log_signed",
    "store_from_spec",
    "tile_in_tree",
    "tile_store",
]


class TileNotFound(LookupError):
    """A tile or entry bundle is not in the store (at the width asked for)."""


class TileStore(Protocol):
    """Where the tiles and entry bundles of the log live.

    Reads return the bytes of each reference at exactly its width (a store may cut a partial
    tile from a wider one) and raise ``TileNotFound`` for anything missing. ``write`` is durable
    when it returns, or, for a store with ``in_database`` set, when the caller's transaction
    commits (the sequencer then writes tiles and log indices in one transaction).
    """

    in_database: bool
    """Whether writes join the caller's database transaction."""

    def read_tiles(self, refs: Sequence[TileRef]) -> list[bytes]:
        """The bytes of each tile, in order."""
        ...

    def read_bundles(self, refs: Sequence[BundleRef]) -> list[bytes]:
        """The bytes of each entry bundle, in order."""
        ...

    def write(self, tiles: Mapping[TileRef, bytes], bundles: Mapping[BundleRef, bytes]) -> None:
        """Store new and grown tiles and bundles."""
        ...

    def read_checkpoint(self) -> str | None:
        """The checkpoint published by this store outside the database, if it publishes one."""
        ...

    def write_checkpoint(self, text: str, *, old_size: int, new_size: int) -> None:
        """Publish a newly signed checkpoint (after the database holds it); may prune partial tiles
        that the tiles full at ``new_size`` replace."""
        ...


def _full_path(ref: TileRef | BundleRef) -> str:
    if isinstance(ref, BundleRef):
        return format_tile_path(BundleRef(index=ref.index, width=TILE_WIDTH))
    return format_tile_path(TileRef(level=ref.level, index=ref.index, width=TILE_WIDTH))


def _cut_tile(ref: TileRef, data: bytes) -> bytes:
    # A partial tile of width W is the first W hashes of any wider tile with the same (L, N).
    need = ref.width * 32
    if len(data) < need:
        raise TileNotFound(f"{format_tile_path(ref)}: only {len(data) // 32} hashes stored")
    return bytes(data[:need])


def _cut_bundle(ref: BundleRef, data: bytes) -> bytes:
    # A partial bundle of width W is the first W entries of any wider bundle with the same N.
    pos = 0
    for _ in range(ref.width):
        if pos + 2 > len(data):
            raise TileNotFound(f"{format_tile_path(ref)}: fewer entries stored")
        pos += 2 + int.from_bytes(data[pos : pos + 2], "big")
    if pos > len(data):
        raise TileNotFound(f"{format_tile_path(ref)}: truncated bundle stored")
    return bytes(data[:pos])


# --- the database store ---------------------------------------------------------------------


class DatabaseTileStore:
    """Tiles and bundles as ``LogTile`` rows, one per (level, index) at its widest width."""

    in_database = True

    def __repr__(self) -> str:
        return "DatabaseTileStore()"

    def read_tiles(self, refs: Sequence[TileRef]) -> list[bytes]:
        """The bytes of each tile (one query)."""
        rows = self._rows(refs)
        return [_cut_tile(ref, self._get(rows, ref)) for ref in refs]

    def read_bundles(self, refs: Sequence[BundleRef]) -> list[bytes]:
        """The bytes of each entry bundle (one query)."""
        rows = self._rows(refs)
        return [_cut_bundle(ref, self._get(rows, ref)) for ref in refs]

    def write(self, tiles: Mapping[TileRef, bytes], bundles: Mapping[BundleRef, bytes]) -> None:
        """Insert or grow the rows, inside the caller's transaction (or one of its own)."""
        from commonweal.ledger.models import LogTile

        rows = [(_full_path(ref), bytes(data)) for ref, data in [*tiles.items(), *bundles.items()]]
        if not rows:
            return
        with transaction.atomic(savepoint=False):
            if connection.vendor == "postgresql":
                # Binary parameters: a batch writes megabytes of bundles, which Django's
                # client-side binding would send as hex text (about 5 times slower).
                table = connection.ops.quote_name(LogTile._meta.db_table)
                with binary_cursor() as cursor:
                    cursor.executemany(
                        f"INSERT INTO {table} (path, data) VALUES (%s, %b) "
                        "ON CONFLICT (path) DO UPDATE SET data = EXCLUDED.data",
                        rows,
                    )
            else:
                LogTile.objects.bulk_create(
                    [LogTile(path=path, data=data) for path, data in rows],
                    update_conflicts=True, unique_fields=["path"], update_fields=["data"],
                )

    def read_checkpoint(self) -> str | None:
        """None: the database store publishes the checkpoint only through ``LogState``."""
        return None

    def write_checkpoint(self, text: str, *, old_size: int, new_size: int) -> None:
        """Nothing to do: ``LogState.checkpoint`` is what /log/checkpoint serves."""

    @staticmethod
    def _rows(refs: Sequence[TileRef | BundleRef]) -> dict[str, bytes]:
        from commonweal.ledger.models import LogTile

        paths = {_full_path(ref) for ref in refs}
        if not paths:
            return {}
        return {path: bytes(data) for path, data in LogTile.objects.filter(path__in=paths).values_list("path", "data")}

    @staticmethod
    def _get(rows: dict[str, bytes], ref: TileRef | BundleRef) -> bytes:
        try:
            return rows[_full_path(ref)]
        except KeyError:
            raise TileNotFound(f"{format_tile_path(ref)} is not stored") from None


# --- the directory store --------------------------------------------------------------------


_WRITERS = 8


class DirectoryTileStore:
    """The tlog-tiles layout in a directory: every file written to a temporary name, fsynced, renamed.

    Partial tiles keep their own files (``tile/0/000.p/17``), as static hosting needs; when a
    checkpoint covering the full tile is published, the partial files it replaces are deleted
    (c2sp.org/tlog-tiles allows it once the full tile is available).
    """

    in_database = False

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"DirectoryTileStore({str(self.root)!r})"

    def read_tiles(self, refs: Sequence[TileRef]) -> list[bytes]:
        """The bytes of each tile, from its own file or cut from a wider one."""
        return [_cut_tile(ref, self._read(ref)) for ref in refs]

    def read_bundles(self, refs: Sequence[BundleRef]) -> list[bytes]:
        """The bytes of each entry bundle, from its own file or cut from a wider one."""
        return [_cut_bundle(ref, self._read(ref)) for ref in refs]

    def write(self, tiles: Mapping[TileRef, bytes], bundles: Mapping[BundleRef, bytes]) -> None:
        """Write every file durably: temporary file, fsync, rename, then fsync each directory.

        Files are written by a few threads at once: the time goes into fsync, which the disk
        handles better in parallel (and which releases the GIL).
        """
        items = [(self.root / format_tile_path(ref), bytes(data)) for ref, data in [*tiles.items(), *bundles.items()]]
        if len(items) > 1:
            with ThreadPoolExecutor(max_workers=_WRITERS) as pool:
                dirs = set(pool.map(lambda item: self._put(*item, sync_dir=False), items))
                list(pool.map(_fsync_dir, dirs))
        else:
            dirs = {self._put(path, data, sync_dir=False) for path, data in items}
            for directory in dirs:
                _fsync_dir(directory)

    def read_checkpoint(self) -> str | None:
        """The ``checkpoint`` file, or None before the first one is published."""
        try:
            return (self.root / "checkpoint").read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def write_checkpoint(self, text: str, *, old_size: int, new_size: int) -> None:
        """Replace the ``checkpoint`` file durably, then delete partial files of tiles now full."""
        self._put(self.root / "checkpoint", text.encode("utf-8"), sync_dir=True)
        self._prune(old_size, new_size)

    def _read(self, ref: TileRef | BundleRef) -> bytes:
        exact = self.root / format_tile_path(ref)
        try:
            return exact.read_bytes()
        except FileNotFoundError:
            pass
        # A partial tile whose file was pruned (or never written at this width) is the prefix
        # of the full tile, or of a wider partial one.
        full = self.root / _full_path(ref)
        candidates = [full]
        partial_dir = full.with_name(full.name + ".p")
        if ref.width < TILE_WIDTH and partial_dir.is_dir():
            widths = sorted((int(p.name) for p in partial_dir.iterdir() if p.name.isdigit()), reverse=True)
            candidates += [partial_dir / str(w) for w in widths if w > ref.width]
        for path in candidates:
            try:
                return path.read_bytes()
            except FileNotFoundError:
                continue
        raise TileNotFound(f"{format_tile_path(ref)} is not in {self.root}")

    def _put(self, path: Path, data: bytes, *, sync_dir: bool) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        # A crash before this rename leaves only a temporary file (ignored, overwritten names are
        # never read); after it, the complete file.
        os.replace(tmp, path)
        if sync_dir:
            _fsync_dir(path.parent)
        return path.parent

    def _prune(self, old_size: int, new_size: int) -> None:
        # For every level, the tiles that became full between the two checkpoints.
        level = 0
        while new_size >> (8 * level):
            old_full = (old_size >> (8 * level)) // TILE_WIDTH
            new_full = (new_size >> (8 * level)) // TILE_WIDTH
            for n in range(old_full, new_full):
                refs: list[TileRef | BundleRef] = [TileRef(level=level, index=n, width=TILE_WIDTH)]
                if level == 0:
                    refs.append(BundleRef(index=n, width=TILE_WIDTH))
                for ref in refs:
                    full = self.root / format_tile_path(ref)
                    partial_dir = full.with_name(full.name + ".p")
                    if full.exists() and partial_dir.is_dir():
                        for p in partial_dir.iterdir():
                            p.unlink(missing_ok=True)
                        partial_dir.rmdir()
            level += 1


@contextmanager
def binary_cursor():
    """PostgreSQL only: a psycopg cursor with server-side binding on Django's connection (and in
    its transaction), for bulk reads and writes of bytea; errors become Django's."""
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        yield cursor


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- the in-memory test double --------------------------------------------------------------


class MemoryTileStore:
    """Tiles, bundles and a published checkpoint in dicts: the honest test double.

    It keeps the same rule as the other stores (one entry per (level, index) at its widest
    width) and refuses a write that would change bytes already stored, which no correct
    sequencer does.
    """

    in_database = False

    def __repr__(self) -> str:
        return "MemoryTileStore()"

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self.checkpoint: str | None = None
        self._lock = threading.Lock()

    def read_tiles(self, refs: Sequence[TileRef]) -> list[bytes]:
        """The bytes of each tile."""
        return [_cut_tile(ref, self._get(ref)) for ref in refs]

    def read_bundles(self, refs: Sequence[BundleRef]) -> list[bytes]:
        """The bytes of each entry bundle."""
        return [_cut_bundle(ref, self._get(ref)) for ref in refs]

    def write(self, tiles: Mapping[TileRef, bytes], bundles: Mapping[BundleRef, bytes]) -> None:
        """Store the tiles; raises ``ValueError`` if stored bytes would change."""
        with self._lock:
            for ref, data in [*tiles.items(), *bundles.items()]:
                path = _full_path(ref)
                old = self.data.get(path, b"")
                if not bytes(data).startswith(old):
                    raise ValueError(f"{format_tile_path(ref)} would change bytes already stored")
                self.data[path] = bytes(data)

    def read_checkpoint(self) -> str | None:
        """The last published checkpoint."""
        return self.checkpoint

    def write_checkpoint(self, text: str, *, old_size: int, new_size: int) -> None:
        """Publish a checkpoint."""
        self.checkpoint = text

    def _get(self, ref: TileRef | BundleRef) -> bytes:
        try:
            return self.data[_full_path(ref)]
        except KeyError:
            raise TileNotFound(f"{format_tile_path(ref)} is not stored") from None


# --- choosing the store ---------------------------------------------------------------------

_stores: dict[str, TileStore] = {}
_stores_lock = threading.Lock()


def store_from_spec(spec: str) -> TileStore:
    """The store named by ``db``, ``dir:<path>`` or ``memory`` (one instance per spec and process)."""
    with _stores_lock:
        if spec not in _stores:
            if spec == "db":
                _stores[spec] = DatabaseTileStore()
            elif spec.startswith("dir:") and len(spec) > len("dir:"):
                _stores[spec] = DirectoryTileStore(Path(spec[len("dir:") :]).expanduser().resolve())
            elif spec == "memory":
                _stores[spec] = MemoryTileStore()
            else:
                raise ImproperlyConfigured(f"LOG_STORE must be 'db', 'dir:<path>' or 'memory', got {spec!r}")
        return _stores[spec]


def tile_store() -> TileStore:
    """The tile store this deployment uses: settings.LOG_STORE, else $COMMONWEAL_LOG_STORE, else ``db``."""
    spec = getattr(settings, "LOG_STORE", None) or os.environ.get("COMMONWEAL_LOG_STORE") or "db"
    return store_from_spec(spec)


# --- reads for receipts, the explorer and the verify page ----------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SignedLog:
    """The latest signed checkpoint of this deployment's log."""

    text: str
    """The checkpoint exactly as /log/checkpoint serves it (signed note, with any cosignatures)."""
    checkpoint: Checkpoint
    """Its parsed text: origin, size and root hash."""
    verifier_key: str
    """The log's verifier key, as /log/vkey serves it."""

    @property
    def size(self) -> int:
        """Tree size of the checkpoint."""
        return self.checkpoint.size

    @property
    def root_hash(self) -> bytes:
        """Root hash of the checkpoint."""
        return self.checkpoint.root_hash


def log_signed() -> SignedLog | None:
    """The latest signed checkpoint, or None before the sequencer has signed one (one query)."""
    from commonweal.ledger.models import LogState

    row = LogState.objects.filter(pk=1).values("checkpoint", "verifier_key").first()
    if not row or not row["checkpoint"]:
        return None
    checkpoint = parse_checkpoint(parse_note(row["checkpoint"]).text)
    return SignedLog(text=row["checkpoint"], checkpoint=checkpoint, verifier_key=row["verifier_key"])


def tile_in_tree(ref: TileRef | BundleRef, size: int) -> bool:
    """c2sp.org/tlog-tiles: whether a tree of ``size`` leaves has this tile (or an older width of it)."""
    level = ref.level if isinstance(ref, TileRef) else 0
    return ref.index * TILE_WIDTH + ref.width <= size >> (8 * level)


def _reader(size: int, store: TileStore | None) -> TileHashReader:
    return TileHashReader(size=size, read_tiles=(store or tile_store()).read_tiles)


def log_inclusion_proof(*, index: int, size: int, store: TileStore | None = None) -> list[bytes]:
    """RFC 9162 §2.1.3.1: the inclusion proof of entry ``index`` in the tree of ``size``, from tiles.

    Use a signed size (``log_signed().size``): tiles beyond it may not exist yet.
    """
    return inclusion_proof_from_reader(index, size, _reader(size, store))


def log_consistency_proof(*, size1: int, size2: int, store: TileStore | None = None) -> list[bytes]:
    """RFC 9162 §2.1.4.1: the consistency proof from ``size1`` to ``size2``, from tiles."""
    return consistency_proof_from_reader(size1, size2, _reader(size2, store))


def log_entries(*, start: int, end: int, size: int, store: TileStore | None = None) -> list[bytes]:
    """The entry bytes of indices ``start … end-1`` of the tree of ``size``, from entry bundles."""
    if not 0 <= start <= end <= size:
        raise ValueError(f"need 0 <= start <= end <= size, got {start}, {end}, {size}")
    if start == end:
        return []
    first, last = start // TILE_WIDTH, (end - 1) // TILE_WIDTH
    refs = [BundleRef(index=n, width=min(TILE_WIDTH, size - n * TILE_WIDTH)) for n in range(first, last + 1)]
    entries: list[bytes] = []
    for ref, data in zip(refs, (store or tile_store()).read_bundles(refs), strict=True):
        entries += parse_bundle(data, width=ref.width)
    offset = start - first * TILE_WIDTH
    return entries[offset : offset + end - start]


def log_entry(*, index: int, size: int, store: TileStore | None = None) -> bytes:
    """The entry bytes (canonical JSON) at ``index`` of the tree of ``size``, from its entry bundle."""
    if not 0 <= index < size:
        raise ValueError(f"entry index must be in [0, {size}), got {index}")
    return log_entries(start=index, end=index + 1, size=size, store=store)[0]
