"""Helpers for the ledger tests: outbox rows, a fake clock, reading the log back independently."""

from __future__ import annotations

import hashlib

from django.db import transaction

from commonweal.ledger.models import LogState, OutboxEntry
from commonweal.ledger.services import outbox_append
from commonweal.tlog import (
    TILE_WIDTH,
    BundleRef,
    TileHashReader,
    parse_bundle,
    root_from_reader,
    root_hash,
)

ORIGIN = "test.commonweal.example/log"


class FakeClock:
    """Seconds since the epoch that move only when told (never sleep in tests)."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


_counter = iter(range(10**9))


def add_outbox(n: int, *, prefix: str = "e") -> list[OutboxEntry]:
    """Append ``n`` donation-like entries to the outbox in one transaction."""
    rows = []
    with transaction.atomic():
        for _ in range(n):
            k = next(_counter)
            rows.append(outbox_append(entry_type="donation", subject_id=f"{prefix}{k}", fields={"amount_fen": 100 + k}))
    return rows


def indexed_entries() -> list[bytes]:
    """The outbox entries in log-index order; asserts indices are exactly 0 … n-1."""
    rows = list(OutboxEntry.objects.exclude(log_index=None).order_by("log_index").values_list("log_index", "canonical_json"))
    assert [i for i, _ in rows] == list(range(len(rows))), "log indices have gaps or duplicates"
    return [bytes(e) for _, e in rows]


def expected_root(entries: list[bytes]) -> bytes:
    """RFC 9162 root of these entries, computed from scratch (no tiles)."""
    return root_hash([hashlib.sha256(b"\x00" + e).digest() for e in entries])


def check_store_matches_outbox(store, size: int | None = None) -> None:
    """The store's tiles give the root of the indexed outbox, and its bundles hold those entries."""
    entries = indexed_entries()
    size = len(entries) if size is None else size
    reader = TileHashReader(size=size, read_tiles=store.read_tiles)
    assert root_from_reader(size, reader) == expected_root(entries[:size])
    refs = [BundleRef(index=n, width=min(TILE_WIDTH, size - n * TILE_WIDTH)) for n in range(0, (size + TILE_WIDTH - 1) // TILE_WIDTH)]
    stored = [e for ref, data in zip(refs, store.read_bundles(refs)) for e in parse_bundle(data, width=ref.width)] if refs else []
    assert stored == entries[:size]


def state() -> LogState:
    return LogState.objects.get(pk=1)
