"""360Giving 1.4 JSON (standard.threesixtygiving.org) for the grants of the program office.

One grant per fund commitment (``programs.Commitment``): awards of prize and grant programs
(``programs.grants.Award``) and the office's direct commitments, labs and studios. Identifiers:

- grant ``360G-CN-USCI-<publisher credit code>-<commitment public id>``;
- funder and recipient organizations by their org-id.guide identifier ``CN-USCI-<credit code>``;
- an individual grantee is never named: ``recipientIndividual`` is
  ``{"id": "<grant id>-IND", "name": "Individual Recipient"}``, as 360Giving advises.

Amounts are numbers of yuan. They are exact: fen / 100 is printed by Python's shortest
round-trip repr, which gives the two-decimal text for every amount under 10^13 fen.
"""

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator


from commonweal.core.domains import DOMAIN_LABELS_EN, DOMAIN_LABELS_ZH
from commonweal.core.timeutil import SHANGHAI
from commonweal.opendata import selectors
from commonweal.opendata.conf import Publisher, publisher as configured_publisher
from commonweal.opendata.iati import activity_identifier, org_ref
from commonweal.programs.grants.models import Award, Installment
from commonweal.programs.models import Commitment, GrantPayment

__all__ = ["THREESIXTY_VERSION", "grant_id", "yuan", "commitment_grant", "threesixty_grants", "write_package"]

THREESIXTY_VERSION = "1.4"
MAX_EXACT_FEN = 10**13


def yuan(amount_fen: int) -> float | int:
    """Fen as a JSON number of yuan: 123456 -> 1234.56, 500 -> 5."""
    if abs(amount_fen) >= MAX_EXACT_FEN:
        raise ValueError(f"amount too large to print exactly as a JSON number: {amount_fen} fen")
    whole, cents = divmod(amount_fen, 100)
    return whole if cents == 0 else amount_fen / 100


def grant_id(pub: Publisher, commitment) -> str:
    return f"360G-{org_ref(pub.credit_code)}-{commitment.public_id}"


def _date(value: dt.datetime) -> str:
    return value.astimezone(SHANGHAI).date().isoformat()


def commitment_grant(commitment, *, pub: Publisher, award=None, installments: Iterable = (), payments: Iterable = (),
                     disbursed_fen: int = 0) -> dict:
    """One 360Giving grant for a commitment (and its award, when it is one)."""
    identifier = grant_id(pub, commitment)
    domain_zh, domain_en = DOMAIN_LABELS_ZH.get(commitment.domain, ""), DOMAIN_LABELS_EN.get(commitment.domain, "")
    grant: dict = {
        "id": identifier,
        "title": commitment.program,
        "description": f"{commitment.program}（{domain_zh}，{commitment.year}）",
        "currency": commitment.currency,
        "amountAwarded": yuan(commitment.amount_fen),
        "amountDisbursed": yuan(disbursed_fen),
        "awardDate": _date(commitment.created_at),
        "fundingOrganization": [{"id": org_ref(pub.credit_code), "name": pub.name_zh}],
        "grantProgramme": [{"code": commitment.program, "title": commitment.program}],
        "classifications": [{"vocabulary": "commonweal-domain", "code": commitment.domain, "title": domain_en}],
        "relatedActivity": [activity_identifier(pub.credit_code, commitment.fund.public_id)],
        "dateModified": commitment.created_at.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat(),
    }
    if award is not None:
        call = award.application.call
        program = call.program
        grant["title"] = f"{program.name_zh} · {call.title_zh}"
        grant["description"] = program.description or grant["description"]
        grant["awardDate"] = _date(award.awarded_at)
        grant["grantProgramme"] = [{"code": program.public_id, "title": program.name_zh}]
        grant["fromOpenCall"] = "Yes" if call.self_application else "No"
        grant["relatedActivity"].append(activity_identifier(pub.credit_code, award.public_id))
        installments = list(installments)
        if installments:
            grant["plannedDates"] = [{"startDate": _date(award.awarded_at), "endDate": max(i.due_on for i in installments).isoformat()}]
    if commitment.recipient_kind == "individual" or (award is not None and commitment.recipient_org_id is None):
        grant["recipientIndividual"] = {"id": f"{identifier}-IND", "name": "Individual Recipient"}
    else:
        org = commitment.recipient_org
        if org is not None:
            grant["recipientOrganization"] = [{"id": org_ref(org.credit_code), "name": org.name_zh}]
        else:
            grant["recipientOrganization"] = [{"id": f"{identifier}-ORG", "name": commitment.recipient_name}]
    if commitment.region:
        grant["beneficiaryLocation"] = [{"name": commitment.region, "countryCode": "CN"}]
    transactions = [{"id": p.public_id, "transactionDate": p.paid_on.isoformat(), "currency": p.currency,
                     "value": yuan(p.amount_fen)} for p in payments]
    if transactions:
        grant["disbursementTransaction"] = transactions
    return grant


def threesixty_grants(*, batch_size: int = selectors.DEFAULT_BATCH_SIZE, pub: Publisher | None = None) -> Iterator[dict]:
    """Every grant, in batches (a fixed number of queries per batch)."""
    pub = pub or configured_publisher()
    queryset = Commitment.objects.select_related("fund", "recipient_org")
    for commitments in selectors.batches(queryset, size=batch_size):
        ids = [c.pk for c in commitments]
        payments: dict[int, list] = defaultdict(list)
        for payment in GrantPayment.objects.filter(commitment_id__in=ids).order_by("paid_on", "pk"):
            payments[payment.commitment_id].append(payment)
        awards = {a.commitment_id: a for a in Award.objects.filter(commitment_id__in=ids)
                  .select_related("application__call__program")}
        installments: dict[int, list] = defaultdict(list)
        for installment in Installment.objects.filter(award__commitment_id__in=ids).select_related("award").order_by("number"):
            installments[installment.award.commitment_id].append(installment)
        for commitment in commitments:
            paid = payments.get(commitment.pk, [])
            yield commitment_grant(commitment, pub=pub, award=awards.get(commitment.pk), installments=installments.get(commitment.pk, ()),
                                   payments=paid, disbursed_fen=sum(p.amount_fen for p in paid))


def write_package(grants: Iterable[dict]) -> Iterator[bytes]:
    """A 360Giving package ``{"version": "1.4", "grants": [...]}``, one grant at a time."""
    yield f'{{"version": "{THREESIXTY_VERSION}", "grants": ['.encode()
    separator = b"\n"
    for grant in grants:
        yield separator + json.dumps(grant, ensure_ascii=False, sort_keys=True).encode("utf-8")
        separator = b",\n"
    yield b"\n]}\n"
