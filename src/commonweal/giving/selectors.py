"""Reads for the giving pages: public donor lists, intents awaiting payment, a donor's own gifts.

Donors are private by default (Charity Law Art. 82): anything shown to the public goes through
:func:`commonweal.core.privacy.public_donor_name`, and only the donor (signed in, or the browser
session that paid) may open a donation's own page.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Prefetch, Q, QuerySet, Sum

from commonweal.core.errors import NotFound
from commonweal.core.privacy import public_donor_name
from commonweal.giving.models import Donation, DonationIntent, MonthlyPlan, Refund
from commonweal.giving.selectors_receipts import live_receipt_lines
from commonweal.orgs.models import Organization
from commonweal.projects.models import Project

__all__ = [
    "org_donations",
    "org_received_donation",
    "org_totals",
    "PublicDonation",
    "project_recent_donations",
    "intent_get_for_payment",
    "intent_donation",
    "donation_get_for_viewer",
    "donation_visible_to",
    "donor_donations",
    "donor_plans",
    "plan_get_for_donor",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class PublicDonation:
    """One line of a project's public donor list."""

    name: str
    """The full name if the donor opted in, else masked (张*), else 爱心网友 / "A kind donor"."""
    amount_fen: int
    """Amount given, in fen."""
    confirmed_at: datetime
    """When the payment was confirmed (aware)."""
    message: str
    """The donor's message, only if the donor made their name public; else ""."""


def project_recent_donations(*, project: Project, lang: str, limit: int = 10) -> list[PublicDonation]:
    """The latest donations to ``project`` as the public may see them (one query)."""
    rows = (
        Donation.objects.filter(project=project)
        .order_by("-confirmed_at", "-pk")
        .only("donor_name", "donor_public", "amount_fen", "confirmed_at", "message")[:limit]
    )
    return [
        PublicDonation(
            name=public_donor_name(name=row.donor_name, opted_in=row.donor_public, lang=lang),
            amount_fen=row.amount_fen,
            confirmed_at=row.confirmed_at,
            message=row.message if row.donor_public else "",
        )
        for row in rows
    ]


def intent_get_for_payment(*, public_id: str) -> DonationIntent:
    """A donation intent with its project and recipient, for the payment page."""
    intent = (
        DonationIntent.objects.select_related("project", "recipient_org")
        .filter(public_id=public_id)
        .first()
    )
    if intent is None:
        raise NotFound(f"no donation intent {public_id!r}")
    return intent


def intent_donation(*, intent: DonationIntent) -> Donation | None:
    """The donation that paid ``intent``, if any."""
    return Donation.objects.filter(intent=intent).only("public_id", "donor_id").first()


def donation_get_for_viewer(*, public_id: str, user, session_donation_ids: Collection[str] = ()) -> Donation:
    """A donation for its own page: only its signed-in donor or the session that paid it.

    Anyone else gets :class:`NotFound`, exactly as for a donation that does not exist.
    """
    donation = (
        Donation.objects.select_related("project", "recipient_org").filter(public_id=public_id).first()
    )
    if donation is None or not donation_visible_to(donation, user=user, session_donation_ids=session_donation_ids):
        raise NotFound(f"no donation {public_id!r}")
    return donation


def donation_visible_to(donation: Donation, *, user, session_donation_ids: Collection[str] = ()) -> bool:
    """Whether ``user`` (or the browser session that paid) may see the donation's own page."""
    is_donor = getattr(user, "is_authenticated", False) and donation.donor_id == user.pk
    return is_donor or donation.public_id in session_donation_ids


def donor_donations(*, donor) -> QuerySet[Donation]:
    """A signed-in donor's donations, newest first, with their projects, refunds and live receipts."""
    return (
        Donation.objects.filter(donor=donor)
        .select_related("project")
        .prefetch_related(Prefetch("refunds", queryset=Refund.objects.order_by("created_at")), live_receipt_lines())
        .order_by("-confirmed_at", "-pk")
    )


def donor_plans(*, donor) -> QuerySet[MonthlyPlan]:
    """A donor's monthly plans: active and paused first, then cancelled; newest first."""
    return (
        MonthlyPlan.objects.filter(donor=donor)
        .select_related("project")
        .order_by(F("cancelled_at").asc(nulls_first=True), "-created_at", "-pk")
    )


def plan_get_for_donor(*, donor, public_id: str) -> MonthlyPlan:
    """One of the donor's own plans; another donor's plan is NotFound."""
    plan = MonthlyPlan.objects.filter(donor=donor, public_id=public_id).first() if donor.is_authenticated else None
    if plan is None:
        raise NotFound(f"no monthly plan {public_id!r}")
    return plan


# --- the organization console ------------------------------------------------------------

def org_totals(*, org: Organization) -> dict[str, int]:
    """Money raised for the organization's projects, and received on its own account."""
    projects = org.projects.aggregate(raised=Sum("raised_fen"), refunded=Sum("refunded_fen"), donations=Sum("donation_count"))
    received = Donation.objects.filter(recipient_org=org).aggregate(amount=Sum("amount_fen"), refunded=Sum("refunded_fen"))
    raised = projects["raised"] or 0
    refunded = projects["refunded"] or 0
    return {
        "raised_fen": raised,
        "refunded_fen": refunded,
        "net_fen": raised - refunded,
        "donation_count": projects["donations"] or 0,
        "received_net_fen": (received["amount"] or 0) - (received["refunded"] or 0),
    }


def org_donations(*, org: Organization):
    """Donations the organization received, or that were given to its projects (via a partner)."""
    return (
        Donation.objects.filter(Q(recipient_org=org) | Q(project__org=org))
        .select_related("project", "recipient_org")
        .order_by("-confirmed_at", "-id")
    )


def org_received_donation(*, org: Organization, public_id: str):
    """A donation paid to the organization's own account (the only ones it can refund), or None."""
    return Donation.objects.select_related("project", "recipient_org").filter(public_id=public_id, recipient_org=org).first()
