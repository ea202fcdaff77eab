"""Reads for donation receipts and annual statements: the donor's, the organization's, the public check.

Only the donor sees their receipts and statements; only the recipient organization's console
sees its queue (views resolve the organization first); the public verification page shows a
receipt's number, organization, amount, date and status, with the donor's name masked.
"""

from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, QuerySet, Sum
from django.db.models.functions import ExtractYear

from commonweal.core.errors import NotFound
from commonweal.core.identifiers import is_public_id
from commonweal.core.timeutil import SHANGHAI
from commonweal.giving.models import Donation, DonationReceipt, DonationReceiptLine, ReceiptStatus
from commonweal.giving.services.receipts import year_bounds
from commonweal.orgs.models import Organization

__all__ = [
    "UnreceiptedYear",
    "StatementGift",
    "StatementOrg",
    "Statement",
    "live_receipt_lines",
    "donor_receipts",
    "receipt_get_for_donor",
    "receipt_get_for_org",
    "receipt_get_public",
    "donation_get_for_donor",
    "donation_live_receipt",
    "donor_unreceipted_years",
    "donor_statement_years",
    "donor_statement",
    "org_receipt_queue",
    "org_receipts_done",
]


def live_receipt_lines() -> Prefetch:
    """Prefetch for ``Donation.receipt_lines``: only lines of requested or issued receipts."""
    return Prefetch(
        "receipt_lines",
        queryset=DonationReceiptLine.objects.filter(live=True).select_related("receipt"),
    )


def _with_lines(queryset: QuerySet[DonationReceipt]) -> QuerySet[DonationReceipt]:
    return queryset.select_related("org", "void_refund").prefetch_related(
        Prefetch("lines", queryset=DonationReceiptLine.objects.select_related("donation__project").order_by("donation__confirmed_at", "pk"))
    )


def donor_receipts(*, donor) -> QuerySet[DonationReceipt]:
    """The donor's receipts and requests, newest first, with their organizations."""
    return (
        DonationReceipt.objects.filter(donor=donor).select_related("org")
        .annotate(gift_count=Count("lines")).order_by("-requested_at", "-pk")
    )


def receipt_get_for_donor(*, donor, public_id: str) -> DonationReceipt:
    """One of the donor's own receipts with its gifts; anyone else's is NotFound."""
    receipt = None
    if is_public_id(public_id) and getattr(donor, "is_authenticated", False):
        receipt = _with_lines(DonationReceipt.objects.filter(donor=donor, public_id=public_id)).first()
    if receipt is None:
        raise NotFound(f"no receipt {public_id!r}")
    return receipt


def receipt_get_for_org(*, org: Organization, public_id: str) -> DonationReceipt:
    """A receipt the organization issues (or was asked for); another organization's is NotFound."""
    receipt = _with_lines(DonationReceipt.objects.filter(org=org, public_id=public_id)).first() if is_public_id(public_id) else None
    if receipt is None:
        raise NotFound(f"no receipt {public_id!r} in this organization")
    return receipt


def receipt_get_public(*, public_id: str) -> DonationReceipt:
    """A numbered receipt (issued, or issued and later void) for the public check; requests are NotFound."""
    receipt = None
    if is_public_id(public_id):
        receipt = DonationReceipt.objects.select_related("org").filter(public_id=public_id, number__isnull=False).first()
    if receipt is None:
        raise NotFound(f"no receipt {public_id!r}")
    return receipt


def donation_get_for_donor(*, donor, public_id: str) -> Donation:
    """One of the donor's gifts with its project, recipient and live receipt lines."""
    donation = None
    if is_public_id(public_id) and getattr(donor, "is_authenticated", False):
        donation = (
            Donation.objects.filter(donor=donor, public_id=public_id)
            .select_related("project", "recipient_org").prefetch_related(live_receipt_lines()).first()
        )
    if donation is None:
        raise NotFound(f"no donation {public_id!r} among your gifts")
    return donation


def donation_live_receipt(donation: Donation) -> DonationReceipt | None:
    """The requested or issued receipt covering the gift (from the prefetched lines), if any."""
    lines = list(donation.receipt_lines.all())
    return lines[0].receipt if lines else None


@dataclass(frozen=True, slots=True, kw_only=True)
class UnreceiptedYear:
    """Gifts of one year to one organization that no receipt or request covers yet."""

    org: Organization
    """The organization that received the gifts and issues the receipt."""
    year: int
    """Calendar year in Beijing time."""
    gift_count: int
    """Number of such gifts with something left after refunds."""
    net_fen: int
    """Their total, net of refunds, in fen."""


def donor_unreceipted_years(*, donor) -> list[UnreceiptedYear]:
    """(organization, year) pairs the donor can still ask a year receipt for, newest year first."""
    rows = list(
        Donation.objects.filter(donor=donor, refunded_fen__lt=F("amount_fen"))
        .exclude(pk__in=DonationReceiptLine.objects.filter(live=True).values("donation_id"))
        .annotate(year=ExtractYear("confirmed_at", tzinfo=SHANGHAI))
        .values("recipient_org", "year")
        .annotate(n=Count("pk"), amount=Sum("amount_fen"), refunded=Sum("refunded_fen"))
        .order_by("-year", "recipient_org")
    )
    orgs = Organization.objects.in_bulk([row["recipient_org"] for row in rows])
    return [
        UnreceiptedYear(org=orgs[row["recipient_org"]], year=row["year"], gift_count=row["n"],
                        net_fen=row["amount"] - row["refunded"])
        for row in rows
    ]


def donor_statement_years(*, donor) -> list[int]:
    """Years (Beijing time) in which the donor gave, newest first."""
    years = (
        Donation.objects.filter(donor=donor).annotate(year=ExtractYear("confirmed_at", tzinfo=SHANGHAI))
        .values_list("year", flat=True).distinct().order_by("-year")
    )
    return list(years)


@dataclass(frozen=True, slots=True, kw_only=True)
class StatementGift:
    """One gift on an annual statement."""

    donation: Donation
    """The gift, with its project."""
    net_fen: int
    """Amount less refunds, in fen."""
    receipt_number: str
    """Number of the issued receipt covering it, or ""."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StatementOrg:
    """The gifts of the year to one organization, with subtotals."""

    org: Organization
    """The organization that received the gifts."""
    gifts: list[StatementGift] = field(default_factory=list)
    """Oldest first."""
    amount_fen: int = 0
    """Sum of the gifts as given."""
    refunded_fen: int = 0
    """Sum refunded."""
    net_fen: int = 0
    """``amount_fen - refunded_fen``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Statement:
    """A donor's annual statement: every gift of a year across organizations, with totals."""

    year: int
    """Calendar year in Beijing time."""
    orgs: list[StatementOrg]
    """One section per organization, by name."""
    gift_count: int
    """Number of gifts."""
    amount_fen: int
    """Total given, in fen."""
    refunded_fen: int
    """Total refunded, in fen."""
    net_fen: int
    """Total net of refunds, in fen."""


def donor_statement(*, donor, year: int) -> Statement:
    """All the donor's gifts of ``year`` (Beijing time) across organizations (two queries)."""
    start, end = year_bounds(year)
    donations = list(
        Donation.objects.filter(donor=donor, confirmed_at__gte=start, confirmed_at__lt=end)
        .select_related("project", "recipient_org")
        .prefetch_related(
            Prefetch("receipt_lines", queryset=DonationReceiptLine.objects.filter(live=True, receipt__status=ReceiptStatus.ISSUED).select_related("receipt"))
        )
        .order_by("confirmed_at", "pk")
    )
    sections: dict[int, dict] = {}
    for d in donations:
        section = sections.setdefault(d.recipient_org_id, {"org": d.recipient_org, "gifts": [], "amount": 0, "refunded": 0})
        lines = list(d.receipt_lines.all())
        section["gifts"].append(StatementGift(donation=d, net_fen=d.net_fen, receipt_number=lines[0].receipt.number if lines else ""))
        section["amount"] += d.amount_fen
        section["refunded"] += d.refunded_fen
    orgs = [
        StatementOrg(org=s["org"], gifts=s["gifts"], amount_fen=s["amount"], refunded_fen=s["refunded"], net_fen=s["amount"] - s["refunded"])
        for s in sorted(sections.values(), key=lambda s: (s["org"].name_zh, s["org"].pk))
    ]
    amount = sum(s.amount_fen for s in orgs)
    refunded = sum(s.refunded_fen for s in orgs)
    return Statement(year=year, orgs=orgs, gift_count=len(donations), amount_fen=amount, refunded_fen=refunded, net_fen=amount - refunded)


def org_receipt_queue(*, org: Organization) -> QuerySet[DonationReceipt]:
    """Requests awaiting the organization's finance, oldest first."""
    return (
        DonationReceipt.objects.filter(org=org, status=ReceiptStatus.REQUESTED)
        .annotate(gift_count=Count("lines")).order_by("requested_at", "pk")
    )


def org_receipts_done(*, org: Organization) -> QuerySet[DonationReceipt]:
    """Issued and void receipts, newest first."""
    return (
        DonationReceipt.objects.filter(org=org).exclude(status=ReceiptStatus.REQUESTED)
        .annotate(gift_count=Count("lines")).order_by(F("issued_at").desc(nulls_last=True), "-requested_at", "-pk")
    )
