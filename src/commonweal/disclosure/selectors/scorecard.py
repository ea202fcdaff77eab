"""Organization scorecards: measurable facts, the score formula, and what the pages show.

The facts (:func:`scorecard_measure`), for the organization's public projects (those it runs):

1. **On-time reports**: of the projects that owe reports under the Charity Law's clock
   (``disclosure.selectors.reporting``: Art. 79 progress and final reports, Art. 72 receipts),
   how many have no overdue deadline today.
2. **Disclosure completeness**: the mean of three shares: projects with a published budget;
   projects with at least one published report; and, of the projects past fundraising that
   received money, those with at least one paid disbursement and evidence on every paid one.
3. **Spending ratio**: paid disbursements ÷ funds received (donations + matching − refunds), from
   ``disclosure.selectors.spending.project_financial_summary``.
4. **Complaints upheld**: complaints about its projects upheld in the last 365 days.

The score (:func:`score_of`) is ``100 × Σ(weight × value) ÷ Σ(weight)`` over the measured facts,
rounded half up, with weights reports 30, completeness 30, spending 20, complaints 20. Values are
shares from 0 to 1: the spending ratio counts at most 1, and complaints count
``max(0, 1 − upheld ÷ 4)`` (each upheld complaint costs a quarter). A fact with nothing to
measure (no project owes a report yet, no money received) is left out, and the weights of the
others carry the score; with nothing but complaints measured there is no score. Exact fractions,
no floating point.
"""

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from math import floor

from django.db.models import Exists, F, OuterRef, QuerySet

from commonweal.disclosure.models.complaints import Complaint, ComplaintStatus, OrgScorecard
from commonweal.disclosure.models.spending import Disbursement, DisbursementStatus, Evidence
from commonweal.disclosure.selectors.reporting import clocks_of
from commonweal.disclosure.selectors.spending import project_financial_summary
from commonweal.orgs.models import Organization
from commonweal.projects.models import BudgetLine, Project, ProjectStatus, ProjectUpdate
from commonweal.projects.permissions import PUBLIC_STATUSES

__all__ = [
    "WEIGHTS",
    "COMPLAINTS_TO_ZERO",
    "COMPLAINT_WINDOW_DAYS",
    "ScorecardFacts",
    "Component",
    "Scorecard",
    "component_values",
    "score_of",
    "scorecard_measure",
    "org_scorecard",
]

WEIGHTS: dict[str, int] = {"reports": 30, "completeness": 30, "spending": 20, "complaints": 20}
"""Points of each fact when every fact is measured (they add up to 100)."""
COMPLAINTS_TO_ZERO = 4
"""Upheld complaints in the window that take the complaints fact to 0."""
COMPLAINT_WINDOW_DAYS = 365
"""Complaints upheld within this many days count."""
PAST_FUNDRAISING = (ProjectStatus.EXECUTING, ProjectStatus.COMPLETED, ProjectStatus.CLOSED)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScorecardFacts:
    """What was counted for one organization (the columns of :class:`OrgScorecard`)."""

    clock_projects: int = 0
    """Public projects that owe reports under the Charity Law's clock."""
    clock_on_time: int = 0
    """Of those, projects with no overdue deadline."""
    public_projects: int = 0
    """Public projects the organization runs."""
    with_budget: int = 0
    """Public projects with at least one budget line."""
    with_reports: int = 0
    """Public projects with at least one published report or update."""
    spending_projects: int = 0
    """Public projects past fundraising that received money."""
    with_evidenced_spending: int = 0
    """Of those, projects with a paid disbursement and evidence on every paid one."""
    net_received_fen: int = 0
    """Funds received by the public projects: donations + matching − refunds."""
    spent_fen: int = 0
    """Paid disbursements of the public projects."""
    complaints_upheld: int = 0
    """Complaints about its projects upheld in the last 365 days."""

    @classmethod
    def of(cls, card: OrgScorecard) -> "ScorecardFacts":
        return cls(**{name: getattr(card, name) for name in cls.__dataclass_fields__})


def _share(numerator: int, denominator: int) -> Fraction | None:
    return Fraction(numerator, denominator) if denominator else None


def component_values(facts: ScorecardFacts) -> dict[str, Fraction | None]:
    """Each fact as a value from 0 to 1, or None when there is nothing to measure."""
    shares = [
        share for share in (
            _share(facts.with_budget, facts.public_projects),
            _share(facts.with_reports, facts.public_projects),
            _share(facts.with_evidenced_spending, facts.spending_projects),
        ) if share is not None
    ]
    spending = None
    if facts.net_received_fen > 0:
        spending = min(Fraction(facts.spent_fen, facts.net_received_fen), Fraction(1))
    return {
        "reports": _share(facts.clock_on_time, facts.clock_projects),
        "completeness": sum(shares, Fraction(0)) / len(shares) if shares else None,
        "spending": spending,
        "complaints": max(Fraction(0), 1 - Fraction(facts.complaints_upheld, COMPLAINTS_TO_ZERO)),
    }


def score_of(facts: ScorecardFacts) -> int | None:
    """The score 0–100 (see the module docstring), or None with nothing but complaints measured."""
    measured = {name: value for name, value in component_values(facts).items() if value is not None}
    if set(measured) <= {"complaints"}:
        return None
    weight = sum(WEIGHTS[name] for name in measured)
    exact = Fraction(100) * sum(WEIGHTS[name] * value for name, value in measured.items()) / weight
    return floor(exact + Fraction(1, 2))


def _public_projects(org: Organization) -> QuerySet[Project]:
    return Project.objects.filter(org=org, status__in=PUBLIC_STATUSES)


def scorecard_measure(*, org: Organization, today: dt.date, now: dt.datetime) -> ScorecardFacts:
    """Count the facts for ``org`` as of ``today`` (a batch read: a few queries plus one per
    public project for its financial summary)."""
    paid = Disbursement.objects.filter(project=OuterRef("pk"), status=DisbursementStatus.PAID)
    paid_without_evidence = paid.exclude(Exists(Evidence.objects.filter(disbursement=OuterRef("pk"))))
    projects = list(
        _public_projects(org)
        .annotate(
            has_budget=Exists(BudgetLine.objects.filter(project=OuterRef("pk"))),
            has_report=Exists(ProjectUpdate.objects.filter(project=OuterRef("pk"))),
            has_paid=Exists(paid),
            has_unevidenced=Exists(paid_without_evidence),
            net=F("raised_fen") - F("refunded_fen"),
        )
        .prefetch_related("budget_lines")
        .order_by("pk")
    )
    spending = [p for p in projects if p.status in PAST_FUNDRAISING and p.net > 0]
    clocks = list(clocks_of(_public_projects(org), today=today))
    summaries = [project_financial_summary(p) for p in projects]
    upheld_since = now - dt.timedelta(days=COMPLAINT_WINDOW_DAYS)
    return ScorecardFacts(
        clock_projects=len(clocks),
        clock_on_time=sum(1 for _project, found in clocks if not any(d.overdue for d in found)),
        public_projects=len(projects),
        with_budget=sum(1 for p in projects if p.has_budget),
        with_reports=sum(1 for p in projects if p.has_report),
        spending_projects=len(spending),
        with_evidenced_spending=sum(1 for p in spending if p.has_paid and not p.has_unevidenced),
        net_received_fen=sum(s.net_fen for s in summaries),
        spent_fen=sum(s.spent_fen for s in summaries),
        complaints_upheld=Complaint.objects.filter(
            org=org, status=ComplaintStatus.UPHELD, decided_at__gte=upheld_since
        ).count(),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Component:
    """One fact as the page explains it."""

    name: str
    """Key in :data:`WEIGHTS`."""
    weight: int
    """Points when every fact is measured."""
    percent: int | None
    """The value as a whole percentage (rounded half up), None when not measured."""
    points: int | None
    """What it contributes to the score as shown (rounded), None when not measured."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Scorecard:
    """A stored scorecard with its facts, values and the contribution of each."""

    card: OrgScorecard
    """The stored row (score, facts, when computed)."""
    facts: ScorecardFacts
    """The facts as counted."""
    components: dict[str, Component]
    """By name: reports, completeness, spending, complaints."""
    budget_percent: int | None
    """Share of public projects with a budget, as a percentage."""
    reports_percent: int | None
    """Share of public projects with a report."""
    evidence_percent: int | None
    """Share of spending projects with evidenced paid disbursements."""
    spending_ratio_percent: int | None
    """Paid ÷ received as a percentage, not capped (may exceed 100)."""


def _percent(value: Fraction | None) -> int | None:
    return None if value is None else floor(value * 100 + Fraction(1, 2))


def org_scorecard(*, org: Organization) -> Scorecard | None:
    """The organization's stored scorecard for the pages (one query), or None if never computed."""
    card = OrgScorecard.objects.filter(org=org).first()
    if card is None:
        return None
    facts = ScorecardFacts.of(card)
    values = component_values(facts)
    measured = sum(WEIGHTS[name] for name, value in values.items() if value is not None)
    components = {
        name: Component(
            name=name, weight=WEIGHTS[name], percent=_percent(value),
            points=None if value is None or card.score is None else floor(Fraction(100 * WEIGHTS[name]) * value / measured + Fraction(1, 2)),
        )
        for name, value in values.items()
    }
    return Scorecard(
        card=card, facts=facts, components=components,
        budget_percent=_percent(_share(facts.with_budget, facts.public_projects)),
        reports_percent=_percent(_share(facts.with_reports, facts.public_projects)),
        evidence_percent=_percent(_share(facts.with_evidenced_spending, facts.spending_projects)),
        spending_ratio_percent=_percent(Fraction(facts.spent_fen, facts.net_received_fen)) if facts.net_received_fen > 0 else None,
    )
