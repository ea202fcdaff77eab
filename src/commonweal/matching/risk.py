"""Risk signals, recorded per matched gift at confirmation (and at refund). They never block a
gift: operators review them, sorted by money at risk, and freeze or claw back (services.match_act).

More than 4 gifts a minute from one account, payment account, device or network address is not a
human (99 Giving Day 2017: 25,244 such accounts drew ¥3.71M of matching).
"""

import datetime as dt

from django.db import connection

from commonweal.giving.models import Donation, DonationIntent
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


_D, _I = Donation._meta.db_table, DonationIntent._meta.db_table
# One round trip for the velocity counts (each stops at VELOCITY_MAX + 1) and the number of
# accounts paying through the same payment account; a missing key (NULL or "") counts nothing.
_COUNTS_SQL = f"""
SELECT
 (SELECT count(*) FROM (SELECT 1 FROM {_D} WHERE donor_id = %(donor)s AND confirmed_at > %(since)s
     AND confirmed_at <= %(at)s LIMIT %(cap)s) a),
 (SELECT count(*) FROM (SELECT 1 FROM {_D} WHERE provider = %(provider)s AND payer_reference = %(payer)s
     AND confirmed_at > %(since)s AND confirmed_at <= %(at)s LIMIT %(cap)s) b),
 (SELECT count(*) FROM (SELECT 1 FROM {_I} WHERE device_fingerprint = %(device)s AND status = 'paid'
     AND created_at > %(since)s LIMIT %(cap)s) c),
 (SELECT count(*) FROM (SELECT 1 FROM {_I} WHERE client_fingerprint = %(client)s AND status = 'paid'
     AND created_at > %(since)s LIMIT %(cap)s) d),
 (SELECT count(DISTINCT donor_id) FROM {_D} WHERE provider = %(provider)s AND payer_reference = %(payer)s
     AND confirmed_at >= %(campaign_start)s AND donor_id IS NOT NULL)
"""


def _counted(donation: Donation, decision: MatchDecision) -> list[tuple[str, str]]:
    intent = donation.intent
    with connection.cursor() as cursor:
        cursor.execute(_COUNTS_SQL, {
            "donor": donation.donor_id, "provider": donation.provider, "payer": donation.payer_reference or None,
            "device": intent.device_fingerprint or None, "client": intent.client_fingerprint or None,
            "since": donation.confirmed_at - VELOCITY_WINDOW, "at": donation.confirmed_at, "cap": VELOCITY_MAX + 1,
            "campaign_start": decision.campaign.starts_at,
        })
        account, payment, device, address, sharing = cursor.fetchone()
    found = [(kind, f"more than {VELOCITY_MAX} gifts within a minute")
             for kind, count in ((RiskKind.VELOCITY_ACCOUNT, account), (RiskKind.VELOCITY_PAYMENT, payment),
                                 (RiskKind.VELOCITY_DEVICE, device), (RiskKind.VELOCITY_ADDRESS, address))
             if count > VELOCITY_MAX]
    if sharing >= SHARED_PAYMENT_ACCOUNTS:
        found.append((RiskKind.SHARED_PAYMENT, f"{sharing} accounts use this payment account"))
    return found


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
    found = _counted(donation, decision) + _own_staff(donation, decision) + _cap_cluster(decision)
    if found:
        RiskFlag.objects.bulk_create([RiskFlag(decision=decision, kind=kind, detail=detail) for kind, detail in found],
                                     ignore_conflicts=True)
