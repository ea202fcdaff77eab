"""Write use cases of prize and grant programs; one module per stage.

- ``setup``: programs, calls, rounds, reviewers, nominator invitations (program managers).
- ``applications``: nominations, applications, referee letters.
- ``review``: assignments with conflict detection, declared conflicts, reviews, decisions.
- ``awards``: awards with their schedules, grantee reports, installments with four eyes.
"""

from commonweal.programs.grants.services.applications import (
    application_submit,
    nomination_submit,
    referee_letter_upload,
    referee_link_resend,
)
from commonweal.programs.grants.services.awards import (
    installment_approve,
    installment_propose,
    installment_report,
    installment_return,
)
from commonweal.programs.grants.services.review import (
    assignment_create,
    award_commitment_create,
    conflict_declare,
    decision_record,
    review_submit,
)
from commonweal.programs.grants.services.setup import (
    call_create,
    nominator_invite,
    program_create,
    reviewer_add,
    round_create,
)

__all__ = [
    "program_create",
    "call_create",
    "round_create",
    "reviewer_add",
    "nominator_invite",
    "award_commitment_create",
    "nomination_submit",
    "referee_link_resend",
    "application_submit",
    "referee_letter_upload",
    "assignment_create",
    "conflict_declare",
    "review_submit",
    "decision_record",
    "installment_report",
    "installment_propose",
    "installment_approve",
    "installment_return",
]
