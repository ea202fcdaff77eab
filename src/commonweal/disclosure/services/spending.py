"""Spending use cases: record a disbursement with its evidence, add evidence, and move a
disbursement along its lifecycle (``disclosure.spending_lifecycle``).

Four eyes: a finance member records and submits; a *different* administrator approves or
rejects; finance or an administrator marks it paid. :func:`disbursement_transition` checks the
author under a row lock, and the CHECK constraints ``disbursement_four_eyes_*`` refuse any row
where the approver (or rejecter) is the author, whatever wrote it.

Limits: approving or paying is refused when approved and paid disbursements would exceed the
budget line or the funds received (donations + matching − refunds), unless an administrator
records an overspend reason. The project row is locked first, so concurrent approvals on one
project are checked one after the other.
"""

import datetime as dt
import logging
import unicodedata
from collections.abc import Iterable
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from commonweal.core.audit import audit_record
from commonweal.core.errors import Conflict, DomainError, InvalidInput, NotFound
from commonweal.core.money import format_fen, validate_fen
from commonweal.core.timeutil import rfc3339
from commonweal.disclosure.evidence import CleanEvidence, evidence_clean, evidence_read
from commonweal.disclosure.models.spending import Disbursement, DisbursementKind, DisbursementStatus, Evidence
from commonweal.disclosure.selectors.spending import (
    SPENDING_STATUSES,
    OverspendProblem,
    disbursement_limit_problems,
)
from commonweal.disclosure.spending_lifecycle import ADMIN_FINANCE, DISBURSEMENT_TRANSITIONS, FINANCE
from commonweal.ledger.services import outbox_append
from commonweal.orgs.models import Role
from commonweal.orgs.permissions import member_role
from commonweal.projects.models import BudgetLine, Project

__all__ = [
    "DESCRIPTION_MAX_LENGTH",
    "MAX_EVIDENCE_PER_REQUEST",
    "RoleNotAllowed",
    "FourEyesViolation",
    "Overspend",
    "disbursement_create",
    "disbursement_transition",
    "disbursement_entry_fields",
    "evidence_add",
]

logger = logging.getLogger("commonweal.disclosure")

DESCRIPTION_MAX_LENGTH = 500
MAX_EVIDENCE_PER_REQUEST = 10
_NAME_MAX_LENGTH = 255


class RoleNotAllowed(DomainError):
    """A member of the organization whose role may not take this step."""

    code = "role_not_allowed"
    http_status = 403


class FourEyesViolation(DomainError):
    """The author of a disbursement tried to approve or reject it."""

    code = "four_eyes"
    http_status = 403


class Overspend(Conflict):
    """Approved and paid spending would exceed a budget line or the funds received.
    Code ``overspend_budget_line`` or ``overspend_funds`` (the first problem); ``problems`` lists all."""

    def __init__(self, problems: tuple[OverspendProblem, ...]):
        parts = []
        for p in problems:
            total, limit = format_fen(p.total_fen, lang="en"), format_fen(p.limit_fen, lang="en")
            if p.limit == "budget_line":
                parts.append(f"budget line {p.line_name!r} is {limit}, approved and paid spending on it would be {total}")
            else:
                parts.append(f"funds received (donations + matching − refunds) are {limit}, approved and paid spending would be {total}")
        message = "; ".join(parts) + ": an administrator may go ahead only by recording an overspend reason"
        super().__init__(message, code=f"overspend_{problems[0].limit}", field="overspend_reason")
        self.problems = problems


def _role_in(actor, project: Project) -> str:
    """The actor's role in the project's organization; NotFound for outsiders."""
    role = member_role(actor, project.org)
    if role is None:
        raise NotFound(f"no project {project.public_id!r} in your console")
    return role


def _safe_name(name: str) -> str:
    """An uploaded file's name for the console: no path, no control characters, bounded."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C")
    return name.strip()[:_NAME_MAX_LENGTH]


def _clean_uploads(uploads: Iterable) -> list[tuple[CleanEvidence, str]]:
    """Read and check every file before any transaction starts: all pass or none is stored."""
    uploads = list(uploads)
    if len(uploads) > MAX_EVIDENCE_PER_REQUEST:
        raise InvalidInput(
            f"at most {MAX_EVIDENCE_PER_REQUEST} evidence files at a time, got {len(uploads)}",
            code="evidence_too_many", field="evidence",
        )
    return [(evidence_clean(evidence_read(upload)), _safe_name(getattr(upload, "name", ""))) for upload in uploads]


@contextmanager
def _stored_files():
    """Names of files written to storage; deleted again if the transaction does not commit."""
    saved: list[str] = []
    try:
        yield saved
    except BaseException:
        storage = Evidence._meta.get_field("file").storage
        for name in saved:
            storage.delete(name)
        raise


def _store(*, disbursement: Disbursement, project: Project, actor, clean: CleanEvidence, name: str, saved: list[str]) -> Evidence:
    evidence = Evidence(
        disbursement=disbursement, content_type=clean.content_type, size_bytes=len(clean.data), sha256=clean.sha256,
        original_name=name, uploaded_by=actor,
    )
    evidence.file.save(f"{project.public_id}/{evidence.public_id}.{clean.extension}", ContentFile(clean.data), save=False)
    saved.append(evidence.file.name)
    evidence.save()
    return evidence


def _check_fields(*, kind: str, amount_fen: int, description: str) -> str:
    if kind not in DisbursementKind.values:
        raise InvalidInput(f"kind must be one of {', '.join(DisbursementKind.values)}, got {kind!r}", code="invalid_kind", field="kind")
    validate_fen(amount_fen, field="amount_fen")
    description = " ".join((description or "").split())
    if not description:
        raise InvalidInput("a description is required", code="required", field="description")
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise InvalidInput(
            f"the description must be at most {DESCRIPTION_MAX_LENGTH} characters, got {len(description)}",
            code="too_long", field="description",
        )
    return description


def disbursement_create(
    *, project: Project, actor, budget_line_position: int, kind: str, amount_fen: int, description: str,
    evidence_files: Iterable = (),
) -> Disbursement:
    """A finance member records a draft disbursement against one of the project's budget lines,
    with any evidence files (all checked by content before anything is written)."""
    description = _check_fields(kind=kind, amount_fen=amount_fen, description=description)
    cleaned = _clean_uploads(evidence_files)
    with _stored_files() as saved, transaction.atomic(durable=True):
        project = Project.objects.select_related("org").get(pk=project.pk)
        role = _role_in(actor, project)
        if role not in FINANCE:
            raise RoleNotAllowed(f"only finance members record disbursements, your role is {role}")
        if project.status not in SPENDING_STATUSES:
            raise Conflict(
                f"disbursements are recorded on public projects that are raising funds, executing or completed, "
                f"this one is {project.status}",
                code="project_not_spending",
            )
        line = BudgetLine.objects.filter(project=project, position=budget_line_position).order_by("pk").first()
        if line is None:
            raise InvalidInput(
                f"this project has no budget line at position {budget_line_position}", code="unknown_budget_line",
                field="budget_line",
            )
        disbursement = Disbursement.objects.create(
            project=project, budget_line=line, kind=kind, amount_fen=amount_fen, description=description, created_by=actor
        )
        for clean, name in cleaned:
            _store(disbursement=disbursement, project=project, actor=actor, clean=clean, name=name, saved=saved)
        audit_record(
            actor=actor, action="disbursement.create", target=disbursement,
            data={"amount_fen": amount_fen, "budget_line": line.position, "kind": kind, "evidence": len(cleaned)},
        )
    logger.info("disbursement_created id=%s project=%s amount_fen=%s", disbursement.public_id, project.public_id, amount_fen)
    return disbursement


def evidence_add(*, disbursement: Disbursement, actor, upload) -> Evidence:
    """Finance or an administrator attaches one more evidence file (never to a rejected one)."""
    [(clean, name)] = _clean_uploads([upload])
    with _stored_files() as saved, transaction.atomic(durable=True):
        locked = Disbursement.objects.select_for_update(of=("self",)).select_related("project__org").get(pk=disbursement.pk)
        role = _role_in(actor, locked.project)
        if role not in ADMIN_FINANCE:
            raise RoleNotAllowed(f"only finance members and administrators attach evidence, your role is {role}")
        if locked.status == DisbursementStatus.REJECTED:
            raise Conflict("evidence cannot be added to a rejected disbursement", code="disbursement_rejected")
        evidence = _store(disbursement=locked, project=locked.project, actor=actor, clean=clean, name=name, saved=saved)
        audit_record(
            actor=actor, action="disbursement.evidence", target=locked,
            data={"evidence": evidence.public_id, "content_type": evidence.content_type, "size_bytes": evidence.size_bytes},
        )
    return evidence


def disbursement_entry_fields(
    *, amount_fen: int, currency: str, budget_line_position: int, kind: str, org_public_id: str,
    project_public_id: str, paid_at: dt.datetime,
) -> dict:
    """The ledger fields of a paid disbursement: no description, no people."""
    return {
        "amount_fen": amount_fen,
        "currency": currency,
        "budget_line": budget_line_position,
        "kind": kind,
        "org": org_public_id,
        "project": project_public_id,
        "time": rfc3339(paid_at),
    }


def disbursement_transition(
    *, disbursement: Disbursement, to: str, actor, reason: str = "", overspend_reason: str = ""
) -> Disbursement:
    """Move a disbursement along one edge of ``DISBURSEMENT_TRANSITIONS``: the only code that
    changes its status. Locks the project row, then the disbursement row."""
    reason, overspend_reason = reason.strip(), overspend_reason.strip()
    entry = None
    with transaction.atomic(durable=True):
        project = Project.objects.select_for_update(of=("self",)).select_related("org").get(pk=disbursement.project_id)
        locked = Disbursement.objects.select_for_update(of=("self",)).select_related("budget_line").get(pk=disbursement.pk)
        role = _role_in(actor, project)
        rule = DISBURSEMENT_TRANSITIONS.get((locked.status, to))
        if rule is None:
            raise Conflict(f"a disbursement cannot go from {locked.status} to {to}", code="illegal_transition")
        if role not in rule.allowed:
            allowed = " or ".join(sorted(rule.allowed))
            raise RoleNotAllowed(f"only {allowed} members can take this step, your role is {role}")
        if rule.not_author and locked.created_by_id == actor.pk:
            raise FourEyesViolation("the author of a disbursement cannot approve or reject it: another administrator must")
        if rule.reason_required and not reason:
            raise InvalidInput("a reason is required", code="reason_required", field="reason")
        if rule.evidence_required and not locked.evidence.exists():
            raise Conflict("attach at least one evidence file (invoice, receipt or photo) before submitting", code="evidence_missing")
        if overspend_reason and role != Role.ADMIN:
            raise RoleNotAllowed("only an administrator can record an overspend reason", field="overspend_reason")
        problems = disbursement_limit_problems(project=project, disbursement=locked) if rule.checks_limits else ()
        if problems and not locked.overspend_reason:
            if not overspend_reason:
                raise Overspend(problems)
            locked.overspend_reason, locked.overspend_by = overspend_reason, actor
            audit_record(
                actor=actor, action="disbursement.overspend", target=locked, reason=overspend_reason,
                data={p.limit: {"limit_fen": p.limit_fen, "total_fen": p.total_fen} for p in problems},
            )

        now = timezone.now()
        if to == DisbursementStatus.SUBMITTED:
            locked.submitted_at = now
        elif to == DisbursementStatus.APPROVED:
            locked.approved_by, locked.approved_at = actor, now
        elif to == DisbursementStatus.REJECTED:
            locked.rejected_by, locked.rejected_at, locked.rejection_reason = actor, now, reason
        elif to == DisbursementStatus.PAID:
            locked.paid_by, locked.paid_at = actor, now
        locked.status = to
        locked.save()
        audit_record(actor=actor, action=rule.action, target=locked, reason=reason, data={"to": to})
        if rule.writes_ledger:
            entry = outbox_append(
                entry_type="disbursement",
                subject_id=locked.public_id,
                fields=disbursement_entry_fields(
                    amount_fen=locked.amount_fen,
                    currency=locked.currency,
                    budget_line_position=locked.budget_line.position,
                    kind=locked.kind,
                    org_public_id=project.org.public_id,
                    project_public_id=project.public_id,
                    paid_at=now,
                ),
            )
    logger.info(
        "disbursement_%s id=%s project=%s amount_fen=%s%s", to, locked.public_id, project.public_id, locked.amount_fen,
        f" outbox={entry.pk}" if entry else "",
    )
    return locked
