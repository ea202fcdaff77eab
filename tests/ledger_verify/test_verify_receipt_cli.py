"""`commonweal verify-receipt` as a person runs it: a subprocess with no database to reach."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from commonweal.ledger.verify import CommonwealReceipt, format_commonweal_receipt, parse_commonweal_receipt
from commonweal.tlog import generate_signer_key
from tests.ledger_verify.support import ORIGIN, StaticLog

BIN = Path(sys.executable).parent / "commonweal"


def run(*args, stdin: bytes | None = None, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DJANGO_"))}
    # A database that cannot be reached: any query would fail loudly. Nothing must try.
    env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:9/nothing"
    env["COMMONWEAL_VAR_DIR"] = str(tmp_path / "var")
    command = [str(BIN)] if BIN.exists() else [sys.executable, "-m", "commonweal"]
    return subprocess.run(
        [*command, "verify-receipt", *args], input=stdin, capture_output=True, env=env, timeout=60, cwd=tmp_path
    )


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    log = StaticLog.create(tmp_path_factory.mktemp("log"))
    log.add_donations(5)
    return log


def test_a_valid_receipt_exits_0_and_lists_what_was_checked(log, tmp_path):
    path = tmp_path / "gift.commonweal-receipt"
    path.write_text(log.receipt(3))
    done = run(str(path), "--vkey", log.vkey, tmp_path=tmp_path)
    out = done.stdout.decode()
    assert done.returncode == 0, done.stderr.decode()
    for line in ("format      ok", "signature   ok", "inclusion   ok", "entry       ok", "commitment  ok"):
        assert line in out
    assert "the receipt verifies: entry 3 is in the log" in out
    assert not (tmp_path / "var" / "commonweal.sqlite3").exists()


def test_standard_input(log, tmp_path):
    done = run("-", "--vkey", log.vkey, stdin=log.receipt(0).encode(), tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr.decode()


def _with_salt(text: str, salt: bytes) -> str:
    r = parse_commonweal_receipt(text)
    return format_commonweal_receipt(CommonwealReceipt(salt=salt, donor_reference=r.donor_reference, proof=r.proof))


def _flip_proof(text: str) -> str:
    lines = text.split("\n")
    i = next(i for i, line in enumerate(lines) if line.startswith("index ")) + 1
    lines[i] = ("A" if lines[i][0] != "A" else "B") + lines[i][1:]
    return "\n".join(lines)


CASES = {
    "wrong salt": (lambda log, t: _with_salt(t, bytes(32)), None, "commitment  FAILED: SHA-256(salt"),
    "tampered proof": (lambda log, t: _flip_proof(t), None, "inclusion   FAILED: the inclusion proof of entry 2"),
    "tampered entry": (lambda log, t: t.replace(t.split("\nextra ")[1].split("\n")[0], __import__("base64").b64encode(log.entries[1]).decode()),
                       None, "inclusion   FAILED"),
    "tampered checkpoint": (lambda log, t: t.replace(f"{ORIGIN}\n5\n", f"{ORIGIN}\n6\n"), None, "signature   FAILED: the checkpoint's signature does not verify"),
    "wrong key": (lambda log, t: t, generate_signer_key(ORIGIN)[1], "signature   FAILED: the checkpoint carries no signature by the log key"),
    "not a receipt": (lambda log, t: "hello\n", None, "format      FAILED: a Commonweal receipt starts with"),
}


def test_a_failure_exits_1_as_a_subprocess(log, tmp_path):
    path = tmp_path / "r"
    path.write_text(_with_salt(log.receipt(2), bytes(32)))
    done = run(str(path), "--vkey", log.vkey, tmp_path=tmp_path)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "commitment  FAILED: SHA-256(salt" in done.stdout.decode()
    assert "the receipt does NOT verify (commitment)" in done.stderr.decode()


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_failure_kind_has_its_message(log, tmp_path, case, capsys):
    """The same command in-process (faster): one clear line per kind of failure, exit status 1."""
    mutate, vkey, message = CASES[case]
    path = tmp_path / "r"
    path.write_text(mutate(log, log.receipt(2)))
    with pytest.raises(CommandError) as failed:
        call_command("verify-receipt", str(path), "--vkey", vkey or log.vkey)
    assert failed.value.returncode == 1
    assert message in capsys.readouterr().out
    assert "the receipt does NOT verify" in str(failed.value)


def test_usage_errors_exit_2(log, tmp_path):
    done = run(str(tmp_path / "missing"), "--vkey", log.vkey, tmp_path=tmp_path)
    assert done.returncode == 2 and "cannot read" in done.stderr.decode()
    path = tmp_path / "r"
    path.write_text(log.receipt(0))
    done = run(str(path), "--vkey", "garbage", tmp_path=tmp_path)
    assert done.returncode == 2 and "malformed key" in done.stderr.decode()
