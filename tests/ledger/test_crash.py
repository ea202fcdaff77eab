"""Crash safety (issue 3, section 5): SIGKILL the `commonweal sequencer` process at random
points, at least 50 times, while donations keep arriving; restart it each time; then let it finish
with the real console script (`commonweal sequencer --once`).

Afterwards every confirmed donation is in the log exactly once (entry bundles against the outbox
and the donations), and every pair of checkpoints the test saw (read from the database and the
published file during and between the runs) is consistent, by consistency proofs from the stored
tiles. Runs with the database and the directory store, on the test database of either leg: the
processes get it through DATABASE_URL. Each run is forked from a process that has Django loaded
(see SEQUENCER_FORK_SERVER), so 50 kills take about 30 s rather than 50 start-ups.

Environment: COMMONWEAL_CRASH_KILLS (default 50), COMMONWEAL_CRASH_SEED (3), CRASH_LOG_LEVEL
(e.g. INFO: print each run's log).
"""

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection, connections

from commonweal.giving.models import Donation
from commonweal.ledger.models import LogState, OutboxEntry
from commonweal.ledger.storage import DatabaseTileStore, DirectoryTileStore, log_entries
from commonweal.tlog import (
    MemoryHashStore,
    TileHashReader,
    append_leaves,
    consistency_proof_from_reader,
    leaf_hash,
    open_checkpoint,
    parse_verifier_key,
    root_from_reader,
    verify_consistency,
)
from tests.factories import donate, make_org, make_project
from tests.ledger.support import ORIGIN, indexed_entries

KILLS = int(os.environ.get("COMMONWEAL_CRASH_KILLS", "50"))
COMMONWEAL = Path(sys.executable).with_name("commonweal")
# A fork server: loads Django once, then for each line "BATCH LOGFILE" on stdin forks a child that
# runs `commonweal sequencer` (the same command, in a fresh process), and prints the child's pid.
# Children are reaped automatically, so a pid that disappears before the test kills it means the
# sequencer exited by itself. Forking keeps the test's time on killing rather than on importing.
SEQUENCER_FORK_SERVER = """
import os, signal, sys, traceback
import django
django.setup()
from django.core.management import execute_from_command_line, get_commands
import commonweal.ledger.management.commands.sequencer  # noqa: F401 - loaded once, before forking
get_commands()
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
print("ready", flush=True)
while line := sys.stdin.readline():
    batch, log = line.split()
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        code = 1
        try:
            execute_from_command_line(["commonweal", "sequencer", "--interval", "0.01", "--batch", batch])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    print(pid, flush=True)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_database_url() -> str:
    """The URL of the test database this process is using, for a subprocess."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    assert connection.vendor == "postgresql"
    auth = quote(s["USER"], safe="") + (f":{quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


class Donations(threading.Thread):
    """Donations through the real services, one after another, until stopped."""

    def __init__(self, projects):
        super().__init__(daemon=True)
        self.projects = projects
        self.stop = threading.Event()
        self.confirmed: list[str] = []
        self.errors: list[BaseException] = []

    def run(self):
        try:
            i = 0
            # About 30 a second: a steady stream that leaves CPU for the sequencer processes.
            while not self.stop.wait(0.02):
                self.confirmed.append(donate(self.projects[i % len(self.projects)], 100 + i).public_id)
                i += 1
        except BaseException as exc:  # noqa: BLE001 - asserted by the test
            self.errors.append(exc)
        finally:
            connections.close_all()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("store_kind", ["db", "dir"])
def test_sigkill_the_sequencer_repeatedly_while_donations_arrive(tmp_path, log_key, store_kind, settings, live_server, capsys):
    rng = random.Random(int(os.environ.get("COMMONWEAL_CRASH_SEED", "3")))
    store_spec = "db" if store_kind == "db" else f"dir:{tmp_path / 'tiles'}"
    store = DatabaseTileStore() if store_kind == "db" else DirectoryTileStore(tmp_path / "tiles")
    settings.LOG_STORE = store_spec  # the live server (for `commonweal audit`) serves this store
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "commonweal.settings",
        "DATABASE_URL": test_database_url(),
        "COMMONWEAL_LOG_KEY": str(log_key),
        "COMMONWEAL_LOG_ORIGIN": ORIGIN,
        "COMMONWEAL_LOG_STORE": store_spec,
        "LOG_LEVEL": os.environ.get("CRASH_LOG_LEVEL", "WARNING"),
    }
    org = make_org()
    donations = Donations([make_project(org) for _ in range(3)])
    donations.start()
    seen: set[str] = set()
    kills = in_flight = 0

    def observe():
        text = LogState.objects.filter(pk=1).values_list("checkpoint", flat=True).first()
        if text:
            seen.add(text)
        published = store.read_checkpoint()
        if published:
            seen.add(published)

    server = subprocess.Popen([sys.executable, "-c", SEQUENCER_FORK_SERVER], env=env, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    started = time.monotonic()
    try:
        assert server.stdout.readline() == "ready\n"
        for k in range(KILLS):
            log = tmp_path / f"sequencer-{k}.log"
            server.stdin.write(f"{rng.choice(['1', '3', '20', '200'])} {log}\n")
            server.stdin.flush()
            pid = int(server.stdout.readline())
            # A random point: during start-up and recovery, inside a batch, while signing, or idle.
            deadline = time.monotonic() + rng.uniform(0.02, 0.9)
            while time.monotonic() < deadline and alive(pid):
                observe()
                time.sleep(0.02)
            if not alive(pid):
                pytest.fail(f"the sequencer exited by itself: {log.read_text()}")
            os.kill(pid, signal.SIGKILL)
            while alive(pid):
                time.sleep(0.005)
            if os.environ.get("CRASH_LOG_LEVEL"):
                print(f"--- run {k}", log.read_text())
            kills += 1
            observe()
            state = LogState.objects.filter(pk=1).first()
            if state and state.size != state.tiles_size:
                in_flight += 1  # killed between committing indices and recording their tiles
    finally:
        server.stdin.close()
        server.wait(timeout=30)
        server.stdout.close()
        donations.stop.set()
        donations.join(timeout=60)
    assert not donations.errors, donations.errors
    # Let it finish: integrate everything left and sign.
    done = subprocess.run([str(COMMONWEAL), "sequencer", "--once"], env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    observe()
    elapsed = time.monotonic() - started
    print(f"\n{connection.vendor}/{store_kind}: {kills} kills, {len(donations.confirmed)} donations, "
          f"{len(seen)} checkpoints seen, {in_flight} kills left tiles to finish, {elapsed:.0f} s")

    state = LogState.objects.get()
    assert kills >= 50 or KILLS < 50
    # 1. Every confirmed donation is in the log exactly once: compare the entry bundles with the
    #    outbox and with the donations.
    entries = indexed_entries()
    assert state.size == state.tiles_size == state.signed_size == len(entries) == OutboxEntry.objects.count()
    served = log_entries(start=0, end=state.signed_size, size=state.signed_size, store=store)
    assert served == entries
    logged = Counter(json.loads(e)["id"] for e in served if json.loads(e)["type"] == "donation")
    confirmed = set(Donation.objects.values_list("public_id", flat=True))
    assert set(donations.confirmed) <= confirmed
    assert set(logged) == confirmed
    assert max(logged.values()) == 1
    # 2. Every checkpoint seen verifies, and every pair is consistent.
    verifier = parse_verifier_key(state.verifier_key)
    checkpoints = sorted(
        {(c.size, c.root_hash) for c in (open_checkpoint(t, origin=ORIGIN, verifiers=[verifier]).checkpoint for t in seen)}
    )
    assert len(checkpoints) >= 2
    sizes = [size for size, _ in checkpoints]
    assert len(sizes) == len(set(sizes)), "two different trees of the same size: a fork"
    tiles = TileHashReader(size=state.signed_size, read_tiles=store.read_tiles)
    for (size1, root1), (size2, root2) in zip(checkpoints, checkpoints[1:]):
        if size1:
            proof = consistency_proof_from_reader(size1, size2, tiles)  # proofs from the stored tiles
            verify_consistency(size1=size1, size2=size2, proof=proof, root1=root1, root2=root2)
    hashes = MemoryHashStore(append_leaves(0, [leaf_hash(e) for e in served], MemoryHashStore()))
    assert root_from_reader(state.signed_size, hashes) == root_from_reader(state.signed_size, tiles)
    for i, (size1, root1) in enumerate(checkpoints):
        for size2, root2 in checkpoints[i + 1 :]:
            if size1:
                proof = consistency_proof_from_reader(size1, size2, hashes)
                verify_consistency(size1=size1, size2=size2, proof=proof, root1=root1, root2=root2)
    # 3. An outside auditor agrees: `commonweal audit` over HTTP re-hashes every entry and checks
    #    the totals the platform publishes for each project.
    capsys.readouterr()
    call_command("audit", live_server.url, "--vkey", state.verifier_key, "--state", str(tmp_path / "audit"))
    assert "audit passed" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_sigterm_stops_the_sequencer_after_its_current_step(tmp_path, log_key):
    from tests.ledger.support import add_outbox

    add_outbox(40)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "commonweal.settings",
        "DATABASE_URL": test_database_url(),
        "COMMONWEAL_LOG_KEY": str(log_key),
        "COMMONWEAL_LOG_ORIGIN": ORIGIN,
        "COMMONWEAL_LOG_STORE": "db",
        "LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen([str(COMMONWEAL), "sequencer", "--interval", "0.05"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while LogState.objects.filter(signed_size=40).count() == 0:
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.poll() is not None else "timeout"
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert err.rstrip().endswith("sequencer: stopped")
    assert "PRIVATE" not in err
