"""Donation receipt lifecycle: requested → issued, and either of them → void (with a reason).

One table of legal edges; ``giving.services.receipts`` is the only code that changes a
receipt's status, and it reads every rule from here::

    requested ──issue (finance)──▶ issued
        │                            │
        └──void (finance, reason; or a refund of a covered gift)──▶ void ◀──┘

A void receipt keeps its number (numbers are never reused); the donor may ask again.
"""

from dataclasses import dataclass

from commonweal.giving.models import ReceiptStatus as S
from commonweal.orgs.models import Role

__all__ = ["RECEIPT_TRANSITIONS", "ReceiptTransitionRule", "REFUND", "FINANCE"]

REFUND = "refund"
"""Not a role: the edge is taken by ``refund_create`` inside the refund's own transaction."""
FINANCE = frozenset({Role.FINANCE})


@dataclass(frozen=True, slots=True, kw_only=True)
class ReceiptTransitionRule:
    action: str
    """Audit action name."""
    allowed: frozenset[str]
    """Organization roles of the recipient, and/or REFUND, that may take this edge."""
    reason_required: bool = False
    """Whether the actor must say why."""


RECEIPT_TRANSITIONS: dict[tuple[str, str], ReceiptTransitionRule] = {
    (S.REQUESTED, S.ISSUED): ReceiptTransitionRule(action="receipt.issue", allowed=FINANCE),
    (S.REQUESTED, S.VOID): ReceiptTransitionRule(action="receipt.void", allowed=FINANCE | {REFUND}, reason_required=True),
    (S.ISSUED, S.VOID): ReceiptTransitionRule(action="receipt.void", allowed=FINANCE | {REFUND}, reason_required=True),
}
