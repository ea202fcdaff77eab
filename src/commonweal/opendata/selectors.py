"""Reads for the exports: what is public, in batches of bounded size.

Every export walks its rows with :func:`batches` (keyset pagination on the primary key), and
loads what each batch of projects needs in a fixed number of grouped queries
(:func:`project_batch_facts`), so memory depends on the batch size, never on the row count,
and the query count grows by a constant per batch.

Public means what the site already shows: projects in ``projects.permissions.PUBLIC_STATUSES``,
organizations that are verified or run or receive funds for a public project (as
``projects.selectors.org_get_public``), donations and refunds of public projects, paid or approved
disbursements, and the program office's funds, commitments and payments.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from commonweal.core.timeutil import SHANGHAI
from commonweal.disclosure.models.spending import Disbursement, DisbursementStatus
from commonweal.giving.models import Donation, Refund
from commonweal.orgs.models import Organization, VerificationStatus
from commonweal.projects.models import BudgetLine, Project, ProjectUpdate, ReportKind
from commonweal.projects.permissions import PUBLIC_STATUSES

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "MonthTotal",
    "ProjectFacts",
    "batches",
    "public_projects",
    "public_orgs",
    "public_donations",
    "public_refunds",
    "public_disbursements",
    "project_batch_facts",
]

DEFAULT_BATCH_SIZE = 500
"""Rows per batch: memory is proportional to this, not to the table."""


def batches(queryset: QuerySet, *, size: int = DEFAULT_BATCH_SIZE) -> Iterator[list]:
    """Yield lists of at most ``size`` rows of ``queryset`` in primary-key order.

    Keyset pagination on the whole table's primary key: each step takes the next ``size``
    primary keys of the table (an index range scan, whatever ``queryset`` filters on), then the
    rows of ``queryset`` in that range. Filtering first and paginating the filtered rows would
    let the database pick the filter's index and sort every matching row again for each page
    (quadratic in the table). Empty pages are skipped. The first page is read before the rest
    of the table is touched, which is what lets a response start streaming at once.
    """
    keys = queryset.model._base_manager.order_by("pk").values_list("pk", flat=True)
    last = None
    while True:
        window = list((keys if last is None else keys.filter(pk__gt=last))[:size])
        if not window:
            return
        rows = list(queryset.filter(pk__gte=window[0], pk__lte=window[-1]).order_by("pk"))
        if rows:
            yield rows
        if len(window) < size:
            return
        last = window[-1]


def public_projects() -> QuerySet[Project]:
    return Project.objects.filter(status__in=PUBLIC_STATUSES).select_related("org", "partner_org")


def public_orgs() -> QuerySet[Organization]:
    has_public_project = Project.objects.filter(status__in=PUBLIC_STATUSES).filter(
        Q(org=OuterRef("pk")) | Q(partner_org=OuterRef("pk"))
    )
    return Organization.objects.filter(Q(verification_status=VerificationStatus.VERIFIED) | Exists(has_public_project))


def public_donations() -> QuerySet[Donation]:
    return Donation.objects.filter(project__status__in=PUBLIC_STATUSES).select_related("project", "recipient_org")


def public_refunds() -> QuerySet[Refund]:
    return Refund.objects.filter(donation__project__status__in=PUBLIC_STATUSES).select_related("donation__project")


PUBLISHED_DISBURSEMENT_STATUSES = (DisbursementStatus.APPROVED, DisbursementStatus.PAID)
"""Approved disbursements are commitments; paid ones are also spending."""


def public_disbursements() -> QuerySet[Disbursement]:
    return Disbursement.objects.filter(
        project__status__in=PUBLIC_STATUSES, status__in=PUBLISHED_DISBURSEMENT_STATUSES
    ).select_related("project", "budget_line")


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthTotal:
    """Money of one kind in one calendar month (Beijing time)."""

    month: dt.date
    """First day of the month."""
    last_on: dt.date
    """Date of the last event in the month (the transaction date)."""
    count: int
    """Number of events summed."""
    amount_fen: int
    """Their total."""


@dataclass(slots=True, kw_only=True)
class ProjectFacts:
    """What one project's activity needs beyond the project row."""

    budget_fen: int = 0
    """Sum of the budget lines (0 when there are none)."""
    final_report: bool = False
    """Whether a final report is published (a completed project is then closed in IATI terms)."""
    donations: list[MonthTotal] = field(default_factory=list)
    refunds: list[MonthTotal] = field(default_factory=list)
    disbursements: list[Disbursement] = field(default_factory=list)
    """Approved and paid disbursements, oldest first."""
    extra: dict = field(default_factory=dict)
    """Facts from the apps above (fund payments received, indicators), keyed by name."""


def _local_date(value: dt.datetime | dt.date) -> dt.date:
    return value.astimezone(SHANGHAI).date() if isinstance(value, dt.datetime) else value


def _months(queryset: QuerySet, *, project_path: str, time_field: str) -> dict[int, list[MonthTotal]]:
    rows = (
        queryset.annotate(month=TruncMonth(time_field, tzinfo=SHANGHAI))
        .values(project_path, "month")
        .annotate(total=Sum("amount_fen"), n=Count("pk"), last=Max(time_field))
        .order_by(project_path, "month")
    )
    out: dict[int, list[MonthTotal]] = defaultdict(list)
    for row in rows:
        out[row[project_path]].append(MonthTotal(
            month=_local_date(row["month"]).replace(day=1), last_on=_local_date(row["last"]),
            count=row["n"], amount_fen=row["total"],
        ))
    return out


def project_batch_facts(projects: list[Project]) -> dict[int, ProjectFacts]:
    """:class:`ProjectFacts` for a batch of projects, in five queries whatever the batch size."""
    ids = [p.pk for p in projects]
    facts = {pk: ProjectFacts() for pk in ids}
    for row in BudgetLine.objects.filter(project_id__in=ids).values("project_id").annotate(total=Sum("amount_fen")).order_by():
        facts[row["project_id"]].budget_fen = row["total"]
    finals = ProjectUpdate.objects.filter(project_id__in=ids, kind=ReportKind.FINAL).values_list("project_id", flat=True)
    for pk in set(finals):
        facts[pk].final_report = True
    for pk, months in _months(Donation.objects.filter(project_id__in=ids), project_path="project_id", time_field="confirmed_at").items():
        facts[pk].donations = months
    refunds = Refund.objects.filter(donation__project_id__in=ids)
    for pk, months in _months(refunds, project_path="donation__project_id", time_field="created_at").items():
        facts[pk].refunds = months
    spending = Disbursement.objects.filter(project_id__in=ids, status__in=PUBLISHED_DISBURSEMENT_STATUSES).order_by("approved_at", "pk")
    for disbursement in spending:
        facts[disbursement.project_id].disbursements.append(disbursement)
    return facts


def latest_validation_runs() -> dict:
    """The last recorded validation run of each dataset (``opendata.ValidationRun``), by dataset."""
    from commonweal.opendata.models import Dataset, ValidationRun

    return {dataset: ValidationRun.objects.filter(dataset=dataset).order_by("-checked_at", "-pk").first()
            for dataset in Dataset.values}
