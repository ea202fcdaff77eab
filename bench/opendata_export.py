"""Peak memory of the streamed open-data exports for 10,000 and 100,000 public projects.

On a fresh SQLite database in a temporary COMMONWEAL_VAR_DIR (DATABASE_URL is ignored): migrate,
insert N public projects (two budget lines each, over 20 organizations) with ``bulk_create``,
then consume the IATI XML stream and the projects CSV stream chunk by chunk, discarding the
bytes, under ``tracemalloc``. The peak is what the export itself allocated (the rows it reads
in batches, the activity being built); it should not grow with N.

    .venv/bin/python bench/opendata_export.py [--sizes 10000 100000] [--batch-size 500]

Prints one line per size, then the figures as JSON on the last line (bench/ convention).
"""

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def bulk_projects(count: int, *, orgs: list, start: int = 0) -> None:
    """Insert ``count`` fundraising projects with two budget lines each, spread over ``orgs``."""
    from commonweal.core.domains import Domain
    from commonweal.projects.models import BudgetLine, Project

    domains = list(Domain.values)
    chunk = 5000
    for offset in range(0, count, chunk):
        n = min(chunk, count - offset)
        projects = Project.objects.bulk_create([
            Project(org=orgs[(start + offset + i) % len(orgs)], title_zh=f"项目{start + offset + i}", title_en=f"Project {start + offset + i}",
                    summary_zh="摘要", summary_en="Summary", domain=domains[(offset + i) % len(domains)], sdg_tags=["4", "4.1"],
                    goal_fen=100_000, beneficiaries="学生", region="云南省", fundraising_plan="计划",
                    starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31), status="fundraising")
            for i in range(n)
        ])
        BudgetLine.objects.bulk_create([
            BudgetLine(project=p, name=name, amount_fen=amount, position=pos)
            for p in projects for pos, (name, amount) in enumerate((("图书", 60_000), ("书架", 40_000)))
        ])


def make_orgs(count: int) -> list:
    import random

    from commonweal.core.credit_code import generate_credit_code
    from commonweal.orgs.models import Organization

    rng = random.Random(7)
    return Organization.objects.bulk_create([
        Organization(name_zh=f"基金会{i}", name_en=f"Foundation {i}", credit_code=generate_credit_code(rng),
                     certificate_number=f"C{i}", registration_date=dt.date(2015, 1, 1), org_type="foundation",
                     contact_name="联系人", contact_phone="010", contact_email=f"c{i}@example.org",
                     verification_status="verified", verified_until=dt.date(2030, 1, 1))
        for i in range(count)
    ])


def stream_peak(chunks) -> tuple[int, int, float]:
    """(bytes streamed, peak traced memory in bytes, seconds) of consuming ``chunks``."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    size = 0
    for chunk in chunks:
        size += len(chunk)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return size, peak, seconds


def measure(batch_size: int) -> dict:
    from commonweal.opendata.csv import CSV_TABLES, write_csv
    from commonweal.opendata.exports import iati_activities
    from commonweal.opendata.iati import write_activities

    iati = stream_peak(write_activities(iati_activities(batch_size=batch_size)))
    csv = stream_peak(write_csv(CSV_TABLES["projects"]))
    return {"iati_bytes": iati[0], "iati_peak_bytes": iati[1], "iati_seconds": round(iati[2], 2),
            "csv_bytes": csv[0], "csv_peak_bytes": csv[1], "csv_seconds": round(csv[2], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="commonweal-bench-") as var:
        os.environ.pop("DATABASE_URL", None)
        # DEBUG off, as in production: Django would otherwise keep a log of every query.
        os.environ.update({"COMMONWEAL_VAR_DIR": var, "DJANGO_SETTINGS_MODULE": "commonweal.settings", "LOG_LEVEL": "WARNING",
                           "DEBUG": "false"})
        sys.path.insert(0, str(REPO / "src"))
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", "--noinput", verbosity=0)
        orgs = make_orgs(20)
        results = []
        have = 0
        for size in sorted(args.sizes):
            bulk_projects(size - have, orgs=orgs, start=have)
            have = size
            figures = {"projects": size, **measure(args.batch_size)}
            results.append(figures)
            print(f"{size} projects: IATI {figures['iati_bytes']} bytes, peak {figures['iati_peak_bytes']} bytes, "
                  f"{figures['iati_seconds']} s; CSV {figures['csv_bytes']} bytes, peak {figures['csv_peak_bytes']} bytes", flush=True)
    small, large = results[0], results[-1]
    print(json.dumps({
        "batch_size": args.batch_size,
        "runs": results,
        "iati_peak_ratio": round(large["iati_peak_bytes"] / small["iati_peak_bytes"], 3),
        "csv_peak_ratio": round(large["csv_peak_bytes"] / small["csv_peak_bytes"], 3),
    }))


if __name__ == "__main__":
    main()
