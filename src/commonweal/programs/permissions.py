"""Who works in the program office. Everyone else gets ``NotFound``, as the console does."""

from commonweal.core.errors import NotFound
from commonweal.programs.models import OfficeMember, OfficeRole

__all__ = ["office_role", "is_office_manager", "require_office_role", "OfficeRole"]


def office_role(user) -> str | None:
    """The user's role in the program office ("manager", "finance"), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return OfficeMember.objects.filter(user_id=user.pk).values_list("role", flat=True).first()


def is_office_manager(user) -> bool:
    return office_role(user) == OfficeRole.MANAGER


def require_office_role(user, *roles: str) -> str:
    """The user's office role if it is one of ``roles`` (any role when none are given); else
    ``NotFound``, so outsiders cannot tell the office's pages exist."""
    role = office_role(user)
    if role is None or (roles and role not in roles):
        raise NotFound("no such page in the program office", code="not_found")
    return role
