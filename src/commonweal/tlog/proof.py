"""c2sp.org/tlog-proof: receipts, offline-verifiable proofs that an entry is in the log.

A receipt carries the leaf index, the inclusion proof and the signed checkpoint (with any witness
cosignatures), and optionally opaque extra data; Commonweal puts the log entry bytes there, so a
receipt is self-contained (see docs/ledger.md, "Receipts").
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .checkpoint import Checkpoint, CheckpointError, parse_checkpoint
from .merkle import HASH_SIZE, MAX_PROOF_HASHES, ProofError, leaf_hash as compute_leaf_hash, verify_inclusion
from .note import NoteError, Signature, Verifier, decode_base64, open_note, parse_note

__all__ = [
    "MAX_RECEIPT_SIZE",
    "RECEIPT_HEADER",
    "Receipt",
    "ReceiptError",
    "VerifiedReceipt",
    "format_receipt",
    "parse_receipt",
    "verify_receipt",
]

RECEIPT_HEADER = "c2sp.org/tlog-proof@v1"
"""c2sp.org/tlog-proof: the first line of every proof."""

MAX_RECEIPT_SIZE = 256 * 1024
"""Largest receipt accepted, in bytes."""

_DECIMAL = re.compile(r"0|[1-9][0-9]{0,19}", re.ASCII)


class ReceiptError(ValueError):
    """A receipt is malformed or does not verify."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Receipt:
    """A c2sp.org/tlog-proof proof of inclusion."""

    index: int
    """Zero-based index of the entry in the log."""
    proof: tuple[bytes, ...]
    """RFC 9162 inclusion proof for the entry in the checkpoint's tree, leaf's sibling first."""
    checkpoint: str
    """The signed checkpoint note, verbatim (log signature and any witness cosignatures)."""
    extra: bytes | None = None
    """Opaque extra data, not authenticated by itself; Commonweal: the log entry bytes."""

    def __post_init__(self) -> None:
        if isinstance(self.index, bool) or not isinstance(self.index, int) or not 0 <= self.index < 1 << 64:
            raise ReceiptError(f"index must be in [0, 2^64), got {self.index!r}")
        if not isinstance(self.proof, tuple) or len(self.proof) > MAX_PROOF_HASHES:
            raise ReceiptError(f"proof must be a tuple of at most {MAX_PROOF_HASHES} hashes")
        if not all(isinstance(h, bytes) and len(h) == HASH_SIZE for h in self.proof):
            raise ReceiptError(f"proof hashes must be {HASH_SIZE} bytes")
        if self.extra is not None and not isinstance(self.extra, bytes):
            raise ReceiptError("extra must be bytes or None")
        try:
            parse_checkpoint(parse_note(self.checkpoint).text)
        except (NoteError, CheckpointError) as exc:
            raise ReceiptError(f"malformed checkpoint: {exc}") from None


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifiedReceipt:
    """The facts a verified receipt establishes."""

    index: int
    """Index of the entry in the log."""
    leaf_hash: bytes
    """RFC 9162 leaf hash proven to be at ``index``."""
    entry: bytes | None
    """The entry bytes, when given or carried in ``extra`` (then authenticated by the proof)."""
    checkpoint: Checkpoint
    """The checkpoint the entry is included in."""
    log_signatures: tuple[Signature, ...]
    """Valid signatures by the log's keys."""
    witness_signatures: tuple[Signature, ...]
    """Valid cosignatures by the given witnesses."""


def format_receipt(receipt: Receipt) -> str:
    """c2sp.org/tlog-proof: the text of a receipt."""
    lines = [RECEIPT_HEADER]
    if receipt.extra is not None:
        lines.append("extra " + base64.b64encode(receipt.extra).decode("ascii"))
    lines.append(f"index {receipt.index}")
    lines.extend(base64.b64encode(h).decode("ascii") for h in receipt.proof)
    lines.append("")
    return "\n".join(lines) + "\n" + receipt.checkpoint


def parse_receipt(text: str | bytes) -> Receipt:
    """c2sp.org/tlog-proof: parse a receipt strictly (the checkpoint's signatures are not verified)."""
    # 0. Size limit and UTF-8 first.
    if isinstance(text, bytes | bytearray):
        if len(text) > MAX_RECEIPT_SIZE:
            raise ReceiptError("receipt too large")
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            raise ReceiptError("receipt is not valid UTF-8") from None
    if not isinstance(text, str) or len(text) > MAX_RECEIPT_SIZE:
        raise ReceiptError("receipt missing or too large")
    # 1. The header line.
    head, sep, rest = text.partition("\n")
    if head != RECEIPT_HEADER or not sep:
        raise ReceiptError(f"receipt must start with {RECEIPT_HEADER}")
    # 2. Optional "extra <base64>".
    line, _, rest = rest.partition("\n")
    extra = None
    if line.startswith("extra "):
        extra = _b64(line[len("extra ") :], "extra data")
        line, _, rest = rest.partition("\n")
    # 3. "index <decimal>", no leading zeros.
    if not line.startswith("index ") or not _DECIMAL.fullmatch(line[len("index ") :]):
        raise ReceiptError("missing or malformed index line")
    index = int(line[len("index ") :])
    # 4. Zero or more base64 hashes, up to the first empty line.
    proof = []
    while True:
        line, sep, rest = rest.partition("\n")
        if not sep:
            raise ReceiptError("receipt ends before the checkpoint")
        if line == "":
            break
        if len(proof) == MAX_PROOF_HASHES:
            raise ReceiptError(f"more than {MAX_PROOF_HASHES} proof hashes")
        h = _b64(line, "proof hash")
        if len(h) != HASH_SIZE:
            raise ReceiptError(f"proof hashes must be {HASH_SIZE} bytes, got {len(h)}")
        proof.append(h)
    # 5. The rest is the signed checkpoint, verbatim (checked by Receipt).
    receipt = Receipt(index=index, proof=tuple(proof), checkpoint=rest, extra=extra)
    if format_receipt(receipt) != text:
        raise ReceiptError("non-canonical receipt")
    return receipt


def _b64(text: str, what: str) -> bytes:
    return decode_base64(text, what, ReceiptError)


def verify_receipt(
    receipt: Receipt | str | bytes,
    *,
    origin: str,
    log_verifiers: Sequence[Verifier],
    witnesses: Sequence[Verifier] = (),
    witness_quorum: int = 0,
    leaf_hash: bytes | None = None,
    entry: bytes | None = None,
) -> VerifiedReceipt:
    """c2sp.org/tlog-proof: verify a receipt offline against the log's keys and origin.

    The leaf hash comes from ``leaf_hash``, else ``leaf_hash(entry)``, else ``leaf_hash(extra)``.
    Requires a valid signature by one of ``log_verifiers``, at least ``witness_quorum`` valid
    cosignatures by ``witnesses``, the expected origin, and a valid inclusion proof.
    Raises ``ReceiptError``.
    """
    if leaf_hash is not None and entry is not None:
        raise ReceiptError("give leaf_hash or entry, not both")
    parsed = receipt if isinstance(receipt, Receipt) else parse_receipt(receipt)
    # 1. Verify the checkpoint note against the log and witness keys.
    try:
        note = open_note(parsed.checkpoint, [*log_verifiers, *witnesses])
        checkpoint = parse_checkpoint(note.text)
    except (NoteError, CheckpointError) as exc:
        raise ReceiptError(f"checkpoint does not verify: {exc}") from None
    log_keys = {(v.name, v.key_id) for v in log_verifiers}
    witness_keys = {(v.name, v.key_id) for v in witnesses}
    log_signatures = tuple(s for s in note.verified if (s.name, s.key_id) in log_keys)
    witness_signatures = tuple(s for s in note.verified if (s.name, s.key_id) in witness_keys)
    # 2. The log itself must have signed, and enough witnesses must have cosigned.
    if not log_signatures:
        raise ReceiptError("checkpoint is not signed by the log")
    if len(witness_signatures) < witness_quorum:
        raise ReceiptError(f"checkpoint has {len(witness_signatures)} witness cosignatures, need {witness_quorum}")
    # 3. The checkpoint is for the expected log.
    if checkpoint.origin != origin:
        raise ReceiptError(f"checkpoint origin is {checkpoint.origin!r}, expected {origin!r}")
    # 4. The leaf hash: given, or from the given entry, or from the extra data.
    if leaf_hash is None:
        if entry is None:
            entry = parsed.extra
        if entry is None:
            raise ReceiptError("no leaf hash, entry or extra data to verify")
        leaf_hash = compute_leaf_hash(entry)
    # 5. The inclusion proof leads from the leaf to the checkpoint's root.
    try:
        verify_inclusion(
            index=parsed.index,
            size=checkpoint.size,
            leaf_hash=leaf_hash,
            proof=parsed.proof,
            root=checkpoint.root_hash,
        )
    except ProofError as exc:
        raise ReceiptError(f"inclusion proof does not verify: {exc}") from None
    return VerifiedReceipt(
        index=parsed.index,
        leaf_hash=leaf_hash,
        entry=entry,
        checkpoint=checkpoint,
        log_signatures=log_signatures,
        witness_signatures=witness_signatures,
    )
