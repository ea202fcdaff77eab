"""Refunds, full or partial, each its own record and its own ledger entry."""

import datetime as dt
import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from commonweal.core.audit import audit_record
from commonweal.core.errors import Conflict, InvalidInput, NotFound
from commonweal.core.money import validate_fen
from commonweal.core.timeutil import rfc3339
from commonweal.giving import hooks
from commonweal.giving.models import Donation, Refund
from commonweal.giving.services.receipts import receipts_void_for_refund
from commonweal.ledger.services import outbox_append
from commonweal.orgs.models import Role
from commonweal.orgs.permissions import member_role
from commonweal.projects.models import Project

logger = logging.getLogger("commonweal.giving")


def refund_entry_fields(
    *, donation_public_id: str, amount_fen: int, currency: str, org_public_id: str, project_public_id: str,
    refunded_at: dt.datetime,
) -> dict:
    """The ledger fields of a refund (no personal data)."""
    return {
        "donation": donation_public_id,
        "amount_fen": amount_fen,
        "currency": currency,
        "org": org_public_id,
        "project": project_public_id,
        "time": rfc3339(refunded_at),
    }


def refund_create(*, donation: Donation, amount_fen: int, reason: str, actor) -> Refund:
    """The recipient's admin or finance (or an operator) records a refund paid back to the donor.

    Every live receipt covering the gift is voided in the same transaction, with the refund as reason.
    """
    validate_fen(amount_fen)
    if not reason.strip():
        raise InvalidInput("a refund needs a reason", field="reason")
    with transaction.atomic(durable=True):
        donation = Donation.objects.select_for_update(of=("self",)).select_related("project", "recipient_org").get(pk=donation.pk)
        allowed = getattr(actor, "is_operator", False) or member_role(actor, donation.recipient_org) in (Role.ADMIN, Role.FINANCE)
        if not allowed:
            raise NotFound(f"no donation {donation.public_id!r} in your console")
        refundable = donation.amount_fen - donation.refunded_fen
        if amount_fen > refundable:
            raise Conflict(f"at most {refundable} fen can still be refunded, asked for {amount_fen}", code="refund_exceeds_donation")
        refund = Refund.objects.create(donation=donation, amount_fen=amount_fen, reason=reason.strip(), requested_by=actor)
        Donation.objects.filter(pk=donation.pk).update(refunded_fen=F("refunded_fen") + amount_fen)
        donation.refunded_fen += amount_fen
        outbox_append(
            entry_type="refund",
            subject_id=refund.public_id,
            fields=refund_entry_fields(
                donation_public_id=donation.public_id,
                amount_fen=amount_fen,
                currency=donation.currency,
                org_public_id=donation.recipient_org.public_id,
                project_public_id=donation.project.public_id,
                refunded_at=timezone.now(),
            ),
        )
        audit_record(actor=actor, action="donation.refund", target=donation, reason=reason, data={"amount_fen": amount_fen})
        # A receipt must not state more than was given: the refund voids it, in this transaction.
        receipts_void_for_refund(donation=donation, refund=refund, actor=actor)
        for hook in hooks.REFUND_RECORDED:
            hook(refund, donation)
        Project.objects.filter(pk=donation.project_id).update(refunded_fen=F("refunded_fen") + amount_fen)
    logger.info("refund_recorded id=%s donation=%s amount_fen=%s", refund.public_id, donation.public_id, amount_fen)
    return refund
