"""Receipt numbers under real parallel issuance (run on SQLite and on PostgreSQL).

- 40 requests issued at once by two finance members: 40 distinct numbers, exactly
  2026-000001 … 2026-000040, one counter row (created by the first issue of the year, in the race).
- Issues racing refunds of the same gifts: no deadlock, and no issued receipt covers a refunded gift.
"""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from commonweal.core.errors import Conflict
from commonweal.giving.models import Donation, DonationReceipt, ReceiptCounter
from commonweal.giving.services import receipt_issue, receipt_request_gift, refund_create
from tests.factories import add_member, donate, make_org, make_project, make_user

RECEIPTS = 40
WORKERS = 16
NOW = dt.datetime(2026, 6, 1, 4, 0, tzinfo=dt.UTC)


def _run_all(calls):
    """Run every call from WORKERS threads released together; return the errors raised."""
    start = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def work(chunk):
        try:
            start.wait()
            for call in chunk:
                try:
                    call()
                except Conflict:
                    pass  # a lost race that the rules refuse cleanly
        except BaseException as exc:  # noqa: BLE001 - collected and asserted by the caller
            errors.append(exc)
        finally:
            connections.close_all()

    chunks = [calls[i::WORKERS] for i in range(WORKERS)]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(work, chunks))
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuance_gives_distinct_consecutive_numbers():
    org = make_org()
    project = make_project(org)
    finance = [add_member(org, "finance"), add_member(org, "finance")]
    donor = make_user()
    receipts = [
        receipt_request_gift(donation=donate(project, 100 + n, donor=donor), actor=donor, donor_name=f"捐赠人{n}")
        for n in range(RECEIPTS)
    ]
    assert not ReceiptCounter.objects.exists()
    calls = [lambda r=r, n=n: receipt_issue(receipt=r, actor=finance[n % 2], now=NOW) for n, r in enumerate(receipts)]

    assert _run_all(calls) == []

    numbers = sorted(DonationReceipt.objects.filter(org=org).values_list("number", flat=True))
    assert numbers == [f"2026-{n:06d}" for n in range(1, RECEIPTS + 1)]
    assert list(ReceiptCounter.objects.values_list("year", "last_number")) == [(2026, RECEIPTS)]
    assert DonationReceipt.objects.filter(status="issued").count() == RECEIPTS
    print(f"\n{connection.vendor}: {RECEIPTS} receipts issued concurrently, numbers 1..{RECEIPTS}")


@pytest.mark.django_db(transaction=True)
def test_issues_racing_refunds_never_leave_an_issued_receipt_on_a_refunded_gift():
    org = make_org()
    project = make_project(org)
    finance = add_member(org, "finance")
    donor = make_user()
    receipts = [
        receipt_request_gift(donation=donate(project, 1_000, donor=donor), actor=donor, donor_name="张三")
        for _ in range(RECEIPTS // 2)
    ]
    calls = []
    for r in receipts:
        gift = r.lines.get().donation
        calls.append(lambda r=r: receipt_issue(receipt=r, actor=finance, now=NOW))
        calls.append(lambda gift=gift: refund_create(donation=gift, amount_fen=100, reason="并发退款", actor=finance))

    assert _run_all(calls) == []

    for receipt in DonationReceipt.objects.prefetch_related("lines__donation"):
        gift = receipt.lines.get().donation
        assert gift.refunded_fen == 100
        assert receipt.status == "void" and receipt.void_refund_id is not None, receipt.number
    assert Donation.objects.filter(refunded_fen=100).count() == len(receipts)
    # Numbers taken by receipts voided later stay taken; none is used twice.
    numbers = [n for n in DonationReceipt.objects.values_list("number", flat=True) if n]
    assert len(numbers) == len(set(numbers))
