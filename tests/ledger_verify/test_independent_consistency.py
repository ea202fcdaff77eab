"""Consistency between our signed checkpoints, checked by a second, independent implementation.

pymerkle (an RFC 9162 compatible Merkle tree with its own hashing, tree and proof code) rebuilds
the tree from the log's entries, must reach the root of each of our checkpoints, and verifies
with its own consistency proofs that each later checkpoint extends each earlier one. Its proofs
are laid out differently from RFC 9162's, so our proof bytes are checked by our verifier and the
consistency claim itself by pymerkle's.
"""

import random

import pytest
from pymerkle import InmemoryTree, InvalidProof
from pymerkle import verify_consistency as pymerkle_verify_consistency

from commonweal.tlog import consistency_proof_from_leaves, open_checkpoint, parse_verifier_key, verify_consistency
from tests.ledger_verify.support import ORIGIN, StaticLog

SIZES = [1, 2, 3, 7, 8, 9, 64, 100, 255, 256, 257, 300]


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    log = StaticLog.create(tmp_path_factory.mktemp("log"))
    log.add_donations(300)
    return log


@pytest.fixture(scope="module")
def independent_tree(log):
    tree = InmemoryTree(algorithm="sha256")
    for entry in log.entries:
        tree.append_entry(entry)
    return tree


def _signed_root(log, size: int) -> bytes:
    checkpoint = open_checkpoint(log.checkpoint_text(size), origin=ORIGIN, verifiers=[parse_verifier_key(log.vkey)])
    return checkpoint.checkpoint.root_hash


@pytest.mark.parametrize("size", SIZES)
def test_the_independent_tree_reaches_each_signed_root(log, independent_tree, size):
    assert independent_tree.get_root(size) == _signed_root(log, size)


@pytest.mark.parametrize("size1, size2", [(a, b) for a in SIZES for b in SIZES if a < b])
def test_each_later_checkpoint_extends_each_earlier_one(log, independent_tree, size1, size2):
    root1, root2 = _signed_root(log, size1), _signed_root(log, size2)
    ours = consistency_proof_from_leaves(size1, log.leaves(size2))
    verify_consistency(size1=size1, size2=size2, proof=ours, root1=root1, root2=root2)
    theirs = independent_tree.prove_consistency(size1, size2)
    pymerkle_verify_consistency(root1, root2, theirs, prior_size=size1, later_size=size2)


def test_a_forked_history_is_refused_by_the_independent_verifier(log, independent_tree):
    rng = random.Random(7)
    for _ in range(20):
        size1 = rng.randrange(1, 299)
        size2 = rng.randrange(size1 + 1, 301)
        forked = bytearray(_signed_root(log, size1))
        forked[rng.randrange(32)] ^= 1 << rng.randrange(8)
        with pytest.raises(InvalidProof):
            pymerkle_verify_consistency(
                bytes(forked), _signed_root(log, size2), independent_tree.prove_consistency(size1, size2),
                prior_size=size1, later_size=size2,
            )
