"""Reads about spending: the console's disbursement lists, a project's financial summary (the
public disclosure block, the CSV, the chart, the API, and the donor's pre-payment confirmation)
and an organization's annual report.

Query counts are fixed per call, whatever the number of disbursements or budget lines:
:func:`project_financial_summary` makes one query (two if the project's budget lines were not
prefetched), :func:`project_paid_disbursements` one, :func:`org_annual_report` four (plus what
the reporting selectors need for the compliance state).
"""

import datetime as dt
import importlib
import importlib.util
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum, prefetch_related_objects

from commonweal.core.errors import NotFound
from commonweal.core.identifiers import is_public_id
from commonweal.core.money import CURRENCY
from commonweal.core.timeutil import SHANGHAI
from commonweal.disclosure.models.spending import (
    CHARITABLE_KINDS,
    MANAGEMENT_KINDS,
    Disbursement,
    DisbursementKind,
    DisbursementStatus,
    Evidence,
)
from commonweal.disclosure.spending_lifecycle import ADMIN_FINANCE
from commonweal.giving.models import Donation, Refund
from commonweal.ledger.models import OutboxEntry
from commonweal.orgs.models import Organization, OrgType
from commonweal.orgs.permissions import member_role
from commonweal.projects.models import Project, ProjectStatus
from commonweal.projects.permissions import PUBLIC_STATUSES

__all__ = [
    "MATCHED_SOURCES",
    "SPENDING_STATUSES",
    "COMMITTED_STATUSES",
    "LEDGER_PROJECT_PATH",
    "LEDGER_ENTRY_PATH",
    "ART61_CHARITABLE_MIN_PERCENT",
    "ART61_MANAGEMENT_MAX_PERCENT",
    "BudgetLineFigures",
    "ProjectFinancialSummary",
    "PaidDisbursement",
    "OverspendProblem",
    "Ratio",
    "KindFigure",
    "AnnualProjectRow",
    "AnnualReport",
    "access_disbursement_by_public_id",
    "disbursement_evidence",
    "org_disbursements",
    "org_spending_projects",
    "project_disbursements",
    "project_matched_fen",
    "matched_by_project",
    "project_financial_summary",
    "project_financial_summaries",
    "project_paid_disbursements",
    "disbursement_limit_problems",
    "ledger_project_url",
    "ledger_entry_url",
    "org_annual_report",
    "annual_report_years",
]

SPENDING_STATUSES = frozenset({ProjectStatus.FUNDRAISING, ProjectStatus.EXECUTING, ProjectStatus.COMPLETED})
"""Project statuses in which disbursements can be recorded."""

COMMITTED_STATUSES = (DisbursementStatus.APPROVED, DisbursementStatus.PAID)
"""Disbursements that count against a budget line and the funds received."""

LEDGER_PROJECT_PATH = "/ledger/projects/{public_id}/"
"""The public ledger explorer's page of one project's entries (docs/ledger.md, "Public pages")."""
LEDGER_ENTRY_PATH = "/ledger/entries/{index}/"
"""The public ledger explorer's page of one entry, by log index (docs/ledger.md)."""

ART61_CHARITABLE_MIN_PERCENT = 70
"""Charity Law Art. 61: foundations spend at least 70% on charitable activity."""
ART61_MANAGEMENT_MAX_PERCENT = 10
"""Charity Law Art. 61: foundations spend at most 10% on management."""

MatchedSource = Callable[[list[int]], dict[int, int]]
MATCHED_SOURCES: list[MatchedSource] = []
"""Functions returning the matched funds credited to projects, in fen, keyed by project pk (one
query for any number of projects). The matching app appends its own (in its
``AppConfig.ready``), so summaries add up what exists; without it ``matched_fen`` is 0."""


def ledger_project_url(project_public_id: str) -> str:
    return LEDGER_PROJECT_PATH.format(public_id=project_public_id)


def ledger_entry_url(index: int | None) -> str | None:
    """The explorer page of a sequenced entry; None while it waits for the sequencer."""
    return None if index is None else LEDGER_ENTRY_PATH.format(index=index)


# --- console reads ----------------------------------------------------------------------------

def access_disbursement_by_public_id(actor, public_id: str, *, roles=ADMIN_FINANCE) -> Disbursement:
    """A disbursement the actor may see in the console (a member of its project's organization
    with one of ``roles``); a missing one and a forbidden one both raise NotFound."""
    found = None
    if is_public_id(public_id):
        found = (
            Disbursement.objects.select_related(
                "project", "project__org", "budget_line", "created_by", "approved_by", "rejected_by", "paid_by",
                "overspend_by",
            )
            .filter(public_id=public_id)
            .first()
        )
    if found is None or member_role(actor, found.project.org) not in roles:
        raise NotFound(f"no disbursement {str(public_id)[:40]!r} in your console")
    return found


def _console_rows() -> QuerySet[Disbursement]:
    return Disbursement.objects.select_related("project", "budget_line", "created_by", "approved_by")


def org_disbursements(*, org: Organization, status: str | None = None) -> QuerySet[Disbursement]:
    """The organization's disbursements, newest first, optionally of one status."""
    rows = _console_rows().filter(project__org=org)
    if status:
        rows = rows.filter(status=status)
    return rows


def project_disbursements(*, project: Project) -> QuerySet[Disbursement]:
    return _console_rows().filter(project=project)


def org_spending_projects(*, org: Organization) -> QuerySet[Project]:
    """The organization's projects that can record disbursements."""
    return Project.objects.filter(org=org, status__in=SPENDING_STATUSES).order_by("-created_at")


def disbursement_evidence(*, disbursement: Disbursement) -> list[Evidence]:
    return list(disbursement.evidence.select_related("uploaded_by"))


# --- a project's finances ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class BudgetLineFigures:
    """One budget line with what was spent on it."""

    position: int
    """The line's position in the project's budget: its id in the ledger and the CSV."""
    name: str
    """The budget item as the organization published it."""
    budget_fen: int
    """The amount budgeted."""
    spent_fen: int
    """Paid disbursements on this line."""
    approved_fen: int
    """Approved disbursements not yet paid."""
    paid_count: int
    """Number of paid disbursements on this line."""

    @property
    def remaining_fen(self) -> int:
        return self.budget_fen - self.spent_fen

    @property
    def over_budget(self) -> bool:
        return self.spent_fen > self.budget_fen


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectFinancialSummary:
    """What a project received and spent, in fen, from the records the ledger entries mirror."""

    project: str
    """Public id of the project."""
    currency: str
    """ISO 4217 currency of every amount ("CNY")."""
    raised_fen: int
    """Donations confirmed, before refunds."""
    refunded_fen: int
    """Refunds paid back to donors."""
    matched_fen: int
    """Matching funds credited to the project (0 until the matching app exists)."""
    net_fen: int
    """Funds received: raised − refunded + matched. The page calls this "raised"."""
    spent_fen: int
    """Paid disbursements."""
    approved_fen: int
    """Approved disbursements awaiting payment."""
    balance_fen: int
    """Funds received minus spent."""
    budget_fen: int
    """Sum of the budget lines."""
    paid_count: int
    """Number of paid disbursements."""
    lines: tuple[BudgetLineFigures, ...]
    """Per budget line, in budget order."""


def matched_by_project(project_ids: list[int]) -> dict[int, int]:
    totals: dict[int, int] = {}
    for source in MATCHED_SOURCES:
        for pk, fen in source(project_ids).items():
            totals[pk] = totals.get(pk, 0) + fen
    return totals


def project_matched_fen(project: Project) -> int:
    return matched_by_project([project.pk]).get(project.pk, 0)


def _summary(project: Project, by_line: dict[int, dict], matched: int) -> ProjectFinancialSummary:
    empty = {"spent": 0, "approved": 0, "paid_count": 0}
    lines = tuple(
        BudgetLineFigures(
            position=line.position,
            name=line.name,
            budget_fen=line.amount_fen,
            spent_fen=by_line.get(line.pk, empty)["spent"],
            approved_fen=by_line.get(line.pk, empty)["approved"],
            paid_count=by_line.get(line.pk, empty)["paid_count"],
        )
        for line in project.budget_lines.all()
    )
    net = project.raised_fen - project.refunded_fen + matched
    spent = sum(line.spent_fen for line in lines)
    return ProjectFinancialSummary(
        project=project.public_id,
        currency=CURRENCY,
        raised_fen=project.raised_fen,
        refunded_fen=project.refunded_fen,
        matched_fen=matched,
        net_fen=net,
        spent_fen=spent,
        approved_fen=sum(line.approved_fen for line in lines),
        balance_fen=net - spent,
        budget_fen=sum(line.budget_fen for line in lines),
        paid_count=sum(line.paid_count for line in lines),
        lines=lines,
    )


def _committed_by_line(project_ids: list[int]) -> dict[int, dict]:
    """Paid and approved sums per budget line of these projects (one query)."""
    paid, approved = Q(status=DisbursementStatus.PAID), Q(status=DisbursementStatus.APPROVED)
    rows = (
        Disbursement.objects.filter(project_id__in=project_ids, status__in=COMMITTED_STATUSES)
        .values("budget_line_id")
        .annotate(
            spent=Sum("amount_fen", filter=paid, default=0),
            approved=Sum("amount_fen", filter=approved, default=0),
            paid_count=Count("pk", filter=paid),
        )
        .order_by()
    )
    return {row["budget_line_id"]: row for row in rows}


def project_financial_summary(project: Project) -> ProjectFinancialSummary:
    """The project's figures: one aggregate query over its disbursements, plus its budget lines
    unless they were prefetched (``projects.selectors.project_get_public`` prefetches them).
    Budget lines are disbursed against their own project only, so every line found is this
    project's."""
    return _summary(project, _committed_by_line([project.pk]), project_matched_fen(project))


def project_financial_summaries(projects) -> dict[int, ProjectFinancialSummary]:
    """:func:`project_financial_summary` for many projects, keyed by project pk, in two queries
    whatever their number (prefetch ``budget_lines`` to make it one), plus one per matched-funds
    source."""
    projects = list(projects)
    if any("budget_lines" not in getattr(p, "_prefetched_objects_cache", {}) for p in projects):
        prefetch_related_objects(projects, "budget_lines")
    by_line = _committed_by_line([p.pk for p in projects]) if projects else {}
    matched = matched_by_project([p.pk for p in projects]) if projects and MATCHED_SOURCES else {}
    return {p.pk: _summary(p, by_line, matched.get(p.pk, 0)) for p in projects}


@dataclass(frozen=True, slots=True, kw_only=True)
class PaidDisbursement:
    """A paid disbursement as the public sees it: no description, no people."""

    public_id: str
    """The disbursement's id, also the ``id`` of its ledger entry."""
    kind: str
    """One of :class:`DisbursementKind`."""
    kind_label: str
    """The kind in the active language."""
    budget_line_position: int
    budget_line_name: str
    amount_fen: int
    paid_at: dt.datetime
    log_index: int | None
    """Index of its entry in the public log; None until the sequencer appends it."""

    @property
    def ledger_url(self) -> str | None:
        return ledger_entry_url(self.log_index)


def project_paid_disbursements(*, project: Project, limit: int | None = None) -> list[PaidDisbursement]:
    """Paid disbursements, newest first, each with its log index (one query)."""
    log_index = OutboxEntry.objects.filter(entry_type="disbursement", subject_id=OuterRef("public_id")).values("log_index")[:1]
    rows = (
        Disbursement.objects.filter(project=project, status=DisbursementStatus.PAID)
        .select_related("budget_line")
        .only("public_id", "kind", "amount_fen", "paid_at", "budget_line__position", "budget_line__name")
        .annotate(log_index=Subquery(log_index))
        .order_by("-paid_at", "-pk")
    )
    if limit is not None:
        rows = rows[:limit]
    return [
        PaidDisbursement(
            public_id=d.public_id,
            kind=d.kind,
            kind_label=str(DisbursementKind(d.kind).label),
            budget_line_position=d.budget_line.position,
            budget_line_name=d.budget_line.name,
            amount_fen=d.amount_fen,
            paid_at=d.paid_at,
            log_index=d.log_index,
        )
        for d in rows
    ]


@dataclass(frozen=True, slots=True, kw_only=True)
class OverspendProblem:
    """One limit a disbursement would break."""

    limit: str
    """"budget_line" or "funds"."""
    limit_fen: int
    """The budget line's amount, or the funds received."""
    total_fen: int
    """Approved and paid spending against that limit, with this disbursement."""
    line_name: str = ""
    """The budget line's name (for "budget_line")."""


def disbursement_limit_problems(*, project: Project, disbursement: Disbursement) -> tuple[OverspendProblem, ...]:
    """The limits that approved and paid spending would exceed with ``disbursement`` counted
    (once, whatever its status): its budget line, and the funds received. One query.

    ``disbursement_transition`` calls this under the project's row lock, so two approvals on
    one project are checked in turn; the console calls it to warn before anyone decides."""
    others = (
        Disbursement.objects.filter(project=project, status__in=COMMITTED_STATUSES)
        .exclude(pk=disbursement.pk)
        .aggregate(
            line=Sum("amount_fen", filter=Q(budget_line_id=disbursement.budget_line_id), default=0),
            total=Sum("amount_fen", default=0),
        )
    )
    line = disbursement.budget_line
    problems = []
    line_total = others["line"] + disbursement.amount_fen
    if line_total > line.amount_fen:
        problems.append(OverspendProblem(limit="budget_line", limit_fen=line.amount_fen, total_fen=line_total, line_name=line.name))
    funds = project.raised_fen - project.refunded_fen + project_matched_fen(project)
    total = others["total"] + disbursement.amount_fen
    if total > funds:
        problems.append(OverspendProblem(limit="funds", limit_fen=funds, total_fen=total))
    return tuple(problems)


# --- the annual report ------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class Ratio:
    """An exact ratio of two amounts in fen; compared with integers, never floats."""

    numerator_fen: int
    denominator_fen: int

    def at_least(self, percent: int) -> bool:
        return self.numerator_fen * 100 >= percent * self.denominator_fen

    def at_most(self, percent: int) -> bool:
        return self.numerator_fen * 100 <= percent * self.denominator_fen

    @property
    def permille(self) -> int:
        """Tenths of a percent, rounded down (so 69.99% never shows as 70.0%)."""
        return self.numerator_fen * 1000 // self.denominator_fen

    @property
    def percent_text(self) -> str:
        whole, tenth = divmod(self.permille, 10)
        return f"{whole}.{tenth}%"


@dataclass(frozen=True, slots=True, kw_only=True)
class KindFigure:
    kind: str
    label: str
    amount_fen: int
    charitable: bool
    """True for charitable activity, False for management cost."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AnnualProjectRow:
    project: Project
    status_label: str
    funds_in_fen: int
    """Donations − refunds in the year."""
    spent_fen: int
    """Paid disbursements in the year."""
    compliance: Any
    """What ``disclosure.selectors.reporting.project_compliance`` says, or None without it."""
    compliance_label: str
    compliance_overdue: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class AnnualReport:
    """An organization's money in and out of its projects in one calendar year (Beijing time)."""

    org: Organization
    year: int
    is_foundation: bool
    """Art. 61's thresholds are for foundations; other organizations see the ratios for reference."""
    donations_fen: int
    """Donations confirmed in the year to the organization's projects."""
    refunds_fen: int
    """Refunds recorded in the year on those donations (whenever they were given)."""
    funds_in_fen: int
    """donations − refunds."""
    previous_funds_in_fen: int
    """The same for the year before."""
    spent_fen: int
    """Disbursements paid in the year."""
    charitable_fen: int
    """Paid disbursements of a charitable kind (:data:`CHARITABLE_KINDS`)."""
    management_fen: int
    """Paid disbursements of a management kind (:data:`MANAGEMENT_KINDS`)."""
    by_kind: tuple[KindFigure, ...]
    charitable_ratio: Ratio | None
    """charitable spending ÷ funds in (same year); None when nothing came in."""
    management_ratio: Ratio | None
    """management cost ÷ all spending; None when nothing was spent."""
    projects: tuple[AnnualProjectRow, ...]

    @property
    def charitable_ok(self) -> bool | None:
        return None if self.charitable_ratio is None else self.charitable_ratio.at_least(ART61_CHARITABLE_MIN_PERCENT)

    @property
    def management_ok(self) -> bool | None:
        return None if self.management_ratio is None else self.management_ratio.at_most(ART61_MANAGEMENT_MAX_PERCENT)


def _year_start(year: int) -> dt.datetime:
    return dt.datetime(year, 1, 1, tzinfo=SHANGHAI)


def annual_report_years(*, today: dt.date) -> range:
    """The years an annual report can be asked for: 2000 to this year."""
    return range(2000, today.year + 1)


def _reporting_compliance() -> Callable[[Project], Any] | None:
    """``project_compliance`` from the reporting selectors, once that module exists."""
    name = "commonweal.disclosure.selectors.reporting"
    if importlib.util.find_spec(name) is None:
        return None
    return getattr(importlib.import_module(name), "project_compliance", None)


def _compliance_texts(value: Any) -> tuple[str, bool]:
    if value is None:
        return "", False
    label = getattr(value, "label", None) or getattr(value, "state_label", None) or str(value)
    return str(label), bool(getattr(value, "overdue", False))


def org_annual_report(*, org: Organization, year: int) -> AnnualReport:
    """Funds in and out of the organization's projects in ``year`` (four queries)."""
    start, end, previous = _year_start(year), _year_start(year + 1), _year_start(year - 1)
    in_year = Q(confirmed_at__gte=start, confirmed_at__lt=end)
    in_previous = Q(confirmed_at__gte=previous, confirmed_at__lt=start)
    donations = {
        row["project_id"]: row
        for row in Donation.objects.filter(project__org=org, confirmed_at__gte=previous, confirmed_at__lt=end)
        .values("project_id")
        .annotate(year=Sum("amount_fen", filter=in_year, default=0), before=Sum("amount_fen", filter=in_previous, default=0))
        .order_by()
    }
    refunds = {
        row["donation__project_id"]: row
        for row in Refund.objects.filter(donation__project__org=org, created_at__gte=previous, created_at__lt=end)
        .values("donation__project_id")
        .annotate(
            year=Sum("amount_fen", filter=Q(created_at__gte=start), default=0),
            before=Sum("amount_fen", filter=Q(created_at__lt=start), default=0),
        )
        .order_by()
    }
    spending: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        Disbursement.objects.filter(project__org=org, status=DisbursementStatus.PAID, paid_at__gte=start, paid_at__lt=end)
        .values("project_id", "kind")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    ):
        spending[row["project_id"]][row["kind"]] = row["total"]

    def _sum(rows: dict, key: str) -> int:
        return sum(row[key] for row in rows.values())

    donations_fen, refunds_fen = _sum(donations, "year"), _sum(refunds, "year")
    funds_in = donations_fen - refunds_fen
    previous_in = _sum(donations, "before") - _sum(refunds, "before")
    kind_totals = {kind: sum(per_project.get(kind, 0) for per_project in spending.values()) for kind in DisbursementKind.values}
    spent = sum(kind_totals.values())
    charitable = sum(kind_totals[kind] for kind in CHARITABLE_KINDS)
    management = sum(kind_totals[kind] for kind in MANAGEMENT_KINDS)

    compliance_of = _reporting_compliance()
    projects = []
    for project in Project.objects.filter(org=org, status__in=PUBLIC_STATUSES).order_by("-created_at", "-pk"):
        compliance = compliance_of(project) if compliance_of else None
        label, overdue = _compliance_texts(compliance)
        projects.append(
            AnnualProjectRow(
                project=project,
                status_label=str(ProjectStatus(project.status).label),
                funds_in_fen=donations.get(project.pk, {}).get("year", 0) - refunds.get(project.pk, {}).get("year", 0),
                spent_fen=sum(spending.get(project.pk, {}).values()),
                compliance=compliance,
                compliance_label=label,
                compliance_overdue=overdue,
            )
        )
    return AnnualReport(
        org=org,
        year=year,
        is_foundation=org.org_type == OrgType.FOUNDATION,
        donations_fen=donations_fen,
        refunds_fen=refunds_fen,
        funds_in_fen=funds_in,
        previous_funds_in_fen=previous_in,
        spent_fen=spent,
        charitable_fen=charitable,
        management_fen=management,
        by_kind=tuple(
            KindFigure(kind=kind, label=str(label), amount_fen=kind_totals[kind], charitable=kind in CHARITABLE_KINDS)
            for kind, label in DisbursementKind.choices
        ),
        charitable_ratio=Ratio(numerator_fen=charitable, denominator_fen=funds_in) if funds_in > 0 else None,
        management_ratio=Ratio(numerator_fen=management, denominator_fen=spent) if spent > 0 else None,
        projects=tuple(projects),
    )
