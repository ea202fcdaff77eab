"""CSV of everything public, one file per table, streamed row by row.

Columns are chosen, never "all fields": no names of donors (even those shown on a project
page by choice), no contacts, messages, payer or provider references, refund reasons or
disbursement descriptions, and individual grantees are never named. ``tests/opendata`` checks
every file for the personal data of a test dataset. Money is in fen (integers), times are UTC
RFC 3339, dates ISO 8601. Files start with a UTF-8 BOM so spreadsheet programs read Chinese.
"""

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from commonweal.core.timeutil import rfc3339
from commonweal.opendata import selectors
from commonweal.opendata.iati import activity_identifier, org_ref
from commonweal.programs.grants.models import Award
from commonweal.programs.models import Commitment, Fund, GrantPayment

__all__ = ["CsvTable", "CSV_TABLES", "CSV_CHUNK_SIZE", "csv_rows", "write_csv"]

CSV_CHUNK_SIZE = 1000
"""Rows fetched per round trip by ``QuerySet.iterator``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CsvTable:
    """One public table."""

    name: str
    """File name without ``.csv``; also the URL ``/opendata/<name>.csv``."""
    columns: tuple[str, ...]
    """Header row."""
    queryset: Callable[[], QuerySet]
    """The rows (a fresh queryset each time)."""
    row: Callable[[object], tuple]
    """One model instance -> values in column order."""


def _t(value) -> str:
    return rfc3339(value) if value is not None else ""


def _d(value) -> str:
    return value.isoformat() if value is not None else ""


def _org_row(org) -> tuple:
    return (org.public_id, org.name_zh, org.name_en, org.credit_code, org_ref(org.credit_code), org.org_type,
            _d(org.registration_date), org.verification_status, _d(org.verified_until), org.fundraising_qualified, org.website)


def _project_row(p) -> tuple:
    return (p.public_id, activity_identifier(p.org.credit_code, p.public_id), p.org.public_id, p.recipient_org.public_id,
            p.title_zh, p.title_en, p.domain, " ".join(str(t) for t in p.sdg_tags or ()), p.region, p.status,
            _d(p.starts_on), _d(p.ends_on), p.goal_fen, p.raised_fen, p.refunded_fen, p.donation_count, p.beneficiary_count)


def _donation_row(d) -> tuple:
    return (d.public_id, d.project.public_id, d.recipient_org.public_id, d.amount_fen, d.refunded_fen, d.currency,
            d.provider, _t(d.confirmed_at), d.donor_commitment)


def _refund_row(r) -> tuple:
    return (r.public_id, r.donation.public_id, r.donation.project.public_id, r.amount_fen, _t(r.created_at))


def _disbursement_row(d) -> tuple:
    return (d.public_id, d.project.public_id, d.budget_line.name, d.kind, d.amount_fen, d.currency, d.status,
            _t(d.approved_at), _t(d.paid_at))


def _fund_row(f) -> tuple:
    return (f.public_id, f.name_zh, f.name_en, f.total_fen, f.currency, f.start_year, f.end_year)


def _commitment_row(c) -> tuple:
    is_org = c.recipient_kind == "organization"
    return (c.public_id, c.fund.public_id, c.domain, c.year, c.region, c.program, c.recipient_kind,
            c.recipient_org.public_id if c.recipient_org_id and is_org else "", c.recipient_name if is_org else "",
            c.project.public_id if c.project_id else "", c.amount_fen, c.currency, c.source_kind, _t(c.created_at))


def _payment_row(p) -> tuple:
    return (p.public_id, p.commitment.public_id, p.amount_fen, p.currency, _d(p.paid_on))


def _grant_row(a) -> tuple:
    call = a.application.call
    return (a.public_id, a.commitment.public_id, call.program.public_id, call.program.name_zh, call.program.kind,
            call.program.domain, call.public_id, call.title_zh, call.year, a.amount_fen, call.installments, _t(a.awarded_at))


CSV_TABLES: dict[str, CsvTable] = {t.name: t for t in (
    CsvTable(name="organizations", queryset=selectors.public_orgs, row=_org_row, columns=(
        "public_id", "name_zh", "name_en", "credit_code", "iati_org_ref", "org_type", "registration_date",
        "verification_status", "verified_until", "fundraising_qualified", "website")),
    CsvTable(name="projects", queryset=selectors.public_projects, row=_project_row, columns=(
        "public_id", "iati_identifier", "org_public_id", "recipient_org_public_id", "title_zh", "title_en", "domain",
        "sdg_tags", "region", "status", "starts_on", "ends_on", "goal_fen", "raised_fen", "refunded_fen",
        "donation_count", "beneficiary_count")),
    CsvTable(name="donations", queryset=selectors.public_donations, row=_donation_row, columns=(
        "public_id", "project_public_id", "recipient_org_public_id", "amount_fen", "refunded_fen", "currency",
        "provider", "confirmed_at", "donor_commitment")),
    CsvTable(name="refunds", queryset=selectors.public_refunds, row=_refund_row, columns=(
        "public_id", "donation_public_id", "project_public_id", "amount_fen", "created_at")),
    CsvTable(name="disbursements", queryset=selectors.public_disbursements, row=_disbursement_row, columns=(
        "public_id", "project_public_id", "budget_line", "kind", "amount_fen", "currency", "status", "approved_at", "paid_at")),
    CsvTable(name="funds", queryset=lambda: Fund.objects.all(), row=_fund_row, columns=(
        "public_id", "name_zh", "name_en", "total_fen", "currency", "start_year", "end_year")),
    CsvTable(name="commitments", queryset=lambda: Commitment.objects.select_related("fund", "recipient_org", "project"),
             row=_commitment_row, columns=(
        "public_id", "fund_public_id", "domain", "year", "region", "program", "recipient_kind", "recipient_org_public_id",
        "recipient_name", "project_public_id", "amount_fen", "currency", "source_kind", "created_at")),
    CsvTable(name="grant_payments", queryset=lambda: GrantPayment.objects.select_related("commitment"), row=_payment_row,
             columns=("public_id", "commitment_public_id", "amount_fen", "currency", "paid_on")),
    CsvTable(name="grants", queryset=lambda: Award.objects.select_related("commitment", "application__call__program"),
             row=_grant_row, columns=(
        "public_id", "commitment_public_id", "program_public_id", "program_name_zh", "program_kind", "domain",
        "call_public_id", "call_title_zh", "call_year", "amount_fen", "installments", "awarded_at")),
)}
"""Every public table by name."""


def csv_rows(table: CsvTable) -> Iterator[tuple]:
    """The header, then every row, read ``CSV_CHUNK_SIZE`` rows at a time in primary-key order."""
    yield table.columns
    for instance in table.queryset().order_by("pk").iterator(chunk_size=CSV_CHUNK_SIZE):
        yield table.row(instance)


class _Line:
    """csv.writer's target: ``write`` returns the line instead of storing it."""

    def write(self, text: str) -> str:
        return text


def write_csv(table: CsvTable) -> Iterator[bytes]:
    """The table as UTF-8 CSV (with BOM, CRLF line ends), one encoded line at a time."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield "\ufeff".encode("utf-8")
    for row in csv_rows(table):
        yield writer.writerow(row).encode("utf-8")
