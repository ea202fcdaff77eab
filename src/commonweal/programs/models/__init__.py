"""The program office: funds and their portfolio, labs, stage gates and spun-off studios."""

from commonweal.programs.models.portfolio import (
    Commitment,
    Fund,
    FundAllocation,
    GrantPayment,
    OfficeMember,
    OfficeRole,
    RecipientKind,
    SourceKind,
)
from commonweal.programs.models.labs import (
    GateDecision,
    GateEvidence,
    GateReview,
    KpiKind,
    Lab,
    LabKpi,
    LabMember,
    LabProject,
    Stage,
    Studio,
)

__all__ = [
    "OfficeRole",
    "OfficeMember",
    "Fund",
    "FundAllocation",
    "SourceKind",
    "RecipientKind",
    "Commitment",
    "GrantPayment",
    "Lab",
    "LabMember",
    "KpiKind",
    "LabKpi",
    "Stage",
    "LabProject",
    "GateDecision",
    "GateEvidence",
    "GateReview",
    "Studio",
]
