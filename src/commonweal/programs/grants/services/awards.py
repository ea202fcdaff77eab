"""Award installments: the grantee reports, one finance member proposes the payment, another
approves it, and the payment is recorded with ``programs.services.grant_payment_record`` (which
writes the ``grant_payment`` ledger entry). Every step goes through
``grants.lifecycle.INSTALLMENT_TRANSITIONS`` under a row lock.

- :func:`installment_report`: the grantee's report, in order (installment 2 after 1 was reported).
- :func:`installment_propose`: finance proposes paying a reported installment.
- :func:`installment_approve`: a *different* finance member approves; the payment is recorded.
- :func:`installment_return`: the approver sends a proposal back, with a reason.
"""

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from commonweal.core.audit import audit_record
from commonweal.core.errors import Conflict, DomainError, InvalidInput, NotFound
from commonweal.programs.grants.lifecycle import INSTALLMENT_TRANSITIONS
from commonweal.programs.grants.models import Installment, InstallmentStatus as S
from commonweal.programs.models import OfficeRole
from commonweal.programs.permissions import office_role
from commonweal.programs.services import grant_payment_record
from commonweal.programs.services.validation import check_text

__all__ = ["FourEyesViolation", "installment_report", "installment_propose", "installment_approve", "installment_return"]

logger = logging.getLogger("commonweal.programs.grants")


class FourEyesViolation(DomainError):
    """The finance member who proposed a payment tried to approve it."""

    code = "four_eyes"
    http_status = 403


def _locked(installment: Installment, to: str, actor, *, as_role: str):
    """The installment locked, if ``actor`` may act as ``as_role`` ("grantee" or finance) on it,
    and the rule of the edge to ``to``; NotFound for anyone else, Conflict for an illegal edge."""
    locked = (Installment.objects.select_for_update(of=("self",))
              .select_related("award__application", "award__commitment").get(pk=installment.pk))
    if as_role == "grantee":
        if locked.award.application.applicant_id != getattr(actor, "pk", None):
            raise NotFound("no such installment")
    elif office_role(actor) != as_role:
        raise NotFound("no such installment")
    rule = INSTALLMENT_TRANSITIONS.get((locked.status, to))
    if rule is None or rule.role != as_role:
        raise Conflict(f"an installment {locked.status} cannot become {to}", code="illegal_transition")
    return locked, rule


def installment_report(*, actor, installment: Installment, report: str, now: dt.datetime | None = None) -> Installment:
    """The grantee's report for this installment; needed before it can be paid."""
    now = now or timezone.now()
    report = check_text(report, field="report", max_length=20000)
    with transaction.atomic(durable=True):
        locked, rule = _locked(installment, S.REPORTED, actor, as_role="grantee")
        if locked.number > 1 and locked.award.installments.filter(number=locked.number - 1, status=S.DUE).exists():
            raise Conflict("report on the earlier installment first", code="report_out_of_order")
        locked.report, locked.report_submitted_at, locked.status = report, now, S.REPORTED
        locked.save(update_fields=["report", "report_submitted_at", "status"])
        audit_record(actor=actor, action=rule.action, target=locked, data={"award": locked.award.public_id})
    return locked


def installment_propose(*, actor, installment: Installment, now: dt.datetime | None = None) -> Installment:
    """Finance proposes paying an installment whose report is in."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        locked, rule = _locked(installment, S.PROPOSED, actor, as_role=OfficeRole.FINANCE)
        locked.status, locked.proposed_by, locked.proposed_at = S.PROPOSED, actor, now
        locked.save(update_fields=["status", "proposed_by", "proposed_at"])
        audit_record(actor=actor, action=rule.action, target=locked, data={"amount_fen": locked.amount_fen})
    return locked


def installment_approve(*, actor, installment: Installment, paid_on: dt.date) -> Installment:
    """A second finance member approves; the grant payment is recorded (ledger entry included)."""
    if not isinstance(paid_on, dt.date) or isinstance(paid_on, dt.datetime):
        raise InvalidInput("paid on must be a date", field="paid_on", code="invalid_date")
    with transaction.atomic(durable=True):
        locked, rule = _locked(installment, S.PAID, actor, as_role=OfficeRole.FINANCE)
        if locked.proposed_by_id == actor.pk:
            raise FourEyesViolation("a payment is approved by a finance member other than the one who proposed it")
        payment = grant_payment_record(
            commitment=locked.award.commitment, amount_fen=locked.amount_fen, paid_on=paid_on,
            created_by=locked.proposed_by, approved_by=actor,
        )
        locked.status, locked.approved_by, locked.paid_on, locked.payment = S.PAID, actor, paid_on, payment
        locked.save(update_fields=["status", "approved_by", "paid_on", "payment"])
        audit_record(actor=actor, action=rule.action, target=locked, data={"payment": payment.public_id})
    logger.info("grant_installment_paid installment=%s payment=%s amount_fen=%s", locked.public_id, payment.public_id, locked.amount_fen)
    return locked


def installment_return(*, actor, installment: Installment, reason: str) -> Installment:
    """Send a proposed payment back to "report received", with the reason."""
    reason = check_text(reason, field="reason", max_length=2000)
    with transaction.atomic(durable=True):
        locked, rule = _locked(installment, S.REPORTED, actor, as_role=OfficeRole.FINANCE)
        locked.status, locked.proposed_by, locked.proposed_at = S.REPORTED, None, None
        locked.save(update_fields=["status", "proposed_by", "proposed_at"])
        audit_record(actor=actor, action=rule.action, target=locked, reason=reason)
    return locked
