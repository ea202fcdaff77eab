"""Project use cases: create and edit drafts, budget lines, the lifecycle.

Progress reports (``ProjectUpdate``) are written by ``disclosure.services.reporting.report_publish``,
which knows the Charity Law's clock, the photo checks and the followers.
"""

from django.db import transaction

from commonweal.core.audit import audit_record
from commonweal.core.domains import Domain
from commonweal.core.errors import Conflict, InvalidInput, NotFound
from commonweal.core.money import validate_fen
from commonweal.core.sdg import validate_sdg_tags
from commonweal.orgs.models import Organization, Role
from commonweal.orgs.permissions import member_role
from commonweal.orgs.services import org_is_verified
from commonweal.projects.lifecycle import OPERATOR, PROJECT_TRANSITIONS
from commonweal.projects.models import BudgetLine, Project, ProjectStatus

__all__ = [
    "project_create",
    "project_update",
    "project_set_budget",
    "project_transition",
    "EDITABLE_FIELDS",
]

EDITABLE_FIELDS = (
    "title_zh", "title_en", "summary_zh", "summary_en", "story_zh", "story_en", "cover", "domain",
    "sdg_tags", "goal_fen", "beneficiaries", "beneficiary_count", "region", "fundraising_plan",
    "starts_on", "ends_on", "partner_org",
)
# Once public, the promise to donors is fixed; only the story and cover may still change.
EDITABLE_WHEN_PUBLIC = frozenset({"story_zh", "story_en", "cover"})


def _clean(fields: dict) -> dict:
    unknown = fields.keys() - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown project fields: {', '.join(sorted(unknown))}")
    if "title_zh" in fields and not fields["title_zh"].strip():
        raise InvalidInput("the Chinese title is required", field="title_zh")
    if "domain" in fields and fields["domain"] not in Domain.values:
        raise InvalidInput(f"domain must be one of {', '.join(Domain.values)}, got {fields['domain']!r}", field="domain")
    if "goal_fen" in fields:
        validate_fen(fields["goal_fen"], field="goal_fen")
    if "sdg_tags" in fields:
        fields["sdg_tags"] = validate_sdg_tags(list(fields["sdg_tags"]))
    return fields


def _check_period(project: Project) -> None:
    if project.ends_on < project.starts_on:
        raise InvalidInput(f"fundraising must end on or after its start ({project.starts_on}), got {project.ends_on}", field="ends_on")


def project_create(*, org: Organization, actor, budget_lines: list[tuple[str, int]] = (), **fields) -> Project:
    """An admin or editor starts a draft."""
    fields = _clean(fields)
    for required in ("title_zh", "summary_zh", "domain", "goal_fen", "beneficiaries", "region", "fundraising_plan", "starts_on", "ends_on"):
        if fields.get(required) in (None, ""):
            raise InvalidInput(f"{required} is required", field=required)
    with transaction.atomic(durable=True):
        if member_role(actor, org) not in (Role.ADMIN, Role.EDITOR):
            raise NotFound(f"no organization {org.public_id!r} in your console")
        project = Project(org=org, created_by=actor, **fields)
        _check_period(project)
        project.save()
        _replace_budget(project, budget_lines)
        audit_record(actor=actor, action="project.create", target=project)
    return project


def project_update(*, project: Project, actor, budget_lines: list[tuple[str, int]] | None = None, **fields) -> Project:
    """Edit a project; ``budget_lines``, when given, replaces the budget in the same transaction."""
    fields = _clean(fields)
    with transaction.atomic(durable=True):
        project = Project.objects.select_for_update().get(pk=project.pk)
        if member_role(actor, project.org) not in (Role.ADMIN, Role.EDITOR):
            raise NotFound(f"no project {project.public_id!r} in your console")
        if project.status != ProjectStatus.DRAFT:
            frozen = fields.keys() - EDITABLE_WHEN_PUBLIC
            if budget_lines is not None:
                frozen = frozen | {"budget_lines"}
            if frozen:
                raise Conflict(
                    f"only drafts can change {', '.join(sorted(frozen))}; this project is {project.status}",
                    code="project_not_editable",
                )
        for name, value in fields.items():
            setattr(project, name, value)
        _check_period(project)
        project.save()
        if budget_lines is not None:
            _replace_budget(project, budget_lines)
        changed = sorted(fields) + (["budget_lines"] if budget_lines is not None else [])
        audit_record(actor=actor, action="project.update", target=project, data={"fields": changed})
    return project


def project_set_budget(*, project: Project, actor, budget_lines: list[tuple[str, int]]) -> list[BudgetLine]:
    with transaction.atomic(durable=True):
        project = Project.objects.select_for_update().get(pk=project.pk)
        if member_role(actor, project.org) not in (Role.ADMIN, Role.EDITOR):
            raise NotFound(f"no project {project.public_id!r} in your console")
        if project.status != ProjectStatus.DRAFT:
            raise Conflict("the budget can only change while the project is a draft", code="project_not_editable")
        lines = _replace_budget(project, budget_lines)
        audit_record(actor=actor, action="project.budget", target=project)
    return lines


def _replace_budget(project: Project, budget_lines) -> list[BudgetLine]:
    lines = []
    for position, (name, amount_fen) in enumerate(budget_lines):
        if not name.strip():
            raise InvalidInput(f"budget line {position + 1} needs a name", field="budget_lines")
        validate_fen(amount_fen, field="budget_lines")
        lines.append(BudgetLine(project=project, name=name.strip(), amount_fen=amount_fen, position=position))
    project.budget_lines.all().delete()
    return BudgetLine.objects.bulk_create(lines)


def _check_ready_for_review(project: Project) -> None:
    """Art. 22 / 26: the recipient must hold the public-fundraising qualification."""
    if not org_is_verified(project.org):
        raise Conflict("the organization must be verified before its projects go to review", code="org_not_verified")
    if not project.budget_lines.exists():
        raise Conflict("add at least one budget line before submitting", code="budget_missing")
    if project.org.fundraising_qualified:
        return
    partner = project.partner_org
    if partner is None:
        raise Conflict(
            "this organization has no public-fundraising qualification: name a qualified partner that receives the funds (Charity Law Art. 26)",
            code="partner_required",
        )
    if not (partner.fundraising_qualified and org_is_verified(partner)):
        raise Conflict(f"partner {partner.name_zh} is not a verified organization with public-fundraising qualification", code="partner_not_qualified")


def project_transition(*, project: Project, to: str, actor, reason: str = "") -> Project:
    """Move a project along one edge of ``PROJECT_TRANSITIONS``."""
    with transaction.atomic(durable=True):
        project = Project.objects.select_for_update(of=("self",)).select_related("org", "partner_org").get(pk=project.pk)
        rule = PROJECT_TRANSITIONS.get((project.status, to))
        if rule is None:
            raise Conflict(f"a project cannot go from {project.status} to {to}", code="illegal_transition")
        capacities = {member_role(actor, project.org)}
        if getattr(actor, "is_operator", False):
            capacities.add(OPERATOR)
        if not capacities & rule.allowed:
            raise NotFound(f"no project {project.public_id!r} in your console")
        if rule.reason_required and not reason.strip():
            raise InvalidInput("a reason is required", field="reason")
        if to in (ProjectStatus.IN_REVIEW, ProjectStatus.FUNDRAISING):
            _check_ready_for_review(project)
        project.status = to
        project.review_note = reason
        project.save(update_fields=["status", "review_note", "updated_at"])
        audit_record(actor=actor, action=rule.action, target=project, reason=reason, data={"to": to})
    return project
