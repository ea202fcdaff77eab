"""Confirming donations from verified payment notifications, exactly once per payment.

Confirmations come one at a time (the API) or in batches (``giving.intake`` under load): a batch
is one transaction, so one commit carries many gifts; a single confirmation is a batch of one.
"""

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from commonweal.core.bulk import insert_many
from commonweal.core.errors import NotFound, PaymentRejected
from commonweal.core.privacy import donor_commitment, new_salt
from commonweal.core.timeutil import rfc3339
from commonweal.giving import hooks
from commonweal.giving.models import Donation, DonationIntent, IntentStatus
from commonweal.giving.providers import PaymentNotification, get_provider
from commonweal.giving.services.credentials import credentials_of
from commonweal.giving.services.totals import project_totals_add_many
from commonweal.ledger.services import outbox_append_many
from commonweal.orgs.models import Organization
from commonweal.projects.models import Project

logger = logging.getLogger("commonweal.giving")


def notification_receive(*, provider: str, org_public_id: str, headers, body: bytes, now: dt.datetime | None = None) -> Donation:
    """Verify a provider's notification with the recipient's own credentials, then confirm."""
    result = notifications_receive([Notified(provider, org_public_id, headers, body)], now=now)[0]
    if isinstance(result, Exception):
        raise result
    return result


@dataclass(frozen=True)
class Notified:
    """A payment notification as it arrived: which provider and merchant it names, and its bytes."""

    provider: str
    org_public_id: str
    headers: Mapping[str, str]
    body: bytes


def notifications_receive(items: list[Notified], *, now: dt.datetime | None = None) -> list[Donation | Exception]:
    """Verify several notifications, then confirm the verified ones in one transaction (a batch,
    giving.intake). Returns, per item, its donation or why it was refused (``PaymentRejected``)
    or failed (any other exception: the provider should retry)."""
    now = now or timezone.now()
    orgs = {org.public_id: org for org in Organization.objects.filter(public_id__in={item.org_public_id for item in items})}
    credentials = {
        provider: credentials_of(orgs=[orgs[i.org_public_id] for i in items if i.provider == provider and i.org_public_id in orgs],
                                 provider=provider)
        for provider in {item.provider for item in items}
    }
    results: list[Donation | Exception | None] = [None] * len(items)
    verified: list[tuple[int, PaymentNotification, Organization]] = []
    for n, item in enumerate(items):
        try:
            org = orgs.get(item.org_public_id)
            if org is None:
                raise PaymentRejected(f"unknown merchant {item.org_public_id!r}", code="unknown_merchant")
            try:
                implementation = get_provider(item.provider)
            except NotFound as exc:
                raise PaymentRejected(str(exc), code="unknown_merchant") from exc
            found = credentials[item.provider].get(org.pk)
            if found is None:
                raise PaymentRejected(f"organization {org.public_id} has no {item.provider} credentials", code="unknown_merchant")
            notification = implementation.verify_notification(credentials=found, headers=item.headers, body=item.body, now=now)
            verified.append((n, notification, org))
        except Exception as exc:  # noqa: BLE001 - handed back per item, like the confirmations' refusals
            results[n] = exc
    confirmed = donations_confirm([(notification, org) for _, notification, org in verified]) if verified else []
    for (n, _, _), result in zip(verified, confirmed):
        results[n] = result
    for item, result in zip(items, results):
        if isinstance(result, PaymentRejected):
            logger.warning("payment_rejected provider=%s org=%s code=%s", item.provider, item.org_public_id, result.code)
    return results


def donation_confirm(*, notification: PaymentNotification, recipient_org: Organization) -> Donation:
    """Record the donation a verified notification proves; a repeat returns the first one."""
    result = donations_confirm([(notification, recipient_org)])[0]
    if isinstance(result, Exception):
        raise result
    return result


def donations_confirm(items: list[tuple[PaymentNotification, Organization]]) -> list[Donation | Exception]:
    """Record the donations verified notifications prove, in one transaction: per item, its
    donation (a repeat returns the first one) or why it was refused (``PaymentRejected``, nothing
    written for it). A batch that lost a race is settled one item at a time; an item that then
    fails with a database error gets that error."""
    try:
        return _deadlock_retried(lambda: _confirm_all(items))
    except DatabaseError as exc:
        if len(items) > 1 and _lost_race(exc):
            # A concurrent confirmation won a race on one of these: settle them one at a time.
            return [_alone(item) for item in items]
        if not isinstance(exc, IntegrityError):
            raise
        # Lost a race on (provider, provider_txn_id): the winner's donation is the answer.
        notification = items[0][0]
        donation = Donation.objects.filter(provider=notification.provider, provider_txn_id=notification.provider_txn_id).first()
        if donation is None or donation.intent.public_id != notification.intent_reference:
            raise
        return [donation]


def donation_entry_fields(
    *, amount_fen: int, currency: str, org_public_id: str, project_public_id: str,
    confirmed_at: dt.datetime, donor_commitment: str,
) -> dict:
    """The ledger fields of a confirmed donation (no personal data: the donor is a commitment)."""
    return {
        "amount_fen": amount_fen,
        "currency": currency,
        "org": org_public_id,
        "project": project_public_id,
        "time": rfc3339(confirmed_at),
        "donor": donor_commitment,
    }


def _alone(item: tuple[PaymentNotification, Organization]) -> Donation | Exception:
    try:
        return donations_confirm([item])[0]
    except DatabaseError as exc:  # this one notification failed; the provider will retry it
        return exc


DEADLOCK_ATTEMPTS = 5
_RETRYABLE = ("40P01", "40001", "55P03")  # deadlock, serialization failure, lock not available


def _deadlock_retried(confirm):
    """Run ``confirm`` in a durable transaction, again if PostgreSQL chose it as a deadlock's victim
    or it gave up waiting for a lock it took out of order (rare: a single gift's counter fast path,
    which creates and locks rows in one pass, against a batch that created rows before locking;
    a batch locking more of a limit; matching.counters)."""
    for attempt in range(DEADLOCK_ATTEMPTS):
        try:
            with transaction.atomic(durable=True):
                return confirm()
        except DatabaseError as exc:
            if attempt == DEADLOCK_ATTEMPTS - 1 or getattr(exc.__cause__, "sqlstate", None) not in _RETRYABLE:
                raise
            logger.info("confirmation_retried attempt=%s reason=%s", attempt + 1, exc.__cause__.sqlstate)
    raise AssertionError("unreachable")


def _lost_race(exc: DatabaseError) -> bool:
    """A unique key, a CHECK on a counter created meanwhile, or a deadlock with a concurrent
    transaction: not a broken database."""
    return isinstance(exc, IntegrityError) or getattr(exc.__cause__, "sqlstate", None) in _RETRYABLE


def _confirm_all(items: list[tuple[PaymentNotification, Organization]]) -> list[Donation | PaymentRejected]:
    # 1. Lock the intents (in id order, like every confirmation); a repeated notification finds
    # the donation it made, in the database or earlier in this batch.
    intents = {
        intent.public_id: intent
        for intent in DonationIntent.objects.select_for_update()
        .filter(public_id__in={notification.intent_reference for notification, _ in items}).order_by("pk")
    }
    # Each project once (a burst for one project would otherwise build it once per gift).
    projects = Project.objects.in_bulk({intent.project_id for intent in intents.values()})
    for intent in intents.values():
        intent.project = projects[intent.project_id]
    made = {donation.intent_id: donation for donation in Donation.objects.filter(intent__in=list(intents.values()))}
    results: list[Donation | PaymentRejected] = []
    new: list[Donation] = []
    for notification, org in items:
        intent = intents.get(notification.intent_reference)
        if intent is None or intent.recipient_org_id != org.pk:
            results.append(PaymentRejected(f"no donation intent {notification.intent_reference!r} for this merchant", code="unknown_intent"))
            continue
        existing = made.get(intent.pk)
        if existing is not None:
            if existing.provider_txn_id != notification.provider_txn_id:
                existing = PaymentRejected(f"intent {intent.public_id} was already paid by another transaction", code="intent_already_paid")
            results.append(existing)
            continue
        refusal = _mismatch(intent, notification)
        if refusal is not None:
            results.append(refusal)
            continue
        donation = made[intent.pk] = _donation_of(intent, notification, org)
        new.append(donation)
        results.append(donation)
    if not new:
        return results
    # 2. Write the donations, the intents, the outbox rows and the project totals together.
    insert_many(new)
    DonationIntent.objects.filter(pk__in=[donation.intent_id for donation in new]).update(status=IntentStatus.PAID)
    for donation in new:
        donation.intent.status = IntentStatus.PAID
    outbox_append_many([
        ("donation", donation.public_id, donation_entry_fields(
            amount_fen=donation.amount_fen,
            currency=donation.currency,
            org_public_id=donation.recipient_org.public_id,
            project_public_id=donation.project.public_id,
            confirmed_at=donation.confirmed_at,
            donor_commitment=donation.donor_commitment,
        ))
        for donation in new
    ])
    for hook in hooks.DONATION_CONFIRMED:
        hook(new)
    # Last, and without queueing on the project rows (giving.services.totals).
    gifts: dict[int, tuple[int, int]] = {}
    for donation in new:
        fen, count = gifts.get(donation.project_id, (0, 0))
        gifts[donation.project_id] = (fen + donation.amount_fen, count + 1)
    project_totals_add_many(gifts)
    for donation in new:
        logger.info(
            "donation_confirmed id=%s project=%s org=%s amount_fen=%s provider=%s",
            donation.public_id, donation.project.public_id, donation.recipient_org.public_id, donation.amount_fen, donation.provider,
        )
    return results


def _mismatch(intent: DonationIntent, notification: PaymentNotification) -> PaymentRejected | None:
    """The provider must have charged exactly what the donor was asked for."""
    if intent.provider != notification.provider:
        return PaymentRejected(f"intent expects {intent.provider}, notification came from {notification.provider}", code="provider_mismatch")
    if notification.amount_fen != intent.amount_fen:
        return PaymentRejected(f"amount must be {intent.amount_fen} fen, notification says {notification.amount_fen}", code="amount_mismatch")
    if notification.currency != intent.currency:
        return PaymentRejected(f"currency must be {intent.currency}, notification says {notification.currency}", code="currency_mismatch")
    return None


def _donation_of(intent: DonationIntent, notification: PaymentNotification, org: Organization) -> Donation:
    salt = new_salt()
    donor_reference = f"user:{intent.donor_id}" if intent.donor_id else f"intent:{intent.public_id}"
    return Donation(
        intent=intent,
        project=intent.project,
        recipient_org=org,
        amount_fen=intent.amount_fen,
        currency=intent.currency,
        provider=notification.provider,
        provider_txn_id=notification.provider_txn_id,
        payer_reference=notification.payer_reference,
        donor_id=intent.donor_id,
        donor_name=intent.donor_name,
        donor_public=intent.donor_public,
        message=intent.message,
        donor_salt=salt.hex(),
        donor_commitment=donor_commitment(salt, donor_reference),
        monthly_plan_id=intent.monthly_plan_id,
        confirmed_at=notification.paid_at,
    )
