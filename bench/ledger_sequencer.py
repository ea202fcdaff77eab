"""Sequencer integration rate: outbox rows per second into log indices, tiles and entry bundles.

For each tile store, in a child process with a fresh database: migrate, write ``--entries``
outbox rows holding realistic donation entries (RFC 8785 JSON, the fields ``donation_confirm``
writes), then time the sequencer from its first ``integrate`` to the signed checkpoint covering
every row (start-up recovery excluded; it is timed separately). Also reports the bytes the log
stores per entry (tiles, entry bundles, and what they take on disk: the ``ledger_logtile`` table
with its index for the database store, the files' blocks for the directory store).

    .venv/bin/python bench/ledger_sequencer.py [--entries 200000] [--batch 10000] [--stores db,dir]

The database is a temporary SQLite file, or, when DATABASE_URL points at PostgreSQL, a temporary
database created on that server and dropped afterwards. Prints one line per store, then the
figures as JSON on the last line (bench/ convention).
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def child(store_kind: str, entries: int, batch: int, var: Path) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonweal.settings")
    import django

    django.setup()
    import datetime as dt
    import random

    from django.core.management import call_command
    from django.db import connection, transaction

    from commonweal.ledger.models import LogTile, OutboxEntry
    from commonweal.ledger.sequencer import Sequencer
    from commonweal.ledger.services import outbox_entry_json
    from commonweal.ledger.storage import DatabaseTileStore, DirectoryTileStore
    from commonweal.tlog import generate_signer_key, parse_signer_key

    call_command("migrate", verbosity=0)
    # 1. The outbox, as the demo or a busy day would leave it.
    rng = random.Random(7)
    table = connection.ops.quote_name(OutboxEntry._meta.db_table)
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    for first in range(0, entries, 20_000):
        rows = []
        for i in range(first, min(first + 20_000, entries)):
            subject = f"01jd{i:022d}"
            entry = outbox_entry_json(entry_type="donation", subject_id=subject, fields={
                "amount_fen": rng.randrange(100, 1_000_000), "currency": "CNY",
                "org": f"01jc{rng.randrange(50):022d}", "project": f"01jp{rng.randrange(300):022d}",
                "time": "2026-11-23T13:43:00.123456+08:00", "donor": "%064x" % rng.getrandbits(256),
            })
            rows.append(("donation", subject, entry, connection.ops.adapt_datetimefield_value(now)))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (entry_type, subject_id, canonical_json, created_at) VALUES (%s, %s, %s, %s)", rows
            )
    fill_seconds = time.perf_counter() - started
    entry_bytes = sum(len(bytes(e)) for e in OutboxEntry.objects.values_list("canonical_json", flat=True)[:1000]) / 1000
    # 2. The sequencer.
    origin = "bench.commonweal.example/log"
    signer = parse_signer_key(generate_signer_key(origin)[0])
    store = DatabaseTileStore() if store_kind == "db" else DirectoryTileStore(var / "tiles")
    sequencer = Sequencer(signer=signer, origin=origin, store=store, batch_size=batch)
    started = time.perf_counter()
    sequencer.recover()
    recover_seconds = time.perf_counter() - started
    cpu = time.process_time()
    started = time.perf_counter()
    while sequencer.integrate():
        pass
    signed = sequencer.sign_if_due()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    assert signed == entries, f"signed {signed}, expected {entries}"
    # 3. What the log stores per entry.
    table_bytes = None
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'ledger_logtile%' OR name LIKE 'sqlite_autoindex_ledger_logtile%'")
        else:
            cursor.execute("SELECT pg_total_relation_size('ledger_logtile')")
        table_bytes = cursor.fetchone()[0]
    if store_kind == "db":
        tiles = sum(len(bytes(d)) for p, d in LogTile.objects.exclude(path__startswith="tile/entries/").values_list("path", "data"))
        bundles = sum(len(bytes(d)) for d in LogTile.objects.filter(path__startswith="tile/entries/").values_list("data", flat=True))
        disk = None
    else:
        files = [p for p in (var / "tiles").rglob("*") if p.is_file()]
        tiles = sum(p.stat().st_size for p in files if "/tile/entries/" not in str(p) and p.name != "checkpoint")
        bundles = sum(p.stat().st_size for p in files if "/tile/entries/" in str(p))
        disk = sum(p.stat().st_blocks * 512 for p in files)
    return {
        "store": store_kind,
        "database": connection.vendor,
        "entries": entries,
        "batch": batch,
        "seconds": round(seconds, 3),
        "entries_per_second": round(entries / seconds),
        "cpu_seconds": round(cpu, 3),
        "recover_seconds": round(recover_seconds, 3),
        "outbox_fill_seconds": round(fill_seconds, 1),
        "entry_bytes": round(entry_bytes, 1),
        "tile_bytes_per_entry": round(tiles / entries, 2),
        "bundle_bytes_per_entry": round(bundles / entries, 2),
        "disk_bytes_per_entry": round(disk / entries, 1) if disk is not None else round(table_bytes / entries, 1),
    }


def run_store(store_kind: str, entries: int, batch: int) -> dict:
    url = os.environ.get("DATABASE_URL", "")
    postgres = url.startswith(("postgres://", "postgresql://"))
    with tempfile.TemporaryDirectory(prefix="commonweal-bench-") as var:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env |= {"COMMONWEAL_VAR_DIR": var, "DJANGO_SETTINGS_MODULE": "commonweal.settings", "LOG_LEVEL": "WARNING"}
        temp_db = None
        if postgres:
            import psycopg

            base, _, _ = url.rpartition("/")
            temp_db = f"commonweal_bench_{os.getpid()}"
            with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                admin.execute(f"CREATE DATABASE {temp_db}")
            env["DATABASE_URL"] = f"{base}/{temp_db}"
        try:
            done = subprocess.run(
                [sys.executable, __file__, "--child", store_kind, "--entries", str(entries), "--batch", str(batch), "--var", var],
                env=env, cwd=REPO, capture_output=True, text=True,
            )
        finally:
            if temp_db:
                with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                    admin.execute(f"DROP DATABASE IF EXISTS {temp_db}")
        if done.returncode:
            raise SystemExit(f"benchmark child failed:\n{done.stdout}{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--stores", default="db,dir")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--var", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.entries, args.batch, Path(args.var))))
        return
    results = []
    for store in args.stores.split(","):
        result = run_store(store, args.entries, args.batch)
        results.append(result)
        print(f"{result['database']}/{store}: {result['entries']:,} entries in {result['seconds']} s = "
              f"{result['entries_per_second']:,}/s (cpu {result['cpu_seconds']} s); "
              f"{result['tile_bytes_per_entry']} tile + {result['bundle_bytes_per_entry']} bundle bytes per entry, "
              f"{result['disk_bytes_per_entry']} on disk")
    print(json.dumps({"benchmark": "ledger_sequencer", "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                      "results": results}))


if __name__ == "__main__":
    main()
