"""Batches of intents and notifications (giving.intake's unit of work): each request gets its own
answer, refused ones write nothing, and a batch writes what the same requests one at a time would."""

import json

import pytest

from commonweal.core.errors import Conflict, InvalidInput, PaymentRejected
from commonweal.core.identifiers import new_public_id
from commonweal.giving.models import Donation, DonationIntent, IntentStatus
from commonweal.giving.services import IntentRequest, Notified, intents_create, notifications_receive
from commonweal.ledger.models import OutboxEntry
from commonweal.projects.models import Project
from tests.factories import make_org, make_project, make_project_in, sandbox_notification
from tests.matching.factories import make_campaign

pytestmark = pytest.mark.django_db


def _notified(intent, **options) -> Notified:
    headers, body = sandbox_notification(intent, **options)
    return Notified("sandbox", intent.recipient_org.public_id, headers, body)


def test_an_intents_batch_answers_each_request_and_writes_only_the_good_ones():
    project, other = make_project(make_org()), make_project(make_org())
    closed = make_project_in("closed")
    (earlier, _), = intents_create([IntentRequest(project=project, amount_fen=500, idempotency_key="earlier")])
    results = intents_create([
        IntentRequest(project=project, amount_fen=1_000, idempotency_key="a"),
        IntentRequest(project=other, amount_fen=2_000, idempotency_key="b", device_id="phone-1"),
        IntentRequest(project=project, amount_fen=1_000, idempotency_key="a"),  # a retry inside the batch
        IntentRequest(project=project, amount_fen=500, idempotency_key="earlier"),  # a retry of an earlier batch
        IntentRequest(project=project, amount_fen=999, idempotency_key="earlier"),  # the key, for another gift
        IntentRequest(project=closed, amount_fen=1_000, idempotency_key="c"),
        IntentRequest(project=project, amount_fen=0, idempotency_key="d"),
    ])
    (a, a_created), (b, b_created), (a_again, a_again_created), (e, e_created) = results[:4]
    assert (a_created, b_created, a_again_created, e_created) == (True, True, False, False)
    assert a_again.pk == a.pk and e.pk == earlier.pk
    assert (b.project, b.recipient_org, b.amount_fen) == (other, other.recipient_org, 2_000) and b.device_fingerprint
    assert isinstance(results[4], Conflict) and results[4].code == "idempotency_key_reused"
    assert isinstance(results[5], Conflict) and results[5].code == "project_not_fundraising"
    assert isinstance(results[6], InvalidInput)
    assert set(DonationIntent.objects.values_list("idempotency_key", flat=True)) == {"earlier", "a", "b"}


def test_a_notifications_batch_confirms_the_verified_ones_and_refuses_the_rest():
    project = make_project(make_org())
    intents = [r[0] for r in intents_create([IntentRequest(project=project, amount_fen=1_000 * (n + 1), idempotency_key=f"k{n}")
                                             for n in range(5)])]
    forged = _notified(intents[3], secret="not-the-organization-secret")
    results = notifications_receive([
        _notified(intents[0]),
        _notified(intents[1]),
        _notified(intents[0]),  # the provider's retry, in the same batch
        _notified(intents[2], amount_fen=1),  # charged less than asked
        forged,
        _notified(intents[4], txn_id="other-transaction"),
        Notified("sandbox", new_public_id(), {}, b"{}"),  # no such merchant
    ])
    first, second, retry = results[:3]
    assert isinstance(first, Donation) and isinstance(second, Donation) and retry.pk == first.pk
    assert [r.code for r in results[3:5]] == ["amount_mismatch", "signature_invalid"]
    assert isinstance(results[5], Donation)
    assert isinstance(results[6], PaymentRejected) and results[6].code == "unknown_merchant"
    confirmed = {intents[0].pk, intents[1].pk, intents[4].pk}
    assert set(Donation.objects.values_list("intent_id", flat=True)) == confirmed
    assert set(DonationIntent.objects.filter(status=IntentStatus.PAID).values_list("pk", flat=True)) == confirmed
    # One outbox row per donation, and the project's totals count each gift once.
    entries = [json.loads(bytes(e.canonical_json)) for e in OutboxEntry.objects.filter(entry_type="donation")]
    assert sorted(e["amount_fen"] for e in entries) == [1_000, 2_000, 5_000]
    project = Project.objects.get(pk=project.pk)
    assert (project.raised_fen, project.donation_count) == (8_000, 3)
    # A later batch with the same notification answers with the same donation and writes nothing.
    again, = notifications_receive([_notified(intents[1])])
    assert again.pk == second.pk and Donation.objects.count() == 3


def test_a_batch_with_a_transaction_id_used_twice_is_settled_one_at_a_time():
    project = make_project(make_org())
    one, two, three = (r[0] for r in intents_create([IntentRequest(project=project, amount_fen=100, idempotency_key=f"t{n}")
                                                      for n in range(3)]))
    results = notifications_receive([_notified(one, txn_id="same"), _notified(two, txn_id="same"), _notified(three)])
    # The unique (provider, transaction) refuses the batch; alone, the first and third go through.
    assert isinstance(results[0], Donation) and isinstance(results[2], Donation)
    assert isinstance(results[1], Exception) and not isinstance(results[1], Donation)
    assert set(Donation.objects.values_list("intent_id", flat=True)) == {one.pk, three.pk}


def test_a_batch_records_the_risk_signals_of_a_burst_from_one_device():
    project = make_project(make_org())
    make_campaign(pools=(1_000_000,))
    intents = [r[0] for r in intents_create([
        IntentRequest(project=project, amount_fen=1_000, idempotency_key=f"burst-{n}", device_id="one-phone",
                      client_address=f"10.0.0.{n}")
        for n in range(6)
    ] + [IntentRequest(project=project, amount_fen=1_000, idempotency_key="calm", device_id="another-phone")])]
    donations = notifications_receive([_notified(intent, payer=f"wallet-{n}") for n, intent in enumerate(intents)])
    kinds = [set(d.match.flags.values_list("kind", flat=True)) for d in donations]
    # Six gifts within a minute from one device: as one at a time, each counts those before it and
    # itself, so the fifth and sixth (more than 4) are flagged; the other device is not.
    assert ["velocity_device" in found for found in kinds[:6]] == [False] * 4 + [True] * 2
    assert "velocity_device" not in kinds[6] and not any("velocity_address" in found for found in kinds)


def test_an_intents_batch_through_the_intake_costs_the_queries_of_one():
    """The projects come with only the fields an intent reads: a field read beyond them would cost
    one query per project, and a bigger batch more queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from commonweal.giving import intake
    from commonweal.giving.api import IntentIn

    def queries(projects, tag: str) -> int:
        items = [intake.AskedIntent(IntentIn(project=p.public_id, amount_fen=100), f"{tag}-{n}", "", "127.0.0.1")
                 for n, p in enumerate(projects)]
        with CaptureQueriesContext(connection) as captured:
            answers = intake._intents_batch(items)
        assert [status for status, _ in answers] == [201] * len(projects)
        return len(captured)

    assert queries([make_project(make_org())], "one") == queries([make_project(make_org()) for _ in range(6)], "six")
