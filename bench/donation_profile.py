"""Where the time of one donation goes: the intent and the signed notification through Django's
full request stack (middleware, ninja, services, ORM), in one process with no network, on a
temporary database, with the matching campaign of bench/matching_load.py running.

    DATABASE_URL=postgres://… .venv/bin/python bench/donation_profile.py [--donations 300]

Prints CPU and wall time per donation, queries per donation, the share of CPU spent building SQL
in the ORM, and the top functions by own time; the figures as JSON on the last line.
"""

import argparse
import cProfile
import hashlib
import hmac
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def child(donations: int, batch: int) -> dict:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonweal.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from bench.matching_load import setup_world

    world = setup_world("spread")
    client = Client()

    def donate(n: int) -> None:
        target = world["projects"][n % len(world["projects"])]
        answer = client.post("/api/v1/donation-intents", json.dumps({"project": target["project"], "amount_fen": 1000}),
                             content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"profile-{n}", HTTP_X_DEVICE_ID=f"d{n}")
        assert answer.status_code == 201, answer.content
        intent, now = answer.json()["public_id"], int(time.time())
        body = json.dumps({"out_trade_no": intent, "transaction_id": f"t-{intent}", "amount_fen": 1000, "currency": "CNY",
                           "paid_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)), "payer": f"donor-{n}"},
                          separators=(",", ":")).encode()
        mac = hmac.new(target["secret"].encode(), f"{now}\n".encode() + body, hashlib.sha256).hexdigest()
        answer = client.post(f"/api/v1/payments/sandbox/{target['org']}/notify", body, content_type="application/json",
                             HTTP_X_SANDBOX_TIMESTAMP=str(now), HTTP_X_SANDBOX_SIGNATURE=mac)
        assert answer.status_code == 200, answer.content

    if batch:
        from commonweal.giving import intake
        from commonweal.giving.api import IntentIn
        from commonweal.giving.services import Notified

        def donate_batch(first: int) -> None:
            """``batch`` donations through giving.intake's two batches (no HTTP)."""
            targets = [world["projects"][n % len(world["projects"])] for n in range(first, first + batch)]
            answers = intake._intents_batch([
                intake.AskedIntent(IntentIn(project=t["project"], amount_fen=1000), f"profile-{n}", f"d{n}", "127.0.0.1")
                for n, t in zip(range(first, first + batch), targets)
            ])
            now, notes = int(time.time()), []
            for n, t, (status, answer) in zip(range(first, first + batch), targets, answers):
                assert status == 201, answer
                intent = json.loads(answer)["public_id"]
                body = json.dumps({"out_trade_no": intent, "transaction_id": f"t-{intent}", "amount_fen": 1000, "currency": "CNY",
                                   "paid_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)), "payer": f"donor-{n}"},
                                  separators=(",", ":")).encode()
                mac = hmac.new(t["secret"].encode(), f"{now}\n".encode() + body, hashlib.sha256).hexdigest()
                notes.append(Notified("sandbox", t["org"], {"X-Sandbox-Timestamp": str(now), "X-Sandbox-Signature": mac}, body))
            assert all(status == 200 for status, _, _ in intake._notifications_batch(notes))

        one = donate

        def donate(n: int) -> None:  # noqa: F811 - the batch mode's step
            if n % batch == 0:
                donate_batch(n)

        if batch == 1:
            donate = one  # noqa: F811
        donations = max(batch, donations // batch * batch)

    for n in range(30 if not batch else 2 * batch):  # warm caches and connections
        donate(n)
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(1)
        return execute(sql, params, many, context)

    start = 30 if not batch else 2 * batch
    wall, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(count):  # the query log is cleared at every request
        for n in range(start, start + donations):
            donate(n)
    wall, cpu = (time.perf_counter() - wall) / donations, (time.process_time() - cpu) / donations
    profile = cProfile.Profile(time.process_time)  # CPU, not time waiting for the database
    profile.enable()
    for n in range(start + donations, start + 2 * donations):
        donate(n)
    profile.disable()
    stats = pstats.Stats(profile)
    total = stats.total_tt
    compiler = sum(tt for (file, _line, _name), (_cc, _nc, tt, _ct, _callers) in stats.stats.items()
                   if "django/db/models" in file or "django/db/backends" in file)
    top = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:12]
    if os.environ.get("PROFILE_DUMP"):
        stats.dump_stats(os.environ["PROFILE_DUMP"])
    return {
        "database": connection.vendor,
        "path": f"giving.intake batches of {batch}" if batch else "Django test client, one request at a time",
        "donations": donations,
        "cpu_ms_per_donation": round(cpu * 1000, 2),
        "wall_ms_per_donation": round(wall * 1000, 2),
        "queries_per_donation": round(len(executed) / donations, 1),
        "orm_share_of_python_time": round(compiler / total, 2),
        "top_own_time": [f"{Path(file).name}:{line}:{name} {tt / donations * 1000:.2f} ms" for (file, line, name), (_c, _n, tt, _ct, _cl) in top],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--donations", type=int, default=300)
    parser.add_argument("--batch", type=int, default=0,
                        help="N: through giving.intake's batches of N (services only, no HTTP); 0: Django's request stack")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.donations, args.batch)))
        return
    url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory(prefix="commonweal-profile-") as var:
        env = dict(os.environ) | {"COMMONWEAL_VAR_DIR": var, "DEBUG": "false", "LOG_LEVEL": "WARNING",
                                  "DATABASE_CONN_MAX_AGE": "600", "PYTHONPATH": str(REPO / "src")}
        temp_db = None
        if url.startswith(("postgres://", "postgresql://")):
            import psycopg

            base = url.rpartition("/")[0]
            temp_db = f"commonweal_profile_{os.getpid()}"
            with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                admin.execute(f"CREATE DATABASE {temp_db}")
            env["DATABASE_URL"] = f"{base}/{temp_db}"
        else:
            env.pop("DATABASE_URL", None)
        try:
            subprocess.run([sys.executable, "-m", "commonweal", "migrate", "-v", "0"], env=env, cwd=REPO, check=True)
            done = subprocess.run([sys.executable, __file__, "--child", "--donations", str(args.donations),
                                   "--batch", str(args.batch)],
                                  env=env, cwd=REPO, capture_output=True, text=True)
        finally:
            if temp_db:
                with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                    admin.execute(f"DROP DATABASE IF EXISTS {temp_db} WITH (FORCE)")
    if done.returncode:
        raise SystemExit(f"profile child failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{result['database']}, {result['path']}: {result['cpu_ms_per_donation']} ms CPU and {result['wall_ms_per_donation']} ms wall per donation "
          f"(intent + notification), {result['queries_per_donation']} queries; ORM {result['orm_share_of_python_time']:.0%} of Python time")
    for line in result["top_own_time"]:
        print("  ", line)
    print(json.dumps({"benchmark": "donation_profile", "machine": {"cpus": os.cpu_count()}, **result}))


if __name__ == "__main__":
    main()
