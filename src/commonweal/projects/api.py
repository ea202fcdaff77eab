"""Public projects: list with filters, and the fundraising page's data (Charity Law Art. 25).

Reads go through ``projects.selectors``; only public statuses are ever shown, and drafts or
projects in review answer 404 like projects that do not exist.
"""

import datetime as dt
from typing import Literal

from django.utils import translation
from ninja import Field, Query, Router, Schema

from commonweal.api import TEXT_PATTERN, PageIn, error_responses
from commonweal.core.domains import Domain
from commonweal.core.errors import NotFound
from commonweal.core.identifiers import PUBLIC_ID_PATTERN, is_public_id
from commonweal.core.money import CURRENCY
from commonweal.core.privacy import public_donor_name
from commonweal.core.sdg import sdg_goals
from commonweal.orgs.models import Organization
from commonweal.projects.models import Project
from commonweal.projects.selectors import MAX_QUERY_LENGTH, project_get_public, project_list

router = Router(tags=["projects"])

RECENT_DONATIONS = 10
"""How many recent donations the detail shows."""

PublicStatus = Literal["fundraising", "executing", "completed", "closed"]


class ProjectFilters(Schema):
    domain: Domain | None = Field(None, description="One of the eight domains.")
    sdg: int | None = Field(
        None, ge=1, le=max(goal.number for goal in sdg_goals()),
        description="SDG goal number; matches projects tagged with the goal or any of its targets.",
    )
    status: PublicStatus | None = Field(None, description="A public status.")
    org: str | None = Field(
        None, pattern=PUBLIC_ID_PATTERN,
        description="Organization public id: projects it runs or receives funds for as a partner.",
    )
    q: str | None = Field(
        None, max_length=MAX_QUERY_LENGTH, pattern=TEXT_PATTERN,
        description="Text searched in the Chinese and English titles and summaries.",
    )


class OrganizationRef(Schema):
    public_id: str
    name_zh: str
    name_en: str


class ProgressOut(Schema):
    currency: str = Field(..., description='Always "CNY".')
    goal_fen: int
    raised_fen: int
    refunded_fen: int
    net_raised_fen: int = Field(..., description="raised_fen - refunded_fen")
    donation_count: int
    percent: int = Field(..., description="net raised as a share of the goal, 0 to 100, rounded down")


class ProjectSummaryOut(Schema):
    public_id: str
    title_zh: str
    title_en: str
    summary_zh: str
    summary_en: str
    domain: str
    sdg_tags: list[str]
    status: str
    region: str
    starts_on: dt.date
    ends_on: dt.date
    organization: OrganizationRef
    recipient_org: str = Field(..., description="Public id of the organization whose account receives donations.")
    progress: ProgressOut


class ProjectPageOut(Schema):
    count: int
    items: list[ProjectSummaryOut]


class BudgetLineOut(Schema):
    name: str
    amount_fen: int


class OrgDisclosureOut(Schema):
    """What a fundraising page must show about an organization (Charity Law Art. 25)."""

    public_id: str
    name_zh: str
    name_en: str
    credit_code: str
    certificate_number: str
    fundraising_qualified: bool
    contact_name: str
    contact_phone: str
    contact_email: str
    address: str
    website: str


class DisclosureOut(Schema):
    organization: OrgDisclosureOut
    partner: OrgDisclosureOut | None = Field(
        ..., description="The qualified partner that receives the funds (Art. 26), if any."
    )
    fundraising_plan: str


class RecentDonationOut(Schema):
    donor: str = Field(..., description="Full name only if the donor opted in; otherwise masked.")
    amount_fen: int
    currency: str
    confirmed_at: dt.datetime


class ReportFigureOut(Schema):
    label: str
    value: str = Field(description="a decimal number as the organization wrote it, e.g. \"1200\" or \"3.5\"")
    unit: str


class ReportPhotoOut(Schema):
    url: str = Field(description="absolute URL of the image (re-encoded without metadata)")
    width: int
    height: int
    description: str


class ProjectUpdateOut(Schema):
    public_id: str
    kind: Literal["progress", "final", "receipts"] = Field(description="progress report, final report, or list of donations received")
    title: str
    body: str
    published_at: dt.datetime
    figures: list[ReportFigureOut]
    photos: list[ReportPhotoOut]


class ProjectDetailOut(ProjectSummaryOut):
    story_zh: str
    story_en: str
    beneficiaries: str
    beneficiary_count: int
    budget_lines: list[BudgetLineOut]
    disclosure: DisclosureOut
    recent_donations: list[RecentDonationOut]
    updates: list[ProjectUpdateOut]


@router.get("", response={200: ProjectPageOut, **error_responses(400, 422)}, summary="List public projects")
def list_projects(request, filters: Query[ProjectFilters], page: Query[PageIn]):
    projects = project_list(
        domain=filters.domain.value if filters.domain else None,
        sdg=str(filters.sdg) if filters.sdg is not None else None,
        status=filters.status,
        org=filters.org,
        q=filters.q,
    ).select_related("partner_org")
    items = projects[page.offset : page.offset + page.limit]
    return {"count": projects.count(), "items": [_summary(project) for project in items]}


@router.get("/{public_id}", response={200: ProjectDetailOut, **error_responses(404)}, summary="A public project")
def get_project(request, public_id: str):
    if not is_public_id(public_id):
        raise NotFound(f"no project {public_id[:40]!r}")
    project = project_get_public(public_id=public_id)
    lang = translation.get_language() or "zh-hans"
    # Reverse relation: projects never import giving (DESIGN.md, dependencies point one way).
    donations = project.donations.order_by("-confirmed_at", "-pk")[:RECENT_DONATIONS]
    return {
        **_summary(project),
        "story_zh": project.story_zh,
        "story_en": project.story_en,
        "beneficiaries": project.beneficiaries,
        "beneficiary_count": project.beneficiary_count,
        "budget_lines": [{"name": line.name, "amount_fen": line.amount_fen} for line in project.budget_lines.all()],
        "disclosure": {
            "organization": _disclosure(project.org),
            "partner": _disclosure(project.partner_org) if project.partner_org else None,
            "fundraising_plan": project.fundraising_plan,
        },
        "recent_donations": [
            {
                "donor": public_donor_name(name=d.donor_name, opted_in=d.donor_public, lang=lang),
                "amount_fen": d.amount_fen,
                "currency": d.currency,
                "confirmed_at": d.confirmed_at,
            }
            for d in donations
        ],
        "updates": [
            {
                "public_id": u.public_id, "kind": u.kind, "title": u.title, "body": u.body, "published_at": u.published_at,
                "figures": u.figures,
                "photos": [{"url": request.build_absolute_uri(p.image.url), "width": p.width, "height": p.height,
                            "description": p.description} for p in u.photos.all()],
            }
            for u in project.updates.all()
        ],
    }


def _summary(project: Project) -> dict:
    return {
        "public_id": project.public_id,
        "title_zh": project.title_zh,
        "title_en": project.title_en,
        "summary_zh": project.summary_zh,
        "summary_en": project.summary_en,
        "domain": project.domain,
        "sdg_tags": list(project.sdg_tags),
        "status": project.status,
        "region": project.region,
        "starts_on": project.starts_on,
        "ends_on": project.ends_on,
        "organization": {
            "public_id": project.org.public_id,
            "name_zh": project.org.name_zh,
            "name_en": project.org.name_en,
        },
        "recipient_org": project.recipient_org.public_id,
        "progress": {
            "currency": CURRENCY,
            "goal_fen": project.goal_fen,
            "raised_fen": project.raised_fen,
            "refunded_fen": project.refunded_fen,
            "net_raised_fen": project.net_raised_fen,
            "donation_count": project.donation_count,
            "percent": project.progress_percent,
        },
    }


def _disclosure(org: Organization) -> dict:
    return {
        "public_id": org.public_id,
        "name_zh": org.name_zh,
        "name_en": org.name_en,
        "credit_code": org.credit_code,
        "certificate_number": org.certificate_number,
        "fundraising_qualified": org.fundraising_qualified,
        "contact_name": org.contact_name,
        "contact_phone": org.contact_phone,
        "contact_email": org.contact_email,
        "address": org.address,
        "website": org.website,
    }
