"""Authorization over the API: a donor sees only their own gifts, and one organization's
notification URL can never confirm another organization's intent."""

import pytest
from django.test import Client

from commonweal.giving.models import Donation
from commonweal.giving.services import credentials_get, intent_create
from commonweal.ledger.models import OutboxEntry
from tests.api.conftest import API, error_of, post_notification
from tests.factories import donate, make_project, make_user, sandbox_notification

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_my_donations_never_shows_another_donors(client):
    alice, bob = make_user(), make_user()
    project = make_project()
    alices = {donate(project, 100 + i, donor=alice).public_id for i in range(3)}
    bobs = {donate(project, 200 + i, donor=bob, donor_public=True).public_id for i in range(2)}
    donate(project, 999)  # anonymous

    for user, own, others in ((alice, alices, bobs), (bob, bobs, alices)):
        body = _signed_in(user).get(f"{API}/me/donations", {"limit": 100}).json()
        seen = {item["public_id"] for item in body["items"]}
        assert seen == own and body["count"] == len(own)
        assert not seen & others


def test_signed_out_and_donationless_users_see_nothing(client):
    donate(make_project(), 100, donor=make_user())
    assert error_of(client.get(f"{API}/me/donations"), 401)["code"] == "not_authenticated"
    assert _signed_in(make_user()).get(f"{API}/me/donations").json() == {"count": 0, "items": []}


@pytest.mark.parametrize("signed_by", ["org_a", "org_b"])
def test_notification_for_org_a_delivered_to_org_b_is_rejected(client, signed_by):
    """Org B's admin controls B's secret, so "signed by B" is the real attack: it must still fail."""
    project_a, project_b = make_project(), make_project()
    intent, _ = intent_create(project=project_a, amount_fen=800, idempotency_key="a-intent")
    secret = credentials_get(org=(project_a if signed_by == "org_a" else project_b).org, provider="sandbox")["secret"]
    headers, body = sandbox_notification(intent, secret=secret)

    response = post_notification(client, "sandbox", project_b.org.public_id, headers, body)

    assert response.status_code == 400
    expected = "signature_invalid" if signed_by == "org_a" else "unknown_intent"
    assert response.json()["error"]["code"] == expected
    assert (Donation.objects.count(), OutboxEntry.objects.count()) == (0, 0)
    intent.refresh_from_db()
    assert intent.status == "pending"
    # The same notification at org A's own URL is the one that works.
    if signed_by == "org_a":
        assert post_notification(client, "sandbox", project_a.org.public_id, headers, body).status_code == 200
        assert Donation.objects.get().recipient_org == project_a.org


def test_notification_for_partner_project_goes_to_the_partner_url(client):
    """Funds for a partner project go to the partner (Art. 26): the running org's URL refuses them."""
    from tests.factories import make_org

    partner = make_org()
    runner = make_org(qualified=False)
    project = make_project(runner, partner_org=partner)
    intent, _ = intent_create(project=project, amount_fen=500, idempotency_key="partner-intent")
    runner_secret = credentials_get(org=runner, provider="sandbox")["secret"]
    headers, body = sandbox_notification(intent, secret=runner_secret)
    assert post_notification(client, "sandbox", runner.public_id, headers, body).status_code == 400
    assert Donation.objects.count() == 0
    headers, body = sandbox_notification(intent)  # signed with the partner's secret
    assert post_notification(client, "sandbox", partner.public_id, headers, body).status_code == 200
    assert Donation.objects.get().recipient_org == partner
