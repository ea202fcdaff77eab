"""Fixtures for the ledger tests that need the database: a log key and a way to run the sequencer."""

import threading

import pytest

from commonweal.ledger.keys import log_key_generate, log_signer_load, verifier_key_of
from commonweal.ledger.witnessing import forget_witness_sizes

ORIGIN = "verify.commonweal.example/log"


@pytest.fixture
def log_signer(settings, tmp_path):
    """A fresh log signing key for ORIGIN, configured in settings (database tile store)."""
    path = tmp_path / "keys" / "log.key"
    log_key_generate(path=path, origin=ORIGIN)
    settings.LOG_SIGNING_KEY_PATH = str(path)
    settings.LOG_ORIGIN = ORIGIN
    settings.LOG_STORE = "db"
    settings.LOG_WITNESSES = []
    forget_witness_sizes()
    return log_signer_load(path=path, origin=ORIGIN)[0]


@pytest.fixture
def log_vkey(log_signer):
    return verifier_key_of(log_signer)


@pytest.fixture
def sequence(log_signer):
    """``sequence()`` integrates every waiting outbox row and signs a checkpoint, as the worker does."""
    from commonweal.ledger.sequencer import Sequencer
    from commonweal.ledger.storage import tile_store

    def run() -> None:
        sequencer = Sequencer(signer=log_signer, origin=ORIGIN, store=tile_store(), sign_interval=0)
        sequencer.run(stop=threading.Event(), once=True, sleep=lambda seconds: None)

    return run
