"""RFC 9162 §2.1: Merkle tree hashing, inclusion and consistency proofs.

Hashing is SHA-256 with the RFC 6962 domain separation (0x00 for leaves, 0x01 for interior nodes).
Proof generation takes a ``subtree_hash(start, end)`` callable returning the hash of the RFC 9162
subtree ``D[start:end]`` and calls it O(log n) times, so it can be backed by stored hashes or tiles
(see ``commonweal.tlog.stored``). Verification is strict and raises ``ProofError``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MAX_PROOF_HASHES",
    "ProofError",
    "SubtreeHash",
    "consistency_proof",
    "consistency_proof_from_leaves",
    "inclusion_proof",
    "inclusion_proof_from_leaves",
    "largest_power_of_two_below",
    "leaf_hash",
    "node_hash",
    "root_from_inclusion_proof",
    "root_hash",
    "subtree_hash_from_leaves",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
"""Size in bytes of every hash in the tree (SHA-256)."""

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""RFC 9162 §2.1.1: the root of the empty tree, SHA-256 of the empty string."""

MAX_PROOF_HASHES = 64
"""Upper bound on proof length: a tree of fewer than 2^64 leaves never needs more."""

SubtreeHash = Callable[[int, int], bytes]
"""``subtree_hash(start, end)`` returns MTH(D[start:end]) for an RFC 9162 subtree of the tree."""


class ProofError(ValueError):
    """A Merkle proof, hash or tree size is malformed or does not verify."""


def leaf_hash(entry: bytes) -> bytes:
    """RFC 9162 §2.1.1: the leaf hash of an entry, SHA-256(0x00 ‖ entry)."""
    return hashlib.sha256(b"\x00" + bytes(entry)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 §2.1.1: the hash of an interior node, SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def largest_power_of_two_below(n: int) -> int:
    """RFC 9162 §2.1.1: k, the largest power of two smaller than n (n > 1)."""
    if n < 2:
        raise ValueError(f"need n > 1, got {n}")
    return 1 << ((n - 1).bit_length() - 1)


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """RFC 9162 §2.1.1: MTH(D[n]), the root hash of a tree given its leaf hashes.

    Computed bottom-up: pairing neighbours level by level and promoting a lone last node unchanged
    gives the same tree as splitting at the largest power of two smaller than n.
    """
    level = [_checked(h, "leaf hash") for h in leaf_hashes]
    if not level:
        return EMPTY_ROOT
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def subtree_hash_from_leaves(leaf_hashes: Sequence[bytes]) -> SubtreeHash:
    """RFC 9162 §2.1.1: a ``subtree_hash`` over an in-memory list of leaf hashes.

    Precomputes every perfect subtree once (O(n)); each call then costs O(log n).
    """
    levels = [[_checked(h, "leaf hash") for h in leaf_hashes]]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])

    def subtree_hash(start: int, end: int) -> bytes:
        if not 0 <= start < end <= len(levels[0]):
            raise ValueError(f"subtree [{start}, {end}) is not inside a tree of {len(levels[0])} leaves")
        # An RFC 9162 subtree is a run of perfect subtrees, largest first; fold them right to left.
        parts = []
        while start < end:
            level = (end - start).bit_length() - 1
            if start & ((1 << level) - 1):
                raise ValueError(f"[{start}, {end}) is not an RFC 9162 subtree")
            parts.append(levels[level][start >> level])
            start += 1 << level
        result = parts.pop()
        while parts:
            result = node_hash(parts.pop(), result)
        return result

    return subtree_hash


def inclusion_proof(index: int, size: int, subtree_hash: SubtreeHash) -> list[bytes]:
    """RFC 9162 §2.1.3.1: PATH(index, D[size]), the inclusion proof of leaf ``index``.

    Walks from the root towards the leaf, asking ``subtree_hash`` for the sibling at each split;
    the proof lists them from the leaf's sibling up to the root's child.
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf index must be in [0, {size}), got {index}")
    siblings: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        # 1. Let k be the largest power of two smaller than the subtree size.
        k = largest_power_of_two_below(end - start)
        if index < start + k:
            # 2. m < k: PATH(m, D[0:k]) : MTH(D[k:n])
            siblings.append(subtree_hash(start + k, end))
            end = start + k
        else:
            # 3. m >= k: PATH(m - k, D[k:n]) : MTH(D[0:k])
            siblings.append(subtree_hash(start, start + k))
            start += k
    siblings.reverse()
    return siblings


def consistency_proof(size1: int, size2: int, subtree_hash: SubtreeHash) -> list[bytes]:
    """RFC 9162 §2.1.4.1: PROOF(size1, D[size2]), the consistency proof between two tree sizes.

    Requires 0 < size1 <= size2; the proof for equal sizes is empty.
    """
    if not 0 < size1 <= size2:
        raise ValueError(f"need 0 < size1 <= size2, got size1={size1}, size2={size2}")
    hashes: list[bytes] = []
    start, end, complete = 0, size2, True
    while True:
        if size1 == end:
            # 1. SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])}
            if not complete:
                hashes.append(subtree_hash(start, end))
            break
        # 2. m < n: let k be the largest power of two smaller than n.
        k = largest_power_of_two_below(end - start)
        if size1 <= start + k:
            # 3. m <= k: SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
            hashes.append(subtree_hash(start + k, end))
            end = start + k
        else:
            # 4. m > k: SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
            hashes.append(subtree_hash(start, start + k))
            start += k
            complete = False
    hashes.reverse()
    return hashes


def inclusion_proof_from_leaves(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """RFC 9162 §2.1.3.1: the inclusion proof of leaf ``index`` in the tree of these leaf hashes."""
    return inclusion_proof(index, len(leaf_hashes), subtree_hash_from_leaves(leaf_hashes))


def consistency_proof_from_leaves(size1: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """RFC 9162 §2.1.4.1: the consistency proof from ``size1`` to the tree of these leaf hashes."""
    return consistency_proof(size1, len(leaf_hashes), subtree_hash_from_leaves(leaf_hashes))


def root_from_inclusion_proof(*, index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2: the root hash implied by an inclusion proof; raises ``ProofError``."""
    _check_size(size, "tree size")
    _checked(leaf_hash, "leaf hash")
    proof = _checked_proof(proof)
    # 1. If leaf_index is greater than or equal to tree_size, fail.
    if not isinstance(index, int) or not 0 <= index < size:
        raise ProofError(f"leaf index must be in [0, {size}), got {index}")
    # 2. Set fn to leaf_index and sn to tree_size - 1.
    fn, sn = index, size - 1
    # 3. Set r to hash.
    r = leaf_hash
    # 4. For each value p in the inclusion_path array:
    for p in proof:
        # 4a. If sn is 0, stop and fail.
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        # 4b. If LSB(fn) is set, or if fn is equal to sn:
        if fn & 1 or fn == sn:
            # 4b.i. Set r to HASH(0x01 || p || r).
            r = node_hash(p, r)
            # 4b.ii. If LSB(fn) is not set, right-shift fn and sn until LSB(fn) is set or fn is 0.
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            # 4b. Otherwise set r to HASH(0x01 || r || p).
            r = node_hash(r, p)
        # 4c. Right-shift both fn and sn one time.
        fn >>= 1
        sn >>= 1
    # 5. sn must be 0 (the caller compares r with the root).
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    return r


def verify_inclusion(*, index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """RFC 9162 §2.1.3.2: check that ``leaf_hash`` is leaf ``index`` of the tree (size, root).

    Raises ``ProofError`` unless the proof verifies.
    """
    _checked(root, "root hash")
    # 5. Compare r against the root hash.
    if root_from_inclusion_proof(index=index, size=size, leaf_hash=leaf_hash, proof=proof) != root:
        raise ProofError("inclusion proof does not lead to the root hash")


def verify_consistency(
    *,
    size1: int,
    size2: int,
    proof: Sequence[bytes],
    root1: bytes,
    root2: bytes,
    allow_empty_old: bool = False,
) -> None:
    """RFC 9162 §2.1.4.2: check that tree (size2, root2) extends tree (size1, root1).

    A proof from size 0 is rejected unless ``allow_empty_old`` (c2sp.org/tlog-witness accepts an
    empty proof from the empty tree, whose root must then be ``EMPTY_ROOT``).
    Raises ``ProofError`` unless the proof verifies.
    """
    _check_size(size1, "size1")
    _check_size(size2, "size2")
    _checked(root1, "root1")
    _checked(root2, "root2")
    proof = _checked_proof(proof)
    if size1 > size2:
        raise ProofError(f"size1 {size1} is larger than size2 {size2}")
    if size1 == 0:
        if not allow_empty_old:
            raise ProofError("a consistency proof from the empty tree is meaningless")
        if proof:
            raise ProofError("a consistency proof from the empty tree must be empty")
        if root1 != EMPTY_ROOT or (size2 == 0 and root2 != EMPTY_ROOT):
            raise ProofError("the empty tree has a different root hash")
        return
    if size1 == size2:
        if proof:
            raise ProofError("a consistency proof between equal sizes must be empty")
        if root1 != root2:
            raise ProofError("equal tree sizes with different root hashes")
        return
    # 1. If consistency_path is an empty array, stop and fail.
    if not proof:
        raise ProofError("consistency proof is empty")
    path = list(proof)
    # 2. If first is an exact power of 2, prepend first_hash to the consistency_path array.
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    # 3. Set fn to first - 1 and sn to second - 1.
    fn, sn = size1 - 1, size2 - 1
    # 4. If LSB(fn) is set, right-shift both fn and sn equally until LSB(fn) is not set.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5. Set both fr and sr to the first value in the consistency_path array.
    fr = sr = path[0]
    # 6. For each subsequent value c in the consistency_path array:
    for c in path[1:]:
        # 6a. If sn is 0, stop the iteration and fail.
        if sn == 0:
            raise ProofError("consistency proof is too long")
        # 6b. If LSB(fn) is set, or if fn is equal to sn:
        if fn & 1 or fn == sn:
            # 6b.i-ii. Set fr to HASH(0x01 || c || fr) and sr to HASH(0x01 || c || sr).
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            # 6b.iii. If LSB(fn) is not set, right-shift fn and sn until LSB(fn) is set or fn is 0.
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            # 6b. Otherwise set sr to HASH(0x01 || sr || c).
            sr = node_hash(sr, c)
        # 6c. Right-shift both fn and sn one time.
        fn >>= 1
        sn >>= 1
    # 7. fr must equal first_hash, sr must equal second_hash, and sn must be 0.
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if fr != root1:
        raise ProofError("consistency proof does not lead to root1")
    if sr != root2:
        raise ProofError("consistency proof does not lead to root2")


def _checked(value: bytes, what: str) -> bytes:
    if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
        got = len(value) if isinstance(value, bytes | bytearray) else type(value).__name__
        raise ProofError(f"{what} must be {HASH_SIZE} bytes, got {got}")
    return bytes(value)


def _checked_proof(proof: Sequence[bytes] | None) -> list[bytes]:
    proof = list(proof or ())
    if len(proof) > MAX_PROOF_HASHES:
        raise ProofError(f"proof has at most {MAX_PROOF_HASHES} hashes, got {len(proof)}")
    return [_checked(p, "proof hash") for p in proof]


def _check_size(size: int, what: str) -> None:
    if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size < 1 << 64:
        raise ProofError(f"{what} must be an integer in [0, 2^64), got {size!r}")
