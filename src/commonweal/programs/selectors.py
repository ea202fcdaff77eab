"""Reads for the portfolio dashboard and the labs' pages: aggregate queries, no N+1."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Model, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from commonweal.core.domains import Domain, DomainInfo
from commonweal.core.errors import NotFound
from commonweal.core.identifiers import is_public_id
from commonweal.impact.selectors import ImpactSummary, IndicatorStatus, impact_by_domain, impact_summary, indicator_statuses, indicators_for
from commonweal.programs.models import (
    Commitment,
    Fund,
    FundAllocation,
    GateReview,
    GrantPayment,
    Lab,
    LabProject,
    Stage,
    Studio,
)
from commonweal.projects.models import Project
from commonweal.projects.permissions import PUBLIC_STATUSES

__all__ = [
    "PortfolioFilter",
    "DomainFigures",
    "FundPortfolio",
    "fund_list",
    "fund_get",
    "fund_portfolio",
    "FundFacets",
    "fund_facets",
    "commitment_rows",
    "lab_list",
    "lab_get",
    "lab_project_get",
    "studio_list",
    "studio_get",
    "subject_indicators",
    "FundImpact",
    "fund_impact_subjects",
    "fund_impact_subjects_register",
    "fund_impact",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class PortfolioFilter:
    domain: str = ""
    """One of the eight domains, or "" for all."""
    program: str = ""
    """A program label as stored on commitments, or ""."""
    year: int | None = None
    """A commitment year, or None."""
    region: str = ""
    """A province name, or ""."""

    def commitments_q(self, prefix: str = "") -> Q:
        q = Q()
        if self.domain:
            q &= Q(**{f"{prefix}domain": self.domain})
        if self.program:
            q &= Q(**{f"{prefix}program": self.program})
        if self.year is not None:
            q &= Q(**{f"{prefix}year": self.year})
        if self.region:
            q &= Q(**{f"{prefix}region": self.region})
        return q

    def allocations_q(self) -> Q:
        """Allocations know only domain and year."""
        q = Q()
        if self.domain:
            q &= Q(domain=self.domain)
        if self.year is not None:
            q &= Q(year=self.year)
        return q

    @property
    def active(self) -> bool:
        return bool(self.domain or self.program or self.year is not None or self.region)

    def as_query(self, **changes) -> dict:
        """The filter as query parameters, with ``changes`` applied (None drops a key)."""
        params = {"domain": self.domain, "program": self.program, "year": self.year, "region": self.region}
        params.update(changes)
        return {k: v for k, v in params.items() if v not in ("", None)}


@dataclass(frozen=True, slots=True, kw_only=True)
class DomainFigures:
    domain: str
    """The domain's value."""
    label: str
    """Its label in the active language."""
    allocated_fen: int
    """Allocations (for the filtered years)."""
    committed_fen: int
    """Commitments matching the filter."""
    paid_fen: int
    """Payments against those commitments."""

    @property
    def uncommitted_fen(self) -> int:
        return self.allocated_fen - self.committed_fen


@dataclass(frozen=True, slots=True, kw_only=True)
class FundPortfolio:
    fund: Fund
    """The fund."""
    filter: PortfolioFilter
    """What the figures are restricted to."""
    allocated_fen: int
    """Sum of allocations (filtered by domain and year)."""
    committed_fen: int
    """Sum of matching commitments."""
    paid_fen: int
    """Sum of payments against matching commitments."""
    domains: list[DomainFigures]
    """Per domain, in the vocabulary's order (all eight when no domain is chosen)."""
    fund_committed_fen: int
    """All commitments of the fund, whatever the filter."""

    @property
    def balance_fen(self) -> int:
        """Committed but not yet paid."""
        return self.committed_fen - self.paid_fen

    @property
    def uncommitted_fen(self) -> int:
        """The fund's total not yet committed (ignores the filter)."""
        return self.fund.total_fen - self.fund_committed_fen


def fund_list() -> list[Fund]:
    return list(Fund.objects.order_by("created_at", "pk"))


def fund_get(*, public_id: str) -> Fund:
    fund = Fund.objects.filter(public_id=public_id).first() if is_public_id(public_id) else None
    if fund is None:
        raise NotFound(f"no fund {public_id!r}")
    return fund


def _sum_by(rows, key: str) -> dict:
    return {row[key]: row["s"] or 0 for row in rows}


def fund_portfolio(*, fund: Fund, filter: PortfolioFilter = PortfolioFilter()) -> FundPortfolio:
    """The fund's figures, per domain, for the commitments ``filter`` selects: four queries,
    whatever the number of commitments."""
    commitments = Commitment.objects.filter(fund=fund).filter(filter.commitments_q())
    allocated = _sum_by(
        FundAllocation.objects.filter(fund=fund).filter(filter.allocations_q()).values("domain").annotate(s=Sum("amount_fen")),
        "domain",
    )
    committed = _sum_by(commitments.values("domain").annotate(s=Sum("amount_fen")).order_by(), "domain")
    paid = _sum_by(
        GrantPayment.objects.filter(commitment__fund=fund)
        .filter(filter.commitments_q("commitment__"))
        .values("commitment__domain")
        .annotate(s=Sum("amount_fen"))
        .order_by(),
        "commitment__domain",
    )
    fund_committed = Commitment.objects.filter(fund=fund).aggregate(s=Coalesce(Sum("amount_fen"), 0))["s"]
    shown = [filter.domain] if filter.domain else list(Domain.values)
    domains = [
        DomainFigures(
            domain=d, label=str(Domain(d).label), allocated_fen=allocated.get(d, 0), committed_fen=committed.get(d, 0),
            paid_fen=paid.get(d, 0),
        )
        for d in shown
    ]
    return FundPortfolio(
        fund=fund, filter=filter, allocated_fen=sum(allocated.values()), committed_fen=sum(committed.values()),
        paid_fen=sum(paid.values()), domains=domains, fund_committed_fen=fund_committed,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class FundFacets:
    years: list[int]
    """Years with an allocation or a commitment."""
    programs: list[str]
    """Program labels with a commitment."""
    regions: list[str]
    """Regions with a commitment."""


def fund_facets(*, fund: Fund) -> FundFacets:
    """The values the drill-down offers: three queries."""
    commitments = Commitment.objects.filter(fund=fund).order_by()
    years = set(commitments.values_list("year", flat=True).distinct()) | set(
        FundAllocation.objects.filter(fund=fund).order_by().values_list("year", flat=True).distinct()
    )
    return FundFacets(
        years=sorted(years),
        programs=sorted(commitments.values_list("program", flat=True).distinct()),
        regions=sorted(commitments.exclude(region="").values_list("region", flat=True).distinct()),
    )


def commitment_rows(*, fund: Fund, filter: PortfolioFilter = PortfolioFilter()):
    """Commitments matching ``filter``, each with ``paid_fen``, largest first (a queryset, to
    paginate)."""
    return (
        Commitment.objects.filter(fund=fund)
        .filter(filter.commitments_q())
        .select_related("recipient_org", "project")
        .annotate(paid_fen=Coalesce(Sum("payments__amount_fen"), 0))
        .order_by("-amount_fen", "-pk")
    )


def lab_list():
    return (
        Lab.objects.select_related("fund")
        .annotate(
            project_count=Count("projects", distinct=True),
            live_count=Count("projects", filter=~Q(projects__stage__in=[Stage.SPUN_OFF, Stage.STOPPED]), distinct=True),
        )
        .order_by("created_at", "pk")
    )


def lab_get(*, public_id: str) -> Lab:
    lab = (
        Lab.objects.select_related("fund", "commitment")
        .prefetch_related("members", "kpis", Prefetch("projects", queryset=LabProject.objects.select_related("studio")))
        .filter(public_id=public_id)
        .first()
        if is_public_id(public_id)
        else None
    )
    if lab is None:
        raise NotFound(f"no lab {public_id!r}")
    return lab


_GATES = Prefetch("gates", queryset=GateReview.objects.select_related("decided_by").prefetch_related("reviewers", "files"))


def lab_project_get(*, public_id: str) -> LabProject:
    project = (
        LabProject.objects.select_related("lab").prefetch_related(_GATES).filter(public_id=public_id).first()
        if is_public_id(public_id)
        else None
    )
    if project is None:
        raise NotFound(f"no lab project {public_id!r}")
    return project


def studio_list():
    return Studio.objects.select_related("project__lab", "commitment").annotate(
        paid_fen=Coalesce(Sum("commitment__payments__amount_fen"), 0)
    )


def studio_get(*, public_id: str) -> Studio:
    studio = (
        Studio.objects.select_related("project__lab", "commitment").prefetch_related(
            Prefetch("project__gates", queryset=GateReview.objects.select_related("decided_by").prefetch_related("reviewers", "files"))
        ).filter(public_id=public_id).first()
        if is_public_id(public_id)
        else None
    )
    if studio is None:
        raise NotFound(f"no studio {public_id!r}")
    return studio


# --- impact: indicators of labs, lab projects, studios, awards and funded projects -------------

def subject_indicators(subject: Model) -> list[IndicatorStatus]:
    """The indicators of one lab, lab project, studio or award, each with where it stands
    (latest result against the same period's target): three queries."""
    return indicator_statuses(indicators_for(subjects=[subject]))


_FUND_SUBJECT_SOURCES: list[Callable[[Fund], QuerySet]] = []


def fund_impact_subjects_register(source: Callable[[Fund], QuerySet]) -> None:
    """Add ``source(fund) -> queryset`` to what a fund's impact covers. The grants app registers
    its awards (``Award`` through its commitment's fund) in its ``AppConfig.ready``, so this app
    never imports it."""
    if source not in _FUND_SUBJECT_SOURCES:
        _FUND_SUBJECT_SOURCES.append(source)


def fund_impact_subjects(*, fund: Fund) -> list[QuerySet]:
    """What a fund's impact aggregates, as querysets (subqueries, never loaded): its labs, their
    projects and studios, the public projects it has commitments to, and what other apps
    registered (grant awards)."""
    return [
        Lab.objects.filter(fund=fund),
        LabProject.objects.filter(lab__fund=fund),
        Studio.objects.filter(project__lab__fund=fund),
        Project.objects.filter(program_commitments__fund=fund, status__in=PUBLIC_STATUSES),
        *(source(fund) for source in _FUND_SUBJECT_SOURCES),
    ]


@dataclass(frozen=True, slots=True, kw_only=True)
class FundImpact:
    summary: ImpactSummary
    """Counts on and off track and sums per unit over all the fund's indicators."""
    domains: list[tuple[DomainInfo, ImpactSummary]]
    """The same per domain (of each indicator), in the vocabulary's order, domains with
    indicators only."""


def fund_impact(*, fund: Fund) -> FundImpact:
    """The indicators of everything the fund pays for, aggregated: three queries whatever the
    number of subjects and indicators (one for the indicators, two for targets and results)."""
    indicators = list(indicators_for(subjects=fund_impact_subjects(fund=fund)))
    return FundImpact(
        summary=impact_summary(indicators=indicators),
        domains=[(info, summary) for info, summary in impact_by_domain(indicators=indicators) if summary.indicators],
    )
