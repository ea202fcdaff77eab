"""Risk signals, recorded per matched gift at confirmation (and at refund). They never block a
gift: operators review them, sorted by money at risk, and freeze or claw back (services.match_act).

More than 4 gifts a minute from one account, payment account, device or network address is not a
human (99 Giving Day 2017: 25,244 such accounts drew ¥3.71M of matching).
"""

import datetime as dt

from django.db.models import Count

from commonweal.giving.models import Donation, DonationIntent, IntentStatus
from commonweal.matching.models import MatchDecision, RiskFlag, RiskKind
from commonweal.orgs.models import Membership

VELOCITY_WINDOW = dt.timedelta(minutes=1)
VELOCITY_MAX = 4
"""More gifts than this within the window is a signal."""
SHARED_PAYMENT_ACCOUNTS = 3
"""This many accounts paying through one payment account is a signal."""
CAP_CLUSTER_PERCENT = 90
"""A match asked for at ≥ this share of a per-donor cap (but within it) is sized to the cap."""


def flag(decision: MatchDecision, kind: str, detail: str = "") -> None:
    RiskFlag.objects.bulk_create([RiskFlag(decision=decision, kind=kind, detail=detail[:200])], ignore_conflicts=True)


def _velocity(donation: Donation) -> list[tuple[str, str]]:
    since = donation.confirmed_at - VELOCITY_WINDOW
    recent = Donation.objects.filter(confirmed_at__gt=since, confirmed_at__lte=donation.confirmed_at)
    intent = donation.intent
    # Device and address are counted on paid intents, where their indexes are.
    paid = DonationIntent.objects.filter(status=IntentStatus.PAID, created_at__gt=since)
    checks = [
        (RiskKind.VELOCITY_ACCOUNT, donation.donor_id, lambda: recent.filter(donor_id=donation.donor_id)),
        (RiskKind.VELOCITY_PAYMENT, donation.payer_reference,
         lambda: recent.filter(provider=donation.provider, payer_reference=donation.payer_reference)),
        (RiskKind.VELOCITY_DEVICE, intent.device_fingerprint, lambda: paid.filter(device_fingerprint=intent.device_fingerprint)),
        (RiskKind.VELOCITY_ADDRESS, intent.client_fingerprint, lambda: paid.filter(client_fingerprint=intent.client_fingerprint)),
    ]
    found = []
    for kind, present, gifts in checks:
        if present:
            count = gifts()[: VELOCITY_MAX + 1].count()
            if count > VELOCITY_MAX:
                found.append((kind, f"more than {VELOCITY_MAX} gifts within a minute"))
    return found


def _shared_payment(donation: Donation, decision: MatchDecision) -> list[tuple[str, str]]:
    if not donation.payer_reference:
        return []
    accounts = (
        Donation.objects.filter(provider=donation.provider, payer_reference=donation.payer_reference,
                                confirmed_at__gte=decision.campaign.starts_at, donor__isnull=False)
        .aggregate(n=Count("donor", distinct=True))["n"]
    )
    if accounts >= SHARED_PAYMENT_ACCOUNTS:
        return [(RiskKind.SHARED_PAYMENT, f"{accounts} accounts use this payment account")]
    return []


def _own_staff(donation: Donation, decision: MatchDecision) -> list[tuple[str, str]]:
    project = decision.project
    orgs = {project.org_id, decision.org_id}
    if donation.donor_id and Membership.objects.filter(user_id=donation.donor_id, org_id__in=orgs).exists():
        return [(RiskKind.OWN_STAFF, "the donor is a member of the organization")]
    return []


def _cap_cluster(decision: MatchDecision) -> list[tuple[str, str]]:
    campaign = decision.campaign
    for cap in (campaign.cap_donor_day_fen, campaign.cap_donor_project_fen):
        if cap and cap * CAP_CLUSTER_PERCENT // 100 <= decision.desired_fen <= cap:
            return [(RiskKind.CAP_CLUSTER, f"asked {decision.desired_fen} fen of a {cap} fen cap")]
    return []


def flag_on_confirm(decision: MatchDecision, donation: Donation) -> None:
    if decision.amount_fen == 0:
        return  # nothing at risk
    found = _velocity(donation) + _shared_payment(donation, decision) + _own_staff(donation, decision) + _cap_cluster(decision)
    if found:
        RiskFlag.objects.bulk_create([RiskFlag(decision=decision, kind=kind, detail=detail) for kind, detail in found],
                                     ignore_conflicts=True)
