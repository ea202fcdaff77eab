"""A burst of donations at pool opening against the production server, on PostgreSQL.

For each donation the load generator creates an intent (``POST /api/v1/donation-intents``) and
then delivers the provider's signed notification (``POST /api/v1/payments/sandbox/<org>/notify``)
— the notification confirms the gift and decides its match in the same transaction. Two shapes:

- ``spread``: 300 projects of 30 organizations, all in one campaign;
- ``hot``: every donation to one project, drawing one pool.

The server is granian (``--interface asgi``, the batched hot path, or ``wsgi``; ``--workers``;
persistent database connections); the load generator is this process: ``--clients`` asyncio
coroutines on raw HTTP/1.1 keep-alive connections, so it costs the machine as little as possible.
After the run it checks exactness (matched total vs pool, caps, counters, outbox ``match``
entries) and then measures the ceiling: the same statements issued directly by ``pgbench``, for
the ratio between them. ``--floor`` first runs the same burst against ``bench/floor_app.py``,
which answers both requests without doing anything: what HTTP and the load generator cost alone.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/matching_load.py \\
        [--shape spread|hot|both|none] [--floor] [--clients 256] [--seconds 60] [--workers 3] [--threads 4]

A temporary database is created next to DATABASE_URL's and dropped afterwards. Needs
``pgbench`` (PostgreSQL's, found on PATH or in /usr/lib/postgresql/*/bin). Prints one summary
line per shape, then the figures as JSON on the last line.
"""

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from glob import glob
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GIFTS_FEN = (100, 500, 1_000, 2_000, 5_000, 10_000, 20_000)
DONORS = 200_000
POOL_FEN = {"spread": 20_000_000_00, "hot": 5_000_000_00}
"""Large enough to last the run at the target rates: the burst draws it the whole time."""


# --- inside Django (setup and checks run in a child process) ------------------------------------

def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonweal.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def setup_world(shape: str) -> dict:
    """Organizations with sandbox credentials, fundraising projects and a running campaign, made
    through the same services the tests use (tests/factories.py)."""
    _django()
    import datetime as dt

    from django.utils import timezone

    from commonweal.giving.services import credentials_get
    from commonweal.matching.models import Campaign, CampaignStatus, Sponsor
    from commonweal.matching.services import pool_add
    from tests.factories import make_operator, make_org, make_project

    operator = make_operator("bench-operator@example.org")
    n_orgs, per_org = (30, 10) if shape == "spread" else (1, 1)
    projects = []
    for _ in range(n_orgs):
        org = make_org(operator=operator)
        secret = credentials_get(org=org, provider="sandbox")["secret"]
        for _ in range(per_org):
            project = make_project(org, operator=operator)
            projects.append({"project": project.public_id, "org": org.public_id, "secret": secret, "pk": project.pk,
                             "org_pk": org.pk})
    now = timezone.now()
    campaign = Campaign.objects.create(
        slug=f"bench-{shape}", name_zh="压测配捐", status=CampaignStatus.PUBLISHED, starts_at=now - dt.timedelta(minutes=1),
        ends_at=now + dt.timedelta(hours=2), ratio_num=1, ratio_den=1, min_donation_fen=100,
        cap_donor_day_fen=99_900, cap_donor_project_fen=50_000, cap_project_fen=POOL_FEN[shape], shards=32,
    )
    sponsor = Sponsor.objects.create(campaign=campaign, name_zh="压测企业")
    pool_add(campaign=campaign, sponsor=sponsor, name="pool", total_fen=POOL_FEN[shape])
    return {"projects": projects, "campaign": campaign.pk, "pool_fen": POOL_FEN[shape]}


def check_exactness(campaign_pk: int) -> dict:
    """Matched totals against the pool, caps, counters and the outbox, from the database."""
    _django()
    from django.db.models import Count, F, Max, Sum

    from commonweal.giving.models import Donation
    from commonweal.ledger.models import OutboxEntry
    from commonweal.matching.models import Campaign, Counter, MatchDecision

    campaign = Campaign.objects.get(pk=campaign_pk)
    decisions = MatchDecision.objects.filter(campaign=campaign)
    matched = decisions.aggregate(s=Sum("amount_fen"))["s"] or 0
    pool = campaign.pools.aggregate(s=Sum("total_fen"))["s"]
    tranche_used = Counter.objects.filter(campaign=campaign, key__startswith="tranche:").aggregate(s=Sum("used_fen"))["s"] or 0
    outbox = 0
    for raw in OutboxEntry.objects.filter(entry_type="match").values_list("canonical_json", flat=True).iterator():
        outbox += json.loads(bytes(raw))["amount_fen"]
    day_max = decisions.values("donor_key").annotate(s=Sum("amount_fen")).aggregate(m=Max("s"))["m"] or 0
    donor_project_max = decisions.values("donor_key", "project").annotate(s=Sum("amount_fen")).aggregate(m=Max("s"))["m"] or 0
    project_max = decisions.values("project").annotate(s=Sum("amount_fen")).aggregate(m=Max("s"))["m"] or 0
    donations = Donation.objects.count()
    from commonweal.giving.services import project_totals_fold
    from commonweal.projects.models import Project

    project_totals_fold()  # what the sequencer's next tick would do
    totals_ok = (Project.objects.aggregate(s=Sum("raised_fen"))["s"] or 0) == (Donation.objects.aggregate(s=Sum("amount_fen"))["s"] or 0)
    over_limit = Counter.objects.filter(used_fen__gt=F("limit_fen")).count()
    from django.db import connection

    with connection.cursor() as cursor:  # how many gifts each commit carried (rows of one transaction share xmin)
        cursor.execute(f"SELECT count(*), count(DISTINCT xmin::text) FROM {Donation._meta.db_table}")
        rows, transactions = cursor.fetchone()
    ok = (totals_ok and matched <= pool and matched == tranche_used == outbox and donations == decisions.count()
          and day_max <= campaign.cap_donor_day_fen and donor_project_max <= campaign.cap_donor_project_fen
          and project_max <= campaign.cap_project_fen and over_limit == 0
          and decisions.values("donation").annotate(n=Count("id")).filter(n__gt=1).count() == 0)
    return {"ok": ok, "project_totals_ok": totals_ok, "donations": donations, "decisions": decisions.count(), "matched_fen": matched, "pool_fen": pool,
            "counters_fen": tranche_used, "outbox_match_fen": outbox, "max_donor_day_fen": day_max,
            "max_donor_project_fen": donor_project_max, "max_project_fen": project_max,
            "donations_per_commit": round(rows / transactions, 1) if transactions else None}


def pgbench_script(world: dict, hot: bool) -> str:
    """The statements one donation issues (intent; then the confirmation transaction with its
    match), written for pgbench with random keys. Column lists come from the models."""
    _django()
    from commonweal.giving.models import Donation, DonationIntent, ProjectTally
    from commonweal.ledger.models import OutboxEntry
    from commonweal.matching.models import Counter, MatchDecision
    from commonweal.matching.risk import _COUNTS

    def insert(model, values: dict, returning: str = "") -> str:
        columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
        missing = set(columns) - set(values)
        assert not missing, f"{model.__name__}: no value for {sorted(missing)}"
        sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) VALUES ({', '.join(values[c] for c in columns)})"
        return sql + (f" RETURNING id AS {returning}id \\gset" if returning else ";")

    ids = [p["pk"] for p in world["projects"]]
    rnd = "substr(md5(random()::text), 1, 26)"
    lines = [
        "\\set p 0" if hot else f"\\set p random(0, {len(ids) - 1})",
        "\\set amount random(100, 20000)",
        f"\\set donor random(1, {DONORS})",
        "\\set shard random(0, 31)",
        "\\set tshard random(0, 15)",
        "SELECT id AS pid, org_id AS oid FROM projects_project ORDER BY id OFFSET :p LIMIT 1 \\gset",
        insert(DonationIntent, {
            "public_id": rnd, "idempotency_key": "md5(random()::text)", "project_id": ":pid", "recipient_org_id": ":oid",
            "amount_fen": ":amount", "currency": "'CNY'", "provider": "'sandbox'", "donor_id": "NULL", "donor_name": "''",
            "donor_public": "false", "message": "''", "monthly_plan_id": "NULL", "attribution": "''",
            "client_fingerprint": "'bench'", "device_fingerprint": "md5(:donor::text)", "status": "'pending'",
            "created_at": "now()",
        }, returning="i"),
        "BEGIN;",
        "SELECT id FROM giving_donationintent WHERE id = :iid FOR UPDATE;",
        "SELECT id FROM giving_donation WHERE intent_id = :iid;",
        insert(Donation, {
            "public_id": rnd, "intent_id": ":iid", "project_id": ":pid", "recipient_org_id": ":oid", "amount_fen": ":amount",
            "currency": "'CNY'", "provider": "'sandbox'", "provider_txn_id": "md5(random()::text)",
            "payer_reference": "'donor-' || :donor", "donor_id": "NULL", "donor_name": "''", "donor_public": "false",
            "message": "''", "donor_salt": "md5(random()::text)", "donor_commitment": "md5(random()::text)",
            "monthly_plan_id": "NULL", "refunded_fen": "0", "confirmed_at": "now()",
        }, returning="d"),
        "UPDATE giving_donationintent SET status = 'paid' WHERE id = :iid;",
        insert(OutboxEntry, {"entry_type": "'donation'", "subject_id": rnd, "canonical_json": "convert_to(repeat('x', 230), 'UTF8')",
                             "created_at": "now()", "log_index": "NULL"}),
        "SELECT 1 FROM matching_orgban WHERE org_id = :oid AND until > now() LIMIT 1;",
        "SELECT max(published_at) FROM projects_projectupdate WHERE project_id = :pid AND kind IN ('progress', 'final');",
    ]
    upsert = (f"INSERT INTO {Counter._meta.db_table} (campaign_id, \"key\", shard, limit_fen, used_fen) VALUES ({world['campaign']}, "
              "{key}, {shard}, {limit}, :amount) ON CONFLICT (campaign_id, \"key\", shard) DO UPDATE SET used_fen = "
              f"{Counter._meta.db_table}.used_fen + excluded.used_fen WHERE {Counter._meta.db_table}.used_fen + excluded.used_fen "
              f"<= {Counter._meta.db_table}.limit_fen;")
    lines += ["SAVEPOINT s;"] + [
        upsert.format(key=key, shard=shard, limit=limit) for key, shard, limit in (
            ("'donor-day:bench:' || :donor", "0", 99_900), ("'donor-project:bench:' || :donor || ':' || :pid", "0", 50_000),
            ("'project:' || :pid", ":shard", 10**15), ("'tranche:bench'", ":shard", 10**15))
    ] + ["RELEASE SAVEPOINT s;"]
    lines += [
        insert(MatchDecision, {
            "public_id": rnd, "campaign_id": str(world["campaign"]), "donation_id": ":did", "project_id": ":pid",
            "org_id": ":oid", "team_id": "NULL", "donor_key": "'pdonor-' || :donor", "donation_fen": ":amount",
            "desired_fen": ":amount", "amount_fen": ":amount", "rule": "'fixed 1:1'", "seed": "''", "binding": "''",
            "takes": "'[]'", "status": "'pending'", "clawed_back_fen": "0", "decided_at": "now()",
        }),
        insert(OutboxEntry, {"entry_type": "'match'", "subject_id": rnd, "canonical_json": "convert_to(repeat('x', 260), 'UTF8')",
                             "created_at": "now()", "log_index": "NULL"}),
        "SET LOCAL enable_bitmapscan = off;",  # matching.risk
        f"SELECT {_COUNTS.format(later_d='true', later_i='true')} FROM (SELECT NULL::bigint AS donor, 'sandbox'::text AS provider, 'donor-' || :donor AS payer, "
        "md5(:donor::text) AS device, 'bench'::text AS client, now() - interval '1 minute' AS since, now() AS at, "
        "now() - interval '1 hour' AS campaign_start) v;",
        "SET LOCAL enable_bitmapscan TO DEFAULT;",
        # giving.services.totals: a tally shard, moved into the project row only if that row is free.
        f"INSERT INTO {ProjectTally._meta.db_table} (project_id, shard, raised_fen, donation_count) VALUES (:pid, :tshard, :amount, 1) "
        f"ON CONFLICT (project_id, shard) DO UPDATE SET raised_fen = {ProjectTally._meta.db_table}.raised_fen + excluded.raised_fen, "
        f"donation_count = {ProjectTally._meta.db_table}.donation_count + 1 RETURNING id AS tid, raised_fen AS traised, "
        "donation_count AS tcount \\gset",
        "SELECT count(*) AS free FROM (SELECT 1 FROM projects_project WHERE id = :pid FOR UPDATE SKIP LOCKED) f \\gset",
        "\\if :free",
        "UPDATE projects_project SET raised_fen = raised_fen + :traised, donation_count = donation_count + :tcount WHERE id = :pid;",
        f"UPDATE {ProjectTally._meta.db_table} SET raised_fen = 0, donation_count = 0 WHERE id = :tid;",
        "\\endif",
        "COMMIT;",
    ]
    return "\n".join(lines) + "\n"


def pgbench_batch_script(world: dict, hot: bool, batch: int) -> str:
    """The statements giving.intake issues for one batch of ``batch`` donations (the intents'
    transaction, then the confirmations' with their matches), set-based like the services, for
    pgbench: one pgbench transaction is one batch."""
    _django()
    from commonweal.giving.models import Donation, DonationIntent, ProjectTally
    from commonweal.ledger.models import OutboxEntry
    from commonweal.matching.models import Counter, MatchDecision, RiskFlag
    from commonweal.matching.risk import _COUNTS

    later_intents = "i.id <> ALL(ARRAY(SELECT intent_id FROM giving_donation WHERE id IN (:dids)))"

    def insert(model, values: dict, source: str, tail: str = ";") -> str:
        columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
        missing = set(columns) - set(values)
        assert not missing, f"{model.__name__}: no value for {sorted(missing)}"
        return (f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(values[c] for c in columns)} "
                f"FROM {source}{tail}")

    targets = world["projects"][:1] if hot else world["projects"]
    pids = "(ARRAY[" + ",".join(str(p["pk"]) for p in targets) + "])"
    oids = "(ARRAY[" + ",".join(str(p["org_pk"]) for p in targets) + "])"
    rnd = "substr(md5(random()::text), 1, 26)"
    ids = "SELECT coalesce(array_to_string(array_agg(id), ','), '0') AS {name} FROM {source} \\gset"
    mine = "FROM giving_donation WHERE id IN (:dids)"
    c, counter = world["campaign"], Counter._meta.db_table
    lines = [
        f"\\set b {batch}",
        # intents_create: existing keys, the projects, one insert
        "SELECT id FROM giving_donationintent WHERE idempotency_key IN (SELECT md5(random()::text) FROM generate_series(1, :b));",
        f"SELECT id, org_id, partner_org_id, status FROM projects_project WHERE id = ANY({pids}[1 : :b]);",
        "WITH ins AS (" + insert(DonationIntent, {
            "public_id": rnd, "idempotency_key": "md5(random()::text)", "project_id": f"{pids}[k]", "recipient_org_id": f"{oids}[k]",
            "amount_fen": "(100 + random() * 19900)::int", "currency": "'CNY'", "provider": "'sandbox'", "donor_id": "NULL",
            "donor_name": "'d' || d", "donor_public": "false", "message": "''", "monthly_plan_id": "NULL", "attribution": "''",
            "client_fingerprint": "'bench'", "device_fingerprint": "md5(d::text)", "status": "'pending'", "created_at": "now()",
        }, f"(SELECT 1 + floor(random() * {len(targets)})::int AS k, floor(random() * {DONORS})::int AS d "
           "FROM generate_series(1, :b)) r", tail=" RETURNING id)") + " " + ids.format(name="ids", source="ins"),
        # notifications_receive and donations_confirm
        "BEGIN;",
        f"SELECT id FROM orgs_organization WHERE id = ANY({oids}[1 : :b]);",
        f"SELECT org_id, sealed FROM orgs_providercredential WHERE provider = 'sandbox' AND org_id = ANY({oids}[1 : :b]);",
        "SELECT i.id FROM giving_donationintent i JOIN projects_project p ON p.id = i.project_id WHERE i.id IN (:ids) "
        "ORDER BY i.id FOR UPDATE OF i;",
        "SELECT id FROM giving_donation WHERE intent_id IN (:ids);",
        "WITH ins AS (" + insert(Donation, {
            "public_id": rnd, "intent_id": "i.id", "project_id": "i.project_id", "recipient_org_id": "i.recipient_org_id",
            "amount_fen": "i.amount_fen", "currency": "'CNY'", "provider": "'sandbox'", "provider_txn_id": "md5(random()::text)",
            "payer_reference": "'donor-' || substr(i.donor_name, 2)", "donor_id": "NULL", "donor_name": "''", "donor_public": "false",
            "message": "''", "donor_salt": "md5(random()::text)", "donor_commitment": "md5(random()::text)",
            "monthly_plan_id": "NULL", "refunded_fen": "0", "confirmed_at": "now()",
        }, "giving_donationintent i WHERE i.id IN (:ids)", tail=" RETURNING id)") + " " + ids.format(name="dids", source="ins"),
        "UPDATE giving_donationintent SET status = 'paid' WHERE id IN (:ids);",
        insert(OutboxEntry, {"entry_type": "'donation'", "subject_id": rnd, "canonical_json": "convert_to(repeat('x', 230), 'UTF8')",
                             "created_at": "now()", "log_index": "NULL"}, "generate_series(1, :b)"),
        # matching: overdue state of the batch's projects (once a second per project: left out), the
        # counters' book (read, insert missing donor caps, lock one shard per limit, one update)
        f"SELECT n.\"key\", n.shard, n.limit_fen, n.used_fen FROM (SELECT 'donor-day:' || payer_reference AS k {mine} "
        f"UNION ALL SELECT 'donor-project:' || payer_reference || ':' || project_id {mine} UNION ALL SELECT 'project:' || project_id "
        f"{mine} UNION ALL SELECT 'tranche:bench') v CROSS JOIN LATERAL (SELECT * FROM {counter} WHERE campaign_id = {c} "
        "AND \"key\" = v.k OFFSET 0) n;",
        f"INSERT INTO {counter} (campaign_id, \"key\", shard, limit_fen, used_fen) SELECT {c}, k, 0, 10000000, 0 FROM ("
        f"SELECT 'donor-day:' || payer_reference AS k {mine} UNION SELECT 'donor-project:' || payer_reference || ':' || project_id "
        f"{mine}) n ORDER BY k ON CONFLICT (campaign_id, \"key\", shard) DO NOTHING;",
        ids.format(name="cids", source=(
            f"(SELECT n.id FROM (SELECT * FROM (SELECT 'donor-day:' || payer_reference AS k, 0 AS s {mine} UNION SELECT "
            f"'donor-project:' || payer_reference || ':' || project_id, 0 {mine} UNION SELECT 'project:' || project_id, "
            f"floor(random() * 32)::int {mine} UNION SELECT 'tranche:bench', floor(random() * 32)::int) u ORDER BY k, s) v "
            f"CROSS JOIN LATERAL (SELECT id FROM {counter} WHERE campaign_id = {c} AND \"key\" = v.k AND shard = v.s LIMIT 1 "
            "FOR UPDATE) n) locked")),
        f"UPDATE {counter} SET used_fen = used_fen + 1 WHERE id IN (:cids);",
        insert(MatchDecision, {
            "public_id": rnd, "campaign_id": str(c), "donation_id": "id", "project_id": "project_id",
            "org_id": "recipient_org_id", "team_id": "NULL", "donor_key": "'p' || payer_reference", "donation_fen": "amount_fen",
            "desired_fen": "amount_fen", "amount_fen": "amount_fen", "rule": "'fixed 1:1'", "seed": "''", "binding": "''",
            "takes": "'[]'", "status": "'pending'", "clawed_back_fen": "0", "decided_at": "now()",
        }, mine.removeprefix("FROM ")),
        insert(OutboxEntry, {"entry_type": "'match'", "subject_id": rnd, "canonical_json": "convert_to(repeat('x', 260), 'UTF8')",
                             "created_at": "now()", "log_index": "NULL"}, "generate_series(1, :b)"),
        # matching.risk: the batch's counts in one statement, then the flags
        "SET LOCAL enable_bitmapscan = off;",
        # (each gift skips the batch's later gifts: here, as much work, the whole batch)
        f"SELECT v.n, {_COUNTS.format(later_d='d.id <> ALL(ARRAY[:dids]::bigint[])', later_i=later_intents)} FROM (SELECT d.id AS n, d.donor_id AS donor, d.provider, d.payer_reference AS payer, "
        "i.device_fingerprint AS device, i.client_fingerprint AS client, d.confirmed_at - interval '1 minute' AS since, "
        "d.confirmed_at AS at, now() - interval '1 hour' AS campaign_start FROM giving_donation d "
        "JOIN giving_donationintent i ON i.id = d.intent_id WHERE d.id IN (:dids)) v;",
        "SET LOCAL enable_bitmapscan TO DEFAULT;",
        insert(RiskFlag, {"decision_id": "id", "kind": "'velocity_address'", "detail": "'more than 4 gifts within a minute'",
                          "created_at": "now()"}, "matching_matchdecision WHERE donation_id IN (:dids)",
               tail=" ON CONFLICT DO NOTHING;"),
        # giving.services.totals: one tally shard per project; free project rows take theirs
        f"INSERT INTO {ProjectTally._meta.db_table} (project_id, shard, raised_fen, donation_count) SELECT project_id, "
        f"floor(random() * 16)::int, sum(amount_fen), count(*) {mine} GROUP BY project_id ON CONFLICT (project_id, shard) "
        f"DO UPDATE SET raised_fen = {ProjectTally._meta.db_table}.raised_fen + excluded.raised_fen, "
        f"donation_count = {ProjectTally._meta.db_table}.donation_count + excluded.donation_count;",
        ids.format(name="free", source=(f"(SELECT id FROM projects_project WHERE id IN (SELECT project_id {mine}) ORDER BY id "
                                        "FOR UPDATE SKIP LOCKED) f")),
        "UPDATE projects_project p SET raised_fen = p.raised_fen + v.fen, donation_count = p.donation_count + v.n FROM "
        f"(SELECT project_id, sum(amount_fen) AS fen, count(*) AS n {mine} GROUP BY project_id) v "
        "WHERE p.id = v.project_id AND p.id IN (:free);",
        f"UPDATE {ProjectTally._meta.db_table} SET raised_fen = 0, donation_count = 0 WHERE project_id IN (:free) "
        "AND donation_count > 0;",
        "COMMIT;",
    ]
    return "\n".join(lines) + "\n"


def _burst(result: dict) -> str:
    return (f"{result['donations']:,} donations in {result['seconds']} s = {result['per_second']:,}/s, "
            f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, errors {result['errors']}")


def _rate(per_second: int | None) -> str:
    return "failed" if per_second is None else f"{per_second:,}/s"


# --- the load generator -------------------------------------------------------------------------

_KEYS = iter(range(10**12))
"""Idempotency keys, unique across the warm-up and the measured run."""


class Connection:
    """One keep-alive HTTP/1.1 connection, as little client work as possible."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def request(self, method: str, path: str, body: bytes, headers: dict) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write(head.encode() + b"\r\n" + body)
        status_line = await self.reader.readline()
        if not status_line:
            self.writer = None
            raise ConnectionError("server closed the connection")
        status = int(status_line.split()[1])
        length, chunked = 0, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value:
                chunked = True
        if chunked:
            data = b""
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                data += chunk[:-2]
            return status, data
        return status, await self.reader.readexactly(length)


async def _load(port: int, world: dict, shape: str, clients: int, seconds: float) -> dict:
    projects = world["projects"] if shape == "spread" else world["projects"][:1]
    latencies, errors, statuses = [], 0, {}
    deadline = time.monotonic() + seconds

    async def donor_loop(n: int):
        nonlocal errors
        rng = random.Random(n)
        conn = Connection("127.0.0.1", port)
        while time.monotonic() < deadline:
            target = rng.choice(projects)
            donor = rng.randrange(DONORS)
            amount = rng.choice(GIFTS_FEN)
            started = time.perf_counter()
            try:
                key = f"bench-{os.getpid()}-{next(_KEYS)}"
                body = json.dumps({"project": target["project"], "amount_fen": amount}).encode()
                status, answer = await conn.request("POST", "/api/v1/donation-intents", body,
                                                    {"Idempotency-Key": key, "X-Device-Id": f"device-{donor}"})
                if status != 201:
                    raise RuntimeError(f"intent {status}: {answer[:200]!r}")
                intent = json.loads(answer)
                now = int(time.time())
                note = json.dumps({
                    "out_trade_no": intent["public_id"], "transaction_id": f"bench-{intent['public_id']}", "amount_fen": amount,
                    "currency": "CNY", "paid_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)), "payer": f"donor-{donor}",
                }, separators=(",", ":")).encode()
                mac = hmac.new(target["secret"].encode(), f"{now}\n".encode() + note, hashlib.sha256).hexdigest()
                status, answer = await conn.request("POST", f"/api/v1/payments/sandbox/{target['org']}/notify", note,
                                                    {"X-Sandbox-Timestamp": str(now), "X-Sandbox-Signature": mac})
                if status != 200:
                    raise RuntimeError(f"notify {status}: {answer[:200]!r}")
                latencies.append(time.perf_counter() - started)
            except Exception as exc:  # noqa: BLE001 - counted, the run goes on
                errors += 1
                statuses[str(exc)[:80]] = statuses.get(str(exc)[:80], 0) + 1
                conn = Connection("127.0.0.1", port)
                await asyncio.sleep(0.05)

    started = time.monotonic()
    await asyncio.gather(*(donor_loop(n) for n in range(clients)))
    elapsed = time.monotonic() - started
    latencies.sort()

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000, 1) if latencies else None

    return {"donations": len(latencies), "seconds": round(elapsed, 1), "per_second": round(len(latencies) / elapsed),
            "p50_ms": pct(50), "p99_ms": pct(99), "mean_ms": round(statistics.mean(latencies) * 1000, 1) if latencies else None,
            "errors": errors, "error_kinds": dict(sorted(statuses.items(), key=lambda kv: -kv[1])[:5])}


# --- orchestration ------------------------------------------------------------------------------

def _cpu_seconds(pids) -> float:
    """User + system CPU seconds of these processes so far (from /proc; gone ones count 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _pids(*, session: int | None = None, name: str | None = None) -> list[int]:
    """Processes of one session (the server and its workers), or with this command name."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm, rest = (entry / "stat").read_text().rsplit(")", 1)
        except OSError:
            continue
        if (session is not None and int(rest.split()[3]) == session) or (name is not None and comm.endswith("(" + name)):
            found.append(int(entry.name))
    return found


def _event_loop_runner():
    """uvloop's runner when installed (less CPU per request for the load generator), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run
    return uvloop.run


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pgbench() -> str:
    found = shutil.which("pgbench") or next(iter(sorted(glob("/usr/lib/postgresql/*/bin/pgbench"), reverse=True)), None)
    if not found:
        raise SystemExit("pgbench not found (PostgreSQL's client tools)")
    return found


def _child(env: dict, *args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], env=env, cwd=REPO, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{args[0]} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def serve_and_load(app: str, env: dict, world: dict, shape: str, args, var: str) -> dict:
    """Serve ``app`` with granian as configured, warm it up, then run the measured burst: its
    figures, with the CPU per donation of the server, all PostgreSQL processes and this process."""
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "granian"), "--interface", args.interface, "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(args.workers), "--backlog", "2048", "--no-access-log",
         *(["--blocking-threads", str(args.threads)] if args.interface == "wsgi" else []), app],
        env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=open(Path(var) / f"granian-{shape}.log", "w"),
        start_new_session=True,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(1.0)
        # A short warm-up fills each worker's connections and caches; then the measured burst.
        run = _event_loop_runner()
        run(_load(port, world, shape, min(args.clients, 16), 3))
        server_pids, postgres_pids = _pids(session=server.pid), _pids(name="postgres")
        before = (_cpu_seconds(server_pids), _cpu_seconds(postgres_pids), time.process_time())
        load = run(_load(port, world, shape, args.clients, args.seconds))
        after = (_cpu_seconds(server_pids), _cpu_seconds(postgres_pids), time.process_time())
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    done = max(load["donations"], 1)
    load["cpu_ms_per_donation"] = {name: round((b - a) * 1000 / done, 2)
                                   for name, a, b in zip(("server", "postgres", "load_generator"), before, after)}
    return load


def run_floor(args, var: str) -> dict:
    """The same burst answered by ``bench/floor_app.py``: no Django, no database, no work. What
    HTTP and the load generator alone cost, and so the most any server in Python could reach here."""
    world = {"projects": [{"project": f"floor-{n}", "org": f"org-{n % 30}", "secret": "floor"} for n in range(300)]}
    env = dict(os.environ) | {"PYTHONPATH": str(REPO)}
    return {"shape": "floor", **serve_and_load("bench.floor_app:application", env, world, "spread", args, var)}


def run_shape(shape: str, args, base_url: str, var: str) -> dict:
    import psycopg

    base, _, _ = base_url.rpartition("/")
    db = f"commonweal_load_{shape}_{os.getpid()}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {db}")
    env = {k: v for k, v in os.environ.items()} | {
        "DATABASE_URL": f"{base}/{db}", "COMMONWEAL_VAR_DIR": var, "DJANGO_SETTINGS_MODULE": "commonweal.settings",
        "COMMONWEAL_ENV": "production", "SECRET_KEY": "bench-" + "k" * 50, "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false", "DATABASE_CONN_MAX_AGE": "600", "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(REPO / "src"),
    }
    subprocess.run([sys.executable, "-m", "commonweal", "migrate", "-v", "0"], env=env, cwd=REPO, check=True)
    world = _child(env, "--setup", shape)
    app = "commonweal.wsgi:application" if args.interface == "wsgi" else "commonweal.asgi:application"
    load = serve_and_load(app, env, world, shape, args, var)
    exact = _child(env, "--check", str(world["campaign"]))
    url = f"{base}/{db}".replace("postgres://", "postgresql://")
    # The ceilings: the same statements straight from pgbench. Batched as giving.intake issues
    # them (one pgbench transaction = one batch of the size the run had, as many clients as the
    # server has batchers: 2 per worker); and one donation per transaction, as the WSGI path does.
    batch = max(1, round(exact["donations_per_commit"] or 1))
    scripts = {
        "batched": (_child(env, "--pgbench-batch-script", shape, json.dumps(world), str(batch))["script"], 2 * args.workers, batch),
        "one_at_a_time": (_child(env, "--pgbench-script", shape, json.dumps(world))["script"], args.clients, 1),
    }
    ceilings = {}
    for name, (text, clients, per_transaction) in scripts.items():
        script = (Path(tempfile.gettempdir()) if args.keep else Path(var)) / f"donation-{shape}-{name}.sql"
        script.write_text(text)
        bench = subprocess.run(
            [_pgbench(), "-n", "-f", str(script), "-c", str(clients), "-j", "2", "-T", str(int(args.ceiling_seconds)),
             "-M", "simple", url], capture_output=True, text=True,
        )
        tps = next((float(line.split("=")[1].split()[0]) for line in bench.stdout.splitlines() if line.startswith("tps")), None)
        if tps is None:  # a failed ceiling (pgbench aborts a client on a deadlock) keeps the run's figures
            print(f"pgbench ({name}) failed:\n{(bench.stdout + bench.stderr)[-3000:]}", file=sys.stderr, flush=True)
        ceilings[name] = None if tps is None else round(tps * per_transaction)
    if not args.keep:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    return {"shape": shape, **load, "exactness": exact, "ceiling_per_second": ceilings["batched"],
            "ceiling_one_at_a_time_per_second": ceilings["one_at_a_time"], "ceiling_batch": batch,
            "ratio_to_ceiling": round(load["per_second"] / ceilings["batched"], 3) if ceilings["batched"] else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=("spread", "hot", "both", "none"), default="both",
                        help="none: only the floor (--floor), which needs no database")
    parser.add_argument("--clients", type=int, default=256)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--ceiling-seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4, help="granian blocking threads per worker (WSGI)")
    parser.add_argument("--interface", choices=("asgi", "wsgi"), default="asgi",
                        help="asgi: the batched hot path (giving.intake); wsgi: every request through Django")
    parser.add_argument("--floor", action="store_true",
                        help="also run the burst against bench/floor_app.py (HTTP only, no work): the floor of the server's CPU")
    parser.add_argument("--keep", action="store_true", help="keep the temporary databases and the pgbench scripts (in the temp directory), to inspect them")
    parser.add_argument("--setup")
    parser.add_argument("--check")
    parser.add_argument("--pgbench-script", nargs=2)
    parser.add_argument("--pgbench-batch-script", nargs=3)
    args = parser.parse_args()
    if args.setup:
        print(json.dumps(setup_world(args.setup)))
        return
    if args.check:
        print(json.dumps(check_exactness(int(args.check))))
        return
    if args.pgbench_batch_script:
        shape, world, batch = args.pgbench_batch_script
        print(json.dumps({"script": pgbench_batch_script(json.loads(world), shape == "hot", int(batch))}))
        return
    if args.pgbench_script:
        shape, world = args.pgbench_script
        print(json.dumps({"script": pgbench_script(json.loads(world), shape == "hot")}))
        return
    url = os.environ.get("DATABASE_URL", "")
    if args.shape != "none" and not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("set DATABASE_URL to a PostgreSQL server (postgres://user@host:port/db)")
    results = []
    with tempfile.TemporaryDirectory(prefix="commonweal-load-") as var:
        if args.floor:
            floor = run_floor(args, var)
            results.append(floor)
            print(f"floor (HTTP only): {_burst(floor)}; CPU ms per donation {floor['cpu_ms_per_donation']}", flush=True)
        for shape in {"both": ("spread", "hot"), "none": ()}.get(args.shape, (args.shape,)):
            result = run_shape(shape, args, url, var)
            results.append(result)
            print(f"{shape}: {_burst(result)}; exact: "
                  f"{result['exactness']['ok']} (matched {result['exactness']['matched_fen']:,} of pool "
                  f"{result['exactness']['pool_fen']:,} fen); pgbench ceiling {_rate(result['ceiling_per_second'])} in batches of "
                  f"{result['ceiling_batch']} ({_rate(result['ceiling_one_at_a_time_per_second'])} one at a time), "
                  f"ratio {result['ratio_to_ceiling']}; CPU ms per donation {result['cpu_ms_per_donation']}, "
                  f"{result['exactness']['donations_per_commit']} donations per commit", flush=True)
    print(json.dumps({"benchmark": "matching_load", "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                      "clients": args.clients, "interface": args.interface, "workers": args.workers, "threads": args.threads,
                      "results": results}))


if __name__ == "__main__":
    main()
