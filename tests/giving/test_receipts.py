"""Donation receipts (Charity Law Art. 38): who may ask and issue, numbering, the name on the
receipt, the lock after issuance, voiding by refund in the same transaction, annual statements."""

import datetime as dt
import itertools
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from commonweal.core.errors import Conflict, InvalidInput, NotFound
from commonweal.core.models import AuditEvent
from commonweal.core.timeutil import SHANGHAI
from commonweal.giving.capitals import fen_in_capitals
from commonweal.giving.lifecycle import RECEIPT_TRANSITIONS
from commonweal.giving.models import Donation, DonationReceipt, DonationReceiptLine, ReceiptCounter, ReceiptStatus, Refund
from commonweal.giving.selectors_receipts import donor_statement
from commonweal.giving.services import (
    donation_update_donor_display,
    intent_create,
    notification_receive,
    receipt_issue,
    receipt_request_gift,
    receipt_request_year,
    receipt_void,
    refund_create,
)
from tests.factories import add_member, donate, make_org, make_project, make_user, sandbox_notification

pytestmark = pytest.mark.django_db

_keys = itertools.count(1)


def donate_at(project, amount_fen, *, donor, at: dt.datetime, donor_name: str = "") -> Donation:
    """A real sandbox donation confirmed at ``at`` (the provider's payment time)."""
    intent, _ = intent_create(project=project, amount_fen=amount_fen, idempotency_key=f"rcpt-{next(_keys)}",
                              donor=donor, donor_name=donor_name)
    headers, body = sandbox_notification(intent, now=at)
    return notification_receive(provider="sandbox", org_public_id=intent.recipient_org.public_id, headers=headers,
                                body=body, now=at)


@pytest.fixture
def org():
    return make_org()


@pytest.fixture
def finance(org):
    return add_member(org, "finance")


@pytest.fixture
def donor():
    return make_user()


@pytest.fixture
def project(org):
    return make_project(org)


# --- asking --------------------------------------------------------------------------------------

def test_the_donor_asks_and_the_name_is_stored_on_the_receipt_only(project, donor):
    donation = donate(project, 12_345, donor=donor, donor_name="小王", donor_public=True)
    receipt = receipt_request_gift(donation=donation, actor=donor, donor_name="  王 小明  ")
    donation.refresh_from_db()
    assert (receipt.donor_name, receipt.amount_fen, receipt.status, receipt.number) == ("王 小明", 12_345, "requested", None)
    assert receipt.org == project.org and receipt.purpose == project.title_zh and receipt.scope == "gift"
    assert (donation.donor_name, donation.donor_public) == ("小王", True)  # the gift keeps its own display name
    assert list(receipt.lines.values_list("donation_id", "amount_fen", "live")) == [(donation.pk, 12_345, True)]
    event = AuditEvent.objects.get(action="receipt.request")
    assert event.target_id == receipt.public_id and "王" not in str(event.data)


def test_only_the_donor_may_ask(project, donor, org):
    donation = donate(project, 1_000, donor=donor)
    anonymous_gift = donate(project, 1_000)
    for actor in (make_user(), org.memberships.get().user, mock.Mock(is_authenticated=False)):
        with pytest.raises(NotFound):
            receipt_request_gift(donation=donation, actor=actor, donor_name="张三")
    with pytest.raises(NotFound):
        receipt_request_gift(donation=anonymous_gift, actor=donor, donor_name="张三")
    assert DonationReceipt.objects.count() == 0


@pytest.mark.parametrize("name, code", [("", "required"), ("   ", "required"), ("王" * 65, "invalid_input"), ("a\x00b", "invalid_input")])
def test_the_name_is_checked(project, donor, name, code):
    donation = donate(project, 1_000, donor=donor)
    with pytest.raises(InvalidInput) as info:
        receipt_request_gift(donation=donation, actor=donor, donor_name=name)
    assert info.value.code == code and info.value.field == "donor_name"


def test_one_live_receipt_per_gift(project, donor):
    donation = donate(project, 1_000, donor=donor)
    receipt_request_gift(donation=donation, actor=donor, donor_name="张三")
    with pytest.raises(Conflict) as info:
        receipt_request_gift(donation=donation, actor=donor, donor_name="张三")
    assert info.value.code == "receipt_exists"
    with pytest.raises(Conflict):
        receipt_request_year(org=project.org, year=donation.confirmed_at.astimezone(SHANGHAI).year, actor=donor, donor_name="张三")
    assert DonationReceipt.objects.count() == 1


def test_a_year_receipt_covers_the_years_gifts_to_one_org_in_beijing_time(org, donor):
    project, other_project = make_project(org), make_project(org, title_zh="山区净水")
    elsewhere = make_project()
    # 2025-12-31 16:30 UTC is 2026-01-01 00:30 in Beijing: a 2026 gift.
    new_year = donate_at(project, 100, donor=donor, at=dt.datetime(2025, 12, 31, 16, 30, tzinfo=dt.UTC))
    late_2025 = donate_at(project, 200, donor=donor, at=dt.datetime(2025, 12, 31, 15, 59, tzinfo=dt.UTC))
    summer = donate_at(other_project, 300, donor=donor, at=dt.datetime(2026, 7, 1, 4, 0, tzinfo=dt.UTC))
    donate_at(elsewhere, 400, donor=donor, at=dt.datetime(2026, 7, 1, 4, 0, tzinfo=dt.UTC))
    donate_at(project, 500, donor=make_user(), at=dt.datetime(2026, 7, 1, 4, 0, tzinfo=dt.UTC))
    receipt = receipt_request_year(org=org, year=2026, actor=donor, donor_name="张三", today=dt.date(2027, 1, 5))
    assert set(receipt.lines.values_list("donation_id", flat=True)) == {new_year.pk, summer.pk}
    assert (receipt.amount_fen, receipt.year, receipt.scope) == (400, 2026, "year")
    assert receipt.purpose == f"{project.title_zh}；山区净水"
    # The 2026 gifts are covered now; 2025 still can be.
    with pytest.raises(Conflict) as info:
        receipt_request_year(org=org, year=2026, actor=donor, donor_name="张三", today=dt.date(2027, 1, 5))
    assert info.value.code == "receipt_nothing_to_cover"
    older = receipt_request_year(org=org, year=2025, actor=donor, donor_name="张三", today=dt.date(2027, 1, 5))
    assert list(older.lines.values_list("donation_id", flat=True)) == [late_2025.pk]
    with pytest.raises(InvalidInput):
        receipt_request_year(org=org, year=2028, actor=donor, donor_name="张三", today=dt.date(2027, 1, 5))


# --- issuing -------------------------------------------------------------------------------------

def test_only_finance_of_the_recipient_org_may_issue(project, donor, org, finance):
    receipt = receipt_request_gift(donation=donate(project, 1_000, donor=donor), actor=donor, donor_name="张三")
    other_org = make_org()
    outsiders = [
        donor, make_user(), org.memberships.get(role="admin").user, add_member(org, "editor"),
        add_member(other_org, "finance"), other_org.memberships.get(role="admin").user,
    ]
    for actor in outsiders:
        with pytest.raises(NotFound):
            receipt_issue(receipt=receipt, actor=actor)
    receipt.refresh_from_db()
    assert receipt.status == "requested" and ReceiptCounter.objects.count() == 0
    issued = receipt_issue(receipt=receipt, actor=finance, now=dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC))
    assert (issued.status, issued.number, issued.issued_by, issued.amount_fen) == ("issued", "2026-000001", finance, 1_000)
    with pytest.raises(Conflict) as info:
        receipt_issue(receipt=receipt, actor=finance)
    assert info.value.code == "illegal_transition"
    assert AuditEvent.objects.filter(action="receipt.issue", target_id=receipt.public_id).count() == 1


def test_numbers_are_per_org_per_year_of_issue_and_never_reused(org, finance, donor):
    project = make_project(org)
    other = make_project()
    other_finance = add_member(other.org, "finance")
    mine = [receipt_request_gift(donation=donate(project, 100 + n, donor=donor), actor=donor, donor_name="张三") for n in range(3)]
    theirs = receipt_request_gift(donation=donate(other, 100, donor=donor), actor=donor, donor_name="张三")
    december = dt.datetime(2026, 12, 31, 15, 0, tzinfo=dt.UTC)  # 23:00 in Beijing
    january = dt.datetime(2026, 12, 31, 16, 0, tzinfo=dt.UTC)  # 2027-01-01 00:00 in Beijing
    assert receipt_issue(receipt=mine[0], actor=finance, now=december).number == "2026-000001"
    assert receipt_issue(receipt=theirs, actor=other_finance, now=december).number == "2026-000001"
    assert receipt_issue(receipt=mine[1], actor=finance, now=december).number == "2026-000002"
    receipt_void(receipt=mine[1], actor=finance, reason="抬头写错")
    assert receipt_issue(receipt=mine[2], actor=finance, now=january).number == "2027-000001"
    again = receipt_request_gift(donation=mine[1].lines.get().donation, actor=donor, donor_name="张三丰")
    assert receipt_issue(receipt=again, actor=finance, now=december).number == "2026-000003"
    assert sorted(DonationReceipt.objects.filter(org=org).values_list("number", flat=True)) == [
        "2026-000001", "2026-000002", "2026-000003", "2027-000001"]


def test_the_database_refuses_a_duplicate_number(org, finance, donor):
    from django.db import IntegrityError, transaction

    project = make_project(org)
    first, second = (receipt_request_gift(donation=donate(project, 100, donor=donor), actor=donor, donor_name="张三") for _ in range(2))
    receipt_issue(receipt=first, actor=finance)
    first.refresh_from_db()
    with pytest.raises(IntegrityError), transaction.atomic():
        DonationReceipt.objects.filter(pk=second.pk).update(number=first.number)


def test_the_donor_is_emailed_when_issued_and_when_voided(project, donor, finance, django_capture_on_commit_callbacks):
    receipt = receipt_request_gift(donation=donate(project, 1_000, donor=donor), actor=donor, donor_name="张三")
    with django_capture_on_commit_callbacks(execute=True):
        receipt_issue(receipt=receipt, actor=finance)
    receipt.refresh_from_db()
    assert mail.outbox[-1].to == [donor.email] and receipt.number in mail.outbox[-1].subject
    assert reverse("receipt-detail", args=[receipt.public_id]) in mail.outbox[-1].body
    with django_capture_on_commit_callbacks(execute=True):
        receipt_void(receipt=receipt, actor=finance, reason="抬头有误")
    assert "抬头有误" in mail.outbox[-1].body and len(mail.outbox) == 2


def test_finance_can_decline_a_request_with_a_reason(project, donor, finance):
    receipt = receipt_request_gift(donation=donate(project, 1_000, donor=donor), actor=donor, donor_name="张三")
    with pytest.raises(InvalidInput):
        receipt_void(receipt=receipt, actor=finance, reason=" ")
    with pytest.raises(NotFound):
        receipt_void(receipt=receipt, actor=donor, reason="x")
    receipt_void(receipt=receipt, actor=finance, reason="请填写全名")
    receipt.refresh_from_db()
    assert (receipt.status, receipt.number, receipt.void_reason) == ("void", None, "请填写全名")
    assert not DonationReceiptLine.objects.filter(live=True).exists()


def test_every_receipt_edge(project, donor, finance):
    """Legal edges succeed for finance; every other pair is refused without a change."""
    statuses = ReceiptStatus.values
    for source, target in itertools.product(statuses, statuses):
        receipt = receipt_request_gift(donation=donate(project, 1_000, donor=donor), actor=donor, donor_name="张三")
        if source in ("issued", "void"):
            receipt_issue(receipt=receipt, actor=finance)
        if source == "void":
            receipt_void(receipt=receipt, actor=finance, reason="r")
        receipt.refresh_from_db()
        assert receipt.status == source
        call = {
            "issued": lambda r: receipt_issue(receipt=r, actor=finance),
            "void": lambda r: receipt_void(receipt=r, actor=finance, reason="r"),
            "requested": None,
        }[target]
        if call is None:
            continue  # no service moves a receipt back to "requested"
        if (source, target) in RECEIPT_TRANSITIONS:
            assert call(receipt).status == target
        else:
            with pytest.raises(Conflict):
                call(receipt)
            receipt.refresh_from_db()
            assert receipt.status == source


# --- locked after issuance, voided by refunds ------------------------------------------------------

def test_the_gift_can_be_edited_until_a_receipt_is_issued(project, donor, finance):
    donation = donate(project, 1_000, donor=donor, donor_name="小王")
    with pytest.raises(NotFound):
        donation_update_donor_display(donation=donation, actor=make_user(), donor_name="x", donor_public=True)
    donation_update_donor_display(donation=donation, actor=donor, donor_name="王小明", donor_public=True)
    receipt = receipt_request_gift(donation=donation, actor=donor, donor_name="王小明")
    donation_update_donor_display(donation=donation, actor=donor, donor_name="王", donor_public=False)  # still a request
    receipt = receipt_issue(receipt=receipt, actor=finance)
    with pytest.raises(Conflict) as info:
        donation_update_donor_display(donation=donation, actor=donor, donor_name="别人", donor_public=True)
    assert info.value.code == "donation_locked_by_receipt" and receipt.number in info.value.message
    donation.refresh_from_db()
    assert (donation.donor_name, donation.donor_public) == ("王", False)
    assert AuditEvent.objects.filter(action="donation.update_display").count() == 2


def test_a_refund_voids_the_receipt_with_a_reason(project, donor, finance, org):
    donation = donate(project, 10_000, donor=donor)
    receipt = receipt_issue(receipt=receipt_request_gift(donation=donation, actor=donor, donor_name="张三"), actor=finance)
    refund = refund_create(donation=donation, amount_fen=3_000, reason="捐赠人申请部分退款", actor=org.memberships.get(role="admin").user)
    receipt.refresh_from_db()
    assert (receipt.status, receipt.void_refund) == ("void", refund) and receipt.number.endswith("-000001")  # kept
    assert "捐赠人申请部分退款" in receipt.void_reason and refund.public_id in receipt.void_reason
    assert not receipt.lines.filter(live=True).exists()
    assert AuditEvent.objects.filter(action="receipt.void", target_id=receipt.public_id).count() == 1
    # The donor may ask again for what remains, and the gift may be edited again.
    again = receipt_request_gift(donation=donation, actor=donor, donor_name="张三")
    assert again.amount_fen == 7_000
    # A refund also voids a request that was not issued yet.
    refund_create(donation=donation, amount_fen=1_000, reason="再退一部分", actor=finance)
    again.refresh_from_db()
    assert again.status == "void" and again.number is None


def test_the_void_is_in_the_refunds_transaction(project, donor, finance):
    donation = donate(project, 10_000, donor=donor)
    receipt = receipt_issue(receipt=receipt_request_gift(donation=donation, actor=donor, donor_name="张三"), actor=finance)
    with mock.patch("commonweal.giving.services.receipts.audit_record", side_effect=RuntimeError("crash while voiding")):
        with pytest.raises(RuntimeError):
            refund_create(donation=donation, amount_fen=1_000, reason="退款", actor=finance)
    receipt.refresh_from_db()
    donation.refresh_from_db()
    assert receipt.status == "issued" and donation.refunded_fen == 0 and Refund.objects.count() == 0


def test_a_refused_refund_leaves_the_receipt_alone(project, donor, finance):
    donation = donate(project, 1_000, donor=donor)
    receipt = receipt_issue(receipt=receipt_request_gift(donation=donation, actor=donor, donor_name="张三"), actor=finance)
    with pytest.raises(Conflict):
        refund_create(donation=donation, amount_fen=1_001, reason="太多", actor=finance)
    receipt.refresh_from_db()
    assert receipt.status == "issued"


def test_a_fully_refunded_gift_cannot_be_receipted(project, donor, finance):
    donation = donate(project, 1_000, donor=donor)
    refund_create(donation=donation, amount_fen=1_000, reason="全额退款", actor=finance)
    with pytest.raises(Conflict) as info:
        receipt_request_gift(donation=donation, actor=donor, donor_name="张三")
    assert info.value.code == "receipt_nothing_to_cover"


# --- annual statement --------------------------------------------------------------------------------

def test_the_annual_statement_lists_every_gift_of_the_year_with_totals(donor):
    a, b = make_project(make_org(name="甲基金会")), make_project(make_org(name="乙基金会"))
    b_finance = add_member(b.org, "finance")
    at = dt.datetime(2026, 5, 1, 2, 0, tzinfo=dt.UTC)
    gifts = [donate_at(a, 1_000, donor=donor, at=at), donate_at(a, 2_550, donor=donor, at=at + dt.timedelta(days=30)),
             donate_at(b, 10_000, donor=donor, at=at)]
    donate_at(a, 99_999, donor=donor, at=dt.datetime(2025, 12, 31, 15, 59, tzinfo=dt.UTC))  # 2025 in Beijing
    donate_at(a, 77_777, donor=make_user(), at=at)  # someone else's
    refund_create(donation=gifts[2], amount_fen=2_500, reason="部分退款", actor=b_finance)
    receipt = receipt_issue(receipt=receipt_request_gift(donation=gifts[2], actor=donor, donor_name="张三"), actor=b_finance)
    statement = donor_statement(donor=donor, year=2026)
    assert (statement.gift_count, statement.amount_fen, statement.refunded_fen, statement.net_fen) == (3, 13_550, 2_500, 11_050)
    assert [s.org.name_zh for s in statement.orgs] == ["乙基金会", "甲基金会"]  # by name
    by_org = {s.org.pk: s for s in statement.orgs}
    assert (by_org[a.org.pk].amount_fen, by_org[a.org.pk].net_fen, len(by_org[a.org.pk].gifts)) == (3_550, 3_550, 2)
    assert (by_org[b.org.pk].refunded_fen, by_org[b.org.pk].net_fen) == (2_500, 7_500)
    assert by_org[b.org.pk].gifts[0].receipt_number == receipt.number
    assert statement.net_fen == sum(s.net_fen for s in statement.orgs) == sum(g.net_fen for s in statement.orgs for g in s.gifts)
    assert donor_statement(donor=donor, year=2025).amount_fen == 99_999


# --- capitals ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fen, text", [
    (0, "零元整"), (1, "壹分"), (10, "壹角整"), (100, "壹元整"), (150, "壹元伍角整"), (1_000, "壹拾元整"),
    (123_456, "壹仟贰佰叁拾肆元伍角陆分"), (101_005, "壹仟零壹拾元零伍分"), (1_001_000, "壹万零壹拾元整"),
    (10_050_000, "壹拾万零伍佰元整"), (100_000_100, "壹佰万零壹元整"), (1_000_000_100, "壹仟万零壹元整"),
    (10_000_000_000, "壹亿元整"), (10_000_000_105, "壹亿零壹元零伍分"), (100_000_000_000_000, "壹万亿元整"),
])
def test_amounts_in_capitals(fen, text):
    assert fen_in_capitals(fen) == text


def test_capitals_refuse_bad_input():
    for bad, error in ((-1, ValueError), (1.5, TypeError), (True, TypeError), (10 ** 18, ValueError)):
        with pytest.raises(error):
            fen_in_capitals(bad)
