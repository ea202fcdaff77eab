"""Public organization profiles: what anyone may know about a charity (no members, no credentials).

An organization is public when it is verified (even if the verification has since expired) or
runs or receives funds for a public project; the rule lives in
``projects.selectors.org_get_public``, which this module mirrors for the list. The router is
here, not in ``orgs``, because that rule reads projects; ``commonweal.api`` mounts it at
``/organizations``.
"""

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from ninja import Field, Query, Router, Schema

from commonweal.api import TEXT_PATTERN, PageIn, error_responses
from commonweal.core.errors import NotFound
from commonweal.core.identifiers import is_public_id
from commonweal.orgs.models import Organization, VerificationStatus
from commonweal.orgs.services import org_is_verified
from commonweal.projects.models import Project
from commonweal.projects.permissions import PUBLIC_STATUSES
from commonweal.projects.selectors import org_get_public

router = Router(tags=["organizations"])

MAX_NAME_QUERY = 100


class OrganizationFilters(Schema):
    q: str | None = Field(
        None, max_length=MAX_NAME_QUERY, pattern=TEXT_PATTERN, description="Text searched in the Chinese and English names."
    )


class OrganizationOut(Schema):
    public_id: str
    name_zh: str
    name_en: str
    org_type: str
    credit_code: str = Field(..., description="Unified social credit code (统一社会信用代码).")
    certificate_number: str = Field(..., description="Registration certificate number.")
    registration_date: dt.date
    description_zh: str
    description_en: str
    contact_name: str
    contact_phone: str
    contact_email: str
    address: str
    website: str
    verified: bool = Field(..., description="Verified by the platform and not expired today.")
    verified_until: dt.date | None
    fundraising_qualified: bool = Field(..., description="Holds the public-fundraising qualification (Art. 22).")
    fundraising_qualified_on: dt.date | None


class OrganizationPageOut(Schema):
    count: int
    items: list[OrganizationOut]


def _public_organizations() -> QuerySet[Organization]:
    """API-only read: the list form of ``projects.selectors.org_get_public``."""
    has_public_project = Project.objects.filter(status__in=PUBLIC_STATUSES).filter(
        Q(org=OuterRef("pk")) | Q(partner_org=OuterRef("pk"))
    )
    return Organization.objects.filter(
        Q(verification_status=VerificationStatus.VERIFIED) | Exists(has_public_project)
    ).order_by("name_zh", "pk")


@router.get("", response={200: OrganizationPageOut, **error_responses(422)}, summary="List public organizations")
def list_organizations(request, filters: Query[OrganizationFilters], page: Query[PageIn]):
    orgs = _public_organizations()
    q = (filters.q or "").strip()
    if q:
        orgs = orgs.filter(Q(name_zh__icontains=q) | Q(name_en__icontains=q))
    items = orgs[page.offset : page.offset + page.limit]
    return {"count": orgs.count(), "items": [_profile(org) for org in items]}


@router.get("/{public_id}", response={200: OrganizationOut, **error_responses(404)}, summary="A public organization")
def get_organization(request, public_id: str):
    if not is_public_id(public_id):
        raise NotFound(f"no organization {public_id[:40]!r}")
    return _profile(org_get_public(public_id=public_id))


def _profile(org: Organization) -> dict:
    return {
        "public_id": org.public_id,
        "name_zh": org.name_zh,
        "name_en": org.name_en,
        "org_type": org.org_type,
        "credit_code": org.credit_code,
        "certificate_number": org.certificate_number,
        "registration_date": org.registration_date,
        "description_zh": org.description_zh,
        "description_en": org.description_en,
        "contact_name": org.contact_name,
        "contact_phone": org.contact_phone,
        "contact_email": org.contact_email,
        "address": org.address,
        "website": org.website,
        "verified": org_is_verified(org),
        "verified_until": org.verified_until,
        "fundraising_qualified": org.fundraising_qualified,
        "fundraising_qualified_on": org.fundraising_qualified_on,
    }
