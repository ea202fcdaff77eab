"""Receipts checked by a second, independent implementation (sigstore; see ``independent.py``).

Consistency between checkpoints is checked independently with pymerkle: test_independent_consistency.py.
"""

import pytest
from sigstore.errors import VerificationError

from commonweal.ledger.verify import parse_commonweal_receipt
from commonweal.tlog import Receipt, generate_signer_key
from tests.ledger_verify.independent import sigstore_verify
from tests.ledger_verify.support import ORIGIN, StaticLog


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    log = StaticLog.create(tmp_path_factory.mktemp("log"))
    log.add_donations(300)
    return log


@pytest.mark.parametrize("size", [1, 2, 3, 7, 8, 9, 64, 255, 256, 257, 300])
def test_every_index_of_several_tree_sizes(log, size):
    checkpoint = log.checkpoint_text(size)
    for index in sorted({0, 1, size // 2, size - 2, size - 1} & set(range(size))):
        receipt = parse_commonweal_receipt(log.receipt(index, size=size, checkpoint=checkpoint)).proof
        sigstore_verify(receipt, log.vkey)


def test_all_indices_of_one_tree(log):
    checkpoint = log.checkpoint_text(77)
    for index in range(77):
        sigstore_verify(log.tlog_proof(index, size=77, checkpoint=checkpoint), log.vkey)


def _altered(receipt: Receipt, **changes) -> Receipt:
    fields = {"index": receipt.index, "proof": receipt.proof, "checkpoint": receipt.checkpoint, "extra": receipt.extra}
    fields.update(changes)
    return Receipt(**fields)


def test_sigstore_rejects_what_we_reject(log):
    good = log.tlog_proof(100)
    proof = list(good.proof)
    proof[2] = bytes(32)
    cases = {
        "tampered proof": _altered(good, proof=tuple(proof)),
        "tampered entry": _altered(good, extra=log.entries[101]),
        "other index": _altered(good, index=101),
        "short proof": _altered(good, proof=good.proof[:-1]),
    }
    for name, receipt in cases.items():
        with pytest.raises(VerificationError):
            sigstore_verify(receipt, log.vkey)
        assert name
    with pytest.raises(VerificationError):
        sigstore_verify(good, generate_signer_key(ORIGIN)[1])
    tampered = good.checkpoint.replace(f"\n{len(log.entries)}\n", "\n299\n")
    with pytest.raises(VerificationError):
        sigstore_verify(_altered(good, checkpoint=tampered), log.vkey)
