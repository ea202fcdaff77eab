"""The grants lifecycles as tables of legal edges.

Applications (``grants.services.review.decision_record`` is the only code that moves them)::

    in review ──advance──▶ in review (next round)
    in review ──reject───▶ not selected
    in review ──award────▶ awarded        (last round only; creates the award)

Installments (``grants.services.awards``)::

    due ──report──▶ reported ──propose──▶ proposed ──approve──▶ paid
                                proposed ──return──▶ reported (with a reason)
"""

from dataclasses import dataclass

from commonweal.programs.grants.models import ApplicationStatus as A, InstallmentStatus as I, Outcome
from commonweal.programs.models import OfficeRole

__all__ = ["DecisionRule", "APPLICATION_TRANSITIONS", "OUTCOME_TARGET", "InstallmentRule", "INSTALLMENT_TRANSITIONS"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionRule:
    action: str
    """Audit action name."""
    last_round_only: bool = False
    """Allowed only in the call's last round."""
    needs_next_round: bool = False
    """Needs a round after the current one."""
    needs_letters: bool = False
    """Needs every required referee letter."""


OUTCOME_TARGET: dict[str, str] = {Outcome.ADVANCE: A.IN_REVIEW, Outcome.REJECT: A.REJECTED, Outcome.AWARD: A.AWARDED}
"""The status each outcome leads to."""

APPLICATION_TRANSITIONS: dict[tuple[str, str], DecisionRule] = {
    (A.IN_REVIEW, A.IN_REVIEW): DecisionRule(action="grant_application.advance", needs_next_round=True, needs_letters=True),
    (A.IN_REVIEW, A.REJECTED): DecisionRule(action="grant_application.reject"),
    (A.IN_REVIEW, A.AWARDED): DecisionRule(action="grant_application.award", last_round_only=True, needs_letters=True),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class InstallmentRule:
    action: str
    """Audit action name."""
    role: str
    """Who takes the step: ``grantee`` or an office role."""


INSTALLMENT_TRANSITIONS: dict[tuple[str, str], InstallmentRule] = {
    (I.DUE, I.REPORTED): InstallmentRule(action="grant_installment.report", role="grantee"),
    (I.REPORTED, I.PROPOSED): InstallmentRule(action="grant_installment.propose", role=OfficeRole.FINANCE),
    (I.PROPOSED, I.PAID): InstallmentRule(action="grant_installment.approve", role=OfficeRole.FINANCE),
    (I.PROPOSED, I.REPORTED): InstallmentRule(action="grant_installment.return", role=OfficeRole.FINANCE),
}
