"""Portfolio use cases: funds, allocations, commitments and grant payments.

Limits: a commitment never takes a domain's allocation for a year, nor the fund's total, below
zero; the fund row is locked first, so concurrent commitments to one fund are checked one after
the other. A payment never exceeds what remains committed; the commitment row is locked first.
Four eyes: whoever records a payment does not approve it, and the approver has the finance
role (service check, and CHECK ``grant_payment_four_eyes`` in the database).

:func:`commitment_create` and :func:`grant_payment_record` are also called by other services
(the grants app, the labs' spin-off) inside their own transaction, so they open a plain
``atomic()``: alone it is one transaction; inside another it is a savepoint, so a caller that
catches a refusal (``Conflict``) can carry on with its transaction intact.
"""

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Sum

from commonweal.core.audit import audit_record
from commonweal.core.errors import Conflict, InvalidInput, NotFound
from commonweal.core.money import format_fen
from commonweal.ledger.services import outbox_append
from commonweal.programs.models import (
    Commitment,
    Fund,
    FundAllocation,
    GrantPayment,
    OfficeMember,
    OfficeRole,
    RecipientKind,
    SourceKind,
)
from commonweal.programs.permissions import office_role
from commonweal.programs.services.validation import check_domain, check_fen, check_text, check_year, require_office

__all__ = [
    "fund_create",
    "allocation_set",
    "office_member_set",
    "commitment_create",
    "grant_payment_record",
    "grant_payment_entry_fields",
]

logger = logging.getLogger("commonweal.programs")



def fund_create(
    *, actor, name_zh: str, total_fen: int, start_year: int, end_year: int, name_en: str = "", description: str = ""
) -> Fund:
    """A new fund, created by a program manager."""
    require_office(actor, OfficeRole.MANAGER)
    name_zh = check_text(name_zh, field="name_zh", max_length=120)
    name_en = check_text(name_en, field="name_en", max_length=200, required=False)
    total_fen = check_fen(total_fen, field="total")
    start_year, end_year = check_year(start_year, field="start_year"), check_year(end_year, field="end_year")
    if end_year < start_year:
        raise InvalidInput(f"the last year must not be before the first year {start_year}, got {end_year}", field="end_year", code="invalid_year")
    with transaction.atomic(durable=True):
        fund = Fund.objects.create(
            name_zh=name_zh, name_en=name_en, total_fen=total_fen, start_year=start_year, end_year=end_year,
            description=(description or "").strip(),
        )
        audit_record(actor=actor, action="fund.create", target=fund, data={"total_fen": total_fen})
    return fund


def allocation_set(*, actor, fund: Fund, domain: str, year: int, amount_fen: int) -> FundAllocation:
    """Set how much ``domain`` may commit in ``year``; never below what it has committed, and the
    allocations of a fund never add up to more than its total."""
    require_office(actor, OfficeRole.MANAGER)
    domain = check_domain(domain)
    year = check_year(year, field="year")
    amount_fen = check_fen(amount_fen, field="amount")
    with transaction.atomic(durable=True):
        locked = Fund.objects.select_for_update().get(pk=fund.pk)
        if not locked.start_year <= year <= locked.end_year:
            raise InvalidInput(
                f"year must be within the fund's years {locked.start_year}–{locked.end_year}, got {year}", field="year", code="invalid_year"
            )
        others = (
            FundAllocation.objects.filter(fund=locked).exclude(domain=domain, year=year).aggregate(s=Sum("amount_fen"))["s"] or 0
        )
        if others + amount_fen > locked.total_fen:
            raise Conflict(
                f"allocations would total {format_fen(others + amount_fen)}, more than the fund's {format_fen(locked.total_fen)}",
                code="allocation_exceeds_fund",
            )
        committed = (
            Commitment.objects.filter(fund=locked, domain=domain, year=year).aggregate(s=Sum("amount_fen"))["s"] or 0
        )
        if amount_fen < committed:
            raise Conflict(
                f"the allocation must be at least the {format_fen(committed)} already committed, got {format_fen(amount_fen)}",
                code="allocation_below_committed",
            )
        allocation, _created = FundAllocation.objects.update_or_create(
            fund=locked, domain=domain, year=year, defaults={"amount_fen": amount_fen}
        )
        audit_record(actor=actor, action="fund.allocate", target=locked, data={"domain": domain, "year": year, "amount_fen": amount_fen})
    return allocation


def office_member_set(*, user, role: str | None) -> OfficeMember | None:
    """Give ``user`` a role in the program office, or remove them (``role=None``). Used by the
    demo and by operators through the admin; not a public use case."""
    with transaction.atomic(savepoint=False):
        if role is None:
            OfficeMember.objects.filter(user=user).delete()
            return None
        if role not in OfficeRole.values:
            raise InvalidInput(f"role must be one of {', '.join(OfficeRole.values)}, got {role!r}", field="role", code="invalid_role")
        member, _created = OfficeMember.objects.update_or_create(user=user, defaults={"role": role})
        return member


def commitment_create(
    *,
    actor,
    fund: Fund,
    domain: str,
    year: int,
    amount_fen: int,
    recipient_name: str,
    program: str,
    source_kind: str,
    source_public_id: str = "",
    region: str = "",
    recipient_org=None,
    project=None,
    recipient_kind: str | None = None,
) -> Commitment:
    """Commit money of ``fund`` to one recipient; a program manager only.

    ``recipient_kind`` says whether ``recipient_name`` names an organization or a person; it
    defaults to "organization" when ``recipient_org`` is given, else "individual" (the safe
    choice: an individual's name never reaches the log or the public portfolio).

    Refused with ``Conflict``: ``no_allocation`` (the domain has no allocation for the year),
    ``allocation_exceeded`` and ``fund_exceeded``.
    """
    require_office(actor, OfficeRole.MANAGER)
    domain = check_domain(domain)
    year = check_year(year, field="year")
    amount_fen = check_fen(amount_fen, field="amount")
    recipient_name = check_text(recipient_name, field="recipient_name", max_length=200)
    program = check_text(program, field="program", max_length=120)
    region = check_text(region, field="region", max_length=64, required=False)
    if source_kind not in SourceKind.values:
        raise InvalidInput(f"source must be one of {', '.join(SourceKind.values)}, got {source_kind!r}", field="source_kind", code="invalid_source")
    if recipient_kind is None:
        recipient_kind = RecipientKind.ORGANIZATION if recipient_org is not None else RecipientKind.INDIVIDUAL
    if recipient_kind not in RecipientKind.values:
        raise InvalidInput(f"recipient kind must be one of {', '.join(RecipientKind.values)}, got {recipient_kind!r}", field="recipient_kind", code="invalid_recipient_kind")
    with transaction.atomic():
        locked = Fund.objects.select_for_update().get(pk=fund.pk)
        allocation = FundAllocation.objects.filter(fund=locked, domain=domain, year=year).first()
        if allocation is None:
            raise Conflict(f"the fund has no allocation for {domain} in {year}", code="no_allocation")
        in_cell = Commitment.objects.filter(fund=locked, domain=domain, year=year).aggregate(s=Sum("amount_fen"))["s"] or 0
        left = allocation.amount_fen - in_cell
        if amount_fen > left:
            raise Conflict(
                f"the {domain} allocation for {year} has {format_fen(max(left, 0))} left, "
                f"not enough for {format_fen(amount_fen)}",
                code="allocation_exceeded",
            )
        in_fund = Commitment.objects.filter(fund=locked).aggregate(s=Sum("amount_fen"))["s"] or 0
        if in_fund + amount_fen > locked.total_fen:
            raise Conflict(
                f"the fund has {format_fen(max(locked.total_fen - in_fund, 0))} left to commit, "
                f"not enough for {format_fen(amount_fen)}",
                code="fund_exceeded",
            )
        commitment = Commitment.objects.create(
            fund=locked, domain=domain, year=year, region=region, program=program, recipient_name=recipient_name,
            recipient_kind=recipient_kind, recipient_org=recipient_org, project=project, amount_fen=amount_fen,
            currency=locked.currency, source_kind=source_kind, source_public_id=source_public_id or "", created_by=actor,
        )
        audit_record(
            actor=actor, action="commitment.create", target=commitment,
            data={"fund": locked.public_id, "amount_fen": amount_fen, "domain": domain, "year": year, "source_kind": source_kind},
        )
    logger.info("commitment_create fund=%s commitment=%s amount_fen=%s", locked.public_id, commitment.public_id, amount_fen)
    return commitment


def _recipient_reference(commitment: Commitment) -> str:
    """Who received the money, as the log may say it: an organization's public id, else an
    organization's name; an individual only as the commitment's public id."""
    if commitment.recipient_org_id is not None:
        return commitment.recipient_org.public_id
    if commitment.recipient_kind == RecipientKind.ORGANIZATION:
        return commitment.recipient_name
    return commitment.public_id


def grant_payment_entry_fields(*, commitment: Commitment, amount_fen: int, paid_on: dt.date) -> dict:
    """The ledger fields of a grant payment: public ids and amounts, no personal names."""
    return {
        "fund": commitment.fund.public_id,
        "commitment": commitment.public_id,
        "amount_fen": amount_fen,
        "currency": commitment.currency,
        "domain": commitment.domain,
        "recipient": _recipient_reference(commitment),
        "paid_on": paid_on.isoformat(),
    }


def grant_payment_record(*, commitment: Commitment, amount_fen: int, paid_on: dt.date, created_by, approved_by) -> GrantPayment:
    """Record money paid against ``commitment``: four eyes, finance approval, never more than
    what remains committed; writes the ``grant_payment`` outbox entry in the same transaction.

    Refused with ``Conflict``: ``four_eyes`` (the same person records and approves),
    ``office_role_required`` (the approver is not finance, or the author not in the office),
    ``overpayment``.
    """
    amount_fen = check_fen(amount_fen, field="amount")
    if not isinstance(paid_on, dt.date) or isinstance(paid_on, dt.datetime):
        raise InvalidInput(f"paid_on must be a date, got {type(paid_on).__name__}", field="paid_on", code="invalid_date")
    if created_by is None or approved_by is None or created_by.pk == approved_by.pk:
        raise Conflict("a payment is approved by someone other than whoever recorded it", code="four_eyes")
    if office_role(created_by) is None:
        raise Conflict("only a member of the program office may record a payment", code="office_role_required")
    if office_role(approved_by) != OfficeRole.FINANCE:
        raise Conflict("only program finance may approve a payment", code="office_role_required")
    with transaction.atomic():
        try:
            locked = Commitment.objects.select_for_update(of=("self",)).select_related("fund", "recipient_org").get(pk=commitment.pk)
        except Commitment.DoesNotExist:
            raise NotFound("no such commitment") from None
        paid = locked.payments.aggregate(s=Sum("amount_fen"))["s"] or 0
        remaining = locked.amount_fen - paid
        if amount_fen > remaining:
            raise Conflict(
                f"the commitment has {format_fen(remaining)} left to pay, not enough for {format_fen(amount_fen)}",
                code="overpayment",
            )
        payment = GrantPayment.objects.create(
            commitment=locked, amount_fen=amount_fen, currency=locked.currency, paid_on=paid_on,
            created_by=created_by, approved_by=approved_by,
        )
        outbox_append(
            entry_type="grant_payment", subject_id=payment.public_id,
            fields=grant_payment_entry_fields(commitment=locked, amount_fen=amount_fen, paid_on=paid_on),
        )
        audit_record(
            actor=approved_by, action="grant_payment.record", target=payment,
            data={"commitment": locked.public_id, "amount_fen": amount_fen},
        )
    logger.info("grant_payment_record commitment=%s payment=%s amount_fen=%s", locked.public_id, payment.public_id, amount_fen)
    return payment
