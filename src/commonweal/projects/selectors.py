"""Reads for the public pages and the API: public projects, platform totals, public organizations.

Only projects in a public status (:data:`PUBLIC_STATUSES`) are ever returned here; drafts and
projects in review answer :class:`NotFound`, like projects that do not exist. Query counts are
fixed per call (no N+1), and tests pin them.
"""

from dataclasses import dataclass

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Sum, TextField, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from commonweal.core.domains import Domain
from commonweal.core.errors import InvalidInput, NotFound
from commonweal.core.sdg import sdg_goals
from commonweal.orgs.models import Organization, VerificationStatus
from commonweal.projects.models import Project, ProjectStatus
from commonweal.projects.permissions import PUBLIC_STATUSES

__all__ = [
    "org_project_counts",
    "org_projects",
    "PUBLIC_STATUS_ORDER",
    "MAX_QUERY_LENGTH",
    "PlatformTotals",
    "project_list",
    "project_get_public",
    "project_progress_get",
    "project_featured",
    "platform_totals",
    "domain_project_counts",
    "org_get_public",
    "org_public_projects",
]

PUBLIC_STATUS_ORDER: tuple[str, ...] = (
    ProjectStatus.FUNDRAISING,
    ProjectStatus.EXECUTING,
    ProjectStatus.COMPLETED,
    ProjectStatus.CLOSED,
)
"""Public statuses in the order lists show them: projects raising money first."""

MAX_QUERY_LENGTH = 100
"""The longest text search accepted, in characters."""


def _public() -> QuerySet[Project]:
    return Project.objects.filter(status__in=PUBLIC_STATUSES)


def _sdg_goal_numbers() -> set[str]:
    return {goal.tag for goal in sdg_goals()}


def _overdue_last():
    """Sort key: 1 for a project past its stored disclosure deadline (``Project.report_due_on``,
    kept by ``disclosure``), so projects that report on time rank first (Charity Law Art. 79)."""
    return Case(
        When(report_due_on__lt=timezone.localdate(), then=Value(1)), default=Value(0), output_field=IntegerField()
    )


def _better_scored_first():
    """Sort key: the running organization's stored scorecard score, highest first, unscored last.
    ``disclosure.OrgScorecard`` keeps it (recomputed nightly by ``disclosure.services.scorecard``),
    reached through its one-to-one reverse relation: one LEFT JOIN, no import of the higher app."""
    return F("org__scorecard__score").desc(nulls_last=True)


def project_list(
    *,
    domain: str | None = None,
    sdg: str | None = None,
    status: str | None = None,
    org: str | None = None,
    q: str | None = None,
) -> QuerySet[Project]:
    """Public projects: those on time with their reports first (projects past a disclosure
    deadline rank last), then fundraising ones first; within a status, projects of
    better-scored organizations first (``disclosure`` scorecards), then the newest.

    - ``domain``: a :class:`Domain` value.
    - ``sdg``: a goal number ("4"); matches projects tagged with the goal or any of its targets.
    - ``status``: one of the public statuses.
    - ``org``: an organization's public id; matches projects it runs or receives funds for.
    - ``q``: text searched in the Chinese and English titles and summaries.

    Unknown values raise :class:`InvalidInput` naming the filter and the value.
    """
    projects = _public().select_related("org")
    if domain:
        if domain not in Domain.values:
            raise InvalidInput(f"unknown domain {domain!r}", code="unknown_domain", field="domain")
        projects = projects.filter(domain=domain)
    if sdg:
        if sdg not in _sdg_goal_numbers():
            raise InvalidInput(f"unknown SDG goal {sdg!r}", code="unknown_sdg", field="sdg")
        # Tags are stored as a JSON list of strings (["4", "4.1"]); its text form holds each tag
        # in double quotes on SQLite and PostgreSQL alike, so one pattern finds the goal and its
        # targets ("4", "4.1", "4.a") but not goal 14 or target 14.1.
        projects = projects.annotate(_sdg_text=Cast("sdg_tags", TextField())).filter(
            _sdg_text__regex=rf'"{sdg}(\.[0-9a-z]+)?"'
        )
    if status:
        if status not in PUBLIC_STATUS_ORDER:
            raise InvalidInput(f"unknown status {status!r}", code="unknown_status", field="status")
        projects = projects.filter(status=status)
    if org:
        projects = projects.filter(Q(org__public_id=org) | Q(partner_org__public_id=org))
    if q:
        q = q.strip()
        if len(q) > MAX_QUERY_LENGTH:
            raise InvalidInput(
                f"search text must be at most {MAX_QUERY_LENGTH} characters, got {len(q)}", field="q"
            )
        if q:
            projects = projects.filter(
                Q(title_zh__icontains=q)
                | Q(title_en__icontains=q)
                | Q(summary_zh__icontains=q)
                | Q(summary_en__icontains=q)
            )
    status_rank = Case(
        *(When(status=s, then=Value(rank)) for rank, s in enumerate(PUBLIC_STATUS_ORDER)),
        output_field=IntegerField(),
    )
    return projects.order_by(_overdue_last(), status_rank, _better_scored_first(), "-created_at", "-pk")


def project_get_public(*, public_id: str) -> Project:
    """A public project with its organizations, budget lines, reports and their photos (five
    queries in all when they are read; four when there is no report)."""
    project = (
        _public()
        .select_related("org", "partner_org")
        .prefetch_related("budget_lines", "updates__photos")
        .filter(public_id=public_id)
        .first()
    )
    if project is None:
        raise NotFound(f"no project {public_id!r}")
    return project


def project_to_donate(*, public_id: str) -> Project:
    """A public project with its organizations, for creating a donation intent (one query)."""
    project = projects_to_donate(public_ids={public_id}).get(public_id)
    if project is None:
        raise NotFound(f"no project {public_id!r}")
    return project


_TO_DONATE = ("public_id", "status", "org__public_id", "partner_org__public_id")


def projects_to_donate(*, public_ids: set[str]) -> dict[str, Project]:
    """The public projects among these ids, with their organizations (one query, for a batch).
    Only the fields a donation intent reads (status, ids): under a burst the whole rows cost a
    third of an intent's CPU. Any other field is loaded on access, one query each."""
    rows = _public().select_related("org", "partner_org").only(*_TO_DONATE).filter(public_id__in=public_ids)
    return {p.public_id: p for p in rows}


def project_progress_get(*, public_id: str) -> Project:
    """Only what the live progress block shows: totals and goal, one query."""
    project = (
        _public()
        .only("public_id", "status", "goal_fen", "raised_fen", "refunded_fen", "donation_count")
        .filter(public_id=public_id)
        .first()
    )
    if project is None:
        raise NotFound(f"no project {public_id!r}")
    return project


def project_featured(*, limit: int = 6) -> list[Project]:
    """Fundraising projects for the home page: featured ones first, then those that raised most;
    projects past a disclosure deadline last."""
    return list(
        _public()
        .filter(status=ProjectStatus.FUNDRAISING)
        .select_related("org")
        .annotate(_net=F("raised_fen") - F("refunded_fen"))
        .order_by(_overdue_last(), "-featured", "-_net", "-created_at")[:limit]
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class PlatformTotals:
    """The figures on the home page."""

    raised_fen: int
    """Everything donated to public projects, net of refunds, in fen."""
    donation_count: int
    """Number of confirmed donations."""
    project_count: int
    """Number of public projects."""
    verified_org_count: int
    """Organizations whose verification is current today."""


def platform_totals() -> PlatformTotals:
    """Totals from the projects' running totals (one query) and the verified organizations (one)."""
    sums = _public().aggregate(
        raised=Sum(F("raised_fen") - F("refunded_fen")),
        donations=Sum("donation_count"),
        projects=Count("pk"),
    )
    verified = Organization.objects.filter(
        verification_status=VerificationStatus.VERIFIED, verified_until__gte=timezone.localdate()
    ).count()
    return PlatformTotals(
        raised_fen=sums["raised"] or 0,
        donation_count=sums["donations"] or 0,
        project_count=sums["projects"] or 0,
        verified_org_count=verified,
    )


def domain_project_counts() -> dict[str, int]:
    """Number of public projects per domain value (domains without projects are absent)."""
    rows = _public().values("domain").annotate(n=Count("pk")).order_by()
    return {row["domain"]: row["n"] for row in rows}


def org_get_public(*, public_id: str) -> Organization:
    """An organization the public may see: verified (even if the verification has since expired),
    or running or receiving funds for a public project. Anything else is NotFound."""
    has_public_project = _public().filter(Q(org=OuterRef("pk")) | Q(partner_org=OuterRef("pk")))
    org = (
        Organization.objects.filter(public_id=public_id)
        .filter(Q(verification_status=VerificationStatus.VERIFIED) | Exists(has_public_project))
        .first()
    )
    if org is None:
        raise NotFound(f"no organization {public_id!r}")
    return org


def org_public_projects(*, org: Organization) -> QuerySet[Project]:
    """The organization's public projects, including those it receives funds for as a partner."""
    return project_list(org=org.public_id)


# --- the organization console ------------------------------------------------------------

def org_project_counts(*, org: Organization) -> dict[str, int]:
    """Number of the organization's projects in each status (statuses with none are absent)."""
    rows = org.projects.values("status").annotate(n=Count("id")).order_by()
    return {row["status"]: row["n"] for row in rows}


def org_projects(*, org: Organization):
    return Project.objects.filter(org=org).select_related("partner_org").order_by("-created_at")
