"""IATI 2.03 activity XML (iatistandard.org/en/iati-standard/203/activity-standard/).

One ``iati-activity`` per public project, per fund of the program office and per grant award.
Identifiers are ``CN-USCI-<unified social credit code>-<public id>`` (the CN-USCI registration
agency of the OrganisationRegistrationAgency codelist): a project is reported by its
organization, funds and awards by the platform's publisher (``opendata.conf``).

Elements follow the schema's order. Codes used here come from the codelists checked in
``opendata.validation``:

- activity-status (ActivityStatus) from the project lifecycle (:data:`PROJECT_ACTIVITY_STATUS`);
- activity-date types 1 planned start, 2 actual start, 3 planned end (ActivityDateType);
- participating-org roles 1 funding, 2 accountable, 4 implementing (OrganisationRole);
- recipient-country CN (Country), the province as a ``location`` name;
- sector vocabulary 1, DAC 5-digit (Sector) from ``opendata.sectors``;
- tag vocabulary 2 (UNSDG-Goals) and 3 (UNSDG-Targets) from the project's SDG tags;
- budget type 1 original (BudgetType); transactions 1 incoming funds, 2 outgoing commitment,
  3 disbursement, 4 expenditure (TransactionType).

Donations are published as one incoming-funds transaction per project and calendar month
(Beijing time), refunds as negative incoming funds: donors stay anonymous, and the individual
gifts are in the public ledger. Organization types (OrganisationType, not among the shipped
codelists): 60 foundation, 22 national NGO.
"""

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from lxml import etree

from commonweal.core.domains import DOMAIN_LABELS_EN, DOMAIN_LABELS_ZH
from commonweal.core.timeutil import SHANGHAI
from commonweal.opendata.conf import Publisher
from commonweal.opendata.sectors import DOMAIN_SECTORS
from commonweal.opendata.standards import codelist
from commonweal.orgs.models import Organization, OrgType
from commonweal.projects.models import Project, ProjectStatus

__all__ = [
    "IATI_VERSION",
    "REGISTRATION_AGENCY",
    "PROJECT_ACTIVITY_STATUS",
    "org_ref",
    "activity_identifier",
    "fen_value",
    "xml_text",
    "activities_root",
    "project_activity",
    "fund_activity",
    "award_activity",
    "lab_activity",
    "studio_activity",
    "IndicatorData",
    "write_activities",
]

IATI_VERSION = "2.03"
REGISTRATION_AGENCY = "CN-USCI"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CURRENCY = "CNY"

PROJECT_ACTIVITY_STATUS: dict[str, str] = {
    ProjectStatus.DRAFT: "1",  # Pipeline/identification (never exported: not public)
    ProjectStatus.IN_REVIEW: "1",
    ProjectStatus.FUNDRAISING: "1",  # still raising the money: not yet implementing
    ProjectStatus.EXECUTING: "2",  # Implementation
    ProjectStatus.COMPLETED: "3",  # Finalisation, until the final report is published; then 4 Closed
    ProjectStatus.CLOSED: "5",  # Cancelled: closed before completion, with a recorded reason
}
"""Project status -> ActivityStatus code."""

ORG_TYPE: dict[str, str] = {OrgType.FOUNDATION: "60"}
"""Organization type -> IATI OrganisationType (default 22, national NGO)."""

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry (control characters, lone surrogates)."""
    return _ILLEGAL_XML.sub("", text or "")


def org_ref(credit_code: str) -> str:
    """The IATI organisation identifier of a Chinese organization: ``CN-USCI-<code>``."""
    return f"{REGISTRATION_AGENCY}-{credit_code}"


def activity_identifier(credit_code: str, local_id: str) -> str:
    """``CN-USCI-<credit code>-<local id>``: the reporting organization's identifier and ours."""
    return f"{org_ref(credit_code)}-{local_id}"


def fen_value(amount_fen: int) -> str:
    """Fen as a decimal yuan string, exactly: 123456 -> "1234.56", -5 -> "-0.05"."""
    sign = "-" if amount_fen < 0 else ""
    whole, cents = divmod(abs(amount_fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def _decimal(value: Decimal) -> str:
    """An exact decimal without exponent or trailing zeros: Decimal("1200.50") -> "1200.5"."""
    return format(value.normalize(), "f")


def _iso(day: dt.date | dt.datetime) -> str:
    if isinstance(day, dt.datetime):
        day = day.astimezone(SHANGHAI).date()
    return day.isoformat()


def _sub(parent, tag: str, **attrs) -> etree._Element:
    return etree.SubElement(parent, tag, {k.replace("_", "-"): str(v) for k, v in attrs.items() if v is not None})


def _narratives(parent, *, zh: str = "", en: str = "") -> None:
    """Chinese (the activity's default language) then English narratives; at least one."""
    zh, en = xml_text(zh).strip(), xml_text(en).strip()
    if zh or not en:
        _sub(parent, "narrative").text = zh
    if en:
        narrative = etree.SubElement(parent, "narrative")
        narrative.set(XML_LANG, "en")
        narrative.text = en


def _text_element(parent, tag: str, *, zh: str = "", en: str = "", **attrs) -> etree._Element:
    element = _sub(parent, tag, **attrs)
    _narratives(element, zh=zh, en=en)
    return element


def activities_root() -> etree._Element:
    """An empty ``iati-activities`` element with the attributes of every export."""
    return etree.Element("iati-activities", {
        "version": IATI_VERSION,
        "generated-datetime": timezone.now().astimezone(dt.timezone.utc).replace(microsecond=0).isoformat(),
    })


def _activity(*, identifier: str, updated: dt.datetime | None, hierarchy: int) -> etree._Element:
    attrs = {"default-currency": CURRENCY, "hierarchy": str(hierarchy)}
    if updated is not None:
        attrs["last-updated-datetime"] = updated.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat()
    activity = etree.Element("iati-activity", attrs)
    activity.set(XML_LANG, "zh")
    _sub(activity, "iati-identifier").text = identifier
    return activity


def _reporting_org(activity, *, credit_code: str, org_type: str, name_zh: str, name_en: str) -> None:
    _text_element(activity, "reporting-org", zh=name_zh, en=name_en, ref=org_ref(credit_code), type=org_type)


def _org_type(org: Organization) -> str:
    return ORG_TYPE.get(org.org_type, "22")


def _participating(activity, *, role: str, zh: str, en: str = "", ref: str | None = None, org_type: str | None = None,
                   activity_id: str | None = None) -> None:
    _text_element(activity, "participating-org", zh=zh, en=en, ref=ref, type=org_type, role=role, activity_id=activity_id)


def _country(activity) -> None:
    _text_element(activity, "recipient-country", zh="中国", en="China", code="CN", percentage="100")


def _location(activity, *, region: str) -> None:
    if region.strip():
        location = _sub(activity, "location")
        _text_element(location, "name", zh=region)


def _sectors(activity, weights: Iterable[tuple[str, Decimal]]) -> None:
    names = codelist("Sector")["active"]
    for code, percentage in weights:
        _text_element(activity, "sector", en=names.get(code, ""), vocabulary="1", code=code,
                      percentage=_decimal(percentage))


def _domain_sectors(domain: str) -> list[tuple[str, Decimal]]:
    return [(code, Decimal(pct)) for code, pct in DOMAIN_SECTORS.get(domain, ())]


def _sdg_tags(activity, tags: Iterable[str]) -> None:
    for tag in tags:
        tag = str(tag)
        vocabulary = "3" if "." in tag else "2"
        _sub(activity, "tag", vocabulary=vocabulary, code=tag)


def _budget(activity, *, start: dt.date, end: dt.date, amount_fen: int) -> None:
    budget = _sub(activity, "budget", type="1", status="2")
    _sub(budget, "period-start", iso_date=start.isoformat())
    _sub(budget, "period-end", iso_date=end.isoformat())
    _sub(budget, "value", currency=CURRENCY, value_date=start.isoformat()).text = fen_value(amount_fen)


def _transaction(activity, *, ref: str, type_code: str, on: dt.date, amount_fen: int, zh: str = "", en: str = "",
                 provider: dict | None = None, receiver: dict | None = None) -> None:
    transaction = _sub(activity, "transaction", ref=ref)
    _sub(transaction, "transaction-type", code=type_code)
    _sub(transaction, "transaction-date", iso_date=on.isoformat())
    _sub(transaction, "value", currency=CURRENCY, value_date=on.isoformat()).text = fen_value(amount_fen)
    if zh or en:
        _text_element(transaction, "description", zh=zh, en=en)
    for tag, org in (("provider-org", provider), ("receiver-org", receiver)):
        if org is not None:
            org = dict(org)
            _text_element(transaction, tag, zh=org.pop("zh", ""), en=org.pop("en", ""), **org)


@dataclass(frozen=True, slots=True, kw_only=True)
class IndicatorData:
    """An impact indicator with its targets and results, as the result element needs it."""

    name_zh: str
    """Name in Chinese."""
    name_en: str
    """Name in English ("" when none)."""
    unit: str
    """Unit of the values ("%" makes the measure a percentage)."""
    code: str
    """Framework identifier (SDG target, IRIS+ metric), "" for a custom indicator."""
    framework: str
    """The framework's label, shown with the code."""
    ascending: bool
    """Whether higher values are better."""
    baseline: tuple[dt.date, Decimal] | None
    """(date, value) of the baseline, if any."""
    periods: list[tuple[dt.date, dt.date, Decimal | None, Decimal | None]]
    """(start, end, target, actual) per reporting period, in order."""


def _results(activity, indicators: Iterable[IndicatorData]) -> None:
    """One result (type 2, outcome) per indicator: baseline, then per period its target and actual."""
    for data in indicators:
        result = _sub(activity, "result", type="2")
        _text_element(result, "title", zh=data.name_zh, en=data.name_en)
        measure = "2" if data.unit.strip() == "%" else "1"
        indicator = _sub(result, "indicator", measure=measure, ascending="1" if data.ascending else "0")
        _text_element(indicator, "title", zh=f"{data.name_zh}（{data.unit}）", en=f"{data.name_en} ({data.unit})" if data.name_en else "")
        if data.code:
            _text_element(indicator, "description", zh=f"{data.framework}: {data.code}", en=f"{data.framework}: {data.code}")
        if data.baseline is not None:
            on, value = data.baseline
            _sub(indicator, "baseline", year=on.year, iso_date=on.isoformat(), value=_decimal(value))
        for start, end, target, actual in data.periods:
            period = _sub(indicator, "period")
            _sub(period, "period-start", iso_date=start.isoformat())
            _sub(period, "period-end", iso_date=end.isoformat())
            if target is not None:
                _sub(period, "target", value=_decimal(target))
            if actual is not None:
                _sub(period, "actual", value=_decimal(actual))


# --- projects -----------------------------------------------------------------------------------

def project_activity(project: Project, facts, *, indicators: Iterable[IndicatorData] = (),
                     fund_payments: Iterable = ()) -> etree._Element:
    """The activity of one public project (``facts``: ``selectors.ProjectFacts``).

    ``fund_payments`` are (payment, fund activity identifier, publisher) of program-office money
    paid to the project: incoming funds from the foundation.
    """
    org = project.org
    identifier = activity_identifier(org.credit_code, project.public_id)
    activity = _activity(identifier=identifier, updated=project.updated_at, hierarchy=2)
    _reporting_org(activity, credit_code=org.credit_code, org_type=_org_type(org), name_zh=org.name_zh, name_en=org.name_en)
    _text_element(activity, "title", zh=project.title_zh, en=project.title_en)
    _text_element(activity, "description", zh=project.summary_zh, en=project.summary_en, type="1")
    _participating(activity, role="1", zh="公众捐赠人", en="Public donors")
    recipient = project.recipient_org
    _participating(activity, role="2", zh=recipient.name_zh, en=recipient.name_en, ref=org_ref(recipient.credit_code),
                   org_type=_org_type(recipient))
    _participating(activity, role="4", zh=org.name_zh, en=org.name_en, ref=org_ref(org.credit_code), org_type=_org_type(org))
    status = PROJECT_ACTIVITY_STATUS[project.status]
    if project.status == ProjectStatus.COMPLETED and facts.final_report:
        status = "4"
    _sub(activity, "activity-status", code=status)
    _sub(activity, "activity-date", type="1", iso_date=project.starts_on.isoformat())
    _sub(activity, "activity-date", type="3", iso_date=project.ends_on.isoformat())
    _country(activity)
    _location(activity, region=project.region)
    _sectors(activity, _domain_sectors(project.domain))
    _sdg_tags(activity, project.sdg_tags or ())
    _budget(activity, start=project.starts_on, end=project.ends_on, amount_fen=facts.budget_fen or project.goal_fen)
    for month in facts.donations:
        label = month.month.strftime("%Y-%m")
        _transaction(activity, ref=f"{identifier}-D{label}", type_code="1", on=month.last_on, amount_fen=month.amount_fen,
                     zh=f"{label} 收到捐赠 {month.count} 笔", en=f"Donations received in {label}: {month.count}",
                     provider={"zh": "公众捐赠人", "en": "Public donors"},
                     receiver={"ref": org_ref(recipient.credit_code), "zh": recipient.name_zh, "en": recipient.name_en})
    for month in facts.refunds:
        label = month.month.strftime("%Y-%m")
        _transaction(activity, ref=f"{identifier}-R{label}", type_code="1", on=month.last_on, amount_fen=-month.amount_fen,
                     zh=f"{label} 退款 {month.count} 笔", en=f"Refunds to donors in {label}: {month.count}")
    for payment, fund_identifier, publisher in fund_payments:
        _transaction(activity, ref=f"{identifier}-G{payment.public_id}", type_code="1", on=payment.paid_on,
                     amount_fen=payment.amount_fen, zh="基金拨付", en="Payment from a fund",
                     provider={"ref": org_ref(publisher.credit_code), "provider_activity_id": fund_identifier,
                               "zh": publisher.name_zh, "en": publisher.name_en})
    for disbursement in facts.disbursements:
        if disbursement.approved_at is not None:
            _transaction(activity, ref=f"{identifier}-C{disbursement.public_id}", type_code="2",
                         on=disbursement.approved_at.astimezone(SHANGHAI).date(), amount_fen=disbursement.amount_fen,
                         zh=xml_text(disbursement.budget_line.name), en=str(disbursement.get_kind_display()))
        if disbursement.paid_at is not None:
            # A grant to a beneficiary is a disbursement; purchases, logistics and costs are expenditure.
            _transaction(activity, ref=f"{identifier}-P{disbursement.public_id}",
                         type_code="3" if disbursement.kind == "grant" else "4",
                         on=disbursement.paid_at.astimezone(SHANGHAI).date(), amount_fen=disbursement.amount_fen,
                         zh=xml_text(disbursement.budget_line.name), en=str(disbursement.get_kind_display()))
    _results(activity, indicators)
    return activity


# --- funds and awards of the program office ----------------------------------------------------------

def _publisher_org(activity, publisher: Publisher) -> None:
    _reporting_org(activity, credit_code=publisher.credit_code, org_type=publisher.org_type,
                   name_zh=publisher.name_zh, name_en=publisher.name_en)


def _percentages(weights: dict[str, int]) -> list[tuple[str, Decimal]]:
    """Shares of a total as percentages with two decimals summing to exactly 100."""
    total = sum(weights.values())
    if total <= 0:
        return []
    out = [(key, (Decimal(value) * 100 / total).quantize(Decimal("0.01"))) for key, value in weights.items()]
    out = [(key, pct) for key, pct in out if pct > 0]
    if out:
        drift = Decimal(100) - sum(pct for _, pct in out)
        largest = max(range(len(out)), key=lambda i: out[i][1])
        out[largest] = (out[largest][0], out[largest][1] + drift)
    return out


def fund_activity(fund, *, publisher: Publisher, allocations: list, commitments: Iterable, payments: Iterable,
                  today: dt.date) -> etree._Element:
    """The activity of a fund: allocations as yearly budgets and sectors, commitments (type 2) and
    grant payments (type 3). Individual recipients are never named."""
    identifier = activity_identifier(publisher.credit_code, fund.public_id)
    activity = _activity(identifier=identifier, updated=None, hierarchy=1)
    _publisher_org(activity, publisher)
    _text_element(activity, "title", zh=fund.name_zh, en=fund.name_en)
    _text_element(activity, "description", zh=fund.description or fund.name_zh, en=fund.name_en, type="1")
    _participating(activity, role="1", zh=publisher.name_zh, en=publisher.name_en, ref=org_ref(publisher.credit_code),
                   org_type=publisher.org_type)
    _participating(activity, role="2", zh=publisher.name_zh, en=publisher.name_en, ref=org_ref(publisher.credit_code),
                   org_type=publisher.org_type)
    status = "1" if today.year < fund.start_year else "2" if today.year <= fund.end_year else "3"
    _sub(activity, "activity-status", code=status)
    _sub(activity, "activity-date", type="1", iso_date=dt.date(fund.start_year, 1, 1).isoformat())
    _sub(activity, "activity-date", type="3", iso_date=dt.date(fund.end_year, 12, 31).isoformat())
    _country(activity)
    by_sector: dict[str, int] = {}
    by_year: dict[int, int] = {}
    for allocation in allocations:
        by_year[allocation.year] = by_year.get(allocation.year, 0) + allocation.amount_fen
        for code, pct in DOMAIN_SECTORS.get(allocation.domain, ()):
            by_sector[code] = by_sector.get(code, 0) + allocation.amount_fen * pct
    _sectors(activity, _percentages(by_sector))
    for year in sorted(by_year):
        _budget(activity, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31), amount_fen=by_year[year])
    for commitment in commitments:
        receiver = _commitment_receiver(commitment)
        if commitment.source_kind in _CHILD_ACTIVITY_SOURCES:
            # Awards, labs and studios are activities of their own: the commitment points at them.
            receiver["receiver_activity_id"] = activity_identifier(publisher.credit_code, commitment.source_public_id)
        _transaction(activity, ref=f"{identifier}-C{commitment.public_id}", type_code="2",
                     on=commitment.created_at.astimezone(SHANGHAI).date(), amount_fen=commitment.amount_fen,
                     zh=f"{DOMAIN_LABELS_ZH.get(commitment.domain, '')} · {commitment.program}",
                     en=f"{DOMAIN_LABELS_EN.get(commitment.domain, '')} · {commitment.program}", receiver=receiver)
    for payment in payments:
        _transaction(activity, ref=f"{identifier}-P{payment.public_id}", type_code="3", on=payment.paid_on,
                     amount_fen=payment.amount_fen, receiver=_commitment_receiver(payment.commitment))
    return activity


_CHILD_ACTIVITY_SOURCES = frozenset({"grant", "lab", "studio"})
"""Commitment sources whose ``source_public_id`` names a child activity of the fund."""


def _commitment_receiver(commitment) -> dict:
    org = commitment.recipient_org
    if commitment.recipient_kind == "individual":
        return {"zh": "个人受资助者", "en": "Individual grantee"}
    receiver = {"zh": org.name_zh if org else commitment.recipient_name, "en": org.name_en if org else ""}
    if org is not None:
        receiver["ref"] = org_ref(org.credit_code)
    if commitment.project_id is not None and commitment.project is not None and org is not None:
        receiver["receiver_activity_id"] = activity_identifier(commitment.project.org.credit_code, commitment.project.public_id)
    return receiver


def award_activity(award, *, publisher: Publisher, fund_identifier: str, installments: list,
                   indicators: Iterable[IndicatorData] = ()) -> etree._Element:
    """The activity of one grant or prize award: a child of its fund's activity, with the award as
    an outgoing commitment and each paid installment as a disbursement, located in its
    commitment's region. The grantee, a person, is not named."""
    call = award.application.call
    program = call.program
    identifier = activity_identifier(publisher.credit_code, award.public_id)
    activity = _activity(identifier=identifier, updated=None, hierarchy=2)
    _publisher_org(activity, publisher)
    _text_element(activity, "title", zh=f"{program.name_zh} · {call.title_zh}", en=f"{program.name_en} · {call.title_en}" if program.name_en else "")
    _text_element(activity, "description", zh=program.description or program.name_zh, en=program.name_en, type="1")
    _participating(activity, role="1", zh=publisher.name_zh, en=publisher.name_en, ref=org_ref(publisher.credit_code),
                   org_type=publisher.org_type, activity_id=fund_identifier)
    _participating(activity, role="4", zh="个人受资助者", en="Individual grantee")
    paid = [i for i in installments if i.paid_on is not None]
    status = "3" if installments and len(paid) == len(installments) else "2"
    _sub(activity, "activity-status", code=status)
    awarded_on = award.awarded_at.astimezone(SHANGHAI).date()
    _sub(activity, "activity-date", type="1", iso_date=awarded_on.isoformat())
    _sub(activity, "activity-date", type="2", iso_date=awarded_on.isoformat())
    if installments:
        _sub(activity, "activity-date", type="3", iso_date=max(i.due_on for i in installments).isoformat())
    _country(activity)
    _location(activity, region=award.commitment.region)
    _sectors(activity, _domain_sectors(program.domain))
    by_year: dict[int, int] = {}
    for installment in installments:
        by_year[installment.due_on.year] = by_year.get(installment.due_on.year, 0) + installment.amount_fen
    for year in sorted(by_year):
        _budget(activity, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31), amount_fen=by_year[year])
    _transaction(activity, ref=f"{identifier}-C", type_code="2", on=awarded_on, amount_fen=award.amount_fen,
                 receiver={"zh": "个人受资助者", "en": "Individual grantee"})
    for installment in paid:
        _transaction(activity, ref=f"{identifier}-P{installment.number}", type_code="3", on=installment.paid_on,
                     amount_fen=installment.amount_fen, receiver={"zh": "个人受资助者", "en": "Individual grantee"})
    _sub(activity, "related-activity", ref=fund_identifier, type="1")
    _results(activity, indicators)
    return activity


def _budget_line_activity(*, publisher: Publisher, local_id: str, parent_identifier: str, fund_identifier: str,
                          hierarchy: int, title_zh: str, title_en: str, description: str, domain: str, commitment,
                          payments: Iterable, started_on: dt.date, indicators: Iterable[IndicatorData]) -> etree._Element:
    """A budget line the fund's own publisher implements (a lab, a studio): the fund commits to it
    (type 2) and pays it (type 3); its budget is the commitment, in the commitment's year."""
    identifier = activity_identifier(publisher.credit_code, local_id)
    activity = _activity(identifier=identifier, updated=None, hierarchy=hierarchy)
    _publisher_org(activity, publisher)
    _text_element(activity, "title", zh=title_zh, en=title_en)
    _text_element(activity, "description", zh=description or title_zh, en=title_en, type="1")
    _participating(activity, role="1", zh=publisher.name_zh, en=publisher.name_en, ref=org_ref(publisher.credit_code),
                   org_type=publisher.org_type, activity_id=fund_identifier)
    _participating(activity, role="4", zh=publisher.name_zh, en=publisher.name_en, ref=org_ref(publisher.credit_code),
                   org_type=publisher.org_type)
    _sub(activity, "activity-status", code="2")
    _sub(activity, "activity-date", type="2", iso_date=started_on.isoformat())
    _country(activity)
    _location(activity, region=commitment.region)
    _sectors(activity, _domain_sectors(domain))
    _budget(activity, start=dt.date(commitment.year, 1, 1), end=dt.date(commitment.year, 12, 31), amount_fen=commitment.amount_fen)
    receiver = {"zh": publisher.name_zh, "en": publisher.name_en, "ref": org_ref(publisher.credit_code)}
    _transaction(activity, ref=f"{identifier}-C{commitment.public_id}", type_code="2",
                 on=commitment.created_at.astimezone(SHANGHAI).date(), amount_fen=commitment.amount_fen, receiver=receiver)
    for payment in payments:
        _transaction(activity, ref=f"{identifier}-P{payment.public_id}", type_code="3", on=payment.paid_on,
                     amount_fen=payment.amount_fen, receiver=receiver)
    _sub(activity, "related-activity", ref=parent_identifier, type="1")
    _results(activity, indicators)
    return activity


def lab_activity(lab, *, publisher: Publisher, fund_identifier: str, payments: Iterable = (),
                 indicators: Iterable[IndicatorData] = ()) -> etree._Element:
    """The activity of an incubation lab: a child of its fund's activity, with its budget line.
    Team members are not named."""
    return _budget_line_activity(
        publisher=publisher, local_id=lab.public_id, parent_identifier=fund_identifier, fund_identifier=fund_identifier,
        hierarchy=2, title_zh=lab.name_zh, title_en=lab.name_en, description=lab.mission, domain=lab.domain,
        commitment=lab.commitment, payments=payments, started_on=lab.created_at.astimezone(SHANGHAI).date(),
        indicators=indicators,
    )


def studio_activity(studio, *, publisher: Publisher, fund_identifier: str, payments: Iterable = (),
                    indicators: Iterable[IndicatorData] = ()) -> etree._Element:
    """The activity of a studio spun off from a lab project: a child of the lab's activity, funded
    by the fund through its own budget line."""
    project = studio.project
    lab = project.lab
    return _budget_line_activity(
        publisher=publisher, local_id=studio.public_id, parent_identifier=activity_identifier(publisher.credit_code, lab.public_id),
        fund_identifier=fund_identifier, hierarchy=3, title_zh=studio.name, title_en="",
        description=project.summary or project.title, domain=lab.domain, commitment=studio.commitment, payments=payments,
        started_on=studio.created_at.astimezone(SHANGHAI).date(), indicators=indicators,
    )


# --- streaming -----------------------------------------------------------------------------------------

class _Sink:
    """A write target that hands over what was written since the last :meth:`take`."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        self._parts.append(bytes(data))

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


def write_activities(activities: Iterable[etree._Element]) -> Iterator[bytes]:
    """Serialize ``iati-activities`` incrementally with ``lxml.etree.xmlfile``: yields the header
    at once, then each activity's bytes as it is built; nothing keeps more than one activity."""
    sink = _Sink()
    root = activities_root()
    with etree.xmlfile(sink, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(root.tag, dict(root.attrib)):
            xf.write("\n")
            xf.flush()
            yield sink.take()
            for activity in activities:
                xf.write(activity, pretty_print=True)
                xf.flush()
                yield sink.take()
    yield sink.take() + b"\n"
