"""Official donation receipts (Charity Law Art. 38), and the one edit a donor may make to a gift.

- The donor (signed in, the gift's owner) asks for a receipt for one gift, or for all their gifts
  of a year to one organization: :func:`receipt_request_gift`, :func:`receipt_request_year`.
  The name on the receipt is given for that receipt only and stored on it, never on the gift.
- A finance member of the organization that received the gifts issues it:
  :func:`receipt_issue` takes the next number of the organization's counter for the year of
  issue ("2026-000123") under a row lock; ``UNIQUE(org, number)`` backs it up.
- Issued receipts are locked. :func:`donation_update_donor_display` refuses to edit a gift an
  issued receipt covers; a refund voids every live receipt of the gift in the refund's own
  transaction (:func:`receipts_void_for_refund`); finance may void one with a reason
  (:func:`receipt_void`). Numbers of void receipts are never reused.

Lock order, everywhere: the gifts (by primary key), then the receipt, then the counter. Refunds
lock the gift and then its receipts, so an issue and a refund never wait on each other in a cycle.
"""

import datetime as dt
import logging
import unicodedata

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from commonweal.core.audit import audit_record
from commonweal.core.errors import Conflict, InvalidInput, NotFound
from commonweal.core.money import format_fen
from commonweal.core.timeutil import SHANGHAI, shanghai_date
from commonweal.giving.lifecycle import RECEIPT_TRANSITIONS, REFUND
from commonweal.giving.models import (
    Donation,
    DonationReceipt,
    DonationReceiptLine,
    ReceiptCounter,
    ReceiptScope,
    ReceiptStatus,
    Refund,
)
from commonweal.orgs.models import Organization
from commonweal.orgs.permissions import member_role

__all__ = [
    "RECEIPT_NAME_MAX_LENGTH",
    "PURPOSE_MAX_LENGTH",
    "receipt_number_format",
    "year_bounds",
    "receipt_request_gift",
    "receipt_request_year",
    "receipt_issue",
    "receipt_void",
    "receipts_void_for_refund",
    "donation_update_donor_display",
]

logger = logging.getLogger("commonweal.giving")

RECEIPT_NAME_MAX_LENGTH = 64
PURPOSE_MAX_LENGTH = 300
FIRST_YEAR = 2000
NUMBER_DIGITS = 6
_LIVE = (ReceiptStatus.REQUESTED, ReceiptStatus.ISSUED)


def receipt_number_format(year: int, sequence: int) -> str:
    """The printed receipt number: "2026-000123" (at least six digits, more after 999,999)."""
    return f"{year:04d}-{sequence:0{NUMBER_DIGITS}d}"


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """[1 January, next 1 January) of ``year`` in Beijing time, as aware datetimes."""
    return dt.datetime(year, 1, 1, tzinfo=SHANGHAI), dt.datetime(year + 1, 1, 1, tzinfo=SHANGHAI)


def _clean_name(donor_name: str, *, field: str = "donor_name", required: bool = True) -> str:
    if not isinstance(donor_name, str):
        raise InvalidInput(f"the name must be text, got {type(donor_name).__name__}", field=field)
    name = " ".join(unicodedata.normalize("NFC", donor_name).split())
    if required and not name:
        raise InvalidInput("the name on the receipt is required", code="required", field=field)
    if len(name) > RECEIPT_NAME_MAX_LENGTH:
        raise InvalidInput(
            f"the name must be at most {RECEIPT_NAME_MAX_LENGTH} characters, got {len(name)}", field=field
        )
    if any(unicodedata.category(c)[0] == "C" for c in name):
        raise InvalidInput("the name must not contain control characters", field=field)
    return name


def _purpose(donations: list[Donation]) -> str:
    titles = list(dict.fromkeys(d.project.title_zh for d in donations))
    text = "；".join(titles)
    return text if len(text) <= PURPOSE_MAX_LENGTH else text[: PURPOSE_MAX_LENGTH - 1] + "…"


def _live_lines() -> QuerySet[DonationReceiptLine]:
    return DonationReceiptLine.objects.filter(live=True)


def _create_request(*, org: Organization, actor, scope: str, year: int, donor_name: str,
                    donations: list[Donation]) -> DonationReceipt:
    """Inside the caller's transaction, with ``donations`` locked: the receipt and its lines."""
    covered = _live_lines().filter(donation__in=donations).select_related("receipt").first()
    if covered is not None:
        raise Conflict(
            f"gift {covered.donation.public_id} already has a receipt or a request ({covered.receipt.public_id})",
            code="receipt_exists",
        )
    donations = [d for d in donations if d.net_fen > 0]
    if not donations:
        raise Conflict("nothing to receipt: the gifts were refunded in full", code="receipt_nothing_to_cover")
    receipt = DonationReceipt.objects.create(
        org=org, donor=actor, scope=scope, year=year, donor_name=donor_name,
        amount_fen=sum(d.net_fen for d in donations), purpose=_purpose(donations),
    )
    try:
        with transaction.atomic():
            DonationReceiptLine.objects.bulk_create(
                [DonationReceiptLine(receipt=receipt, donation=d, amount_fen=d.net_fen) for d in donations]
            )
    except IntegrityError as exc:  # a concurrent request for the same gift won the race
        raise Conflict("one of these gifts already has a receipt or a request", code="receipt_exists") from exc
    audit_record(
        actor=actor, action="receipt.request", target=receipt,
        data={"scope": scope, "year": year, "donations": [d.public_id for d in donations]},
    )
    return receipt


def receipt_request_gift(*, donation: Donation, actor, donor_name: str) -> DonationReceipt:
    """The donor asks for a receipt for one gift, under ``donor_name`` (for this receipt only)."""
    name = _clean_name(donor_name)
    public_id = donation.public_id
    with transaction.atomic(durable=True):
        donation = (
            Donation.objects.select_for_update(of=("self",)).select_related("project", "recipient_org")
            .filter(pk=donation.pk).first()
        )
        if donation is None or not getattr(actor, "is_authenticated", False) or donation.donor_id != actor.pk:
            raise NotFound(f"no donation {public_id!r} among your gifts")
        receipt = _create_request(
            org=donation.recipient_org, actor=actor, scope=ReceiptScope.GIFT,
            year=shanghai_date(donation.confirmed_at).year, donor_name=name, donations=[donation],
        )
    logger.info("receipt_requested id=%s org=%s scope=gift", receipt.public_id, receipt.org.public_id)
    return receipt


def receipt_request_year(*, org: Organization, year: int, actor, donor_name: str,
                         today: dt.date | None = None) -> DonationReceipt:
    """The donor asks for one receipt for all their gifts of ``year`` (Beijing time) to ``org``
    that no other receipt or request covers yet."""
    name = _clean_name(donor_name)
    today = today or timezone.localdate()
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= today.year:
        raise InvalidInput(f"the year must be between {FIRST_YEAR} and {today.year}, got {year!r}", field="year")
    if not getattr(actor, "is_authenticated", False):
        raise NotFound("sign in to ask for a receipt")
    start, end = year_bounds(year)
    with transaction.atomic(durable=True):
        donations = list(
            Donation.objects.select_for_update(of=("self",)).select_related("project")
            .filter(donor=actor, recipient_org=org, confirmed_at__gte=start, confirmed_at__lt=end)
            .exclude(pk__in=_live_lines().values("donation_id"))
            .order_by("pk")
        )
        if not donations:
            raise Conflict(
                f"you have no gifts of {year} to this organization without a receipt", code="receipt_nothing_to_cover"
            )
        receipt = _create_request(
            org=org, actor=actor, scope=ReceiptScope.YEAR, year=year, donor_name=name, donations=donations
        )
    logger.info("receipt_requested id=%s org=%s scope=year", receipt.public_id, org.public_id)
    return receipt


_ISSUING_ROLES = frozenset().union(*(rule.allowed for rule in RECEIPT_TRANSITIONS.values())) - {REFUND}


def _check_edge(receipt: DonationReceipt, to: str, actor, *, reason: str = "", by_refund: bool = False) -> str:
    """The audit action of the edge if it may be taken now. Outsiders get NotFound whatever the
    state; members get Conflict for an edge the table does not have."""
    rule = RECEIPT_TRANSITIONS.get((receipt.status, to))
    taker = REFUND if by_refund else member_role(actor, receipt.org)
    if not by_refund and taker not in _ISSUING_ROLES:
        raise NotFound(f"no receipt {receipt.public_id!r} in your console")
    if rule is None or taker not in rule.allowed:
        raise Conflict(f"a receipt cannot go from {receipt.status} to {to}", code="illegal_transition")
    if rule.reason_required and not reason.strip():
        raise InvalidInput("a reason is required", field="reason")
    return rule.action


def _lock_covered_gifts(receipt: DonationReceipt) -> dict[int, Donation]:
    ids = list(
        DonationReceiptLine.objects.filter(receipt_id=receipt.pk, live=True).order_by("donation_id")
        .values_list("donation_id", flat=True)
    )
    return {d.pk: d for d in Donation.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def _next_number(org: Organization, year: int) -> str:
    """The organization's next number for ``year``, taken under the counter row's lock."""
    counter = ReceiptCounter.objects.select_for_update().filter(org=org, year=year).first()
    if counter is None:
        # INSERT ... ON CONFLICT DO NOTHING: a concurrent first issue of the year may insert it too.
        ReceiptCounter.objects.bulk_create([ReceiptCounter(org=org, year=year)], ignore_conflicts=True)
        counter = ReceiptCounter.objects.select_for_update().get(org=org, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return receipt_number_format(year, counter.last_number)


def receipt_issue(*, receipt: DonationReceipt, actor, now: dt.datetime | None = None) -> DonationReceipt:
    """A finance member of the recipient organization issues a requested receipt."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        # 1. The gifts first (the order refunds lock in), then the receipt.
        gifts = _lock_covered_gifts(receipt)
        receipt = DonationReceipt.objects.select_for_update(of=("self",)).select_related("org", "donor").get(pk=receipt.pk)
        action = _check_edge(receipt, ReceiptStatus.ISSUED, actor)
        # 2. Amounts as they stand now (a refund would have voided the request, so they match).
        lines = list(receipt.lines.filter(live=True))
        for line in lines:
            net = gifts[line.donation_id].net_fen
            if net != line.amount_fen:
                raise Conflict(
                    f"gift {gifts[line.donation_id].public_id} changed since the request: {line.amount_fen} fen asked, {net} now",
                    code="receipt_stale",
                )
        total = sum(line.amount_fen for line in lines)
        if total <= 0:
            raise Conflict("nothing to receipt: the gifts were refunded in full", code="receipt_nothing_to_cover")
        # 3. The number, under the counter's lock, for the year of issue (Beijing time).
        receipt.number = _next_number(receipt.org, shanghai_date(now).year)
        receipt.amount_fen = total
        receipt.status = ReceiptStatus.ISSUED
        receipt.issued_at = now
        receipt.issued_by = actor
        receipt.save(update_fields=["number", "amount_fen", "status", "issued_at", "issued_by"])
        audit_record(actor=actor, action=action, target=receipt, data={"number": receipt.number, "amount_fen": total})
        transaction.on_commit(lambda: _tell_donor(receipt, issued=True))
    logger.info("receipt_issued id=%s org=%s number=%s amount_fen=%s", receipt.public_id, receipt.org.public_id, receipt.number, total)
    return receipt


def _void(receipt: DonationReceipt, *, action: str, actor, reason: str, now: dt.datetime, refund: Refund | None) -> None:
    receipt.status = ReceiptStatus.VOID
    receipt.voided_at = now
    receipt.voided_by = actor if getattr(actor, "is_authenticated", False) else None
    receipt.void_reason = reason.strip()
    receipt.void_refund = refund
    receipt.save(update_fields=["status", "voided_at", "voided_by", "void_reason", "void_refund"])
    DonationReceiptLine.objects.filter(receipt=receipt).update(live=False)
    audit_record(
        actor=actor, action=action, target=receipt, reason=reason.strip(),
        data={"number": receipt.number, **({"refund": refund.public_id} if refund else {})},
    )
    transaction.on_commit(lambda: _tell_donor(receipt, issued=False))


def receipt_void(*, receipt: DonationReceipt, actor, reason: str, now: dt.datetime | None = None) -> DonationReceipt:
    """Finance voids a receipt (declines a request, or withdraws an issued one) with a reason."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        _lock_covered_gifts(receipt)
        receipt = DonationReceipt.objects.select_for_update(of=("self",)).select_related("org", "donor").get(pk=receipt.pk)
        action = _check_edge(receipt, ReceiptStatus.VOID, actor, reason=reason)
        _void(receipt, action=action, actor=actor, reason=reason, now=now, refund=None)
    logger.info("receipt_voided id=%s org=%s by=finance", receipt.public_id, receipt.org.public_id)
    return receipt


def receipts_void_for_refund(*, donation: Donation, refund: Refund, actor, now: dt.datetime | None = None) -> list[DonationReceipt]:
    """Inside ``refund_create``'s transaction, with ``donation`` locked: void every live receipt
    (requested or issued) that covers the gift, giving the refund as the reason."""
    now = now or timezone.now()
    with transaction.atomic(savepoint=False):
        receipts = list(
            DonationReceipt.objects.select_for_update(of=("self",)).select_related("org", "donor")
            .filter(lines__donation=donation, lines__live=True, status__in=_LIVE)
            .order_by("pk")
        )
        reason = f"refund {refund.public_id} of {refund.amount_fen} fen: {refund.reason}"
        for receipt in receipts:
            action = _check_edge(receipt, ReceiptStatus.VOID, actor, reason=reason, by_refund=True)
            _void(receipt, action=action, actor=actor, reason=reason, now=now, refund=refund)
            logger.info("receipt_voided id=%s org=%s by=refund refund=%s", receipt.public_id, receipt.org.public_id, refund.public_id)
    return receipts


def _tell_donor(receipt: DonationReceipt, *, issued: bool) -> None:
    """Email the donor that their receipt was issued or voided (after commit; bilingual)."""
    email = receipt.donor.email
    if not email:
        return
    link = f"{settings.SITE_URL.rstrip('/')}{reverse('receipt-detail', args=[receipt.public_id])}"
    org = receipt.org.name_zh
    amount = format_fen(receipt.amount_fen)
    if issued:
        subject = f"Commonweal: {org} 已开具捐赠票据 {receipt.number} / issued your donation receipt"
        body = (
            f"{org} 已为您开具捐赠票据 {receipt.number}，金额 {amount}。\n"
            f"{org} issued your donation receipt {receipt.number} for {amount}.\n\n{link}\n"
        )
    else:
        subject = f"Commonweal: 捐赠票据已作废 / a donation receipt was voided ({receipt.number or receipt.public_id})"
        body = (
            f"{org} 的捐赠票据 {receipt.number or ''} 已作废。原因：{receipt.void_reason}\n"
            f"Your donation receipt {receipt.number or ''} from {org} was voided. Reason: {receipt.void_reason}\n\n"
            f"您可以重新申请。 You may ask for a new one.\n{link}\n"
        )
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[email])


# --- the one edit a donor may make to a gift -------------------------------------------------

def donation_update_donor_display(*, donation: Donation, actor, donor_name: str, donor_public: bool) -> Donation:
    """The donor changes how the gift appears on the project page (name, public or masked).

    Refused with ``donation_locked_by_receipt`` once an issued receipt covers the gift: what was
    receipted is not edited afterwards.
    """
    name = _clean_name(donor_name, required=False)
    if not isinstance(donor_public, bool):
        raise InvalidInput(f"donor_public must be true or false, got {donor_public!r}", field="donor_public")
    public_id = donation.public_id
    with transaction.atomic(durable=True):
        donation = Donation.objects.select_for_update().filter(pk=donation.pk).first()
        if donation is None or not getattr(actor, "is_authenticated", False) or donation.donor_id != actor.pk:
            raise NotFound(f"no donation {public_id!r} among your gifts")
        issued = (
            DonationReceipt.objects.filter(lines__donation=donation, lines__live=True, status=ReceiptStatus.ISSUED)
            .only("number").first()
        )
        if issued is not None:
            raise Conflict(
                f"this gift is covered by issued receipt {issued.number} and can no longer be edited",
                code="donation_locked_by_receipt",
            )
        donation.donor_name = name
        donation.donor_public = donor_public
        donation.save(update_fields=["donor_name", "donor_public"])
        audit_record(actor=actor, action="donation.update_display", target=donation, data={"donor_public": donation.donor_public})
    return donation
