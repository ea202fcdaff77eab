"""Test helpers for commonweal.tlog: vector paths, an RFC reference oracle, a synthetic huge tree."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from commonweal.tlog import (
    TileRef,
    leaf_hash,
    node_hash,
    subtree_stored_hashes,
)

STANDARDS = Path(__file__).resolve().parents[2].parent / "shared" / "standards"
TLOG_VECTORS = STANDARDS / "tlog"


def entry(i: int) -> bytes:
    """A deterministic log entry."""
    return b"entry %d" % i


def leaves(n: int) -> list[bytes]:
    """Leaf hashes of entries 0 … n-1."""
    return [leaf_hash(entry(i)) for i in range(n)]


# RFC 9162 §2.1, transcribed as literally as possible, for cross-checking small trees.


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(d: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes."""
    if len(d) == 0:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return d[0]
    k = _k(len(d))
    return node_hash(ref_mth(d[:k]), ref_mth(d[k:]))


def ref_path(m: int, d: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n])."""
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return ref_path(m, d[:k]) + [ref_mth(d[k:])]
    return ref_path(m - k, d[k:]) + [ref_mth(d[:k])]


def ref_subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b)."""
    if m == len(d):
        return [] if b else [ref_mth(d)]
    k = _k(len(d))
    if m <= k:
        return ref_subproof(m, d[:k], b) + [ref_mth(d[k:])]
    return ref_subproof(m - k, d[k:], False) + [ref_mth(d[:k])]


def ref_proof(m: int, d: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n])."""
    return ref_subproof(m, d, True)


class SyntheticTree:
    """A consistent RFC 9162 tree of any size below 2^64 that costs O(log n) per pinned leaf.

    Every perfect subtree containing a pinned leaf is hashed honestly from its children; every
    other perfect subtree gets an opaque deterministic hash (as if its leaves were unknown). Proofs
    about pinned leaves (inclusion of the leaf, consistency from a size whose last leaf is pinned)
    therefore behave exactly as in a real tree of that size.
    """

    def __init__(self, pinned: Iterable[int], seed: bytes = b"") -> None:
        self.pinned = sorted(set(pinned))
        self.seed = seed
        self.cache: dict[tuple[int, int], bytes] = {}
        self.reads = 0

    def perfect(self, level: int, index: int) -> bytes:
        key = (level, index)
        if key not in self.cache:
            if level == 0:
                h = leaf_hash(self.seed + b"leaf %d" % index)
            elif any(p >> level == index for p in self.pinned):
                h = node_hash(self.perfect(level - 1, 2 * index), self.perfect(level - 1, 2 * index + 1))
            else:
                h = hashlib.sha256(b"opaque %d %d " % (level, index) + self.seed).digest()
            self.cache[key] = h
        return self.cache[key]

    def subtree_hash(self, start: int, end: int) -> bytes:
        self.reads += 1
        parts = [self.perfect(*i) for i in subtree_stored_hashes(start, end)]
        h = parts[-1]
        for p in reversed(parts[:-1]):
            h = node_hash(p, h)
        return h

    def read_hashes(self, ids: Sequence[tuple[int, int]]) -> list[bytes]:
        self.reads += 1
        return [self.perfect(*i) for i in ids]

    def root(self, size: int) -> bytes:
        return self.subtree_hash(0, size)


class MemoryTiles:
    """Tiles and bundles kept in dicts, as the ledger's tile storage keeps them."""

    def __init__(self) -> None:
        self.tiles: dict[TileRef, bytes] = {}
        self.bundles: dict[object, bytes] = {}
        self.tile_reads = 0

    def read_tiles(self, refs: Sequence[TileRef]) -> list[bytes]:
        self.tile_reads += 1
        return [self.tiles[r] for r in refs]

    def read_bundles(self, refs: Sequence[object]) -> list[bytes]:
        return [self.bundles[r] for r in refs]


def flip_bit(data: bytes, bit: int) -> bytes:
    """``data`` with one bit flipped (bit counts from the first byte's low bit)."""
    out = bytearray(data)
    out[(bit // 8) % len(out)] ^= 1 << (bit % 8)
    return bytes(out)
