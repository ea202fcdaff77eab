"""Portfolio services: allocation limits, the fund's total, four eyes, overpayment, the outbox."""

import datetime as dt
import json
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from commonweal.core.domains import Domain
from commonweal.core.errors import Conflict, InvalidInput
from commonweal.ledger.models import OutboxEntry
from commonweal.programs.models import Commitment, FundAllocation, GrantPayment, OfficeRole
from commonweal.programs.services import allocation_set, commitment_create, fund_create, grant_payment_record
from tests.conftest import on_postgres
from tests.factories import make_org, make_user
from tests.programs.factories import make_fund, make_office

pytestmark = pytest.mark.django_db

YEAR = 2026
PAID_ON = dt.date(2026, 3, 1)


def commit(manager, fund, amount_fen, *, domain=Domain.BASIC_SCIENCE, **kw):
    kw.setdefault("recipient_name", "某某研究所")
    kw.setdefault("recipient_kind", "organization")
    return commitment_create(
        actor=manager, fund=fund, domain=domain, year=YEAR, amount_fen=amount_fen, program="Direct", source_kind="direct", **kw
    )


def test_commitment_within_allocation_is_written_with_its_fields():
    manager = make_office()
    fund = make_fund()
    org = make_org()
    c = commit(manager, fund, 150_000_00, recipient_org=org, region="云南省")
    row = Commitment.objects.get(pk=c.pk)
    assert (row.amount_fen, row.domain, row.year, row.region, row.recipient_org_id, row.created_by_id) == (
        150_000_00, Domain.BASIC_SCIENCE, YEAR, "云南省", org.pk, manager.pk,
    )


def test_commitment_beyond_the_allocation_left_is_refused():
    manager = make_office()
    fund = make_fund()  # 400,000 yuan per domain
    commit(manager, fund, 300_000_00)
    with pytest.raises(Conflict) as exc:
        commit(manager, fund, 100_000_01)
    assert exc.value.code == "allocation_exceeded"
    assert "¥100,000.00 left" in exc.value.message
    commit(manager, fund, 100_000_00)  # exactly what is left
    assert Commitment.objects.filter(fund=fund).count() == 2


def test_commitment_without_allocation_is_refused():
    manager = make_office()
    fund = make_fund()
    with pytest.raises(Conflict) as exc:
        commit(manager, fund, 1_00, domain=Domain.FEW)
    assert exc.value.code == "no_allocation"


def test_commitment_beyond_the_fund_total_is_refused_even_within_allocations():
    manager = make_office()
    # Allocations written directly add up to more than the total (the service refuses that too).
    fund = make_fund(total_fen=500_000_00)
    commit(manager, fund, 400_000_00)
    with pytest.raises(Conflict) as exc:
        commit(manager, fund, 100_000_01, domain=Domain.CARBON_NEUTRALITY)
    assert exc.value.code == "fund_exceeded"
    assert not Commitment.objects.filter(domain=Domain.CARBON_NEUTRALITY).exists()


@pytest.mark.parametrize("role", [None, OfficeRole.FINANCE])
def test_only_a_manager_commits(role):
    user = make_office(role) if role else make_user()
    with pytest.raises(Conflict) as exc:
        commit(user, make_fund(), 1_00)
    assert exc.value.code == "office_role_required"
    assert not Commitment.objects.exists()


@pytest.mark.parametrize("amount", [0, -1, 1.5, True, "100"])
def test_commitment_amount_must_be_positive_whole_fen(amount):
    with pytest.raises(InvalidInput) as exc:
        commit(make_office(), make_fund(), amount)
    assert exc.value.field == "amount"


def test_database_refuses_non_positive_commitment():
    fund = make_fund()
    with pytest.raises(IntegrityError), transaction.atomic():
        Commitment.objects.create(
            fund=fund, domain=Domain.FEW, year=YEAR, program="x", recipient_name="x", amount_fen=0, source_kind="direct",
            created_by=make_user(),
        )


def test_allocation_set_keeps_within_the_total_and_above_commitments():
    manager = make_office()
    fund = fund_create(actor=manager, name_zh="基金", total_fen=1_000_00, start_year=2025, end_year=2027)
    allocation_set(actor=manager, fund=fund, domain=Domain.FEW, year=2026, amount_fen=600_00)
    with pytest.raises(Conflict) as exc:
        allocation_set(actor=manager, fund=fund, domain=Domain.BASIC_SCIENCE, year=2026, amount_fen=400_01)
    assert exc.value.code == "allocation_exceeds_fund"
    commitment_create(
        actor=manager, fund=fund, domain=Domain.FEW, year=2026, amount_fen=500_00, recipient_name="Org", program="p",
        source_kind="direct", recipient_kind="organization",
    )
    with pytest.raises(Conflict) as exc:
        allocation_set(actor=manager, fund=fund, domain=Domain.FEW, year=2026, amount_fen=499_99)
    assert exc.value.code == "allocation_below_committed"
    allocation_set(actor=manager, fund=fund, domain=Domain.FEW, year=2026, amount_fen=500_00)
    assert FundAllocation.objects.get(fund=fund, domain=Domain.FEW, year=2026).amount_fen == 500_00
    with pytest.raises(InvalidInput) as exc:
        allocation_set(actor=manager, fund=fund, domain=Domain.FEW, year=2030, amount_fen=1_00)
    assert exc.value.field == "year"


def test_payment_four_eyes_and_finance_approval():
    manager, finance, finance2 = make_office(), make_office(OfficeRole.FINANCE), make_office(OfficeRole.FINANCE)
    c = commit(manager, make_fund(), 100_00)
    with pytest.raises(Conflict) as exc:
        grant_payment_record(commitment=c, amount_fen=10_00, paid_on=PAID_ON, created_by=finance, approved_by=finance)
    assert exc.value.code == "four_eyes"
    with pytest.raises(Conflict) as exc:  # the approver must be finance
        grant_payment_record(commitment=c, amount_fen=10_00, paid_on=PAID_ON, created_by=finance, approved_by=manager)
    assert exc.value.code == "office_role_required"
    with pytest.raises(Conflict) as exc:  # the author must be in the office
        grant_payment_record(commitment=c, amount_fen=10_00, paid_on=PAID_ON, created_by=make_user(), approved_by=finance)
    assert exc.value.code == "office_role_required"
    assert not GrantPayment.objects.exists() and not OutboxEntry.objects.exists()
    p = grant_payment_record(commitment=c, amount_fen=10_00, paid_on=PAID_ON, created_by=finance2, approved_by=finance)
    assert (p.created_by_id, p.approved_by_id) == (finance2.pk, finance.pk)
    grant_payment_record(commitment=c, amount_fen=10_00, paid_on=PAID_ON, created_by=manager, approved_by=finance)


def test_database_refuses_a_payment_approved_by_its_author():
    manager = make_office()
    c = commit(manager, make_fund(), 100_00)
    with pytest.raises(IntegrityError), transaction.atomic():
        GrantPayment.objects.create(commitment=c, amount_fen=1_00, paid_on=PAID_ON, created_by=manager, approved_by=manager)


def test_overpayment_is_refused():
    manager, finance = make_office(), make_office(OfficeRole.FINANCE)
    c = commit(manager, make_fund(), 100_00)
    grant_payment_record(commitment=c, amount_fen=60_00, paid_on=PAID_ON, created_by=manager, approved_by=finance)
    with pytest.raises(Conflict) as exc:
        grant_payment_record(commitment=c, amount_fen=40_01, paid_on=PAID_ON, created_by=manager, approved_by=finance)
    assert exc.value.code == "overpayment"
    assert "¥40.00 left" in exc.value.message
    grant_payment_record(commitment=c, amount_fen=40_00, paid_on=PAID_ON, created_by=manager, approved_by=finance)
    assert sum(GrantPayment.objects.values_list("amount_fen", flat=True)) == 100_00


def test_payment_writes_one_outbox_entry_with_public_ids_only():
    manager, finance = make_office(), make_office(OfficeRole.FINANCE)
    fund = make_fund()
    org = make_org()
    c = commit(manager, fund, 100_00, recipient_org=org)
    p = grant_payment_record(commitment=c, amount_fen=25_00, paid_on=PAID_ON, created_by=manager, approved_by=finance)
    rows = list(OutboxEntry.objects.filter(entry_type="grant_payment"))
    assert len(rows) == 1 and rows[0].subject_id == p.public_id
    entry = json.loads(bytes(rows[0].canonical_json))
    assert entry == {
        "v": 1, "type": "grant_payment", "id": p.public_id, "fund": fund.public_id, "commitment": c.public_id,
        "amount_fen": 25_00, "currency": "CNY", "domain": Domain.BASIC_SCIENCE, "recipient": org.public_id,
        "paid_on": "2026-03-01",
    }


def test_an_individual_grantee_is_named_in_the_log_only_by_the_commitment():
    manager, finance = make_office(), make_office(OfficeRole.FINANCE)
    c = commit(manager, make_fund(), 100_00, recipient_name="张三", recipient_kind="individual")
    grant_payment_record(commitment=c, amount_fen=1_00, paid_on=PAID_ON, created_by=manager, approved_by=finance)
    raw = bytes(OutboxEntry.objects.get(entry_type="grant_payment").canonical_json).decode()
    assert "张三" not in raw and json.loads(raw)["recipient"] == c.public_id
    # Without a kind and without an organization, the name is treated as a person's.
    c2 = commit(manager, make_fund(), 100_00, recipient_name="李四", recipient_kind=None)
    assert c2.recipient_kind == "individual"


def test_an_organization_named_without_a_record_is_named_in_the_log():
    manager, finance = make_office(), make_office(OfficeRole.FINANCE)
    c = commit(manager, make_fund(), 100_00, recipient_name="某大学", recipient_kind="organization")
    grant_payment_record(commitment=c, amount_fen=1_00, paid_on=PAID_ON, created_by=manager, approved_by=finance)
    assert json.loads(bytes(OutboxEntry.objects.get().canonical_json))["recipient"] == "某大学"


def test_a_failed_payment_leaves_nothing_behind_inside_a_callers_transaction():
    manager, finance = make_office(), make_office(OfficeRole.FINANCE)
    c = commit(manager, make_fund(), 100_00)
    with pytest.raises(RuntimeError), transaction.atomic():
        grant_payment_record(commitment=c, amount_fen=1_00, paid_on=PAID_ON, created_by=manager, approved_by=finance)
        raise RuntimeError("the caller's award failed")
    assert not GrantPayment.objects.exists() and not OutboxEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not on_postgres(), reason="SQLite ignores SELECT FOR UPDATE; writers queue on the busy timeout")
def test_concurrent_payments_never_exceed_the_commitment():
    manager, finance = make_office(), make_office(OfficeRole.FINANCE)
    c = commit(manager, make_fund(), 100_00)
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def pay():
        try:
            start.wait()
            grant_payment_record(commitment=c, amount_fen=30_00, paid_on=PAID_ON, created_by=manager, approved_by=finance)
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] * 3 + ["overpayment"] * 5
    assert OutboxEntry.objects.filter(entry_type="grant_payment").count() == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not on_postgres(), reason="SQLite ignores SELECT FOR UPDATE; writers queue on the busy timeout")
def test_concurrent_commitments_never_exceed_the_allocation():
    manager = make_office()
    fund = make_fund()  # 400,000 yuan for basic science in 2026
    start = threading.Barrier(10)
    outcomes: list[str] = []

    def take():
        try:
            start.wait()
            commit(manager, fund, 100_000_00)
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["allocation_exceeded"] * 6 + ["ok"] * 4
    assert sum(Commitment.objects.filter(fund=fund).values_list("amount_fen", flat=True)) == 400_000_00
