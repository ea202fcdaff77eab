"""Project lifecycle: draft → in review → fundraising → executing → completed / closed.

One table of legal edges; ``project_transition`` is the only code that changes a status.
"""

from dataclasses import dataclass

from commonweal.orgs.models import Role
from commonweal.projects.models import ProjectStatus as S

__all__ = ["PROJECT_TRANSITIONS", "ProjectTransitionRule", "OPERATOR"]

OPERATOR = "operator"


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectTransitionRule:
    action: str
    """Audit action name."""
    allowed: frozenset[str]
    """Organization roles, and/or OPERATOR, that may take this edge."""
    reason_required: bool = False
    """Whether the actor must say why (rejections and closures)."""


_EDITORS = frozenset({Role.ADMIN, Role.EDITOR})
_ADMINS = frozenset({Role.ADMIN})

PROJECT_TRANSITIONS: dict[tuple[str, str], ProjectTransitionRule] = {
    (S.DRAFT, S.IN_REVIEW): ProjectTransitionRule(action="project.submit", allowed=_EDITORS),
    (S.IN_REVIEW, S.DRAFT): ProjectTransitionRule(action="project.reject", allowed=frozenset({OPERATOR}), reason_required=True),
    (S.IN_REVIEW, S.FUNDRAISING): ProjectTransitionRule(action="project.approve", allowed=frozenset({OPERATOR})),
    (S.FUNDRAISING, S.EXECUTING): ProjectTransitionRule(action="project.execute", allowed=_ADMINS),
    (S.EXECUTING, S.COMPLETED): ProjectTransitionRule(action="project.complete", allowed=_ADMINS),
    (S.DRAFT, S.CLOSED): ProjectTransitionRule(action="project.close", allowed=_ADMINS, reason_required=True),
    (S.FUNDRAISING, S.CLOSED): ProjectTransitionRule(
        action="project.close", allowed=_ADMINS | {OPERATOR}, reason_required=True
    ),
    (S.EXECUTING, S.CLOSED): ProjectTransitionRule(
        action="project.close", allowed=_ADMINS | {OPERATOR}, reason_required=True
    ),
}
