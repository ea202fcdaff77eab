"""Donor receipts and public proofs, built from the outbox row, the tiles and the latest checkpoint.

A donation is "recorded" once its outbox row has a log index covered by a signed checkpoint;
then ``receipt_for_donation`` gives its Commonweal receipt (docs/ledger.md, "Commonweal
receipts") and ``public_proof`` the plain c2sp.org/tlog-proof of any entry. The donation is
taken as a plain object (``public_id``, ``donor_salt``, ``donor_commitment``, ``donor_id``,
``intent.public_id``): this module does not import the giving app, which sits above the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass

from commonweal.core.privacy import donor_commitment
from commonweal.ledger.models import OutboxEntry
from commonweal.ledger.storage import SignedLog, log_inclusion_proof, log_signed
from commonweal.ledger.verify import CommonwealReceipt, format_commonweal_receipt
from commonweal.tlog import Receipt, format_receipt

__all__ = [
    "RecordedStatus",
    "donation_donor_reference",
    "donation_recorded_status",
    "public_proof",
    "receipt_for_donation",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedStatus:
    """Where a money event stands in the public log."""

    index: int | None
    """Its log index, once the sequencer gave it one."""
    recorded: bool
    """Whether a signed checkpoint covers it (only then is it public and provable)."""


def _status(index: int | None, signed: SignedLog | None) -> RecordedStatus:
    return RecordedStatus(index=index, recorded=index is not None and signed is not None and index < signed.size)


def donation_recorded_status(*, donation_public_id: str) -> RecordedStatus:
    """Whether the donation's entry is in a signed checkpoint, and at which index (two queries)."""
    index = (
        OutboxEntry.objects.filter(entry_type="donation", subject_id=donation_public_id)
        .values_list("log_index", flat=True)
        .first()
    )
    return _status(index, log_signed() if index is not None else None)


def donation_donor_reference(donation) -> str:
    """The reference the donor commitment was made over: ``user:<id>`` or ``intent:<public id>``.

    Found by recomputing the commitment, so it stays right if the donor's account is deleted later.
    """
    salt = bytes.fromhex(donation.donor_salt)
    candidates = []
    if donation.donor_id is not None:
        candidates.append(f"user:{donation.donor_id}")
    candidates.append(f"intent:{donation.intent.public_id}")
    for reference in candidates:
        if donor_commitment(salt, reference) == donation.donor_commitment:
            return reference
    raise ValueError(f"no donor reference opens the commitment of donation {donation.public_id}")


def _proof(index: int, entry: bytes, signed: SignedLog) -> Receipt:
    proof = log_inclusion_proof(index=index, size=signed.size)
    return Receipt(index=index, proof=tuple(proof), checkpoint=signed.text, extra=entry)


def receipt_for_donation(donation) -> str | None:
    """The donor's Commonweal receipt, or None until a signed checkpoint covers the donation.

    The inclusion proof is for the latest signed checkpoint, with whatever cosignatures it carries.
    """
    row = (
        OutboxEntry.objects.filter(entry_type="donation", subject_id=donation.public_id)
        .values_list("log_index", "canonical_json")
        .first()
    )
    if row is None or row[0] is None:
        return None
    signed = log_signed()
    if signed is None or row[0] >= signed.size:
        return None
    receipt = CommonwealReceipt(
        salt=bytes.fromhex(donation.donor_salt),
        donor_reference=donation_donor_reference(donation),
        proof=_proof(row[0], bytes(row[1]), signed),
    )
    return format_commonweal_receipt(receipt)


def public_proof(*, index: int, signed: SignedLog | None = None) -> str | None:
    """The c2sp.org/tlog-proof of entry ``index`` (entry in ``extra``), or None if not yet signed."""
    signed = signed or log_signed()
    if signed is None or not 0 <= index < signed.size:
        return None
    entry = OutboxEntry.objects.filter(log_index=index).values_list("canonical_json", flat=True).first()
    if entry is None:
        return None
    return format_receipt(_proof(index, bytes(entry), signed))
