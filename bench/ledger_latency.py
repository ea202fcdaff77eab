"""Confirmation-to-checkpoint latency under a steady stream of donations.

A fresh database and a real `commonweal sequencer` process (default settings: polls every
0.25 s, signs at most once a second). A writer thread commits donation outbox rows at
``--rate`` per second for ``--seconds``, as ``donation_confirm`` would (every 5 ms it commits
the rows due, in one transaction, and notes the time after the commit). An observer thread reads
the signed checkpoint size every 10 ms. A row's latency is the time from its commit to the first
observation of a signed checkpoint that contains it (its log index < the checkpoint size).

    .venv/bin/python bench/ledger_latency.py [--rate 2000] [--seconds 30] [--store db|dir]

SQLite in a temporary directory, or a temporary PostgreSQL database when DATABASE_URL points at
PostgreSQL. Prints a summary line, then the figures as JSON on the last line.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def child(rate: int, seconds: float, store: str, var: Path) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonweal.settings")
    import django

    django.setup()
    import bisect
    import random
    import statistics

    from django.core.management import call_command
    from django.db import connection, connections, transaction
    from django.utils import timezone

    from commonweal.ledger.models import LogState, OutboxEntry
    from commonweal.ledger.services import outbox_entry_json

    call_command("migrate", verbosity=0)
    env = {**os.environ, "LOG_LEVEL": "WARNING",
           "COMMONWEAL_LOG_STORE": "db" if store == "db" else f"dir:{var / 'tiles'}"}
    sequencer = subprocess.Popen([sys.executable, "-m", "commonweal", "sequencer"], env=env, cwd=REPO)
    committed: dict[str, float] = {}
    observed: list[tuple[float, int]] = []  # (time first seen, signed size)
    stop_observing = threading.Event()

    def observe():
        last = -1
        try:
            while not stop_observing.is_set():
                size = LogState.objects.filter(pk=1).values_list("signed_size", flat=True).first()
                if size is not None and size != last:
                    observed.append((time.time(), size))
                    last = size
                stop_observing.wait(0.01)
        finally:
            connections.close_all()

    def write():
        rng = random.Random(1)
        table = connection.ops.quote_name(OutboxEntry._meta.db_table)
        n = 0
        start = time.time()
        try:
            while (now := time.time()) < start + seconds:
                due = int((now - start) * rate) - n
                if due > 0:
                    rows = []
                    for i in range(n, n + due):
                        subject = f"01jd{i:022d}"
                        entry = outbox_entry_json(entry_type="donation", subject_id=subject, fields={
                            "amount_fen": rng.randrange(100, 100_000), "currency": "CNY", "org": "01jc" + "0" * 22,
                            "project": "01jp" + "0" * 22, "time": "2026-11-23T13:43:00.123456+08:00",
                            "donor": "%064x" % rng.getrandbits(256),
                        })
                        rows.append(("donation", subject, entry, connection.ops.adapt_datetimefield_value(timezone.now())))
                    with transaction.atomic(), connection.cursor() as cursor:
                        cursor.executemany(
                            f"INSERT INTO {table} (entry_type, subject_id, canonical_json, created_at) VALUES (%s, %s, %s, %s)",
                            rows,
                        )
                    done = time.time()
                    for row in rows:
                        committed[row[1]] = done
                    n += due
                time.sleep(0.005)
        finally:
            connections.close_all()

    try:
        # Let the sequencer start and sign the empty log before the stream begins.
        while not LogState.objects.filter(pk=1).exclude(checkpoint="").exists():
            time.sleep(0.05)
        observer = threading.Thread(target=observe)
        observer.start()
        writer = threading.Thread(target=write)
        writer.start()
        writer.join()
        total = len(committed)
        deadline = time.time() + 30
        while time.time() < deadline and (not observed or observed[-1][1] < total):
            time.sleep(0.05)
        stop_observing.set()
        observer.join()
    finally:
        sequencer.terminate()
        sequencer.wait(timeout=30)
    indices = dict(OutboxEntry.objects.values_list("subject_id", "log_index"))
    sizes = [size for _, size in observed]
    latencies = []
    for subject, commit_time in committed.items():
        k = bisect.bisect_right(sizes, indices[subject])  # first checkpoint with size > index
        latencies.append(observed[k][0] - commit_time)
    latencies.sort()

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))], 3)

    return {
        "database": connection.vendor,
        "store": store,
        "rate_requested": rate,
        "rate_achieved": round(len(committed) / seconds),
        "donations": len(committed),
        "checkpoints": len(observed),
        "latency_p50_s": pct(50),
        "latency_p90_s": pct(90),
        "latency_p99_s": pct(99),
        "latency_max_s": round(latencies[-1], 3),
        "latency_mean_s": round(statistics.fmean(latencies), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--store", choices=["db", "dir"], default="db")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--var", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.rate, args.seconds, args.store, Path(args.var))))
        return
    url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory(prefix="commonweal-bench-") as var:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env |= {"COMMONWEAL_VAR_DIR": var, "DJANGO_SETTINGS_MODULE": "commonweal.settings", "LOG_LEVEL": "WARNING"}
        temp_db = None
        if url.startswith(("postgres://", "postgresql://")):
            import psycopg

            base = url.rpartition("/")[0]
            temp_db = f"commonweal_bench_{os.getpid()}"
            with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                admin.execute(f"CREATE DATABASE {temp_db}")
            env["DATABASE_URL"] = f"{base}/{temp_db}"
        try:
            done = subprocess.run(
                [sys.executable, __file__, "--child", "--rate", str(args.rate), "--seconds", str(args.seconds),
                 "--store", args.store, "--var", var],
                env=env, cwd=REPO, capture_output=True, text=True,
            )
        finally:
            if temp_db:
                with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                    admin.execute(f"DROP DATABASE IF EXISTS {temp_db} WITH (FORCE)")
    if done.returncode:
        raise SystemExit(f"benchmark child failed:\n{done.stdout}{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{result['database']}/{result['store']}: {result['donations']:,} donations at {result['rate_achieved']:,}/s, "
          f"{result['checkpoints']} checkpoints; confirmation to checkpoint p50 {result['latency_p50_s']} s, "
          f"p99 {result['latency_p99_s']} s, max {result['latency_max_s']} s")
    print(json.dumps({"benchmark": "ledger_latency", "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                      **result}))


if __name__ == "__main__":
    main()
