"""c2sp.org/tlog-tiles and golang.org/x/mod/sumdb/tlog: stored hashes of an RFC 9162 tree.

A stored hash ``(level, index)`` is MTH of the perfect subtree of ``2**level`` leaves
``D[index * 2**level : (index + 1) * 2**level]``. A log that keeps its stored hashes (for instance
in tiles) can append leaves and compute any root or proof from O(log n) of them. Hashes are read
in one batch per operation through a ``HashReader``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from .merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    SubtreeHash,
    consistency_proof,
    inclusion_proof,
    node_hash,
)

__all__ = [
    "HashReader",
    "MemoryHashStore",
    "OverlayHashReader",
    "StoredHashID",
    "append_leaves",
    "consistency_proof_from_reader",
    "inclusion_proof_from_reader",
    "root_from_reader",
    "stored_hash_exists",
    "stored_hashes_for_leaf",
    "subtree_stored_hashes",
]

StoredHashID = tuple[int, int]
"""``(level, index)`` of a stored hash: the perfect subtree of 2**level leaves starting at index·2**level."""


class HashReader(Protocol):
    """Reads stored hashes by ``(level, index)``."""

    def read_hashes(self, ids: Sequence[StoredHashID]) -> Sequence[bytes]:
        """Return the hashes for ``ids``, in the same order; raise if any is unavailable."""
        ...


def stored_hash_exists(stored_id: StoredHashID, size: int) -> bool:
    """c2sp.org/tlog-tiles: whether a tree of ``size`` leaves has the stored hash ``(level, index)``."""
    level, index = stored_id
    return level >= 0 and index >= 0 and (index + 1) << level <= size


def subtree_stored_hashes(start: int, end: int) -> list[StoredHashID]:
    """RFC 9162 §2.1.1: the perfect subtrees, left to right, whose hashes make MTH(D[start:end]).

    ``[start, end)`` must be an RFC 9162 subtree (as the proof algorithms produce): MTH is then the
    right-to-left fold of these hashes with ``node_hash``.
    """
    if not 0 <= start < end:
        raise ValueError(f"need 0 <= start < end, got [{start}, {end})")
    ids: list[StoredHashID] = []
    while start < end:
        # 1. Take the largest power of two k <= end - start; RFC subtrees keep start aligned to k.
        level = (end - start).bit_length() - 1
        if start & ((1 << level) - 1):
            raise ValueError(f"[{start}, {end}) is not an RFC 9162 subtree")
        ids.append((level, start >> level))
        start += 1 << level
    return ids


def _fold(hashes: Sequence[bytes]) -> bytes:
    # RFC 9162 §2.1.1: MTH(D[k:n]) nests to the right, so fold from the right.
    result = hashes[-1]
    for h in reversed(hashes[:-1]):
        result = node_hash(h, result)
    return result


def _read(reader: HashReader, ids: Sequence[StoredHashID]) -> dict[StoredHashID, bytes]:
    unique = list(dict.fromkeys(ids))
    if not unique:
        return {}
    hashes = list(reader.read_hashes(unique))
    if len(hashes) != len(unique):
        raise ValueError(f"read_hashes returned {len(hashes)} hashes for {len(unique)} ids")
    for stored_id, h in zip(unique, hashes, strict=True):
        if not isinstance(h, bytes) or len(h) != HASH_SIZE:
            raise ValueError(f"read_hashes returned a malformed hash for {stored_id}")
    return dict(zip(unique, hashes, strict=True))


def _from_reader(generate: Callable[[SubtreeHash], list[bytes]], reader: HashReader) -> list[bytes]:
    # Run a proof algorithm twice: once to learn which subtrees it needs, then with their hashes.
    ranges: list[tuple[int, int]] = []

    def record(start: int, end: int) -> bytes:
        ranges.append((start, end))
        return bytes(HASH_SIZE)

    generate(record)
    needed = {r: subtree_stored_hashes(*r) for r in ranges}
    hashes = _read(reader, [i for ids in needed.values() for i in ids])
    return generate(lambda start, end: _fold([hashes[i] for i in needed[(start, end)]]))


def root_from_reader(size: int, reader: HashReader) -> bytes:
    """RFC 9162 §2.1.1: MTH(D[size]) from stored hashes (one batch of at most log2(size) + 1)."""
    if size == 0:
        return EMPTY_ROOT
    ids = subtree_stored_hashes(0, size)
    hashes = _read(reader, ids)
    return _fold([hashes[i] for i in ids])


def inclusion_proof_from_reader(index: int, size: int, reader: HashReader) -> list[bytes]:
    """RFC 9162 §2.1.3.1: the inclusion proof of leaf ``index`` in the tree of ``size``, from stored hashes."""
    return _from_reader(lambda sh: inclusion_proof(index, size, sh), reader)


def consistency_proof_from_reader(size1: int, size2: int, reader: HashReader) -> list[bytes]:
    """RFC 9162 §2.1.4.1: the consistency proof from ``size1`` to ``size2``, from stored hashes."""
    return _from_reader(lambda sh: consistency_proof(size1, size2, sh), reader)


def stored_hashes_for_leaf(index: int, leaf: bytes, reader: HashReader) -> dict[StoredHashID, bytes]:
    """golang.org/x/mod/sumdb/tlog StoredHashes: the stored hashes added by appending leaf ``index``.

    Returns ``(0, index)`` and, for each trailing 1 bit of ``index``, the perfect subtree it
    completes; reads the left siblings (at most log2(index) hashes) from ``reader``.
    """
    return append_leaves(index, [leaf], reader)


def append_leaves(size: int, leaf_hashes: Sequence[bytes], reader: HashReader) -> dict[StoredHashID, bytes]:
    """golang.org/x/mod/sumdb/tlog StoredHashes, batched: the stored hashes added by appending
    ``leaf_hashes`` to a tree of ``size`` leaves.

    Reads, in one batch, the stored hashes of the old tree that new subtrees complete.
    """
    if size < 0:
        raise ValueError(f"tree size must be >= 0, got {size}")
    for h in leaf_hashes:
        if not isinstance(h, bytes) or len(h) != HASH_SIZE:
            raise ValueError(f"leaf hashes must be {HASH_SIZE} bytes")
    # 1. Each new leaf n completes one perfect subtree per trailing 1 bit of n; the left sibling
    #    (i, (n >> i) - 1) of each lies either in the old tree (read it) or among the new hashes.
    old_ids: list[StoredHashID] = []
    for n in range(size, size + len(leaf_hashes)):
        for i in range(_trailing_ones(n)):
            sibling = (i, (n >> i) - 1)
            if stored_hash_exists(sibling, size):
                old_ids.append(sibling)
    known = _read(reader, old_ids)
    # 2. Add (0, n), then fold each completed subtree: (i + 1, n >> (i + 1)).
    new: dict[StoredHashID, bytes] = {}
    for n, h in zip(range(size, size + len(leaf_hashes)), leaf_hashes, strict=True):
        new[(0, n)] = h
        for i in range(_trailing_ones(n)):
            sibling = (i, (n >> i) - 1)
            h = node_hash(new[sibling] if sibling in new else known[sibling], h)
            new[(i + 1, n >> (i + 1))] = h
    return new


def _trailing_ones(n: int) -> int:
    return ((n ^ (n + 1)).bit_length()) - 1


class MemoryHashStore:
    """An in-memory ``HashReader`` holding stored hashes in a dict: the test double for tile storage."""

    __slots__ = ("_hashes",)

    def __init__(self, hashes: Mapping[StoredHashID, bytes] | None = None) -> None:
        self._hashes: dict[StoredHashID, bytes] = dict(hashes or {})

    def add(self, hashes: Mapping[StoredHashID, bytes]) -> None:
        """Store these hashes (as returned by ``append_leaves``)."""
        self._hashes.update(hashes)

    def read_hashes(self, ids: Sequence[StoredHashID]) -> list[bytes]:
        """Return the stored hashes for ``ids``; raise ``KeyError`` for a missing one."""
        return [self._hashes[i] for i in ids]


class OverlayHashReader:
    """A ``HashReader`` that serves some hashes from a dict and reads the rest from another reader."""

    __slots__ = ("_below", "_hashes")

    def __init__(self, hashes: Mapping[StoredHashID, bytes], below: HashReader) -> None:
        self._hashes = hashes
        self._below = below

    def read_hashes(self, ids: Sequence[StoredHashID]) -> list[bytes]:
        """Return the hashes for ``ids``, reading those not in the overlay in one batch below."""
        missing = [i for i in ids if i not in self._hashes]
        found = dict(zip(missing, self._below.read_hashes(missing), strict=True)) if missing else {}
        return [self._hashes[i] if i in self._hashes else found[i] for i in ids]
