"""Spending over the API: a project's public figures, and disbursements for organization members.

- ``GET /projects/{id}/finances``: public, the same figures as the project page and its CSV.
- Everything else: session auth (ninja's ``django_auth``, which also checks Django's CSRF token
  on POST). A member of the project's organization with the finance or admin role sees the
  project's disbursements; anyone else gets the same 404 as for a project that does not exist.
  Writes call the same services as the console, so the four-eyes rule, the limits and the
  ledger entry are the same whichever door is used.
"""

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import django_auth

from commonweal.api import TEXT_PATTERN, ErrorOut, WholeNumber, error_responses
from commonweal.core.errors import NotFound
from commonweal.core.identifiers import is_public_id
from commonweal.core.money import MAX_AMOUNT_FEN
from commonweal.disclosure.models.spending import Disbursement, DisbursementKind
from commonweal.disclosure.selectors.spending import (
    access_disbursement_by_public_id,
    disbursement_evidence,
    ledger_project_url,
    project_disbursements,
    project_financial_summary,
)
from commonweal.disclosure.services.spending import (
    DESCRIPTION_MAX_LENGTH,
    disbursement_create,
    disbursement_transition,
    evidence_add,
)
from commonweal.disclosure.spending_lifecycle import ADMIN_FINANCE
from commonweal.projects.models import Project
from commonweal.projects.permissions import access_project_by_public_id
from commonweal.projects.selectors import project_get_public

router = Router(tags=["spending"])


# --- public figures ---------------------------------------------------------------------------


class ProjectFinanceLineOut(Schema):
    position: int = Field(..., description="The line's position in the budget; the ledger's `budget_line`.")
    name: str
    budget_fen: int
    spent_fen: int = Field(..., description="Paid disbursements on this line.")
    remaining_fen: int


class ProjectFinancesOut(Schema):
    project: str
    currency: str
    raised_fen: int = Field(..., description="Donations confirmed, before refunds.")
    refunded_fen: int
    matched_fen: int = Field(..., description="Matching funds credited to the project.")
    net_fen: int = Field(..., description="Funds received: raised − refunded + matched.")
    spent_fen: int = Field(..., description="Paid disbursements.")
    balance_fen: int = Field(..., description="net − spent.")
    budget_fen: int
    paid_count: int
    lines: list[ProjectFinanceLineOut]
    ledger_url: str = Field(..., description="The project's entries in the public ledger explorer.")


def _public_project(public_id: str) -> Project:
    if not is_public_id(public_id):
        raise NotFound(f"no project {public_id[:40]!r}")
    return project_get_public(public_id=public_id)


@router.get("/projects/{public_id}/finances", response={200: ProjectFinancesOut, **error_responses(404)}, summary="A project's finances")
def project_finances(request: HttpRequest, public_id: str):
    summary = project_financial_summary(_public_project(public_id))
    return {
        "project": summary.project,
        "currency": summary.currency,
        "raised_fen": summary.raised_fen,
        "refunded_fen": summary.refunded_fen,
        "matched_fen": summary.matched_fen,
        "net_fen": summary.net_fen,
        "spent_fen": summary.spent_fen,
        "balance_fen": summary.balance_fen,
        "budget_fen": summary.budget_fen,
        "paid_count": summary.paid_count,
        "lines": [
            {"position": line.position, "name": line.name, "budget_fen": line.budget_fen, "spent_fen": line.spent_fen,
             "remaining_fen": line.remaining_fen}
            for line in summary.lines
        ],
        "ledger_url": ledger_project_url(summary.project),
    }


# --- disbursements (organization members) -----------------------------------------------------


class DisbursementEvidenceOut(Schema):
    public_id: str
    content_type: str = Field(..., description="Detected from the content: image/jpeg, image/png, image/webp or application/pdf.")
    size_bytes: int
    sha256: str = Field(..., description="Of the stored file (images are re-encoded without metadata).")
    uploaded_at: dt.datetime


class DisbursementOut(Schema):
    public_id: str
    project: str
    budget_line: int
    budget_item: str
    kind: DisbursementKind
    amount_fen: int
    currency: str
    description: str = Field(..., description="Internal: never shown publicly or logged.")
    status: str = Field(..., description="draft, submitted, approved, paid or rejected.")
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    rejected_at: dt.datetime | None
    rejection_reason: str
    paid_at: dt.datetime | None
    overspend_reason: str
    evidence: list[DisbursementEvidenceOut]


class DisbursementListOut(Schema):
    count: int
    items: list[DisbursementOut]


class DisbursementIn(Schema):
    budget_line: WholeNumber = Field(..., ge=0, le=10_000, description="Position of the budget line (0 is the first).")
    kind: DisbursementKind
    amount_fen: WholeNumber = Field(
        ..., description="Amount in fen (分), a JSON integer.", json_schema_extra={"minimum": 1, "maximum": MAX_AMOUNT_FEN}
    )
    description: str = Field(..., max_length=DESCRIPTION_MAX_LENGTH, pattern=TEXT_PATTERN,
                             description="What was paid for; no beneficiary names.")


class DisbursementTransitionIn(Schema):
    to: Literal["submitted", "approved", "rejected", "paid"]
    reason: str = Field("", max_length=2000, pattern=TEXT_PATTERN, description="Required to reject.")
    overspend_reason: str = Field(
        "", max_length=2000, pattern=TEXT_PATTERN,
        description="An administrator's reason to approve or pay beyond the budget line or the funds received.",
    )


def _out(d: Disbursement, evidence=None) -> dict:
    evidence = disbursement_evidence(disbursement=d) if evidence is None else evidence
    return {
        "public_id": d.public_id,
        "project": d.project.public_id,
        "budget_line": d.budget_line.position,
        "budget_item": d.budget_line.name,
        "kind": d.kind,
        "amount_fen": d.amount_fen,
        "currency": d.currency,
        "description": d.description,
        "status": d.status,
        "created_at": d.created_at,
        "submitted_at": d.submitted_at,
        "approved_at": d.approved_at,
        "rejected_at": d.rejected_at,
        "rejection_reason": d.rejection_reason,
        "paid_at": d.paid_at,
        "overspend_reason": d.overspend_reason,
        "evidence": [
            {"public_id": e.public_id, "content_type": e.content_type, "size_bytes": e.size_bytes, "sha256": e.sha256,
             "uploaded_at": e.uploaded_at}
            for e in evidence
        ],
    }


def _member_project(request: HttpRequest, public_id: str) -> Project:
    if not is_public_id(public_id):
        raise NotFound(f"no project {public_id[:40]!r} in your console")
    return access_project_by_public_id(request.auth, public_id, roles=ADMIN_FINANCE)


def _member_disbursement(request: HttpRequest, public_id: str) -> Disbursement:
    return access_disbursement_by_public_id(request.auth, public_id, roles=ADMIN_FINANCE)


_WRITE_ERRORS = error_responses(400, 403, 404, 409, 422)


@router.get(
    "/projects/{public_id}/disbursements", auth=django_auth,
    response={200: DisbursementListOut, 401: ErrorOut, **error_responses(404)},
    summary="A project's disbursements (finance and admin members)",
)
def list_disbursements(request: HttpRequest, public_id: str):
    project = _member_project(request, public_id)
    rows = list(project_disbursements(project=project).prefetch_related("evidence"))
    return {"count": len(rows), "items": [_out(d, list(d.evidence.all())) for d in rows]}


@router.post(
    "/projects/{public_id}/disbursements", auth=django_auth,
    response={201: DisbursementOut, 401: ErrorOut, **_WRITE_ERRORS},
    summary="Record a draft disbursement (finance members)",
)
def create_disbursement(request: HttpRequest, public_id: str, data: DisbursementIn):
    project = _member_project(request, public_id)
    created = disbursement_create(
        project=project, actor=request.auth, budget_line_position=data.budget_line, kind=data.kind.value,
        amount_fen=data.amount_fen, description=data.description,
    )
    return Status(201, _out(_member_disbursement(request, created.public_id)))


@router.get(
    "/disbursements/{public_id}", auth=django_auth,
    response={200: DisbursementOut, 401: ErrorOut, **error_responses(404)},
    summary="One disbursement (finance and admin members)",
)
def get_disbursement(request: HttpRequest, public_id: str):
    return _out(_member_disbursement(request, public_id))


@router.post(
    "/disbursements/{public_id}/evidence", auth=django_auth,
    response={201: DisbursementEvidenceOut, 401: ErrorOut, **_WRITE_ERRORS},
    summary="Attach an evidence file (JPEG, PNG, WebP or PDF, at most 10 MB)",
)
def upload_evidence(request: HttpRequest, public_id: str, file: File[UploadedFile]):
    found = _member_disbursement(request, public_id)
    evidence = evidence_add(disbursement=found, actor=request.auth, upload=file)
    return Status(201, {
        "public_id": evidence.public_id, "content_type": evidence.content_type, "size_bytes": evidence.size_bytes,
        "sha256": evidence.sha256, "uploaded_at": evidence.uploaded_at,
    })


@router.post(
    "/disbursements/{public_id}/transitions", auth=django_auth,
    response={200: DisbursementOut, 401: ErrorOut, **_WRITE_ERRORS},
    summary="Submit, approve, reject or mark paid (four eyes: never the author's own)",
)
def transition_disbursement(request: HttpRequest, public_id: str, data: DisbursementTransitionIn):
    found = _member_disbursement(request, public_id)
    disbursement_transition(
        disbursement=found, to=data.to, actor=request.auth, reason=data.reason, overspend_reason=data.overspend_reason
    )
    return _out(_member_disbursement(request, public_id))
