"""Complaint lifecycle: an operator records an outcome, each time with a note for the reporter.

One table of legal edges; ``disclosure.services.complaints.complaint_decide`` is the only code
that changes a complaint's status, and it reads every rule from here::

    open ──▶ upheld | not upheld | needs more information
    needs more information ──▶ upheld | not upheld | needs more information (asked again)

Upheld and not upheld are final. The first outcome of any kind is the response that the
five-working-day deadline asks for.
"""

from dataclasses import dataclass

from commonweal.disclosure.models.complaints import ComplaintStatus as S

__all__ = ["COMPLAINT_TRANSITIONS", "ComplaintTransitionRule", "OUTCOMES"]

OUTCOMES = (S.UPHELD, S.NOT_UPHELD, S.NEEDS_INFORMATION)
"""The outcomes an operator can record."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ComplaintTransitionRule:
    action: str
    """Audit action name."""
    note_required: bool = True
    """The reporter is told why: every outcome carries a note."""


COMPLAINT_TRANSITIONS: dict[tuple[str, str], ComplaintTransitionRule] = {
    (S.OPEN, S.UPHELD): ComplaintTransitionRule(action="complaint.uphold"),
    (S.OPEN, S.NOT_UPHELD): ComplaintTransitionRule(action="complaint.dismiss"),
    (S.OPEN, S.NEEDS_INFORMATION): ComplaintTransitionRule(action="complaint.ask_information"),
    (S.NEEDS_INFORMATION, S.UPHELD): ComplaintTransitionRule(action="complaint.uphold"),
    (S.NEEDS_INFORMATION, S.NOT_UPHELD): ComplaintTransitionRule(action="complaint.dismiss"),
    (S.NEEDS_INFORMATION, S.NEEDS_INFORMATION): ComplaintTransitionRule(action="complaint.ask_information"),
}
