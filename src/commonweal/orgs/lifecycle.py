"""Organization verification: the legal transitions, in one table.

Operators verify, reject, renew and revoke; the organization's admin resubmits after a
rejection. A verified organization stays verified until ``verified_until``; renewal is the
verified → verified edge, which extends it.
"""

from dataclasses import dataclass

from commonweal.orgs.models import VerificationStatus as S

__all__ = ["VERIFICATION_TRANSITIONS", "VERIFICATION_PERIOD_DAYS", "TransitionRule"]

VERIFICATION_PERIOD_DAYS = 365


@dataclass(frozen=True, slots=True, kw_only=True)
class TransitionRule:
    action: str
    """Audit action name."""
    reason_required: bool = False
    """Whether the actor must say why."""
    by_operator: bool = True
    """True: an operator takes this edge; False: the organization's own admin does."""


VERIFICATION_TRANSITIONS: dict[tuple[str, str], TransitionRule] = {
    (S.SUBMITTED, S.VERIFIED): TransitionRule(action="org.verify"),
    (S.SUBMITTED, S.REJECTED): TransitionRule(action="org.reject", reason_required=True),
    (S.REJECTED, S.SUBMITTED): TransitionRule(action="org.resubmit", by_operator=False),
    (S.VERIFIED, S.VERIFIED): TransitionRule(action="org.renew"),
    (S.VERIFIED, S.REJECTED): TransitionRule(action="org.revoke", reason_required=True),
}
