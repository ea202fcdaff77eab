"""Every inclusion and consistency vector of transparency-dev/merkle (testdata/, Apache-2.0)."""

from __future__ import annotations

import base64
import json

import pytest
from tests.tlog.tlog_support import TLOG_VECTORS

from commonweal.tlog import EMPTY_ROOT, ProofError, verify_consistency, verify_inclusion

MERKLE = TLOG_VECTORS / "merkle-testdata"

INCLUSION = sorted((MERKLE / "inclusion").rglob("*.json"))
CONSISTENCY = sorted((MERKLE / "consistency").rglob("*.json"))

# Vectors whose expectation we deliberately do not share, with the reason.
DEVIATIONS = {
    # Equal sizes, empty proof, equal roots that are 12 bytes long ("don't care 2"): the Go verifier
    # only compares the roots; we reject every hash that is not 32 bytes (see docs/ledger.md).
    "consistency/additional/sizes-are-equal-one-and-proof-is-empty.json": True,
}


def _name(path):
    return str(path.relative_to(MERKLE))


def _b64(text):
    return base64.b64decode(text)


def _want_err(path, case):
    return DEVIATIONS.get(_name(path), case["wantErr"])


def test_vector_files_are_all_found():
    # 1 + 21 + 21 + 20 + 21 + 14 consistency, 13 + 18 + 18 + 15 + 18 + 12 + 4 inclusion.
    assert len(CONSISTENCY) == 98
    assert len(INCLUSION) == 98


@pytest.mark.parametrize("path", INCLUSION, ids=_name)
def test_inclusion_vector(path):
    case = json.loads(path.read_text())
    kwargs = dict(
        index=case["leafIdx"],
        size=case["treeSize"],
        leaf_hash=_b64(case["leafHash"]),
        proof=[_b64(p) for p in case["proof"] or []],
        root=_b64(case["root"]),
    )
    if _want_err(path, case):
        with pytest.raises(ProofError):
            verify_inclusion(**kwargs)
    else:
        verify_inclusion(**kwargs)


@pytest.mark.parametrize("path", CONSISTENCY, ids=_name)
def test_consistency_vector(path):
    case = json.loads(path.read_text())
    kwargs = dict(
        size1=case["size1"],
        size2=case["size2"],
        proof=[_b64(p) for p in case["proof"] or []],
        root1=_b64(case["root1"]),
        root2=_b64(case["root2"]),
    )
    if _want_err(path, case):
        with pytest.raises(ProofError):
            verify_consistency(**kwargs)
    else:
        verify_consistency(**kwargs)


def test_the_deviation_would_pass_with_32_byte_roots():
    root = bytes(range(32))
    verify_consistency(size1=1, size2=1, proof=[], root1=root, root2=root)


class TestFromEmptyTree:
    """The vectors reject consistency from size 0; a witness (c2sp.org/tlog-witness) accepts it."""

    root = bytes(range(32))

    def test_rejected_by_default(self):
        with pytest.raises(ProofError):
            verify_consistency(size1=0, size2=5, proof=[], root1=EMPTY_ROOT, root2=self.root)

    def test_accepted_for_witnesses(self):
        verify_consistency(size1=0, size2=5, proof=[], root1=EMPTY_ROOT, root2=self.root, allow_empty_old=True)
        verify_consistency(size1=0, size2=0, proof=[], root1=EMPTY_ROOT, root2=EMPTY_ROOT, allow_empty_old=True)

    @pytest.mark.parametrize(
        ("size2", "proof", "root1", "root2"),
        [
            (5, [bytes(32)], EMPTY_ROOT, root),  # proof must be empty
            (5, [], root, root),  # old root must be the empty root
            (0, [], EMPTY_ROOT, root),  # the empty tree has one root
            (5, [], EMPTY_ROOT, b"short"),  # new root must be a hash
        ],
    )
    def test_witness_rules(self, size2, proof, root1, root2):
        with pytest.raises(ProofError):
            verify_consistency(size1=0, size2=size2, proof=proof, root1=root1, root2=root2, allow_empty_old=True)
