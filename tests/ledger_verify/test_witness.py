"""The witness (c2sp.org/tlog-witness): every answer of add-checkpoint, and a forking log caught."""

import base64
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from commonweal.ledger.witness import TLOG_SIZE_CONTENT_TYPE, Witness, serve_witness
from commonweal.tlog import (
    CosignatureVerifier,
    consistency_proof_from_leaves,
    cosignature_timestamp,
    generate_cosigner_key,
    generate_signer_key,
    open_note,
    parse_cosigner_key,
    parse_cosigner_signer_key,
    parse_verifier_key,
)
from tests.ledger_verify.support import StaticLog, donation_entry, serve_in_thread


def body(old: int, proof, checkpoint: str) -> bytes:
    lines = [f"old {old}", *(base64.b64encode(h).decode() for h in proof), ""]
    return ("\n".join(lines) + "\n" + checkpoint).encode()


@pytest.fixture
def log(tmp_path):
    log = StaticLog.create(tmp_path / "log")
    log.add_donations(20)
    return log


@pytest.fixture
def witness_key():
    return generate_cosigner_key("witness.test")


@pytest.fixture
def witness(tmp_path, log, witness_key):
    return Witness(
        signer=parse_cosigner_signer_key(witness_key[0]),
        log_keys=[parse_verifier_key(log.vkey)],
        state_dir=tmp_path / "witness",
    )


def cosigned(witness_vkey: str, checkpoint: str, answer: bytes) -> CosignatureVerifier:
    verifier = parse_cosigner_key(witness_vkey)
    note = open_note(checkpoint + answer.decode(), [verifier])
    assert [s.name for s in note.verified] == ["witness.test"]
    return note.verified[0]


def test_first_checkpoint_then_extensions_are_cosigned(witness, log, witness_key):
    cp5 = log.checkpoint_text(5)
    answer = witness.add_checkpoint(body(0, [], cp5))
    assert answer.status == 200, answer.body
    assert answer.body.startswith("\u2014 witness.test ".encode()) and answer.body.endswith(b"\n")
    sig = cosigned(witness_key[1], cp5, answer.body)
    assert abs(cosignature_timestamp(sig) - __import__("time").time()) < 60
    assert witness.latest(log_origin(log)).size == 5
    # 5 -> 12 with the right proof.
    cp12 = log.checkpoint_text(12)
    proof = consistency_proof_from_leaves(5, log.leaves(12))
    answer = witness.add_checkpoint(body(5, proof, cp12))
    assert answer.status == 200, answer.body
    cosigned(witness_key[1], cp12, answer.body)
    # Same checkpoint again: same size, same root, empty proof.
    assert witness.add_checkpoint(body(12, [], cp12)).status == 200


def log_origin(log):
    return parse_verifier_key(log.vkey).name


def test_stale_old_size_is_409_with_the_latest_size(witness, log):
    assert witness.add_checkpoint(body(0, [], log.checkpoint_text(5))).status == 200
    answer = witness.add_checkpoint(body(0, [], log.checkpoint_text(9)))
    assert (answer.status, answer.body, answer.content_type) == (409, b"5\n", TLOG_SIZE_CONTENT_TYPE)
    answer = witness.add_checkpoint(body(7, consistency_proof_from_leaves(7, log.leaves(9)), log.checkpoint_text(9)))
    assert (answer.status, answer.body) == (409, b"5\n")


def test_a_log_presenting_two_trees_of_the_same_size_is_caught(witness, log, tmp_path):
    """The split view: the log shows tree A of size 10 to the witness, then tree B of size 10."""
    assert witness.add_checkpoint(body(0, [], log.checkpoint_text(10))).status == 200
    forked = StaticLog(root=tmp_path / "fork", skey=log.skey, vkey=log.vkey, entries=list(log.entries[:10]))
    forked.entries[4] = donation_entry(4, amount_fen=1)[0]  # rewrite history: a smaller gift
    other = forked.checkpoint_text(10)
    assert other != log.checkpoint_text(10)
    answer = witness.add_checkpoint(body(10, [], other))
    assert (answer.status, answer.body) == (409, b"10\n")
    # A larger tree on the forked history does not extend what the witness saw either.
    forked.add_donations(5)
    proof = consistency_proof_from_leaves(10, forked.leaves(15))
    answer = witness.add_checkpoint(body(10, proof, forked.checkpoint_text(15)))
    assert answer.status == 422 and b"consistency proof does not verify" in answer.body
    # Nothing was cosigned for the fork, and the evidence (signed by the log) is kept.
    assert witness.latest(log_origin(log)).root_hash == parse_cp(log.checkpoint_text(10)).root_hash
    evidence = list((tmp_path / "witness" / "evidence").iterdir())
    assert len(evidence) == 2 and all(b"old 10" in p.read_bytes() for p in evidence)


def parse_cp(text):
    from commonweal.tlog import parse_checkpoint, parse_note

    return parse_checkpoint(parse_note(text).text)


def test_refusals(witness, log, tmp_path):
    cp = log.checkpoint_text(6)
    # Unknown origin: 404.
    stranger = StaticLog.create(tmp_path / "stranger", origin="stranger.example/log")
    stranger.add_donations(2)
    assert witness.add_checkpoint(body(0, [], stranger.checkpoint_text())).status == 404
    # Signed by another key under the same origin: 403.
    impostor = StaticLog(root=tmp_path / "imp", skey=generate_signer_key(log_origin(log))[0], vkey="", entries=log.entries)
    assert witness.add_checkpoint(body(0, [], impostor.checkpoint_text(6))).status == 403
    # Old size larger than the checkpoint: 400.
    assert witness.add_checkpoint(body(7, [], cp)).status == 400
    # Malformed bodies: 400.
    for bad in (b"", b"old 01\n\n" + cp.encode(), b"old 0\n" + cp.encode(), b"old 0\nnot base64\n\n" + cp.encode(),
                b"old 0\n" + b"AAAA\n" + b"\n" + cp.encode(), body(0, [bytes(32)] * 64, cp), b"\xff" * 10,
                b"old 0\n\nnot a checkpoint\n"):
        assert witness.add_checkpoint(bad).status == 400, bad[:40]
    # A proof from size 0 must be empty... (allow_empty_old) and the root of size 0 must be empty.
    assert witness.add_checkpoint(body(0, [bytes(32)], cp)).status == 422
    # A wrong proof: 422.
    assert witness.add_checkpoint(body(0, [], cp)).status == 200
    bad_proof = [bytes(32)] * len(consistency_proof_from_leaves(6, log.leaves(11)))
    assert witness.add_checkpoint(body(6, bad_proof, log.checkpoint_text(11))).status == 422
    assert witness.latest(log_origin(log)).size == 6


def test_state_survives_a_restart(witness, log, witness_key, tmp_path):
    assert witness.add_checkpoint(body(0, [], log.checkpoint_text(8))).status == 200
    again = Witness(signer=parse_cosigner_signer_key(witness_key[0]), log_keys=[parse_verifier_key(log.vkey)],
                    state_dir=tmp_path / "witness")
    answer = again.add_checkpoint(body(0, [], log.checkpoint_text(8)))
    assert (answer.status, answer.body) == (409, b"8\n")


def test_over_http_and_concurrent_requests_never_roll_back(witness, log):
    from concurrent.futures import ThreadPoolExecutor

    server = serve_witness(witness, ("127.0.0.1", 0))
    with serve_in_thread(server) as url:
        def post(data: bytes):
            request = urllib.request.Request(url + "/add-checkpoint", data=data, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return response.status, response.read(), response.headers["Content-Type"]
            except urllib.error.HTTPError as exc:
                return exc.code, exc.read(), exc.headers["Content-Type"]

        assert post(body(0, [], log.checkpoint_text(3)))[0] == 200
        # Many extensions from 3 at once: exactly one wins, the others learn its size.
        requests = [body(3, consistency_proof_from_leaves(3, log.leaves(n)), log.checkpoint_text(n)) for n in range(4, 20)]
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(post, requests))
        assert sum(1 for status, _, _ in answers if status == 200) == 1
        winner = witness.latest(log_origin(log)).size
        assert all((s, b, t) == (409, f"{winner}\n".encode(), TLOG_SIZE_CONTENT_TYPE) for s, b, t in answers if s != 200)
        assert post(b"x")[0] == 400
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(url + "/add-checkpoint", timeout=10)


def test_the_witness_command(log, tmp_path):
    """`commonweal witness --generate-key`, then `commonweal witness --listen …` serving a real request."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_URL")}
    env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:9/nothing"
    env["COMMONWEAL_VAR_DIR"] = str(tmp_path / "var")
    binary = Path(sys.executable).parent / "commonweal"
    key = tmp_path / "witness.key"
    done = subprocess.run([str(binary), "witness", "--generate-key", str(key), "--name", "witness.cli"],
                          capture_output=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    vkey = done.stdout.decode().strip()
    assert parse_cosigner_key(vkey).name == "witness.cli"
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    again = subprocess.run([str(binary), "witness", "--generate-key", str(key), "--name", "x"], capture_output=True, env=env, timeout=60)
    assert again.returncode == 2 and b"not overwriting" in again.stderr
    process = subprocess.Popen(
        [str(binary), "witness", "--listen", "127.0.0.1:0", "--key", str(key), "--log-vkey", log.vkey,
         "--state", str(tmp_path / "state")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )
    try:
        lines = [process.stdout.readline().decode() for _ in range(3)]
        assert lines[0].strip() == f"witness {vkey}"
        port = int(re.search(r"127\.0\.0\.1:(\d+)/add-checkpoint", lines[2])[1])
        cp = log.checkpoint_text(4)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/add-checkpoint", data=body(0, [], cp), method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = response.read()
        open_note(cp + answer.decode(), [parse_cosigner_key(vkey)])
    finally:
        process.terminate()
        process.wait(10)
        process.stdout.close()
        process.stderr.close()
