"""Decisions along the rounds, awards with payment schedules, report before payment, four eyes."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from commonweal.core.errors import Conflict, InvalidInput, NotFound
from commonweal.ledger.models import OutboxEntry
from commonweal.programs.grants.models import ApplicationStatus, Award, Installment, InstallmentStatus
from commonweal.programs.grants.schedule import payment_schedule
from commonweal.programs.grants.services import (
    decision_record,
    installment_approve,
    installment_propose,
    installment_report,
    installment_return,
)
from commonweal.programs.grants.services.awards import FourEyesViolation
from commonweal.programs.models import Commitment, GrantPayment
from commonweal.programs.selectors import PortfolioFilter, fund_facets, fund_portfolio
from tests.factories import make_user
from tests.programs.grants.factories import apply, make_world, upload_all_letters

pytestmark = pytest.mark.django_db


def test_schedule_splits_exactly():
    schedule = payment_schedule(amount_fen=3_000_000_00, count=5, first_due_on=dt.date(2026, 3, 1))
    assert [p.amount_fen for p in schedule] == [600_000_00] * 5
    assert [p.due_on for p in schedule] == [dt.date(2026 + i, 3, 1) for i in range(5)]
    odd = payment_schedule(amount_fen=1001, count=3, first_due_on=dt.date(2024, 2, 29))
    assert [p.amount_fen for p in odd] == [334, 334, 333] and sum(p.amount_fen for p in odd) == 1001
    assert odd[1].due_on == dt.date(2025, 2, 28)


def _through(world, application, *, letters=True):
    if letters:
        upload_all_letters(application)
    decision_record(actor=world.manager, application=application, outcome="advance", reason="材料齐全")
    decision_record(actor=world.manager, application=application, outcome="advance", reason="评审均分 4.5")


def _award(world, application=None):
    application = application or apply(world.call)
    _through(world, application)
    decision_record(actor=world.manager, application=application, outcome="award", reason="答辩优秀",
                    first_due_on=dt.date(2026, 3, 1))
    return Award.objects.get(application=application)


def test_advancing_needs_every_referee_letter():
    world = make_world()
    application = apply(world.call)
    with pytest.raises(Conflict) as refused:
        decision_record(actor=world.manager, application=application, outcome="advance", reason="x")
    assert refused.value.code == "letters_missing" and "3 referee letter" in refused.value.message
    # Rejecting needs no letters.
    decision_record(actor=world.manager, application=application, outcome="reject", reason="不符合资助方向")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    with pytest.raises(Conflict) as again:
        decision_record(actor=world.manager, application=application, outcome="advance", reason="x")
    assert again.value.code == "illegal_transition"


def test_award_only_in_the_last_round_and_with_a_reason():
    world = make_world()
    application = apply(world.call)
    upload_all_letters(application)
    with pytest.raises(Conflict) as early:
        decision_record(actor=world.manager, application=application, outcome="award", reason="x")
    assert early.value.code == "not_last_round"
    with pytest.raises(InvalidInput):
        decision_record(actor=world.manager, application=application, outcome="advance", reason="  ")
    _through(world, application, letters=False)
    with pytest.raises(Conflict) as last:
        decision_record(actor=world.manager, application=application, outcome="advance", reason="x")
    assert last.value.code == "no_next_round"
    for actor in (world.finance, make_user(), application.applicant):
        with pytest.raises(NotFound):
            decision_record(actor=actor, application=application, outcome="award", reason="x")


def test_award_creates_the_commitment_and_five_annual_installments():
    world = make_world()
    award = _award(world)
    commitment = Commitment.objects.get()
    assert award.commitment == commitment
    assert (commitment.amount_fen, commitment.source_kind, commitment.source_public_id, commitment.domain, commitment.year) == (
        3_000_000_00, "grant", award.public_id, "basic_science", 2026)
    assert commitment.recipient_kind == "individual"
    installments = list(award.installments.order_by("number"))
    assert [(i.number, i.amount_fen, i.due_on, i.status) for i in installments] == [
        (n + 1, 600_000_00, dt.date(2026 + n, 3, 1), InstallmentStatus.DUE) for n in range(5)
    ]
    assert award.application.status == ApplicationStatus.AWARDED


@pytest.mark.parametrize(("region", "province", "counted_in"), [
    ("mainland", "云南省", "云南省"),
    ("mainland", "", ""),
    ("hong_kong", "", "香港特别行政区"),
    ("overseas", "", ""),
])
def test_the_award_commitment_is_counted_where_the_position_is(region, province, counted_in):
    world = make_world(call_overrides={"eligible_regions": []})
    award = _award(world, apply(world.call, region=region, province=province))
    assert award.commitment.region == counted_in
    by_region = fund_portfolio(fund=world.fund, filter=PortfolioFilter(region="云南省"))
    assert by_region.committed_fen == (award.amount_fen if counted_in == "云南省" else 0)
    assert fund_facets(fund=world.fund).regions == ([counted_in] if counted_in else [])


def test_awards_stay_within_the_call_budget():
    world = make_world(call_overrides={"budget_fen": 6_000_000_00})
    _award(world)
    _award(world)
    third = apply(world.call)
    _through(world, third)
    with pytest.raises(Conflict) as refused:
        decision_record(actor=world.manager, application=third, outcome="award", reason="x")
    assert refused.value.code == "call_budget_exceeded"
    assert Award.objects.count() == 2 and Commitment.objects.count() == 2


def test_report_before_payment_and_four_eyes():
    world = make_world()
    award = _award(world)
    grantee = award.application.applicant
    first, second = award.installments.order_by("number")[:2]
    # No report yet: finance cannot propose.
    with pytest.raises(Conflict) as refused:
        installment_propose(actor=world.finance, installment=first)
    assert refused.value.code == "illegal_transition"
    # Reports come in order.
    with pytest.raises(Conflict) as order:
        installment_report(actor=grantee, installment=second, report="第二年报告")
    assert order.value.code == "report_out_of_order"
    with pytest.raises(NotFound):
        installment_report(actor=make_user(), installment=first, report="冒名")
    installment_report(actor=grantee, installment=first, report="第一年：完成了样品制备。")
    with pytest.raises(NotFound):
        installment_propose(actor=world.manager, installment=first)
    installment_propose(actor=world.finance, installment=first)
    with pytest.raises(FourEyesViolation) as same:
        installment_approve(actor=world.finance, installment=first, paid_on=dt.date(2026, 3, 2))
    assert same.value.code == "four_eyes"
    assert not GrantPayment.objects.exists()
    paid = installment_approve(actor=world.finance2, installment=first, paid_on=dt.date(2026, 3, 2))
    assert (paid.status, paid.proposed_by, paid.approved_by) == (InstallmentStatus.PAID, world.finance, world.finance2)
    payment = GrantPayment.objects.get()
    assert (payment.amount_fen, payment.created_by, payment.approved_by, payment.commitment) == (
        600_000_00, world.finance, world.finance2, award.commitment)
    entry = OutboxEntry.objects.get(entry_type="grant_payment")
    assert entry.subject_id == payment.public_id
    body = bytes(entry.canonical_json).decode()
    assert award.commitment.public_id in body and '"amount_fen":60000000' in body
    assert award.application.full_name not in body
    with pytest.raises(Conflict):
        installment_approve(actor=world.finance2, installment=first, paid_on=dt.date(2026, 3, 2))


def test_a_proposal_can_be_returned():
    world = make_world()
    award = _award(world)
    first = award.installments.get(number=1)
    installment_report(actor=award.application.applicant, installment=first, report="报告")
    installment_propose(actor=world.finance, installment=first)
    returned = installment_return(actor=world.finance2, installment=first, reason="报告缺少经费明细")
    assert (returned.status, returned.proposed_by) == (InstallmentStatus.REPORTED, None)


def test_database_refuses_self_approval_and_payment_without_report():
    world = make_world()
    award = _award(world)
    first = award.installments.get(number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Installment.objects.filter(pk=first.pk).update(status=InstallmentStatus.REPORTED)
    installment_report(actor=award.application.applicant, installment=first, report="报告")
    installment_propose(actor=world.finance, installment=first)
    with pytest.raises(IntegrityError), transaction.atomic():
        Installment.objects.filter(pk=first.pk).update(approved_by=world.finance)
