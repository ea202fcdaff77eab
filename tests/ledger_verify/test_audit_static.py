"""`commonweal audit` against a static log served over HTTP: it passes, and it notices every kind
of tampering (a changed byte in an entry or a tile, a deleted entry or file, a rollback, a fork,
money that does not add up). Pure: the log is built with ``commonweal.tlog`` in a temp directory.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from commonweal.ledger.audit import audit_log, split_deployment_url
from commonweal.tlog import parse_verifier_key
from tests.ledger_verify.support import PROJECT_A, PROJECT_B, StaticLog, donation_entry, refund_entry, serve_directory

SIZE = 600  # bundles 000, 001, 002.p/88; tiles 0/000, 0/001, 0/002.p/88, 1/000.p/2


def build(root: Path, size: int = SIZE) -> StaticLog:
    log = StaticLog.create(root)
    log.add_donations(size - 3, amount_fen=1000)
    log.add_donations(2, project=PROJECT_B)
    log.entries.append(refund_entry(size - 1, donation=1, amount_fen=500))
    log.publish()
    return log


@pytest.fixture
def log(tmp_path):
    return build(tmp_path / "site")


@pytest.fixture
def served(log):
    with serve_directory(log.root) as url:
        yield url


def run_audit(log, url, state: Path, **kwargs):
    site, log_url = split_deployment_url(url)
    return audit_log(site_url=site, log_url=log_url, vkey=parse_verifier_key(log.vkey), state_dir=state, **kwargs)


def failures(report):
    return [str(f) for f in report.failures]


def test_split_deployment_url():
    assert split_deployment_url("https://x.org") == ("https://x.org/", "https://x.org/log/")
    assert split_deployment_url("https://x.org/") == ("https://x.org/", "https://x.org/log/")
    assert split_deployment_url("https://x.org/log") == ("https://x.org/", "https://x.org/log/")
    assert split_deployment_url("https://x.org/cw/log/") == ("https://x.org/cw/", "https://x.org/cw/log/")
    with pytest.raises(ValueError):
        split_deployment_url("file:///etc/passwd")


def test_an_honest_log_passes_and_the_checkpoint_is_kept(log, served, tmp_path):
    report = run_audit(log, served, tmp_path / "state")
    assert report.ok, failures(report)
    assert report.entries == SIZE and report.tiles == 4 and report.stored
    assert report.projects[PROJECT_A].net_fen == log.net_by_project()[PROJECT_A]
    assert report.projects[PROJECT_B].donation_count == 2
    assert (tmp_path / "state" / "checkpoint").read_text() == (log.log_dir / "checkpoint").read_text()
    # The log grows: the next audit proves consistency with the kept checkpoint.
    log.add_donations(300)
    log.publish()
    report = run_audit(log, served, tmp_path / "state")
    assert report.ok, failures(report)
    assert (report.previous.size, report.checkpoint.size) == (SIZE, SIZE + 300)


def test_empty_log(tmp_path):
    log = StaticLog.create(tmp_path / "site")
    log.publish()
    with serve_directory(log.root) as url:
        report = run_audit(log, url, tmp_path / "state")
    assert report.ok and report.checkpoint.size == 0


def flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def bundle_offset(log: StaticLog, bundle: int, i: int) -> int:
    """Byte offset of entry i's length prefix in bundle ``bundle``."""
    return sum(2 + len(e) for e in log.entries[bundle * 256 : bundle * 256 + i])


# (file, how to find the byte, what the audit must name)
BYTE_TAMPERING = {
    "first byte of entry 0": ("tile/entries/000", lambda log: 2, "index 0:"),
    "last byte of entry 255": ("tile/entries/000", lambda log: bundle_offset(log, 0, 256) - 1, "index 255:"),
    "an amount in entry 300": ("tile/entries/001", lambda log: bundle_offset(log, 1, 44) + 20, "index 300:"),
    "length prefix of entry 513": ("tile/entries/002.p/88", lambda log: bundle_offset(log, 2, 1) + 1, "index 513"),
    "last entry (a refund)": ("tile/entries/002.p/88", lambda log: bundle_offset(log, 2, 88) - 3, "index 599:"),
    "hash 0 of level-0 tile 000": ("tile/0/000", lambda log: 0, "index 0:"),
    "hash 77 of level-0 tile 001": ("tile/0/001", lambda log: 77 * 32 + 31, "index 333:"),
    "hash 87 of the partial level-0 tile": ("tile/0/002.p/88", lambda log: 87 * 32 + 5, "index 599:"),
    "hash 0 of the level-1 tile": ("tile/1/000.p/2", lambda log: 3, "tile/1/000.p/2 (entries 0–255)"),
    "hash 1 of the level-1 tile": ("tile/1/000.p/2", lambda log: 63, "tile/1/000.p/2 (entries 256–511)"),
}


@pytest.mark.parametrize("case", sorted(BYTE_TAMPERING))
def test_a_changed_byte_is_reported_with_its_index(log, served, tmp_path, case):
    assert run_audit(log, served, tmp_path / "state").ok
    name, where, expected = BYTE_TAMPERING[case]
    flip(log.log_dir / name, where(log))
    report = run_audit(log, served, tmp_path / "state")
    assert not report.ok
    assert any(f.startswith(expected) for f in failures(report)), failures(report)
    assert not report.stored or "tile" in name  # a changed entry never becomes the kept state


@pytest.mark.parametrize("index", [0, 17, 255, 256, 511, 512, 599])
def test_a_deleted_entry_is_reported(log, served, tmp_path, index):
    bundle = index // 256
    path = log.log_dir / ["tile/entries/000", "tile/entries/001", "tile/entries/002.p/88"][bundle]
    i = index - bundle * 256
    data = path.read_bytes()
    start, end = bundle_offset(log, bundle, i), bundle_offset(log, bundle, i + 1)
    path.write_bytes(data[:start] + data[end:])
    report = run_audit(log, served, tmp_path / "state")
    assert not report.ok
    found = failures(report)
    assert any(f.startswith(f"index {index}:") for f in found), found
    assert any("entry bundle holds" in f for f in found)


@pytest.mark.parametrize("name", ["tile/entries/001", "tile/0/002.p/88", "tile/1/000.p/2"])
def test_a_deleted_file_is_reported(log, served, tmp_path, name):
    (log.log_dir / name).unlink()
    report = run_audit(log, served, tmp_path / "state")
    assert any("missing (HTTP 404)" in f for f in failures(report)), failures(report)


def test_a_truncated_tile_is_reported(log, served, tmp_path):
    path = log.log_dir / "tile/0/001"
    path.write_bytes(path.read_bytes()[:-1])
    assert any(f.startswith("tile/0/001 (entries 256–511): tile must be 8192 bytes") for f in failures(run_audit(log, served, tmp_path / "s")))


def test_an_appended_entry_is_reported(log, served, tmp_path):
    path = log.log_dir / "tile/entries/002.p/88"
    path.write_bytes(path.read_bytes() + b"\x00\x02{}")
    assert any("holds 89 entries, the tree has 88" in f for f in failures(run_audit(log, served, tmp_path / "s")))


def test_a_changed_checkpoint_is_reported(log, served, tmp_path):
    path = log.log_dir / "checkpoint"
    path.write_text(path.read_text().replace(f"\n{SIZE}\n", f"\n{SIZE - 1}\n"))
    report = run_audit(log, served, tmp_path / "s")
    assert failures(report)[0].startswith("checkpoint: the checkpoint does not verify") and not report.stored


def test_a_rewritten_history_signed_by_the_log_is_caught_by_consistency(log, served, tmp_path):
    """The log re-signs a tree where an old gift is smaller: every file is self-consistent, only
    the checkpoint kept by the previous audit shows the fork."""
    assert run_audit(log, served, tmp_path / "state").ok
    forged = StaticLog(root=log.root, skey=log.skey, vkey=log.vkey, entries=list(log.entries), salts=log.salts)
    forged.entries[42] = donation_entry(42, amount_fen=1)[0]
    forged.publish()
    report = run_audit(forged, served, tmp_path / "state")
    assert failures(report) == [f"checkpoint: two different trees of size {SIZE}: the log forked"]
    forged.add_donations(10)
    forged.publish()
    report = run_audit(forged, served, tmp_path / "state")
    assert any(f.startswith(f"checkpoint: the tree of {SIZE + 10} entries does not extend the tree of {SIZE}") for f in failures(report))
    assert not report.stored  # the kept checkpoint is still the honest one


def test_a_rollback_is_caught(tmp_path):
    old = build(tmp_path / "old", size=300)
    new = StaticLog(root=tmp_path / "new", skey=old.skey, vkey=old.vkey, entries=list(old.entries), salts=old.salts)
    new.add_donations(10)
    new.publish()
    with serve_directory(new.root) as url:
        assert run_audit(new, url, tmp_path / "state").ok
    with serve_directory(old.root) as url:
        report = run_audit(old, url, tmp_path / "state")
    assert failures(report) == ["checkpoint: the log shrank from 310 entries (previous audit) to 300: history was rolled back"]


def test_a_corrupt_state_file_is_reported_and_kept(log, served, tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / "checkpoint").write_text("garbage")
    report = run_audit(log, served, state)
    assert failures(report)[0].startswith("state: ") and (state / "checkpoint").read_text() == "garbage"


# --- money --------------------------------------------------------------------------------------

def test_platform_total_differs(log, served, tmp_path):
    totals = log.net_by_project()
    totals[PROJECT_B] += 1
    log.publish_totals(totals)
    report = run_audit(log, served, tmp_path / "s")
    expected = f"project {PROJECT_B}: the log gives donations − refunds = {totals[PROJECT_B] - 1} − 0 = {totals[PROJECT_B] - 1} fen, the platform publishes {totals[PROJECT_B]} fen"
    assert failures(report) == [expected]
    assert report.stored  # the log itself is fine: its checkpoint is kept


def test_project_not_published(log, served, tmp_path):
    (log.root / "api" / "v1" / "projects" / PROJECT_B).unlink()
    assert any(f.startswith(f"project {PROJECT_B}: the platform publishes no project") for f in failures(run_audit(log, served, tmp_path / "s")))
    assert run_audit(log, served, tmp_path / "s2", check_totals=False).ok


MONEY = {
    "refund larger than its donation": (lambda: refund_entry(900, donation=1, amount_fen=10**6), "refunds of donation"),
    "refund of an unknown donation": (lambda: refund_entry(901, donation=10**6, amount_fen=1), "not logged before it"),
    "refund of another project's donation": (lambda: refund_entry(902, donation=1, amount_fen=1, project=PROJECT_B), "its donation for"),
    "duplicate donation": (lambda: donation_entry(5)[0], "is logged twice"),
    "zero amount": (lambda: donation_entry(903, amount_fen=0)[0], "amount_fen must be a positive integer"),
    "non-canonical JSON": (lambda: donation_entry(904)[0].replace(b",", b", ", 1), "not canonical RFC 8785"),
    "other currency": (lambda: donation_entry(905)[0].replace(b'"CNY"', b'"USD"'), "currency must be CNY"),
}


@pytest.mark.parametrize("case", sorted(MONEY))
def test_money_invariants_from_the_entries_alone(tmp_path, case):
    make, message = MONEY[case]
    log = build(tmp_path / "site", size=20)
    log.entries.append(make())
    log.publish()
    with serve_directory(log.root) as url:
        report = run_audit(log, url, tmp_path / "s", check_totals=False)
    assert [f.split(": ", 1)[0] for f in failures(report)] == ["index 20"], failures(report)
    assert message in failures(report)[0]


def test_other_entry_types_are_hashed_not_money_checked(tmp_path):
    log = build(tmp_path / "site", size=5)
    log.entries.append(json.dumps({"id": "0m" + "0" * 24, "type": "match", "v": 1}, separators=(",", ":"), sort_keys=True).encode())
    log.publish()
    with serve_directory(log.root) as url:
        report = run_audit(log, url, tmp_path / "s")
    assert report.ok, failures(report)
    assert report.other_types == 1


# --- the command ----------------------------------------------------------------------------------

def _command(*args, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_URL")}
    env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:9/nothing"
    env["COMMONWEAL_VAR_DIR"] = str(tmp_path / "var")
    return subprocess.run([str(Path(sys.executable).parent / "commonweal"), "audit", *args],
                          capture_output=True, env=env, timeout=120)


def test_the_audit_command(log, served, tmp_path):
    done = _command(served, "--vkey", log.vkey, "--state", str(tmp_path / "state"), tmp_path=tmp_path)
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    assert f"{SIZE} entries" in done.stdout.decode() and "audit passed" in done.stdout.decode()
    flip(log.log_dir / "tile/entries/001", bundle_offset(log, 1, 1) + 20)
    done = _command(served, "--vkey", log.vkey, "--state", str(tmp_path / "state"), tmp_path=tmp_path)
    assert done.returncode == 1
    assert "FAIL index 257:" in done.stdout.decode() and "audit FAILED" in done.stderr.decode()
    done = _command("http://127.0.0.1:9/", "--vkey", log.vkey, "--state", str(tmp_path / "s"), tmp_path=tmp_path)
    assert done.returncode == 2 and "cannot fetch the log" in done.stderr.decode()
    shutil.rmtree(log.log_dir)
    done = _command(served, "--vkey", log.vkey, "--state", str(tmp_path / "state"), tmp_path=tmp_path)
    assert done.returncode == 1 and "FAIL checkpoint:" in done.stdout.decode()
