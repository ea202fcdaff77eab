"""RFC 9162 §2.1: hashing, proof generation and verification, exhaustive for small trees,
property-based up to 2^40 leaves."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonweal.tlog import (
    EMPTY_ROOT,
    ProofError,
    consistency_proof,
    consistency_proof_from_leaves,
    inclusion_proof,
    inclusion_proof_from_leaves,
    largest_power_of_two_below,
    leaf_hash,
    node_hash,
    root_from_inclusion_proof,
    root_hash,
    subtree_hash_from_leaves,
    verify_consistency,
    verify_inclusion,
)
from tests.tlog.tlog_support import (
    SyntheticTree,
    flip_bit,
    leaves,
    ref_mth,
    ref_path,
    ref_proof,
)

MAX_EXHAUSTIVE = 300
LEAVES = leaves(MAX_EXHAUSTIVE)
SUBTREE = subtree_hash_from_leaves(LEAVES)  # every tree of size <= 300 is a prefix of this one
ROOTS = [EMPTY_ROOT] + [SUBTREE(0, n) for n in range(1, MAX_EXHAUSTIVE + 1)]


class TestHashing:
    def test_rfc6962_domain_separation(self):
        assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
        assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
        left, right = bytes(range(32)), bytes(range(32, 64))
        assert node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()

    def test_empty_root(self):
        assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        assert root_hash([]) == EMPTY_ROOT

    def test_known_root_from_the_vectors(self):
        # transparency-dev/merkle: the 8-leaf reference tree has this root.
        entries = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43", b"\x50\x51\x52\x53\x54\x55\x56\x57", b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"]
        root = root_hash([leaf_hash(e) for e in entries])
        assert root.hex() == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"

    @pytest.mark.parametrize(("n", "k"), [(2, 1), (3, 2), (4, 2), (5, 4), (8, 4), (9, 8), (2**40 + 1, 2**40)])
    def test_largest_power_of_two_below(self, n, k):
        assert largest_power_of_two_below(n) == k

    def test_roots_match_the_rfc_definition(self):
        for n in range(0, 130):
            assert root_hash(LEAVES[:n]) == ref_mth(LEAVES[:n]) == ROOTS[n]

    def test_root_rejects_malformed_leaf_hashes(self):
        with pytest.raises(ProofError):
            root_hash([b"short"])


class TestGenerationMatchesRFC:
    """Our iterative, subtree_hash-driven generation against the RFC's recursive definitions."""

    def test_inclusion(self):
        for n in range(1, 65):
            for m in range(n):
                assert inclusion_proof(m, n, SUBTREE) == ref_path(m, LEAVES[:n])

    def test_consistency(self):
        for n in range(1, 65):
            for m in range(1, n + 1):
                assert consistency_proof(m, n, SUBTREE) == ref_proof(m, LEAVES[:n])

    def test_from_leaves(self):
        assert inclusion_proof_from_leaves(5, LEAVES[:13]) == ref_path(5, LEAVES[:13])
        assert consistency_proof_from_leaves(6, LEAVES[:13]) == ref_proof(6, LEAVES[:13])

    @pytest.mark.parametrize(("index", "size"), [(0, 0), (3, 3), (-1, 3)])
    def test_inclusion_arguments(self, index, size):
        with pytest.raises(ValueError):
            inclusion_proof(index, size, SUBTREE)

    @pytest.mark.parametrize(("size1", "size2"), [(0, 3), (4, 3), (-1, 3)])
    def test_consistency_arguments(self, size1, size2):
        with pytest.raises(ValueError):
            consistency_proof(size1, size2, SUBTREE)


class TestExhaustive:
    """Every tree size up to 300: every index, every pair of sizes."""

    def test_every_inclusion_proof_verifies(self):
        for n in range(1, MAX_EXHAUSTIVE + 1):
            for m in range(n):
                proof = inclusion_proof(m, n, SUBTREE)
                verify_inclusion(index=m, size=n, leaf_hash=LEAVES[m], proof=proof, root=ROOTS[n])

    def test_every_consistency_proof_verifies(self):
        for n in range(1, MAX_EXHAUSTIVE + 1):
            for m in range(1, n + 1):
                proof = consistency_proof(m, n, SUBTREE)
                verify_consistency(size1=m, size2=n, proof=proof, root1=ROOTS[m], root2=ROOTS[n])

    def test_every_tampered_inclusion_proof_fails(self):
        # Every hash of every proof, one bit each; every other index; for trees up to 64 leaves.
        for n in range(1, 65):
            for m in range(n):
                proof = inclusion_proof(m, n, SUBTREE)
                for i in range(len(proof)):
                    bad = proof[:i] + [flip_bit(proof[i], 7 * i + m)] + proof[i + 1 :]
                    with pytest.raises(ProofError):
                        verify_inclusion(index=m, size=n, leaf_hash=LEAVES[m], proof=bad, root=ROOTS[n])
                for other in range(n):
                    if other != m:
                        with pytest.raises(ProofError):
                            verify_inclusion(index=other, size=n, leaf_hash=LEAVES[m], proof=proof, root=ROOTS[n])
                with pytest.raises(ProofError):
                    verify_inclusion(index=m, size=n, leaf_hash=flip_bit(LEAVES[m], m), proof=proof, root=ROOTS[n])
                with pytest.raises(ProofError):
                    verify_inclusion(index=m, size=n, leaf_hash=LEAVES[m], proof=proof, root=flip_bit(ROOTS[n], n))
                if proof:
                    for bad in (proof[:-1], proof + [proof[0]], [proof[0], *proof]):
                        with pytest.raises(ProofError):
                            verify_inclusion(index=m, size=n, leaf_hash=LEAVES[m], proof=bad, root=ROOTS[n])

    def test_every_tampered_consistency_proof_fails(self):
        for n in range(2, 65):
            for m in range(1, n):
                proof = consistency_proof(m, n, SUBTREE)
                for i in range(len(proof)):
                    bad = proof[:i] + [flip_bit(proof[i], 5 * i + m)] + proof[i + 1 :]
                    with pytest.raises(ProofError):
                        verify_consistency(size1=m, size2=n, proof=bad, root1=ROOTS[m], root2=ROOTS[n])
                for root1, root2 in ((flip_bit(ROOTS[m], n), ROOTS[n]), (ROOTS[m], flip_bit(ROOTS[n], m))):
                    with pytest.raises(ProofError):
                        verify_consistency(size1=m, size2=n, proof=proof, root1=root1, root2=root2)
                for bad in (proof[:-1], proof + [proof[0]], [ROOTS[m], *proof]):
                    with pytest.raises(ProofError):
                        verify_consistency(size1=m, size2=n, proof=bad, root1=ROOTS[m], root2=ROOTS[n])
                with pytest.raises(ProofError):  # the roots swapped
                    verify_consistency(size1=m, size2=n, proof=proof, root1=ROOTS[n], root2=ROOTS[m])


class TestVerificationInputs:
    root = ROOTS[5]
    proof = inclusion_proof(2, 5, SUBTREE)

    @pytest.mark.parametrize(
        "change",
        [
            {"index": 5},
            {"index": -1},
            {"index": 2**64},
            {"size": 0},
            {"size": -5},
            {"size": 2**64},
            {"size": True},
            {"leaf_hash": LEAVES[2][:31]},
            {"leaf_hash": LEAVES[2] + b"\x00"},
            {"leaf_hash": "not bytes"},
            {"root": b""},
            {"proof": [b"\x00" * 33, b"\x00" * 32, b"\x00" * 32]},
            {"proof": [bytes(32)] * 65},
        ],
    )
    def test_rejected(self, change):
        kwargs = dict(index=2, size=5, leaf_hash=LEAVES[2], proof=self.proof, root=self.root)
        verify_inclusion(**kwargs)
        kwargs.update(change)
        with pytest.raises(ProofError):
            verify_inclusion(**kwargs)

    def test_root_from_inclusion_proof(self):
        assert root_from_inclusion_proof(index=2, size=5, leaf_hash=LEAVES[2], proof=self.proof) == self.root

    def test_consistency_rejects_bad_sizes(self):
        with pytest.raises(ProofError):
            verify_consistency(size1=6, size2=5, proof=[], root1=ROOTS[5], root2=ROOTS[5])
        with pytest.raises(ProofError):
            verify_consistency(size1=5, size2=5, proof=[ROOTS[5]], root1=ROOTS[5], root2=ROOTS[5])
        with pytest.raises(ProofError):
            verify_consistency(size1=5, size2=5, proof=[], root1=ROOTS[5], root2=ROOTS[4])
        verify_consistency(size1=5, size2=5, proof=[], root1=ROOTS[5], root2=ROOTS[5])


small_size = st.integers(min_value=1, max_value=MAX_EXHAUSTIVE)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), n=small_size)
def test_small_trees_any_bit_flip_fails(data, n):
    m = data.draw(st.integers(0, n - 1), label="index")
    proof = inclusion_proof(m, n, SUBTREE)
    verify_inclusion(index=m, size=n, leaf_hash=LEAVES[m], proof=proof, root=ROOTS[n])
    target = data.draw(st.sampled_from(["proof", "leaf", "root"] if proof else ["leaf", "root"]), label="target")
    bit = data.draw(st.integers(0, 255), label="bit")
    leaf, root = LEAVES[m], ROOTS[n]
    if target == "proof":
        i = data.draw(st.integers(0, len(proof) - 1), label="hash")
        proof = proof[:i] + [flip_bit(proof[i], bit)] + proof[i + 1 :]
    elif target == "leaf":
        leaf = flip_bit(leaf, bit)
    else:
        root = flip_bit(root, bit)
    with pytest.raises(ProofError):
        verify_inclusion(index=m, size=n, leaf_hash=leaf, proof=proof, root=root)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), n=st.integers(min_value=2, max_value=MAX_EXHAUSTIVE))
def test_small_trees_consistency_any_bit_flip_fails(data, n):
    m = data.draw(st.integers(1, n - 1), label="size1")
    proof = consistency_proof(m, n, SUBTREE)
    verify_consistency(size1=m, size2=n, proof=proof, root1=ROOTS[m], root2=ROOTS[n])
    target = data.draw(st.sampled_from(["proof", "root1", "root2"]), label="target")
    bit = data.draw(st.integers(0, 255), label="bit")
    root1, root2 = ROOTS[m], ROOTS[n]
    if target == "proof":
        i = data.draw(st.integers(0, len(proof) - 1), label="hash")
        proof = proof[:i] + [flip_bit(proof[i], bit)] + proof[i + 1 :]
    elif target == "root1":
        root1 = flip_bit(root1, bit)
    else:
        root2 = flip_bit(root2, bit)
    with pytest.raises(ProofError):
        verify_consistency(size1=m, size2=n, proof=proof, root1=root1, root2=root2)


class TestSyntheticTree:
    """The synthetic tree used for huge sizes is a faithful RFC 9162 tree where it matters."""

    def test_pinned_paths_match_a_real_tree_when_everything_is_pinned(self):
        n = 37
        tree = SyntheticTree(range(n))
        real = [tree.perfect(0, i) for i in range(n)]
        for size in range(1, n + 1):
            assert tree.root(size) == ref_mth(real[:size])

    def test_generation_is_logarithmic(self):
        n = 2**40 - 12345
        tree = SyntheticTree([777])
        inclusion_proof(777, n, tree.subtree_hash)
        assert tree.reads <= 41


huge_size = st.integers(min_value=1, max_value=2**40)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), n=huge_size, bit=st.integers(0, 255))
def test_huge_trees_inclusion(data, n, bit):
    m = data.draw(st.integers(0, n - 1), label="index")
    tree = SyntheticTree([m], seed=b"%d" % n)
    proof = inclusion_proof(m, n, tree.subtree_hash)
    leaf, root = tree.perfect(0, m), tree.root(n)
    verify_inclusion(index=m, size=n, leaf_hash=leaf, proof=proof, root=root)
    assert len(proof) <= 40
    # Any flipped bit in the proof, the leaf or the root fails.
    for i in range(len(proof)):
        bad = proof[:i] + [flip_bit(proof[i], bit)] + proof[i + 1 :]
        with pytest.raises(ProofError):
            verify_inclusion(index=m, size=n, leaf_hash=leaf, proof=bad, root=root)
    with pytest.raises(ProofError):
        verify_inclusion(index=m, size=n, leaf_hash=flip_bit(leaf, bit), proof=proof, root=root)
    with pytest.raises(ProofError):
        verify_inclusion(index=m, size=n, leaf_hash=leaf, proof=proof, root=flip_bit(root, bit))
    # Another index fails too.
    other = data.draw(st.integers(0, n - 1).filter(lambda o: o != m), label="other") if n > 1 else None
    if other is not None:
        with pytest.raises(ProofError):
            verify_inclusion(index=other, size=n, leaf_hash=leaf, proof=proof, root=root)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), n=st.integers(min_value=2, max_value=2**40), bit=st.integers(0, 255))
def test_huge_trees_consistency(data, n, bit):
    m = data.draw(st.integers(1, n - 1), label="size1")
    tree = SyntheticTree([m - 1], seed=b"%d" % n)
    proof = consistency_proof(m, n, tree.subtree_hash)
    root1, root2 = tree.root(m), tree.root(n)
    verify_consistency(size1=m, size2=n, proof=proof, root1=root1, root2=root2)
    assert len(proof) <= 2 * 40
    for i in range(len(proof)):
        bad = proof[:i] + [flip_bit(proof[i], bit)] + proof[i + 1 :]
        with pytest.raises(ProofError):
            verify_consistency(size1=m, size2=n, proof=bad, root1=root1, root2=root2)
    with pytest.raises(ProofError):
        verify_consistency(size1=m, size2=n, proof=proof, root1=flip_bit(root1, bit), root2=root2)
    with pytest.raises(ProofError):
        verify_consistency(size1=m, size2=n, proof=proof, root1=root1, root2=flip_bit(root2, bit))


@pytest.mark.parametrize(
    ("m", "n"),
    [(1, 2**40), (2**39, 2**40), (2**40 - 1, 2**40), (2**40 - 1, 2**40 + 1), (12345678901, 2**40 - 3), (2**63, 2**64 - 1)],
)
def test_huge_consistency_edges(m, n):
    tree = SyntheticTree([m - 1])
    proof = consistency_proof(m, n, tree.subtree_hash)
    verify_consistency(size1=m, size2=n, proof=proof, root1=tree.root(m), root2=tree.root(n))


@pytest.mark.parametrize(("m", "n"), [(0, 2**40), (2**40 - 1, 2**40), (2**39, 2**40 + 1), (2**64 - 2, 2**64 - 1)])
def test_huge_inclusion_edges(m, n):
    tree = SyntheticTree([m])
    proof = inclusion_proof(m, n, tree.subtree_hash)
    verify_inclusion(index=m, size=n, leaf_hash=tree.perfect(0, m), proof=proof, root=tree.root(n))
