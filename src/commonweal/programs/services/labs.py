"""Lab use cases: create a lab (with its budget line), add projects, and run stage gates.

:func:`gate_review_record` is the only code that changes a lab project's stage. It locks the
project row, checks the edge against ``programs.lifecycle.STAGE_TRANSITIONS`` and the actor's
office role, records the review (criteria, evidence, reviewers, decision and reasons) and, when
a spin-off is approved, creates the studio and its budget line: a commitment with source
"studio" on the lab's fund, through ``commitment_create`` in the same transaction.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.core.files.base import ContentFile
from django.db import transaction

from commonweal.core.audit import audit_record
from commonweal.core.errors import Conflict, InvalidInput
from commonweal.core.timeutil import shanghai_date, utcnow
from commonweal.disclosure.evidence import evidence_clean, evidence_read
from commonweal.programs.lifecycle import STAGE_TRANSITIONS
from commonweal.programs.models import (
    Fund,
    GateDecision,
    GateEvidence,
    GateReview,
    KpiKind,
    Lab,
    LabKpi,
    LabMember,
    LabProject,
    OfficeRole,
    RecipientKind,
    SourceKind,
    Stage,
    Studio,
)
from commonweal.programs.permissions import office_role
from commonweal.programs.services.portfolio import commitment_create
from commonweal.programs.services.validation import check_domain, check_fen, check_text, require_office

__all__ = ["TeamMember", "Kpi", "lab_create", "lab_project_create", "gate_review_record", "MAX_EVIDENCE_LINKS", "MAX_GATE_FILES"]

logger = logging.getLogger("commonweal.programs")

MAX_EVIDENCE_LINKS = 10
MAX_GATE_FILES = 5
_url_validator = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True, slots=True, kw_only=True)
class TeamMember:
    name: str
    """The person's name."""
    department: str
    """Their home department in the foundation."""
    role: str = ""
    """What they do on the lab's team."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Kpi:
    kind: str
    """``KpiKind``: an output or a reach figure, never revenue."""
    label: str
    """What is counted."""
    target: int
    """The figure the lab aims for."""
    unit: str = ""
    """Unit of the figure."""
    actual: int = 0
    """The figure reached so far."""


def _count(value, *, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{field} must be a whole number of at least 0, got {value!r}", field=field, code="invalid_number")
    return value


def lab_create(
    *,
    actor,
    fund: Fund,
    name_zh: str,
    mission: str,
    domain: str,
    budget_fen: int,
    year: int,
    team: Sequence[TeamMember],
    kpis: Sequence[Kpi] = (),
    name_en: str = "",
    region: str = "",
) -> Lab:
    """A lab of ``fund`` in one domain; its budget is committed (source "lab") from the domain's
    allocation for ``year``. The team draws on at least two departments."""
    require_office(actor, OfficeRole.MANAGER)
    name_zh = check_text(name_zh, field="name_zh", max_length=120)
    name_en = check_text(name_en, field="name_en", max_length=200, required=False)
    mission = check_text(mission, field="mission", max_length=4000)
    domain = check_domain(domain)
    budget_fen = check_fen(budget_fen, field="budget")
    members = [
        TeamMember(
            name=check_text(m.name, field="team", max_length=120),
            department=check_text(m.department, field="team", max_length=120),
            role=check_text(m.role, field="team", max_length=120, required=False),
        )
        for m in team
    ]
    if len({m.department for m in members}) < 2:
        raise InvalidInput("a lab's team draws on at least two departments", field="team", code="team_departments")
    kpi_rows = []
    for k in kpis:
        if k.kind not in KpiKind.values:
            raise InvalidInput(f"a KPI is an output or a reach figure, got {k.kind!r}", field="kpis", code="invalid_kpi")
        kpi_rows.append(
            LabKpi(
                kind=k.kind, label=check_text(k.label, field="kpis", max_length=200), unit=check_text(k.unit, field="kpis", max_length=40, required=False),
                target=_count(k.target, field="kpis"), actual=_count(k.actual, field="kpis"),
            )
        )
    with transaction.atomic(durable=True):
        lab = Lab.objects.create(name_zh=name_zh, name_en=name_en, mission=mission, domain=domain, fund=fund, budget_fen=budget_fen)
        lab.commitment = commitment_create(
            actor=actor, fund=fund, domain=domain, year=year, amount_fen=budget_fen, recipient_name=name_zh,
            recipient_kind=RecipientKind.ORGANIZATION, program=f"Lab: {name_en or name_zh}", source_kind=SourceKind.LAB,
            source_public_id=lab.public_id, region=region,
        )
        lab.save(update_fields=["commitment"])
        LabMember.objects.bulk_create([LabMember(lab=lab, name=m.name, department=m.department, role=m.role) for m in members])
        for row in kpi_rows:
            row.lab = lab
        LabKpi.objects.bulk_create(kpi_rows)
        audit_record(actor=actor, action="lab.create", target=lab, data={"budget_fen": budget_fen, "domain": domain})
    return lab


def lab_project_create(*, actor, lab: Lab, title: str, summary: str = "") -> LabProject:
    """A new project in ``lab``, at the idea stage."""
    require_office(actor, OfficeRole.MANAGER)
    title = check_text(title, field="title", max_length=200)
    with transaction.atomic(durable=True):
        project = LabProject.objects.create(lab=lab, title=title, summary=(summary or "").strip(), stage=Stage.IDEA)
        audit_record(actor=actor, action="lab_project.create", target=project)
    return project


def _links(links: Iterable[str]) -> list[str]:
    cleaned = [link.strip() for link in links if link and link.strip()]
    if len(cleaned) > MAX_EVIDENCE_LINKS:
        raise InvalidInput(f"at most {MAX_EVIDENCE_LINKS} evidence links, got {len(cleaned)}", field="evidence_links", code="too_many_links")
    for link in cleaned:
        try:
            _url_validator(link)
        except ValidationError:
            raise InvalidInput(f"evidence links must be http or https addresses, got {link[:80]!r}", field="evidence_links", code="invalid_link") from None
    return cleaned


def gate_review_record(
    *,
    actor,
    project: LabProject,
    to: str,
    decision: str,
    criteria: str,
    evidence: str,
    reasons: str,
    reviewers: Sequence,
    evidence_links: Iterable[str] = (),
    studio_name: str = "",
    studio_budget_fen: int | None = None,
    year: int | None = None,
    evidence_files: Sequence = (),
) -> GateReview:
    """Record a stage-gate review of ``project`` for the edge to ``to``; if approved, move it.

    Approving the spin-off edge needs ``studio_name`` and ``studio_budget_fen``; the studio's
    budget is committed from the lab's domain allocation for ``year`` (this year in Beijing time
    by default). Refused with ``Conflict``: ``illegal_transition`` (the edge is not in the table,
    or the project is no longer at the stage the review started from), ``office_role_required``.
    ``evidence_files`` (uploads, at most :data:`MAX_GATE_FILES`) are checked by content before
    anything is written, kept in private storage, and deleted again if the review is not recorded.
    """
    if decision not in GateDecision.values:
        raise InvalidInput(f"decision must be one of {', '.join(GateDecision.values)}, got {decision!r}", field="decision", code="invalid_decision")
    criteria = check_text(criteria, field="criteria", max_length=4000)
    evidence = check_text(evidence, field="evidence", max_length=8000)
    reasons = check_text(reasons, field="reasons", max_length=4000)
    links = _links(evidence_links)
    reviewers = list(reviewers)
    if not reviewers:
        raise InvalidInput("a gate review names at least one reviewer", field="reviewers", code="reviewers_required")
    if len(evidence_files) > MAX_GATE_FILES:
        raise InvalidInput(f"a gate review has at most {MAX_GATE_FILES} evidence files, got {len(evidence_files)}",
                           field="evidence_files", code="too_many_files")
    files = [evidence_clean(evidence_read(upload)) for upload in evidence_files]
    saved: list[GateEvidence] = []
    try:
        gate = _gate_record(actor=actor, project=project, to=to, decision=decision, criteria=criteria, evidence=evidence,
                            reasons=reasons, reviewers=reviewers, links=links, files=files, saved=saved,
                            studio_name=studio_name, studio_budget_fen=studio_budget_fen, year=year)
    except BaseException:
        for item in saved:
            item.file.storage.delete(item.file.name)
        raise
    logger.info("gate_review_record project=%s %s->%s decision=%s files=%s", project.public_id, gate.from_stage, to, decision, len(files))
    return gate


def _gate_record(*, actor, project, to, decision, criteria, evidence, reasons, reviewers, links, files, saved,
                 studio_name, studio_budget_fen, year) -> GateReview:
    """The transaction of :func:`gate_review_record`; each evidence file written goes into
    ``saved`` at once, so that the caller can delete it if the transaction fails."""
    with transaction.atomic(durable=True):
        locked = LabProject.objects.select_for_update(of=("self",)).select_related("lab", "lab__fund").get(pk=project.pk)
        rule = STAGE_TRANSITIONS.get((locked.stage, to))
        if rule is None:
            raise Conflict(
                f"a lab project cannot go from {locked.stage} to {to}; "
                f"from {locked.stage} it may go to {', '.join(t for (f, t) in STAGE_TRANSITIONS if f == locked.stage) or 'nowhere'}",
                code="illegal_transition",
            )
        role = office_role(actor)
        if role not in rule.allowed:
            raise Conflict(f"only a program manager may decide this gate; your office role is {role or 'none'}", code="office_role_required")
        approve = decision == GateDecision.APPROVE
        studio_kwargs = None
        if approve and rule.creates_studio:
            studio_kwargs = {
                "name": check_text(studio_name, field="studio_name", max_length=200),
                "budget_fen": check_fen(studio_budget_fen, field="studio_budget"),
            }
        gate = GateReview.objects.create(
            project=locked, from_stage=locked.stage, to_stage=to, criteria=criteria, evidence=evidence,
            evidence_links=links, decision=decision, reasons=reasons, decided_by=actor,
        )
        gate.reviewers.set(reviewers)
        for position, clean in enumerate(files):
            item = GateEvidence(gate=gate, content_type=clean.content_type, size=len(clean.data), sha256=clean.sha256, position=position)
            item.file.save(f"{locked.public_id}/{gate.public_id}-{position}.{clean.extension}", ContentFile(clean.data), save=False)
            saved.append(item)
            item.save()
        if approve:
            now = utcnow()
            if studio_kwargs is not None:
                lab = locked.lab
                studio = Studio(name=studio_kwargs["name"], project=locked)
                studio.commitment = commitment_create(
                    actor=actor, fund=lab.fund, domain=lab.domain, year=year if year is not None else shanghai_date(now).year,
                    amount_fen=studio_kwargs["budget_fen"], recipient_name=studio.name, recipient_kind=RecipientKind.ORGANIZATION,
                    program=f"Studio: {studio.name}", source_kind=SourceKind.STUDIO, source_public_id=studio.public_id,
                )
                studio.save()
                audit_record(actor=actor, action="studio.create", target=studio, data={"project": locked.public_id})
            LabProject.objects.filter(pk=locked.pk).update(stage=to, stage_changed_at=now)
        audit_record(
            actor=actor, action=rule.action if approve else "lab_project.gate_reject", target=locked, reason=reasons,
            data={"gate": gate.public_id, "from": gate.from_stage, "to": to, "decision": decision,
                  "files": [clean.sha256 for clean in files]},
        )
    return gate
