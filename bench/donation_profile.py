"""Where the time of one donation goes: the intent and the signed notification through Django's
full request stack (middleware, ninja, services, ORM), in one process with no network, on a
temporary database, with the matching campaign of bench/matching_load.py running.

    DATABASE_URL=postgres://… .venv/bin/python bench/donation_profile.py [--donations 300]

Prints CPU and wall time per donation, queries per donation, the share of CPU spent building SQL
in the ORM, and the top functions by own time; the figures as JSON on the last line.

``--phases`` (with ``--batch``) replaces cProfile, which inflates code made of many small calls,
by a CPU clock (``time.thread_time``) around each function of ``PHASES``: the CPU per donation
inside each, counted once when it calls itself.
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

PHASES = (
    "commonweal.giving.intake._intents_batch", "commonweal.projects.selectors.projects_to_donate",
    "commonweal.giving.services.intents.intents_create", "commonweal.giving.services.intents._intent_of",
    "commonweal.giving.intake._notifications_batch", "commonweal.giving.services.credentials.credentials_of",
    "commonweal.giving.services.donations._confirm_all", "commonweal.giving.services.donations._donation_of",
    "commonweal.matching.services.match_on_confirm", "commonweal.matching.services.campaign_for",
    "commonweal.matching.services.cap_limits", "commonweal.matching.services._decide", "commonweal.matching.counters.Book.__init__",
    "commonweal.matching.counters.Book.take", "commonweal.matching.counters.Book.save", "commonweal.matching.risk.flag_on_confirm",
    "commonweal.ledger.services.outbox_append_many", "commonweal.core.bulk.insert_many",
    "commonweal.giving.services.totals.project_totals_add_many",
    "django.db.models.sql.compiler.SQLCompiler.as_sql", "django.db.models.base.Model.__init__",
    "django.db.backends.utils.CursorWrapper.execute",
)
"""Where ``--phases`` measures: the steps of a batch of intents and of notifications, and three
kinds of work spread over all of them (the ORM building SQL, model instances, executing SQL
including the wait for the database)."""


def instrument(targets) -> dict[str, float]:
    """Wrap each function named in ``targets`` to add its CPU seconds to the returned dict, also
    where a module imported it by name or a hook list holds it."""
    import importlib
    import inspect

    spent: dict[str, float] = {}
    replaced = {}
    for dotted in targets:
        owner_path, name = dotted.rsplit(".", 1)
        try:
            owner = importlib.import_module(owner_path)
        except ImportError:  # a class: the module, then the attribute
            module_path, class_name = owner_path.rsplit(".", 1)
            owner = getattr(importlib.import_module(module_path), class_name)
        original = inspect.getattr_static(owner, name)
        label = dotted.removeprefix("commonweal.").removeprefix("django.db.")
        spent[label] = 0.0
        timed = _timed(original, label, spent)
        setattr(owner, name, timed)
        replaced[id(original)] = timed
    for module in list(sys.modules.values()):
        if not getattr(module, "__name__", "").startswith("commonweal."):
            continue
        for attr, value in list(vars(module).items()):
            if id(value) in replaced:
                setattr(module, attr, replaced[id(value)])
            elif type(value) is list:  # hook lists (giving.hooks)
                value[:] = [replaced.get(id(item), item) for item in value]
    return spent


def _timed(original, label: str, spent: dict[str, float]):
    busy = False

    def timed(*args, **kwargs):
        nonlocal busy
        if busy:  # counted once, by its outermost call
            return original(*args, **kwargs)
        busy, started = True, time.thread_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label] += time.thread_time() - started
            busy = False

    return timed


def child(donations: int, batch: int, phases: bool = False) -> dict:
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
    path = f"giving.intake batches of {batch}" if batch else "Django test client, one request at a time"
    if phases:
        spent = instrument(PHASES)
        cpu = time.process_time()
        for n in range(start, start + donations):
            donate(n)
        cpu = (time.process_time() - cpu) / donations
        return {"database": connection.vendor, "path": path, "donations": donations,
                "cpu_ms_per_donation_instrumented": round(cpu * 1000, 3),
                "phases_ms_per_donation": {label: round(seconds / donations * 1000, 3) for label, seconds in spent.items()}}
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
        "path": path,
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
    parser.add_argument("--phases", action="store_true", help="CPU per donation inside each step (PHASES), instead of cProfile; needs --batch")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.phases and not args.batch:
        parser.error("--phases measures the steps of giving.intake's batches: give --batch N")
    if args.child:
        print(json.dumps(child(args.donations, args.batch, args.phases)))
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
                                   "--batch", str(args.batch), *(["--phases"] if args.phases else [])],
                                  env=env, cwd=REPO, capture_output=True, text=True)
        finally:
            if temp_db:
                with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                    admin.execute(f"DROP DATABASE IF EXISTS {temp_db} WITH (FORCE)")
    if done.returncode:
        raise SystemExit(f"profile child failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if args.phases:
        print(f"{result['database']}, {result['path']}: {result['cpu_ms_per_donation_instrumented']} ms CPU per donation "
              "(instrumented); inside each step, ms CPU per donation:")
        for label, ms in sorted(result["phases_ms_per_donation"].items(), key=lambda item: -item[1]):
            print(f"   {ms:6.3f}  {label}")
        print(json.dumps({"benchmark": "donation_profile", "machine": {"cpus": os.cpu_count()}, **result}))
        return
    print(f"{result['database']}, {result['path']}: {result['cpu_ms_per_donation']} ms CPU and {result['wall_ms_per_donation']} ms wall per donation "
          f"(intent + notification), {result['queries_per_donation']} queries; ORM {result['orm_share_of_python_time']:.0%} of Python time")
    for line in result["top_own_time"]:
        print("  ", line)
    print(json.dumps({"benchmark": "donation_profile", "machine": {"cpus": os.cpu_count()}, **result}))


if __name__ == "__main__":
    main()
