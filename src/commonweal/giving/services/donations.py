"""Confirming donations from verified payment notifications, exactly once per transaction."""

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from commonweal.core.errors import NotFound, PaymentRejected
from commonweal.core.privacy import donor_commitment, new_salt
from commonweal.core.timeutil import rfc3339
from commonweal.giving import hooks
from commonweal.giving.models import Donation, DonationIntent, IntentStatus
from commonweal.giving.providers import PaymentNotification, get_provider
from commonweal.giving.services.credentials import credentials_get
from commonweal.giving.services.totals import project_totals_add
from commonweal.ledger.services import outbox_append
from commonweal.orgs.models import Organization

logger = logging.getLogger("commonweal.giving")


def notification_receive(*, provider: str, org_public_id: str, headers, body: bytes, now: dt.datetime | None = None) -> Donation:
    """Verify a provider's notification with the recipient's own credentials, then confirm."""
    now = now or timezone.now()
    try:
        org = Organization.objects.filter(public_id=org_public_id).first()
        if org is None:
            raise PaymentRejected(f"unknown merchant {org_public_id!r}", code="unknown_merchant")
        try:
            implementation = get_provider(provider)
            credentials = credentials_get(org=org, provider=provider)
        except NotFound as exc:
            raise PaymentRejected(str(exc), code="unknown_merchant") from exc
        notification = implementation.verify_notification(credentials=credentials, headers=headers, body=body, now=now)
        return donation_confirm(notification=notification, recipient_org=org)
    except PaymentRejected as exc:
        logger.warning("payment_rejected provider=%s org=%s code=%s", provider, org_public_id, exc.code)
        raise


def donation_confirm(*, notification: PaymentNotification, recipient_org: Organization) -> Donation:
    """Record the donation a verified notification proves; a repeat returns the first one."""
    try:
        with transaction.atomic(durable=True):
            return _confirm(notification, recipient_org)
    except IntegrityError:
        # Lost a race on (provider, provider_txn_id): the winner's donation is the answer.
        donation = Donation.objects.filter(provider=notification.provider, provider_txn_id=notification.provider_txn_id).first()
        if donation is None or donation.intent.public_id != notification.intent_reference:
            raise
        return donation


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


def _confirm(notification: PaymentNotification, recipient_org: Organization) -> Donation:
    intent = (
        DonationIntent.objects.select_for_update(of=("self",)).select_related("project")
        .filter(public_id=notification.intent_reference, recipient_org=recipient_org)
        .first()
    )
    if intent is None:
        raise PaymentRejected(f"no donation intent {notification.intent_reference!r} for this merchant", code="unknown_intent")
    # 1. Under the intent's lock, a repeated notification finds the donation it made.
    existing = Donation.objects.filter(intent=intent).first()
    if existing is not None:
        if existing.provider_txn_id != notification.provider_txn_id:
            raise PaymentRejected(
                f"intent {intent.public_id} was already paid by another transaction", code="intent_already_paid"
            )
        return existing
    # 2. The provider must have charged exactly what the donor was asked for.
    if intent.provider != notification.provider:
        raise PaymentRejected(f"intent expects {intent.provider}, notification came from {notification.provider}", code="provider_mismatch")
    if notification.amount_fen != intent.amount_fen:
        raise PaymentRejected(
            f"amount must be {intent.amount_fen} fen, notification says {notification.amount_fen}", code="amount_mismatch"
        )
    if notification.currency != intent.currency:
        raise PaymentRejected(f"currency must be {intent.currency}, notification says {notification.currency}", code="currency_mismatch")
    # 3. Write the donation, the intent, the project totals and the outbox row together.
    salt = new_salt()
    donor_reference = f"user:{intent.donor_id}" if intent.donor_id else f"intent:{intent.public_id}"
    donation = Donation.objects.create(
        intent=intent,
        project=intent.project,
        recipient_org=recipient_org,
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
    intent.status = IntentStatus.PAID
    intent.save(update_fields=["status"])
    project = intent.project
    outbox_append(
        entry_type="donation",
        subject_id=donation.public_id,
        fields=donation_entry_fields(
            amount_fen=donation.amount_fen,
            currency=donation.currency,
            org_public_id=recipient_org.public_id,
            project_public_id=project.public_id,
            confirmed_at=donation.confirmed_at,
            donor_commitment=donation.donor_commitment,
        ),
    )
    for hook in hooks.DONATION_CONFIRMED:
        hook(donation)
    # Last, and without queueing on the project row (giving.services.totals).
    project_totals_add(intent.project_id, donation.amount_fen)
    logger.info(
        "donation_confirmed id=%s project=%s org=%s amount_fen=%s provider=%s",
        donation.public_id, project.public_id, recipient_org.public_id, donation.amount_fen, donation.provider,
    )
    return donation
