"""Disbursement lifecycle: draft → submitted → approved → paid, or rejected with a reason.

One table of legal edges; ``disclosure.services.spending.disbursement_transition`` is the only
code that changes a disbursement's status, and it reads every rule from here::

    draft ──submit (finance)──▶ submitted ──approve (admin, not the author)──▶ approved ──pay (finance or admin)──▶ paid
                                    │                                              │
                                    └──reject (admin, not the author, reason)──▶ rejected ◀──┘
"""

from dataclasses import dataclass

from commonweal.disclosure.models.spending import DisbursementStatus as S
from commonweal.orgs.models import Role

__all__ = ["DISBURSEMENT_TRANSITIONS", "DisbursementTransitionRule", "FINANCE", "ADMINS", "ADMIN_FINANCE"]

FINANCE = frozenset({Role.FINANCE})
ADMINS = frozenset({Role.ADMIN})
ADMIN_FINANCE = frozenset({Role.ADMIN, Role.FINANCE})


@dataclass(frozen=True, slots=True, kw_only=True)
class DisbursementTransitionRule:
    action: str
    """Audit action name."""
    allowed: frozenset[str]
    """Organization roles that may take this edge."""
    not_author: bool = False
    """Four eyes: the member who created the disbursement may never take this edge."""
    reason_required: bool = False
    """The actor must say why (rejections)."""
    evidence_required: bool = False
    """At least one evidence file must be attached first."""
    checks_limits: bool = False
    """Refused if approved and paid spending would exceed the budget line or the funds received,
    unless an administrator records an overspend reason."""
    writes_ledger: bool = False
    """Writes the ``disbursement`` entry to the ledger outbox in the same transaction."""


DISBURSEMENT_TRANSITIONS: dict[tuple[str, str], DisbursementTransitionRule] = {
    (S.DRAFT, S.SUBMITTED): DisbursementTransitionRule(
        action="disbursement.submit", allowed=FINANCE, evidence_required=True
    ),
    (S.SUBMITTED, S.APPROVED): DisbursementTransitionRule(
        action="disbursement.approve", allowed=ADMINS, not_author=True, checks_limits=True
    ),
    (S.SUBMITTED, S.REJECTED): DisbursementTransitionRule(
        action="disbursement.reject", allowed=ADMINS, not_author=True, reason_required=True
    ),
    (S.APPROVED, S.PAID): DisbursementTransitionRule(
        action="disbursement.pay", allowed=ADMIN_FINANCE, checks_limits=True, writes_ledger=True
    ),
    (S.APPROVED, S.REJECTED): DisbursementTransitionRule(
        action="disbursement.reject", allowed=ADMINS, not_author=True, reason_required=True
    ),
}
