"""Commonweal receipts: a c2sp.org/tlog-proof wrapped with the donor's commitment opening.

The format and every check are described in docs/ledger.md ("Commonweal receipts"). This module
imports no model and touches no database: ``commonweal verify-receipt`` runs it offline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import rfc8785

from commonweal.core.privacy import SALT_LENGTH, donor_commitment
from commonweal.tlog import (
    Checkpoint,
    CosignatureVerifier,
    Ed25519Verifier,
    NoteError,
    ProofError,
    Receipt,
    ReceiptError,
    Verifier,
    format_receipt,
    leaf_hash,
    open_note,
    parse_any_verifier_key,
    parse_checkpoint,
    parse_note,
    parse_receipt,
    parse_verifier_key,
    verify_inclusion,
)
from commonweal.tlog.proof import MAX_RECEIPT_SIZE

__all__ = [
    "COMMONWEAL_RECEIPT_HEADER",
    "MAX_COMMONWEAL_RECEIPT_SIZE",
    "Check",
    "CheckResult",
    "CommonwealReceipt",
    "CommonwealReceiptError",
    "ReceiptVerification",
    "format_commonweal_receipt",
    "parse_commonweal_receipt",
    "verify_commonweal_receipt",
]

COMMONWEAL_RECEIPT_HEADER = "commonweal-receipt/v1"
"""First line of every Commonweal receipt."""

MAX_COMMONWEAL_RECEIPT_SIZE = MAX_RECEIPT_SIZE + 256
"""Largest receipt accepted, in bytes: a tlog-proof plus the header lines."""

_SALT = re.compile(r"[0-9a-f]{64}", re.ASCII)
_DONOR_REFERENCE = re.compile(r"[a-z]+:[0-9a-z]{1,64}", re.ASCII)
_COMMITMENT = re.compile(r"[0-9a-f]{64}", re.ASCII)
_ENTRY_VERSION = 1


class CommonwealReceiptError(ValueError):
    """A Commonweal receipt is malformed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CommonwealReceipt:
    """A donor's receipt: the opening of the donor commitment and the tlog-proof of the entry."""

    salt: bytes
    """The 32-byte salt of the donor commitment."""
    donor_reference: str
    """What the commitment was made over: ``user:<id>`` or ``intent:<public id>``."""
    proof: Receipt
    """The c2sp.org/tlog-proof of the donation's log entry (entry bytes in ``extra``)."""

    def __post_init__(self) -> None:
        if not isinstance(self.salt, bytes) or len(self.salt) != SALT_LENGTH:
            raise CommonwealReceiptError(f"salt must be {SALT_LENGTH} bytes")
        if not isinstance(self.donor_reference, str) or not _DONOR_REFERENCE.fullmatch(self.donor_reference):
            raise CommonwealReceiptError("donor reference must look like user:<id> or intent:<public id>")
        if not isinstance(self.proof, Receipt):
            raise CommonwealReceiptError("proof must be a tlog Receipt")


def format_commonweal_receipt(receipt: CommonwealReceipt) -> str:
    """The text of a Commonweal receipt: header, salt, donor, blank line, the tlog-proof verbatim."""
    return (
        f"{COMMONWEAL_RECEIPT_HEADER}\n"
        f"salt {receipt.salt.hex()}\n"
        f"donor {receipt.donor_reference}\n"
        "\n" + format_receipt(receipt.proof)
    )


def parse_commonweal_receipt(text: str | bytes) -> CommonwealReceipt:
    """Parse a Commonweal receipt strictly (no signature or proof is verified here)."""
    # 0. Size limit and UTF-8 first.
    if isinstance(text, bytes | bytearray):
        if len(text) > MAX_COMMONWEAL_RECEIPT_SIZE:
            raise CommonwealReceiptError(f"a receipt is at most {MAX_COMMONWEAL_RECEIPT_SIZE} bytes, got {len(text)}")
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            raise CommonwealReceiptError("the receipt is not UTF-8 text") from None
    if not isinstance(text, str) or len(text) > MAX_COMMONWEAL_RECEIPT_SIZE:
        raise CommonwealReceiptError("the receipt is missing or too large")
    # 1. The header line, then "salt <hex>", "donor <reference>" and a blank line.
    lines = text.split("\n", 4)
    if len(lines) < 5 or lines[0] != COMMONWEAL_RECEIPT_HEADER:
        raise CommonwealReceiptError(f"a Commonweal receipt starts with the line {COMMONWEAL_RECEIPT_HEADER}")
    salt_line, donor_line, blank, rest = lines[1:]
    if not salt_line.startswith("salt ") or not _SALT.fullmatch(salt_line[len("salt ") :]):
        raise CommonwealReceiptError("second line must be 'salt ' and 64 lowercase hex digits")
    if not donor_line.startswith("donor ") or not _DONOR_REFERENCE.fullmatch(donor_line[len("donor ") :]):
        raise CommonwealReceiptError("third line must be 'donor ' and a donor reference such as user:42")
    if blank != "":
        raise CommonwealReceiptError("a blank line must follow the donor line")
    # 2. The rest is the c2sp.org/tlog-proof, parsed canonically by tlog.
    try:
        proof = parse_receipt(rest)
    except ReceiptError as exc:
        raise CommonwealReceiptError(f"the embedded tlog-proof is malformed: {exc}") from None
    receipt = CommonwealReceipt(
        salt=bytes.fromhex(salt_line[len("salt ") :]), donor_reference=donor_line[len("donor ") :], proof=proof
    )
    # 3. Canonical: the receipt re-formats to the same text.
    if format_commonweal_receipt(receipt) != text:
        raise CommonwealReceiptError("non-canonical receipt")
    return receipt


class Check(StrEnum):
    """The checks a receipt goes through, in order."""

    FORMAT = "format"
    SIGNATURE = "signature"
    INCLUSION = "inclusion"
    ENTRY = "entry"
    COMMITMENT = "commitment"


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckResult:
    """The outcome of one check."""

    check: Check
    """Which check."""
    ok: bool | None
    """True if it passed, False if it failed, None if it could not be run."""
    code: str
    """``ok``, ``not_checked``, or a failure code listed in docs/ledger.md."""
    message: str
    """One line for people: what was established, or what is wrong."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReceiptVerification:
    """What verifying a receipt established."""

    checks: tuple[CheckResult, ...]
    """One result per ``Check``, in order."""
    index: int | None = None
    """Log index of the entry, if the receipt parsed."""
    checkpoint: Checkpoint | None = None
    """The checkpoint the receipt is for, if it parsed (trusted only if ``signature`` passed)."""
    entry: dict | None = None
    """The donation entry, if it parsed (trusted only if ``inclusion`` passed)."""
    witnesses: tuple[str, ...] = ()
    """Names of the required witnesses whose cosignatures verified."""

    @property
    def ok(self) -> bool:
        """Whether every check passed."""
        return all(result.ok is True for result in self.checks)

    @property
    def failures(self) -> tuple[CheckResult, ...]:
        """The checks that failed."""
        return tuple(result for result in self.checks if result.ok is False)

    def result(self, check: Check) -> CheckResult:
        """The result of one check."""
        return next(result for result in self.checks if result.check == check)


def _passed(check: Check, message: str) -> CheckResult:
    return CheckResult(check=check, ok=True, code="ok", message=message)


def _failed(check: Check, code: str, message: str) -> CheckResult:
    return CheckResult(check=check, ok=False, code=code, message=message)


def _skipped(check: Check, because: str) -> CheckResult:
    return CheckResult(check=check, ok=None, code="not_checked", message=f"not checked: {because}")


def _log_verifier(vkey: str | Ed25519Verifier) -> Ed25519Verifier:
    return vkey if isinstance(vkey, Ed25519Verifier) else parse_verifier_key(vkey)


def _witness_verifier(vkey: str | Verifier) -> Verifier:
    return parse_any_verifier_key(vkey) if isinstance(vkey, str) else vkey


def verify_commonweal_receipt(
    text: str | bytes,
    *,
    vkey: str | Ed25519Verifier,
    origin: str | None = None,
    witness_vkeys: Sequence[str | CosignatureVerifier] = (),
) -> ReceiptVerification:
    """Check a Commonweal receipt offline against the log's verifier key (docs/ledger.md).

    ``origin`` defaults to the name of ``vkey``. Every given witness must have cosigned.
    A malformed ``vkey`` raises ``NoteError``; everything wrong with the receipt is reported in
    the result, one ``CheckResult`` per check.
    """
    log_key = _log_verifier(vkey)
    witnesses = [_witness_verifier(w) for w in witness_vkeys]
    origin = origin if origin is not None else log_key.name
    # 1. Format: a Commonweal receipt around a well-formed tlog-proof.
    try:
        receipt = parse_commonweal_receipt(text)
    except CommonwealReceiptError as exc:
        later = [_skipped(c, "the receipt could not be read") for c in list(Check)[1:]]
        return ReceiptVerification(checks=(_failed(Check.FORMAT, "malformed", str(exc)), *later))
    proof = receipt.proof
    note = parse_note(proof.checkpoint)
    checkpoint = parse_checkpoint(note.text)
    results = [_passed(Check.FORMAT, f"a receipt for log entry {proof.index}")]
    # 2. Signature: the log's key signed this checkpoint, for the expected origin.
    signature, witness_names = _check_signature(proof, log_key, origin, checkpoint, witnesses)
    results.append(signature)
    # 3. Inclusion: the entry carried in "extra" is leaf `index` of the checkpoint's tree.
    results.append(_check_inclusion(proof, checkpoint))
    # 4. Entry: a canonical version-1 donation entry.
    entry_result, entry = _check_entry(proof)
    results.append(entry_result)
    # 5. Commitment: SHA-256(salt ‖ donor reference) is the entry's donor commitment.
    if entry is None:
        results.append(_skipped(Check.COMMITMENT, "the entry is not a donation entry"))
    else:
        computed = donor_commitment(receipt.salt, receipt.donor_reference)
        if computed == entry["donor"]:
            results.append(_passed(Check.COMMITMENT, "the salt and donor reference open the entry's donor commitment"))
        else:
            results.append(_failed(
                Check.COMMITMENT,
                "commitment_mismatch",
                f"SHA-256(salt ‖ {receipt.donor_reference!r}) is {computed[:16]}…, the entry's donor commitment is "
                f"{entry['donor'][:16]}…: the salt or donor reference does not belong to this donation",
            ))
    return ReceiptVerification(
        checks=tuple(results), index=proof.index, checkpoint=checkpoint, entry=entry, witnesses=witness_names
    )


def _check_signature(
    proof: Receipt, log_key: Ed25519Verifier, origin: str, checkpoint: Checkpoint, witnesses: Sequence[Verifier]
) -> tuple[CheckResult, tuple[str, ...]]:
    key = f"{log_key.name}+{log_key.key_id:08x}"
    note = parse_note(proof.checkpoint)
    # a. A signature line by the log key must be there at all.
    if not any((s.name, s.key_id) == (log_key.name, log_key.key_id) for s in note.signatures):
        present = ", ".join(sorted({s.name for s in note.signatures})) or "none"
        return _failed(
            Check.SIGNATURE,
            "not_signed_by_log",
            f"the checkpoint carries no signature by the log key {key} (signatures by: {present})",
        ), ()
    # b. It must verify (so must every other signature by a key we were given).
    try:
        verified = open_note(proof.checkpoint, [log_key, *witnesses])
    except NoteError as exc:
        return _failed(
            Check.SIGNATURE,
            "bad_signature",
            f"the checkpoint's signature does not verify ({exc}): the checkpoint was altered after signing",
        ), ()
    # c. For the expected log.
    if checkpoint.origin != origin:
        return _failed(
            Check.SIGNATURE, "wrong_origin", f"the checkpoint is for log {checkpoint.origin!r}, expected {origin!r}"
        ), ()
    # d. With every required witness's cosignature.
    names = {(s.name, s.key_id) for s in verified.verified}
    missing = [w.name for w in witnesses if (w.name, w.key_id) not in names]
    if missing:
        return _failed(
            Check.SIGNATURE, "witness_missing", f"no cosignature by the required witness(es) {', '.join(missing)}"
        ), ()
    cosigned = tuple(w.name for w in witnesses)
    extra = f", cosigned by {', '.join(cosigned)}" if cosigned else ""
    return _passed(
        Check.SIGNATURE, f"checkpoint of {checkpoint.size} entries signed by the log key {key}{extra}"
    ), cosigned


def _check_inclusion(proof: Receipt, checkpoint: Checkpoint) -> CheckResult:
    if proof.extra is None:
        return _failed(Check.INCLUSION, "no_entry", "the receipt does not carry the log entry (no extra line)")
    try:
        verify_inclusion(
            index=proof.index,
            size=checkpoint.size,
            leaf_hash=leaf_hash(proof.extra),
            proof=proof.proof,
            root=checkpoint.root_hash,
        )
    except ProofError as exc:
        return _failed(
            Check.INCLUSION,
            "bad_inclusion_proof",
            f"the inclusion proof of entry {proof.index} does not lead to the checkpoint's root ({exc}): "
            "the entry or the proof was altered",
        )
    return _passed(
        Check.INCLUSION, f"the entry is leaf {proof.index} of the tree of {checkpoint.size} entries in the checkpoint"
    )


def _check_entry(proof: Receipt) -> tuple[CheckResult, dict | None]:
    if proof.extra is None:
        return _skipped(Check.ENTRY, "the receipt does not carry the log entry"), None
    try:
        entry = json.loads(proof.extra.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _failed(Check.ENTRY, "entry_malformed", "the log entry is not JSON"), None
    if not isinstance(entry, dict):
        return _failed(Check.ENTRY, "entry_malformed", "the log entry is not a JSON object"), None
    try:
        canonical = rfc8785.dumps(entry) == proof.extra
    except (rfc8785.CanonicalizationError, TypeError, ValueError):
        canonical = False
    if not canonical:
        return _failed(Check.ENTRY, "entry_malformed", "the log entry is not canonical RFC 8785 JSON"), None
    if entry.get("type") != "donation":
        return _failed(
            Check.ENTRY, "not_a_donation", f"entry {proof.index} is a {entry.get('type')!r} entry, not a donation"
        ), None
    version = entry.get("v")
    if version != _ENTRY_VERSION or isinstance(version, bool):
        return _failed(Check.ENTRY, "entry_malformed", f"entry version must be {_ENTRY_VERSION}, got {version!r}"), None
    donor = entry.get("donor")
    if not isinstance(donor, str) or not _COMMITMENT.fullmatch(donor):
        return _failed(Check.ENTRY, "entry_malformed", "the donation entry has no 64-hex-digit donor commitment"), None
    amount = entry.get("amount_fen")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        return _failed(Check.ENTRY, "entry_malformed", f"amount_fen must be a positive integer, got {amount!r}"), None
    return _passed(
        Check.ENTRY, f"donation {entry.get('id')} of {amount} fen {entry.get('currency', '')}".rstrip()
    ), entry
