"""Risk signals, recorded per matched gift at confirmation (and at refund). They never block a
gift: operators review them, sorted by money at risk, and freeze or claw back (services.match_act).

More than 4 gifts a minute from one account, payment account, device or network address is not a
human (99 Giving Day 2017: 25,244 such accounts drew ¥3.71M of matching).
"""

import datetime as dt
import json

from django.db import connection
from django.utils import timezone

from commonweal.core.bulk import insert_missing, values_params
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
    _record([(decision.pk, kind, detail)])


def _record(flags: list[tuple[int, str, str]]) -> None:
    """(decision id, kind, detail) flags; a decision keeps the first flag of each kind."""
    now = timezone.now()
    insert_missing(RiskFlag, ("decision_id", "kind", "detail", "created_at"), [(pk, kind, detail[:200], now) for pk, kind, detail in flags],
                   unique=("decision_id", "kind"))


_D, _I = Donation._meta.db_table, DonationIntent._meta.db_table
# Per gift: the velocity counts (each stops at VELOCITY_MAX + 1) and the number of accounts paying
# through the same payment account; a missing key (NULL or "") counts nothing. The subqueries read
# the gift's keys from ``v``: on PostgreSQL one statement counts a whole batch (``v`` is the
# batch's arrays, unnested; planned once), on SQLite one statement per gift.
# A batch of confirmations has written all its gifts before they are counted; each gift must see
# only those before it, as one at a time it would: ``x`` holds the batch's donation and intent ids
# in batch order, and a gift at position ``v.pos`` skips the ones after it ({later_d}, {later_i}).
_COUNTS = f"""
 (SELECT count(*) FROM (SELECT 1 FROM {_D} d WHERE d.donor_id = v.donor AND d.confirmed_at > v.since
     AND d.confirmed_at <= v.at AND {{later_d}} ORDER BY d.confirmed_at DESC LIMIT {VELOCITY_MAX + 1}) a),
 (SELECT count(*) FROM (SELECT 1 FROM {_D} d WHERE d.provider = v.provider AND d.payer_reference = v.payer
     AND d.confirmed_at > v.since AND d.confirmed_at <= v.at AND {{later_d}} ORDER BY d.confirmed_at LIMIT {VELOCITY_MAX + 1}) b),
 (SELECT count(*) FROM (SELECT 1 FROM {_I} i WHERE i.device_fingerprint = v.device AND i.status = 'paid'
     AND i.created_at > v.since AND {{later_i}} ORDER BY i.created_at LIMIT {VELOCITY_MAX + 1}) c),
 (SELECT count(*) FROM (SELECT 1 FROM {_I} i WHERE i.client_fingerprint = v.client AND i.status = 'paid'
     AND i.created_at > v.since AND {{later_i}} ORDER BY i.created_at LIMIT {VELOCITY_MAX + 1}) d),
 (SELECT count(DISTINCT d.donor_id) FROM {_D} d WHERE d.provider = v.provider AND d.payer_reference = v.payer
     AND d.confirmed_at >= v.campaign_start AND d.donor_id IS NOT NULL AND {{later_d}})
"""
# Each LIMIT must stop the read of the index on (key, time) early. A bitmap scan reads every row
# of the window first: under a burst from one network address (carrier NAT), thousands of rows
# per gift. The subqueries are planned once for any key, from average statistics, so PostgreSQL
# picks bitmap scans: the batch statement runs with them off (bench/matching_load.py: ~10×).
_COUNTS_BATCH_SQL = f"""SELECT v.n, {_COUNTS.format(later_d="d.id <> ALL(x.donations[v.pos + 2:])",
                                                   later_i="i.id <> ALL(x.intents[v.pos + 2:])")}
    FROM unnest(%s::int[], %s::int[], %s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::timestamptz[],
    %s::timestamptz[], %s::timestamptz[]) AS v(n, pos, donor, provider, payer, device, client, since, at, campaign_start),
    (SELECT %s::bigint[] AS donations, %s::bigint[] AS intents) x ORDER BY v.n"""
_COUNTS_ONE_SQL = f"""SELECT {_COUNTS.format(later_d="d.id NOT IN (SELECT value FROM json_each(x.donations) WHERE key > v.pos)",
                                            later_i="i.id NOT IN (SELECT value FROM json_each(x.intents) WHERE key > v.pos)")}
    FROM (SELECT %s AS pos, %s AS donor, %s AS provider, %s AS payer, %s AS device, %s AS client, %s AS since, %s AS at,
    %s AS campaign_start) v, (SELECT %s AS donations, %s AS intents) x"""


def _keys(decision: MatchDecision, position: int) -> tuple:
    donation = decision.donation
    intent = donation.intent
    return (position, donation.donor_id, donation.provider, donation.payer_reference or None, intent.device_fingerprint or None,
            intent.client_fingerprint or None, donation.confirmed_at - VELOCITY_WINDOW, donation.confirmed_at,
            decision.campaign.starts_at)


def _counted(decisions: list[MatchDecision], batch: list[Donation]) -> list[list[tuple[str, str]]]:
    """The velocity and shared-payment signals of each decision, whose donations are among
    ``batch`` (the donations confirmed together, in order)."""
    if not decisions:
        return []
    position = {donation.pk: n for n, donation in enumerate(batch)}
    keys = [_keys(decision, position[decision.donation_id]) for decision in decisions]
    donation_ids, intent_ids = [d.pk for d in batch], [d.intent_id for d in batch]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_bitmapscan = off")  # see the ORDER BY above
            # Arrays as text joined here (core.bulk.values_params): psycopg adapts a list value by value.
            params = values_params([(n, *values) for n, values in enumerate(keys)]) + values_params(list(zip(donation_ids, intent_ids)))
            cursor.execute(_COUNTS_BATCH_SQL, params)
            counted = [row[1:] for row in cursor.fetchall()]
            cursor.execute("SET LOCAL enable_bitmapscan TO DEFAULT")
        else:
            counted = []
            for values in keys:
                cursor.execute(_COUNTS_ONE_SQL, [*values, json.dumps(donation_ids), json.dumps(intent_ids)])
                counted.append(cursor.fetchone())
    found = []
    for account, payment, device, address, sharing in counted:
        signals = [(kind, f"more than {VELOCITY_MAX} gifts within a minute")
                    for kind, count in ((RiskKind.VELOCITY_ACCOUNT, account), (RiskKind.VELOCITY_PAYMENT, payment),
                                        (RiskKind.VELOCITY_DEVICE, device), (RiskKind.VELOCITY_ADDRESS, address))
                    if count > VELOCITY_MAX]
        if sharing >= SHARED_PAYMENT_ACCOUNTS:
            signals.append((RiskKind.SHARED_PAYMENT, f"{sharing} accounts use this payment account"))
        found.append(signals)
    return found


def _staff_of(decisions: list[MatchDecision]) -> set[tuple[int, int]]:
    """(user, organization) memberships among these gifts' donors and organizations."""
    donors = {d.donation.donor_id for d in decisions if d.donation.donor_id}
    if not donors:
        return set()
    orgs = {org for d in decisions for org in (d.project.org_id, d.org_id)}
    return set(Membership.objects.filter(user_id__in=donors, org_id__in=orgs).values_list("user_id", "org_id"))


def _own_staff(decision: MatchDecision, staff: set[tuple[int, int]]) -> list[tuple[str, str]]:
    donor = decision.donation.donor_id
    if donor and {(donor, decision.project.org_id), (donor, decision.org_id)} & staff:
        return [(RiskKind.OWN_STAFF, "the donor is a member of the organization")]
    return []


def _cap_cluster(decision: MatchDecision) -> list[tuple[str, str]]:
    campaign = decision.campaign
    for cap in (campaign.cap_donor_day_fen, campaign.cap_donor_project_fen):
        if cap and cap * CAP_CLUSTER_PERCENT // 100 <= decision.desired_fen <= cap:
            return [(RiskKind.CAP_CLUSTER, f"asked {decision.desired_fen} fen of a {cap} fen cap")]
    return []


def flag_on_confirm(decisions: list[MatchDecision], batch: list[Donation]) -> None:
    """Record the signals of newly decided matches (those with nothing matched have nothing at risk);
    ``batch``: every donation confirmed with them, in order."""
    at_risk = [d for d in decisions if d.amount_fen > 0]
    staff = _staff_of(at_risk)
    counted = _counted(at_risk, batch)
    _record([(d.pk, kind, detail) for n, d in enumerate(at_risk) for kind, detail in counted[n] + _own_staff(d, staff) + _cap_cluster(d)])
