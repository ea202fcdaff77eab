"""Reads for the organization console: what a page shows, in as few queries as it needs.

Selectors never check permissions: views first resolve the organization (or project) with
``access_org_by_public_id`` / ``access_project_by_public_id`` and pass it in.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from commonweal.orgs.models import Invitation, Membership, Organization, ProviderCredential, VerificationStatus
from commonweal.orgs.services import QUALIFICATION_MIN_YEARS, _add_years, org_is_verified

__all__ = [
    "OrgStanding",
    "CredentialStatus",
    "console_memberships",
    "org_standing",
    "org_members",
    "org_pending_invitations",
    "org_credential_status",
    "org_by_credit_code",
    "invitation_by_token",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class OrgStanding:
    """Where an organization stands with the platform, as the console shows it."""

    status: str
    """Stored verification status (submitted, verified, rejected)."""
    verified: bool
    """Verified and not expired today."""
    expired: bool
    """Was verified, but ``verified_until`` has passed."""
    verified_until: dt.date | None
    """Last day the verification holds."""
    qualified: bool
    """Holds the public-fundraising qualification (Charity Law Art. 22)."""
    qualification_eligible_from: dt.date
    """First day the organization has been registered long enough to be qualified."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CredentialStatus:
    """Whether a provider is configured; never the credentials themselves."""

    provider: str
    """Registry name (sandbox, wechatpay, alipay)."""
    configured: bool
    """A sealed credential row exists."""
    updated_at: dt.datetime | None
    """When it was last stored."""


def console_memberships(*, user) -> list[Membership]:
    """The user's memberships with their organizations, for the console index."""
    return list(Membership.objects.filter(user=user).select_related("org").order_by("org__name_zh"))


def org_standing(*, org: Organization, today: dt.date | None = None) -> OrgStanding:
    today = today or timezone.localdate()
    verified = org_is_verified(org, today=today)
    return OrgStanding(
        status=org.verification_status,
        verified=verified,
        expired=org.verification_status == VerificationStatus.VERIFIED and not verified,
        verified_until=org.verified_until,
        qualified=org.fundraising_qualified,
        qualification_eligible_from=_add_years(org.registration_date, QUALIFICATION_MIN_YEARS),
    )


def org_members(*, org: Organization) -> list[Membership]:
    return list(org.memberships.select_related("user").order_by("created_at", "id"))


def org_pending_invitations(*, org: Organization) -> list[Invitation]:
    return list(
        org.invitations.filter(accepted_at__isnull=True, expires_at__gte=timezone.now()).order_by("-created_at")
    )


def org_credential_status(*, org: Organization, providers) -> list[CredentialStatus]:
    rows = {row.provider: row for row in ProviderCredential.objects.filter(org=org).only("provider", "updated_at")}
    return [
        CredentialStatus(
            provider=name,
            configured=name in rows,
            updated_at=rows[name].updated_at if name in rows else None,
        )
        for name in providers
    ]


def org_by_credit_code(code: str) -> Organization | None:
    return Organization.objects.filter(credit_code=code).first()


def invitation_by_token(token: str) -> Invitation | None:
    return Invitation.objects.select_related("org").filter(token=token).first()
