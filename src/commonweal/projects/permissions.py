"""Who may see and edit a project that is not public. Missing and forbidden look the same."""

from commonweal.core.errors import NotFound
from commonweal.orgs.models import Role
from commonweal.orgs.permissions import member_role
from commonweal.projects.models import Project, ProjectStatus

__all__ = ["access_project_by_public_id", "PUBLIC_STATUSES", "project_is_public"]

PUBLIC_STATUSES = frozenset({ProjectStatus.FUNDRAISING, ProjectStatus.EXECUTING, ProjectStatus.COMPLETED, ProjectStatus.CLOSED})


def project_is_public(project: Project) -> bool:
    return project.status in PUBLIC_STATUSES


def access_project_by_public_id(actor, public_id: str, *, roles=frozenset(Role.values)) -> Project:
    """A project the actor may manage (member of its organization with one of ``roles``)."""
    project = Project.objects.select_related("org", "partner_org").filter(public_id=public_id).first()
    if project is None or member_role(actor, project.org) not in roles:
        raise NotFound(f"no project {public_id!r} in your console")
    return project
