"""Who may touch an organization's private things. Missing and forbidden look the same."""

from commonweal.core.errors import NotFound
from commonweal.orgs.models import Membership, Organization, Role

__all__ = ["access_org_by_public_id", "member_role"]

ANY_ROLE = frozenset(Role.values)


def member_role(user, org: Organization) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(org=org, user=user).values_list("role", flat=True).first()


def access_org_by_public_id(actor, public_id: str, *, roles=ANY_ROLE) -> Organization:
    """The organization if ``actor`` is a member with one of ``roles``; else NotFound."""
    org = Organization.objects.filter(public_id=public_id).first()
    if org is None or member_role(actor, org) not in roles:
        raise NotFound(f"no organization {public_id!r} in your console")
    return org
