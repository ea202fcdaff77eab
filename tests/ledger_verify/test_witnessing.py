"""The log collects witness cosignatures (ledger.witnessing) and serves them on its checkpoint."""

import logging
import time

import pytest
from django.urls import reverse

from commonweal.ledger.witness import Witness, serve_witness
from commonweal.ledger.witnessing import collect_cosignatures, forget_witness_sizes
from commonweal.tlog import (
    Checkpoint,
    generate_cosigner_key,
    open_note,
    parse_cosigner_key,
    parse_cosigner_signer_key,
    parse_verifier_key,
    sign_checkpoint,
)
from tests.factories import donate, make_project
from tests.ledger_verify.conftest import ORIGIN
from tests.ledger_verify.independent import sigstore_verify
from tests.ledger_verify.support import serve_in_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def witness(tmp_path, log_vkey):
    skey, vkey = generate_cosigner_key("witness.one")
    witness = Witness(signer=parse_cosigner_signer_key(skey), log_keys=[parse_verifier_key(log_vkey)],
                      state_dir=tmp_path / "witness")
    with serve_in_thread(serve_witness(witness, ("127.0.0.1", 0))) as url:
        yield {"url": url, "vkey": vkey, "witness": witness}


def served_checkpoint(client) -> str:
    response = client.get(reverse("log-checkpoint"))
    assert response.status_code == 200
    return response.content.decode()


def cosigners(text: str, *vkeys: str) -> list[str]:
    note = open_note(text, [parse_cosigner_key(v) for v in vkeys])
    return [s.name for s in note.verified]


def test_cosignatures_appear_on_the_served_checkpoint(client, settings, witness, sequence, log_vkey):
    settings.LOG_WITNESSES = [(witness["url"], witness["vkey"])]
    project = make_project()
    donate(project, 100)
    donate(project, 200)
    sequence()
    text = served_checkpoint(client)
    assert cosigners(text, witness["vkey"]) == ["witness.one"]
    assert open_note(text, [parse_verifier_key(log_vkey)]).verified[0].name == ORIGIN
    # The log grows: the witness gets a consistency proof from size 2 and cosigns again.
    for amount in range(3, 12):
        donate(project, amount)
    sequence()
    text = served_checkpoint(client)
    assert "\n11\n" in text and cosigners(text, witness["vkey"]) == ["witness.one"]
    assert witness["witness"].latest(ORIGIN).size == 11
    # Receipts carry the cosignature, and still verify independently.
    from commonweal.ledger.receipts import public_proof
    from commonweal.tlog import parse_receipt

    proof = parse_receipt(public_proof(index=4))
    assert cosigners(proof.checkpoint, witness["vkey"]) == ["witness.one"]
    sigstore_verify(proof, log_vkey)


def test_a_restarted_log_learns_the_witness_size_from_409(client, settings, witness, sequence):
    settings.LOG_WITNESSES = [(witness["url"], witness["vkey"])]
    project = make_project()
    donate(project, 100)
    sequence()
    forget_witness_sizes()  # as after a restart of the sequencer process
    donate(project, 200)
    sequence()
    assert cosigners(served_checkpoint(client), witness["vkey"]) == ["witness.one"]
    assert witness["witness"].latest(ORIGIN).size == 2


def test_a_witness_that_is_down_never_blocks_the_log(client, settings, sequence, caplog):
    _, vkey = generate_cosigner_key("witness.down")
    settings.LOG_WITNESSES = [("http://127.0.0.1:9", vkey), ("not a pair",)]
    settings.LOG_WITNESS_TIMEOUT = 1
    donate(make_project(), 100)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="commonweal.ledger"):
        sequence()
    assert time.monotonic() - started < 10
    text = served_checkpoint(client)
    assert "\n1\n" in text and text.count("\u2014 ") == 1
    assert "witness_unreachable" in caplog.text and "witness_misconfigured" in caplog.text
    # Within the back-off the dead witness is not asked again.
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="commonweal.ledger"):
        assert collect_cosignatures(text) == text
    assert "witness_unreachable" not in caplog.text


def test_a_log_presenting_a_second_tree_of_the_same_size_gets_no_cosignature(settings, witness, sequence, log_signer, caplog):
    """The witness cosigned the real tree of size 1; a second tree of size 1 signed by the same
    log key (a split view) is refused, so no client would accept it with a witness policy."""
    settings.LOG_WITNESSES = [(witness["url"], witness["vkey"])]
    donate(make_project(), 100)
    sequence()
    forged = sign_checkpoint(Checkpoint(origin=ORIGIN, size=1, root_hash=bytes(32)), [log_signer])
    with caplog.at_level(logging.WARNING, logger="commonweal.ledger"):
        assert collect_cosignatures(forged) == forged
    assert "witness_refused" in caplog.text and "status=409" in caplog.text
    assert list((witness["witness"].state_dir / "evidence").iterdir())


def test_bad_cosignatures_are_dropped(settings, log_signer, tmp_path):
    """A 'witness' answering with a signature by another key gets nothing appended."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from commonweal.tlog import Signature

    real_skey, real_vkey = generate_cosigner_key("witness.two")
    impostor = parse_cosigner_signer_key(generate_cosigner_key("witness.two")[0])
    checkpoint = sign_checkpoint(Checkpoint(origin=ORIGIN, size=0, root_hash=__import__("hashlib").sha256(b"").digest()), [log_signer])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            text = checkpoint.split("\n\n")[0] + "\n"
            line = Signature(name=impostor.name, key_id=parse_cosigner_key(real_vkey).key_id,
                             signature=impostor.sign(text.encode())).line()
            body = (line + "\n").encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    with serve_in_thread(ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as url:
        settings.LOG_WITNESSES = [(url, real_vkey)]
        assert collect_cosignatures(checkpoint) == checkpoint
