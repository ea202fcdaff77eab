"""Write use cases of the program office; one module per entity."""

from commonweal.programs.services.labs import Kpi, TeamMember, gate_review_record, lab_create, lab_project_create
from commonweal.programs.services.portfolio import (
    allocation_set,
    commitment_create,
    fund_create,
    grant_payment_record,
    office_member_set,
)

__all__ = [
    "fund_create",
    "allocation_set",
    "office_member_set",
    "commitment_create",
    "grant_payment_record",
    "TeamMember",
    "Kpi",
    "lab_create",
    "lab_project_create",
    "gate_review_record",
]
