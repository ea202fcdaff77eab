"""Proof size and proof time on a 10,000,000-entry log.

Builds the tiles of a log of ``--entries`` entries with the library (``tlog.extend_tiles``,
65,536 leaves per call, as the sequencer does) into a ``MemoryTileStore``, then copies them into
the ``LogTile`` table of a fresh SQLite database (the embedded default store). For random
indices and tree sizes it times ``ledger.storage.log_inclusion_proof`` and
``log_consistency_proof`` against both stores (tile reads included), checks a sample of the
proofs with ``tlog.verify_inclusion`` / ``verify_consistency``, and reports their sizes,
including a whole c2sp.org/tlog-proof receipt for a typical donation entry.

    .venv/bin/python bench/ledger_proofs.py [--entries 10000000] [--proofs 1000]

Entries are synthetic (``b"entry <i>"``): only their leaf hashes matter for proofs. Prints a
summary, then the figures as JSON on the last line.
"""

import argparse
import hashlib
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))


def _stats(seconds: list[float]) -> dict:
    seconds = sorted(seconds)
    return {
        "mean_ms": round(statistics.fmean(seconds) * 1000, 3),
        "p50_ms": round(seconds[len(seconds) // 2] * 1000, 3),
        "p99_ms": round(seconds[min(len(seconds) - 1, int(0.99 * len(seconds)))] * 1000, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000_000)
    parser.add_argument("--proofs", type=int, default=1000)
    args = parser.parse_args()
    var = tempfile.TemporaryDirectory(prefix="commonweal-bench-")
    os.environ.pop("DATABASE_URL", None)
    os.environ |= {"COMMONWEAL_VAR_DIR": var.name, "DJANGO_SETTINGS_MODULE": "commonweal.settings", "LOG_LEVEL": "WARNING"}
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from commonweal.ledger.models import LogTile
    from commonweal.ledger.storage import DatabaseTileStore, MemoryTileStore, log_consistency_proof, log_inclusion_proof
    from commonweal.tlog import (
        Checkpoint,
        Receipt,
        TileHashReader,
        extend_tiles,
        format_receipt,
        generate_signer_key,
        leaf_hash,
        parse_signer_key,
        root_from_reader,
        sign_checkpoint,
        verify_consistency,
        verify_inclusion,
    )

    n = args.entries
    # 1. Build the tiles with the library.
    memory = MemoryTileStore()
    started = time.perf_counter()
    size = 0
    chunk = 1 << 16
    sha256 = hashlib.sha256
    while size < n:
        count = min(chunk, n - size)
        leaves = [sha256(b"\x00entry %d" % i).digest() for i in range(size, size + count)]
        update = extend_tiles(old_size=size, leaf_hashes=leaves, read_tiles=memory.read_tiles)
        memory.write(update.tiles, {})
        size = update.size
    build_seconds = time.perf_counter() - started
    root = root_from_reader(n, TileHashReader(size=n, read_tiles=memory.read_tiles))
    tile_bytes = sum(len(d) for d in memory.data.values())
    print(f"built the tiles of {n:,} entries in {build_seconds:.1f} s ({n / build_seconds:,.0f} entries/s), "
          f"{tile_bytes / n:.2f} tile bytes per entry", file=sys.stderr)
    # 2. The same tiles in the embedded database store.
    call_command("migrate", verbosity=0)
    table = connection.ops.quote_name(LogTile._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} (path, data) VALUES (%s, %s)", list(memory.data.items()))
    database = DatabaseTileStore()
    db_bytes = Path(connection.settings_dict["NAME"]).stat().st_size

    rng = random.Random(9)
    origin = "bench.commonweal.example/log"
    signer = parse_signer_key(generate_signer_key(origin)[0])
    checkpoint = sign_checkpoint(Checkpoint(origin=origin, size=n, root_hash=root), [signer])
    entry = (b'{"amount_fen":10000,"currency":"CNY","donor":"' + b"0" * 64 + b'","id":"01jd' + b"0" * 22
             + b'","org":"01jc' + b"0" * 22 + b'","project":"01jp' + b"0" * 22
             + b'","time":"2026-11-23T13:43:00.123456+08:00","type":"donation","v":1}')
    results = {}
    for name, store in (("memory", memory), ("db_sqlite", database)):
        inclusion_times, inclusion_sizes, reads = [], [], []
        counting = _Counting(store)
        for k in range(args.proofs):
            index = rng.randrange(n)
            t = time.perf_counter()
            proof = log_inclusion_proof(index=index, size=n, store=counting)
            inclusion_times.append(time.perf_counter() - t)
            inclusion_sizes.append(len(proof))
            reads.append(counting.take())
            if k < 20:
                verify_inclusion(index=index, size=n, leaf_hash=leaf_hash(b"entry %d" % index), proof=proof, root=root)
        consistency_times, consistency_sizes = [], []
        for k in range(args.proofs):
            size1 = rng.randrange(1, n)
            t = time.perf_counter()
            proof = log_consistency_proof(size1=size1, size2=n, store=store)
            consistency_times.append(time.perf_counter() - t)
            consistency_sizes.append(len(proof))
            if k < 5:
                root1 = root_from_reader(size1, TileHashReader(size=n, read_tiles=memory.read_tiles))
                verify_consistency(size1=size1, size2=n, proof=proof, root1=root1, root2=root)
        results[name] = {
            "inclusion": {**_stats(inclusion_times), "tile_reads_per_proof": round(statistics.fmean(reads), 2)},
            "consistency": _stats(consistency_times),
        }
        if name == "memory":
            receipt = format_receipt(Receipt(index=index, proof=tuple(log_inclusion_proof(index=index, size=n, store=store)),
                                             checkpoint=checkpoint, extra=entry))
            results["sizes"] = {
                "inclusion_hashes_mean": round(statistics.fmean(inclusion_sizes), 2),
                "inclusion_hashes_max": max(inclusion_sizes),
                "inclusion_bytes_max": 32 * max(inclusion_sizes),
                "consistency_hashes_mean": round(statistics.fmean(consistency_sizes), 2),
                "consistency_hashes_max": max(consistency_sizes),
                "consistency_bytes_max": 32 * max(consistency_sizes),
                "receipt_bytes": len(receipt.encode()),
            }
    figures = {
        "benchmark": "ledger_proofs",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "entries": n,
        "build_seconds": round(build_seconds, 1),
        "build_entries_per_second": round(n / build_seconds),
        "tile_bytes_per_entry": round(tile_bytes / n, 3),
        "sqlite_file_bytes_per_entry": round(db_bytes / n, 2),
        "proofs": args.proofs,
        **results,
    }
    sizes, memory_figures, db_figures = results["sizes"], results["memory"], results["db_sqlite"]
    print(f"inclusion proofs: {sizes['inclusion_hashes_mean']} hashes on average (max {sizes['inclusion_bytes_max']} bytes); "
          f"{memory_figures['inclusion']['mean_ms']} ms from memory, {db_figures['inclusion']['mean_ms']} ms from SQLite "
          f"(p99 {db_figures['inclusion']['p99_ms']} ms, {db_figures['inclusion']['tile_reads_per_proof']} tiles); "
          f"consistency: {sizes['consistency_hashes_mean']} hashes, {db_figures['consistency']['mean_ms']} ms from SQLite; "
          f"receipt {sizes['receipt_bytes']} bytes")
    print(json.dumps(figures))
    connection.close()
    var.cleanup()


class _Counting:
    """A store wrapper counting the tiles read."""

    def __init__(self, store):
        self.store = store
        self.count = 0

    def read_tiles(self, refs):
        self.count += len(refs)
        return self.store.read_tiles(refs)

    def take(self) -> int:
        count, self.count = self.count, 0
        return count


if __name__ == "__main__":
    main()
