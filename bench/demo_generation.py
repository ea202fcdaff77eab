"""Time `commonweal demo` at full size on a fresh SQLite database, several times.

Each run gets its own temporary COMMONWEAL_VAR_DIR and uses this checkout's src/ (ignoring
DATABASE_URL): `commonweal migrate` (not timed), then
`commonweal demo` (timed from process start to exit, so Django's start-up is included, as a
user waits for it). The command's own figure for the generation alone and the CPU time the
process used are recorded too: on a shared machine wall time depends on the neighbours, CPU
time much less.

    .venv/bin/python bench/demo_generation.py [--runs 3] [--donations 200000] [--orgs 50] [--projects 300]

Prints one line per run, then the figures as JSON on the last line (bench/ convention).
"""

import argparse
import json
import os
import platform
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_GENERATED = re.compile(r"demo data generated in ([0-9.]+) s")


def _commonweal(*args: str, env: dict) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "commonweal", *args], env=env, cwd=REPO, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"`commonweal {' '.join(args)}` failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(*, donations: int, orgs: int, projects: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="commonweal-bench-") as var:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env |= {"COMMONWEAL_VAR_DIR": var, "DJANGO_SETTINGS_MODULE": "commonweal.settings", "LOG_LEVEL": "WARNING",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")]))}
        _commonweal("migrate", "--noinput", env=env)
        cpu_before = _children_cpu()
        started = time.perf_counter()
        done = _commonweal("demo", "--donations", str(donations), "--orgs", str(orgs), "--projects", str(projects), env=env)
        seconds = time.perf_counter() - started
        cpu = _children_cpu() - cpu_before
        match = _GENERATED.search(done.stdout)
        if match is None:
            raise SystemExit(f"`commonweal demo` did not generate anything:\n{done.stdout}{done.stderr}")
        database = Path(var) / "commonweal.sqlite3"
        with sqlite3.connect(database) as db:
            written = db.execute("SELECT count(*) FROM giving_donation").fetchone()[0]
        if written != donations:
            raise SystemExit(f"expected {donations} donations in the database, found {written}")
        return {"seconds": seconds, "generate_seconds": float(match[1]), "cpu_seconds": cpu,
                "database_mb": round(database.stat().st_size / 1e6, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--donations", type=int, default=200_000)
    parser.add_argument("--orgs", type=int, default=50)
    parser.add_argument("--projects", type=int, default=300)
    args = parser.parse_args()
    runs = []
    for number in range(1, args.runs + 1):
        run = run_once(donations=args.donations, orgs=args.orgs, projects=args.projects)
        runs.append(run)
        print(f"run {number}: {run['seconds']:.1f} s wall (generation {run['generate_seconds']:.1f} s), "
              f"{run['cpu_seconds']:.1f} s CPU, database {run['database_mb']} MB", flush=True)
    seconds = [run["seconds"] for run in runs]
    median = statistics.median(seconds)
    print(json.dumps({
        "benchmark": "demo_generation",
        "donations": args.donations,
        "orgs": args.orgs,
        "projects": args.projects,
        "runs": args.runs,
        "seconds_min": round(min(seconds), 2),
        "seconds_median": round(median, 2),
        "seconds_max": round(max(seconds), 2),
        "generate_seconds_median": round(statistics.median(run["generate_seconds"] for run in runs), 2),
        "cpu_seconds_median": round(statistics.median(run["cpu_seconds"] for run in runs), 2),
        "donations_per_second": round(args.donations / median),
        "database_mb": runs[-1]["database_mb"],
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }))


if __name__ == "__main__":
    main()
