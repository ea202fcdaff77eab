"""The organization console's shared pieces: the access decorator and the page context.

Every organization-scoped console view resolves its organization with ``access_org_by_public_id``:
a missing organization and a forbidden one are the same 404. Views that also take a ``project``
use ``commonweal.projects.console.console_view``, which adds the project check through ``resolve``.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed

from commonweal.core.errors import NotFound
from commonweal.core.language import active_language
from commonweal.core.money import format_fen
from commonweal.orgs import selectors
from commonweal.orgs.models import Role
from commonweal.orgs.permissions import ANY_ROLE, access_org_by_public_id, member_role

__all__ = ["ADMIN", "ADMIN_EDITOR", "ADMIN_FINANCE", "console_money", "console_view", "org_context"]

ADMIN = frozenset({Role.ADMIN})
ADMIN_FINANCE = frozenset({Role.ADMIN, Role.FINANCE})
ADMIN_EDITOR = frozenset({Role.ADMIN, Role.EDITOR})


def console_money(amount_fen: int) -> str:
    return format_fen(amount_fen, lang=active_language())


def console_view(*, roles=ANY_ROLE, methods=("GET", "POST"), resolve=None):
    """Sign-in required; resolve ``org`` for the signed-in user or 404.

    ``resolve(user, org_obj, kwargs, roles)`` may resolve further URL arguments in place (and
    raise ``NotFound``); it runs after the organization check. The method check comes after the
    access checks, so outsiders see 404 whatever they send.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, org, *args, **kwargs):
            try:
                org_obj = access_org_by_public_id(request.user, org, roles=roles)
                if resolve is not None:
                    resolve(request.user, org_obj, kwargs, roles)
            except NotFound as exc:
                raise Http404(str(exc)) from None
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return view(request, org_obj, *args, **kwargs)

        return wrapper

    return decorator


def org_context(request, org, **extra) -> dict:
    role = member_role(request.user, org)
    role_label = Role(role).label if role else ""
    return {"org": org, "role": role, "role_label": role_label, "standing": selectors.org_standing(org=org), **extra}
