"""Donation confirmation through signed notifications: exactly once, nothing half-written."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from commonweal.core.errors import Conflict, PaymentRejected
from commonweal.giving.models import Donation, DonationIntent
from commonweal.giving.services import intent_create, notification_receive
from commonweal.ledger.models import OutboxEntry
from tests.factories import donate, make_project, make_user, sandbox_notification

pytestmark = pytest.mark.django_db


def _counts():
    return Donation.objects.count(), OutboxEntry.objects.count()


def test_valid_notification_confirms_one_donation_with_outbox_row():
    project = make_project()
    donor = make_user()
    donation = donate(project, 12_345, donor=donor, donor_name="张三")
    project.refresh_from_db()
    assert (project.raised_fen, project.donation_count) == (12_345, 1)
    assert donation.intent.status == "paid"
    row = OutboxEntry.objects.get()
    entry = json.loads(bytes(row.canonical_json))
    assert entry == {
        "v": 1, "type": "donation", "id": donation.public_id, "amount_fen": 12_345, "currency": "CNY",
        "org": project.org.public_id, "project": project.public_id,
        "time": entry["time"], "donor": donation.donor_commitment,
    }
    assert "张三" not in bytes(row.canonical_json).decode()
    assert donor.email not in bytes(row.canonical_json).decode()


def test_same_notification_ten_times_yields_one_donation():
    project = make_project()
    intent, _ = intent_create(project=project, amount_fen=500, idempotency_key="retry-me")
    headers, body = sandbox_notification(intent)
    ids = {notification_receive(provider="sandbox", org_public_id=project.org.public_id, headers=headers, body=body).pk for _ in range(10)}
    assert len(ids) == 1
    assert _counts() == (1, 1)
    project.refresh_from_db()
    assert project.raised_fen == 500


def test_retried_intent_request_creates_nothing_new():
    project = make_project()
    first, created = intent_create(project=project, amount_fen=500, idempotency_key="abc")
    again, created_again = intent_create(project=project, amount_fen=500, idempotency_key="abc")
    assert (created, created_again, first.pk) == (True, False, again.pk)
    assert DonationIntent.objects.count() == 1


def test_a_key_is_never_answered_with_another_donors_intent():
    """A signed-in donor's key replayed by someone else (another donor, or anonymously) is refused,
    and so is an anonymous key replayed by a signed-in donor: the gift would land in the wrong account."""
    project, alice, bob = make_project(), make_user(), make_user()
    mine, _ = intent_create(project=project, amount_fen=500, idempotency_key="alice-key", donor=alice)
    anonymous, _ = intent_create(project=project, amount_fen=500, idempotency_key="anonymous-key")
    for key, donor in [("alice-key", bob), ("alice-key", None), ("anonymous-key", bob)]:
        with pytest.raises(Conflict) as refused:
            intent_create(project=project, amount_fen=500, idempotency_key=key, donor=donor)
        assert refused.value.code == "idempotency_key_reused" and "its donor differed" in refused.value.message
    assert intent_create(project=project, amount_fen=500, idempotency_key="alice-key", donor=alice) == (mine, False)
    assert intent_create(project=project, amount_fen=500, idempotency_key="anonymous-key") == (anonymous, False)
    assert DonationIntent.objects.count() == 2


@pytest.mark.parametrize(
    "tamper, code",
    [
        ("signature", "signature_invalid"),
        ("stale", "timestamp_stale"),
        ("amount", "amount_mismatch"),
        ("currency", "currency_mismatch"),
        ("unknown_intent", "unknown_intent"),
        ("other_merchant", "signature_invalid"),
        ("unknown_merchant", "unknown_merchant"),
    ],
)
def test_rejected_notifications_write_nothing(tamper, code):
    project = make_project()
    intent, _ = intent_create(project=project, amount_fen=800, idempotency_key=f"t-{tamper}")
    org_id = project.org.public_id
    now = timezone.now()
    if tamper == "signature":
        headers, body = sandbox_notification(intent, secret="not-the-secret")
    elif tamper == "stale":
        headers, body = sandbox_notification(intent, now=now - dt.timedelta(minutes=30))
    elif tamper == "amount":
        headers, body = sandbox_notification(intent, amount_fen=1)
    elif tamper == "currency":
        headers, body = sandbox_notification(intent, currency="USD")
    elif tamper == "unknown_intent":
        intent.public_id = "01jzzzzzzzzzzzzzzzzzzzzzzz"
        headers, body = sandbox_notification(intent)
    elif tamper == "other_merchant":
        headers, body = sandbox_notification(intent)
        org_id = make_project().org.public_id
    else:
        headers, body = sandbox_notification(intent)
        org_id = "01jnosuchorganizationxxxxx"
    with pytest.raises(PaymentRejected) as info:
        notification_receive(provider="sandbox", org_public_id=org_id, headers=headers, body=body, now=now)
    assert info.value.code == code
    assert _counts() == (0, 0)
    assert DonationIntent.objects.get(idempotency_key=f"t-{tamper}").status == "pending"
