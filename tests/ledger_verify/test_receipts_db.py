"""Receipts of real donations: built once the donation is in a signed checkpoint, verified by our
verifier and by sigstore, and handed only to the donor."""

import pytest
from django.urls import reverse

from commonweal.giving.models import Donation
from commonweal.ledger.receipts import donation_donor_reference, donation_recorded_status, public_proof, receipt_for_donation
from commonweal.ledger.verify import parse_commonweal_receipt, verify_commonweal_receipt
from commonweal.tlog import parse_receipt, parse_verifier_key, verify_receipt
from tests.factories import donate, make_project, make_user
from tests.ledger_verify.conftest import ORIGIN
from tests.ledger_verify.independent import sigstore_verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return make_project()


def test_no_receipt_until_a_signed_checkpoint_covers_the_donation(project, sequence, log_vkey):
    donation = donate(project, 12_345)
    assert receipt_for_donation(donation) is None
    assert donation_recorded_status(donation_public_id=donation.public_id).recorded is False
    sequence()
    status = donation_recorded_status(donation_public_id=donation.public_id)
    assert status.recorded and status.index == 0
    text = receipt_for_donation(donation)
    result = verify_commonweal_receipt(text, vkey=log_vkey)
    assert result.ok, result.checks
    assert result.entry["amount_fen"] == 12_345 and result.entry["id"] == donation.public_id
    assert result.checkpoint.origin == ORIGIN


def test_signed_in_and_anonymous_donors(project, sequence, log_vkey):
    user = make_user()
    mine = donate(project, 500, donor=user)
    anonymous = donate(project, 700)
    sequence()
    assert donation_donor_reference(mine) == f"user:{user.pk}"
    assert donation_donor_reference(anonymous) == f"intent:{anonymous.intent.public_id}"
    for donation in (mine, anonymous):
        text = receipt_for_donation(donation)
        assert verify_commonweal_receipt(text, vkey=log_vkey).ok
        # The personal part is the header only; the tlog-proof carries no name.
        assert donation.intent.donor_name == "" or donation.intent.donor_name not in text


def test_receipts_of_many_donations_verify_independently_with_sigstore(project, sequence, log_vkey):
    donations = [donate(project, 100 + i) for i in range(40)]
    sequence()
    more = [donate(project, 1000 + i) for i in range(5)]
    sequence()
    for donation in donations + more:
        receipt = parse_commonweal_receipt(receipt_for_donation(donation))
        sigstore_verify(receipt.proof, log_vkey)
        # The inclusion proof is for the latest checkpoint: 45 entries.
        assert "\n45\n" in receipt.proof.checkpoint


def test_public_proof_is_a_plain_tlog_proof(project, sequence, log_vkey):
    donate(project, 100)
    donate(project, 200)
    sequence()
    text = public_proof(index=1)
    verified = verify_receipt(text, origin=ORIGIN, log_verifiers=[parse_verifier_key(log_vkey)])
    assert b'"amount_fen":200' in verified.entry
    sigstore_verify(parse_receipt(text), log_vkey)
    assert public_proof(index=2) is None


# --- who may download the receipt ----------------------------------------------------------------

def test_receipt_download_access(client, project, sequence):
    owner, stranger = make_user(), make_user()
    donation = donate(project, 800, donor=owner)
    url = reverse("donation-receipt", args=[donation.public_id])
    # Before sequencing: the owner gets the "not ready" page.
    client.force_login(owner)
    pending = client.get(url)
    assert pending.status_code == 409 and "收据尚未生成" in pending.content.decode()
    sequence()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{donation.public_id}.commonweal-receipt"'
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.decode() == receipt_for_donation(Donation.objects.get(pk=donation.pk))
    # Anyone else: 404, exactly as for a donation that does not exist.
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404
    assert client.get(reverse("donation-receipt", args=["0" * 26])).status_code == 404
    assert client.post(url).status_code == 405


def test_the_session_that_paid_may_download(client, project, sequence):
    from commonweal.giving.models import DonationIntent
    from commonweal.giving.services import intent_create

    intent, _ = intent_create(project=project, amount_fen=900, idempotency_key="k-session-receipt", donor=None,
                              donor_name="", donor_public=False)
    response = client.post(reverse("sandbox-pay", args=[intent.public_id]))
    assert response.status_code == 302
    donation = DonationIntent.objects.get(pk=intent.pk).donation
    sequence()
    response = client.get(reverse("donation-receipt", args=[donation.public_id]))
    assert response.status_code == 200 and response.content.startswith(b"commonweal-receipt/v1\n")
    other = client.__class__()
    assert other.get(reverse("donation-receipt", args=[donation.public_id])).status_code == 404
