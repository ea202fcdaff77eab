"""Who may see and change an organization's indicators in the console. Missing and forbidden
look the same (``NotFound``)."""

from collections.abc import Callable

from commonweal.core.errors import NotFound
from commonweal.impact.models import Indicator
from commonweal.orgs.console import ADMIN_EDITOR
from commonweal.orgs.permissions import ANY_ROLE, member_role

__all__ = ["ADMIN_EDITOR", "UNOWNED_KEEPERS", "access_indicator_by_public_id", "keeps_unowned_indicators", "may_edit_indicator"]

UNOWNED_KEEPERS: list[Callable[[object], bool]] = []
"""Who else keeps the indicators that no organization keeps (labs and grants of the program
office): ``programs`` adds its managers when it loads, so this app never imports it."""


def keeps_unowned_indicators(actor) -> bool:
    """Platform staff, and whoever a registered check accepts."""
    return bool(getattr(actor, "is_staff", False)) or any(check(actor) for check in UNOWNED_KEEPERS)


def may_edit_indicator(actor, indicator: Indicator) -> bool:
    """Administrators and editors of the keeping organization; :func:`keeps_unowned_indicators`
    for indicators that no organization keeps."""
    if indicator.org_id is None:
        return keeps_unowned_indicators(actor)
    return member_role(actor, indicator.org) in ADMIN_EDITOR


def access_indicator_by_public_id(actor, public_id: str, *, org=None, roles=ANY_ROLE) -> Indicator:
    """An indicator kept by ``org`` (or by any organization where ``actor`` has one of ``roles``)."""
    indicator = (
        Indicator.objects.select_related("org", "project", "project__org").filter(public_id=public_id).first()
        if isinstance(public_id, str) else None
    )
    if (
        indicator is None
        or indicator.org_id is None
        or (org is not None and indicator.org_id != org.pk)
        or member_role(actor, indicator.org) not in roles
    ):
        raise NotFound(f"no indicator {str(public_id)[:40]!r} in your console")
    return indicator
