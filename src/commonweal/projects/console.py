"""The console decorator for views that take a ``project``: the organization check, then the project's.

A project of another organization is the same 404 as a missing one.
"""

from commonweal.core.errors import NotFound
from commonweal.orgs.console import console_view as org_console_view
from commonweal.orgs.permissions import ANY_ROLE
from commonweal.projects.permissions import access_project_by_public_id

__all__ = ["console_view"]


def _resolve_project(user, org_obj, kwargs, roles) -> None:
    project = kwargs.get("project")
    if project is None:
        return
    project_obj = access_project_by_public_id(user, project, roles=roles)
    if project_obj.org_id != org_obj.pk:
        raise NotFound(f"no project {project!r} in this organization")
    kwargs["project"] = project_obj


def console_view(*, roles=ANY_ROLE, methods=("GET", "POST")):
    """``orgs.console.console_view`` that also resolves a ``project`` URL argument."""
    return org_console_view(roles=roles, methods=methods, resolve=_resolve_project)
